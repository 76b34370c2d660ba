package fn

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"

	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// TestServedWire proves the served response is the same message on the wire: what Crossplane
// unmarshals from the pre-encoded response equals the response RunFunction returned.
func TestServedWire(t *testing.T) {
	const composition = "../package/configuration/composition-xapp.yaml"
	cases := map[string]struct {
		reason string
		req    *fnv1.RunFunctionRequest
	}{
		"Typical": {reason: "The typical app, ready.", req: request(t, "testdata/bench/typical-xr.yaml", composition, "testdata/bench/typical-observed.yaml")},
		"Large":   {reason: "The large app.", req: request(t, "testdata/bench/large-xr.yaml", composition, "")},
		"Fatal":   {reason: "A Fatal result has no objects to encode.", req: request(t, "testdata/bench/typical-xr.yaml", "", "")},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			f := New(logging.NewNopLogger())
			want, err := f.RunFunction(context.Background(), proto.Clone(tc.req).(*fnv1.RunFunctionRequest))
			if err != nil {
				t.Fatal(err)
			}
			got, err := Served(f).RunFunction(context.Background(), proto.Clone(tc.req).(*fnv1.RunFunctionRequest))
			if err != nil {
				t.Fatal(err)
			}
			b, err := proto.Marshal(got)
			if err != nil {
				t.Fatal(err)
			}
			back := &fnv1.RunFunctionResponse{}
			if err := proto.Unmarshal(b, back); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, back, protocmp.Transform()); diff != "" {
				t.Errorf("%s\nserved response as Crossplane reads it: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
