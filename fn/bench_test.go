package fn

import (
	"context"
	"testing"

	"google.golang.org/protobuf/types/known/structpb"

	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// The benchmarks measure RunFunction in-process on the requests fnbench sends over gRPC: the typical
// app is a frozen copy of examples/full with its observed ready state (8 resources), the large one has 50 env vars
// and 10 ports, the features one uses every workload feature of issue 11, the cronjob one is a
// scheduled job app. The targets are in the
// README: the large app may cost at most 1.5x the typical one, the features one at most 2x.
func BenchmarkRunFunction(b *testing.B) {
	const composition = "../package/configuration/composition-xapp.yaml"
	// Each case's request is built in its own sub-benchmark, so that only the request being measured
	// is alive: the others would grow the heap the garbage collector marks on every cycle.
	cases := map[string]func() *fnv1.RunFunctionRequest{
		"typical": func() *fnv1.RunFunctionRequest {
			return request(b, "testdata/bench/typical-xr.yaml", composition, "testdata/bench/typical-observed.yaml")
		},
		"large": func() *fnv1.RunFunctionRequest {
			return request(b, "testdata/bench/large-xr.yaml", composition, "testdata/bench/typical-observed.yaml")
		},
		"features": func() *fnv1.RunFunctionRequest {
			return request(b, "testdata/bench/features-xr.yaml", composition, "testdata/bench/typical-observed.yaml")
		},
		"cronjob": func() *fnv1.RunFunctionRequest { return request(b, "testdata/bench/cronjob-xr.yaml", composition, "") },
		// The typical app with its three pods as required resources: what asking for them to learn a
		// tag's digest costs (the pods' own size included).
		"typical-pods": func() *fnv1.RunFunctionRequest {
			r := request(b, "testdata/bench/typical-xr.yaml", composition, "testdata/bench/typical-observed.yaml")
			r.RequiredResources = map[string]*fnv1.Resources{requiredPods: {Items: asResources(readDocs(b, "testdata/bench/typical-pods.yaml"))}}
			return r
		},
	}
	for name, build := range cases {
		b.Run(name, func(b *testing.B) {
			req := build()
			f := New(logging.NewNopLogger())
			b.ReportAllocs()
			for b.Loop() {
				rsp, err := f.RunFunction(context.Background(), req)
				if err != nil || len(rsp.GetResults()) > 0 && rsp.GetResults()[0].GetSeverity() == fnv1.Severity_SEVERITY_FATAL {
					b.Fatalf("RunFunction(): %v %v", err, rsp.GetResults())
				}
			}
		})
	}
}

func asResources(ss []*structpb.Struct) []*fnv1.Resource {
	rs := make([]*fnv1.Resource, len(ss))
	for i, s := range ss {
		rs[i] = &fnv1.Resource{Resource: s}
	}
	return rs
}
