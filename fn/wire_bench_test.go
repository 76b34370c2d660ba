package fn

import (
	"context"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// BenchmarkWire adds the protobuf work gRPC does around RunFunction: unmarshal the request, marshal
// the response. It is the closest in-process stand-in for fnbench's server CPU per request.
func BenchmarkWire(b *testing.B) {
	req := request(b, "testdata/bench/typical-xr.yaml", "../package/configuration/composition-xapp.yaml", "testdata/bench/typical-observed.yaml")
	raw, err := proto.Marshal(req)
	if err != nil {
		b.Fatal(err)
	}
	f := New(logging.NewNopLogger())
	b.ReportAllocs()
	b.ReportMetric(float64(len(raw)), "req-bytes")
	for b.Loop() {
		r := &fnv1.RunFunctionRequest{}
		if err := proto.Unmarshal(raw, r); err != nil {
			b.Fatal(err)
		}
		rsp, _ := f.RunFunction(context.Background(), r)
		if _, err := proto.Marshal(rsp); err != nil {
			b.Fatal(err)
		}
	}
}
