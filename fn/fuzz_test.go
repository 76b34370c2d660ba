package fn

import (
	"context"
	"os"
	"regexp"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// fieldPath is how every Fatal message must start after its prefix: the field it is about.
var fieldPath = regexp.MustCompile(`^(invalid app|the app breaks the platform's policy): (spec|metadata|kind)[.\[:]`)

// FuzzRunFunction feeds random XApp specs (as JSON, the way Crossplane sends them) through the whole
// function: it must never panic, and must either compose objects that have a kind and a name, or
// refuse with a Fatal result that names a field, and compose nothing.
func FuzzRunFunction(f *testing.F) {
	for _, path := range []string{"../examples/full/xr.yaml", "../examples/minimal/xr.yaml", "testdata/bench/large-xr.yaml"} {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		spec, err := protojson.Marshal(mustStruct(f, string(b)).Fields["spec"])
		if err != nil {
			f.Fatal(err)
		}
		f.Add(spec)
	}
	f.Add([]byte(`{"image":"a:1","ports":[{"name":"http","port":70000}],"autoscaling":{"min":3,"max":1}}`))
	f.Add([]byte(`{"image":"a:1","replicas":-1,"probes":{"readiness":{"http":{"path":"x","port":"nope"}}},"route":{"paths":["/"]}}`))
	f.Add([]byte(`{"image":"a","env":[{"name":"A","secretKeyRef":{}}],"files":[{"path":"/etc/a"},{"path":"/etc/a"}],"dependsOn":["x/y/z"]}`))

	input := mustStruct(f, `{apiVersion: fn.xapp.dev/v1beta1, kind: Input, domain: example.com,
gateway: {name: gw, namespace: gw}, images: {allowedRegistries: [ghcr.io, index.docker.io], pinning: None}}`)
	fn := New(logging.NewNopLogger())

	f.Fuzz(func(t *testing.T, spec []byte) {
		v := &structpb.Value{}
		if protojson.Unmarshal(spec, v) != nil {
			t.Skip("not JSON")
		}
		xr := mustStruct(t, `{apiVersion: platform.xapp.dev/v1alpha1, kind: XApp, metadata: {name: shop, namespace: team}}`)
		xr.Fields["spec"] = v
		req := &fnv1.RunFunctionRequest{Input: input, Observed: &fnv1.State{Composite: &fnv1.Resource{Resource: xr}}}

		rsp, err := fn.RunFunction(context.Background(), req)
		if err != nil {
			t.Fatalf("RunFunction() returned an error instead of a result: %v", err)
		}
		for _, r := range rsp.GetResults() {
			if r.GetSeverity() != fnv1.Severity_SEVERITY_FATAL {
				continue
			}
			if !fieldPath.MatchString(r.GetMessage()) {
				t.Fatalf("Fatal result does not name a field: %q", r.GetMessage())
			}
			if n := len(rsp.GetDesired().GetResources()); n > 0 {
				t.Fatalf("Fatal result with %d composed resources: half an app", n)
			}
			return
		}
		if len(rsp.GetDesired().GetResources()) < 2 {
			t.Fatalf("no Fatal result but only %d composed resources", len(rsp.GetDesired().GetResources()))
		}
		for name, r := range rsp.GetDesired().GetResources() {
			f := r.GetResource().GetFields()
			if f["kind"].GetStringValue() == "" || f["metadata"].GetStructValue().GetFields()["name"].GetStringValue() == "" {
				t.Fatalf("composed resource %q has no kind or name: %v", name, r.GetResource())
			}
		}
	})
}
