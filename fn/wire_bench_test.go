package fn

import (
	"context"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/response"
)

// BenchmarkWire adds the protobuf work gRPC does around RunFunction: unmarshal the request, marshal
// the response. It is the closest in-process stand-in for fnbench's server CPU per request.
//
// The noop case is the floor any function pays for the same request (the SDK's response.To and
// nothing else); comparing the two in one run tells what function-xapp itself costs even on a busy
// machine.
func BenchmarkWire(b *testing.B) {
	req := request(b, "testdata/bench/typical-xr.yaml", "../package/configuration/composition-xapp.yaml", "testdata/bench/typical-observed.yaml")
	raw, err := proto.Marshal(req)
	if err != nil {
		b.Fatal(err)
	}
	f := New(logging.NewNopLogger())
	run := map[string]func(*fnv1.RunFunctionRequest) *fnv1.RunFunctionResponse{
		"noop": func(r *fnv1.RunFunctionRequest) *fnv1.RunFunctionResponse { return response.To(r, response.DefaultTTL) },
		"xapp": func(r *fnv1.RunFunctionRequest) *fnv1.RunFunctionResponse {
			rsp, _ := Served(f).RunFunction(context.Background(), r)
			return rsp
		},
	}
	for name, fn := range run {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r := &fnv1.RunFunctionRequest{}
				if err := proto.Unmarshal(raw, r); err != nil {
					b.Fatal(err)
				}
				if _, err := proto.Marshal(fn(r)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
