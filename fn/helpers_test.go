package fn

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/types/known/structpb"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
	"github.com/xapp-dev/xapp/input/v1beta1"
	"github.com/xapp-dev/xapp/internal/pbjson"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/ with the current output")

// Modifiers build test apps: start from the smallest valid app and change only what a case is about.
type specMod func(*v1alpha1.XAppSpec)
type inputMod func(*v1beta1.Input)

func withPorts(ports ...v1alpha1.Port) specMod {
	return func(s *v1alpha1.XAppSpec) { s.Ports = ports }
}

func withRoute(r *v1alpha1.Route) specMod { return func(s *v1alpha1.XAppSpec) { s.Route = r } }

func withAutoscaling(lo, hi int32) specMod {
	return func(s *v1alpha1.XAppSpec) { s.Autoscaling = &v1alpha1.Autoscaling{Min: lo, Max: hi} }
}

func withReplicas(n int32) specMod { return func(s *v1alpha1.XAppSpec) { s.Replicas = ptr.To(n) } }

func withImage(image string) specMod { return func(s *v1alpha1.XAppSpec) { s.Image = image } }

func withFiles(files ...v1alpha1.File) specMod { return func(s *v1alpha1.XAppSpec) { s.Files = files } }

func withDependsOn(deps ...string) specMod { return func(s *v1alpha1.XAppSpec) { s.DependsOn = deps } }

func withGateway() inputMod {
	return func(in *v1beta1.Input) {
		in.Gateway = &v1beta1.Gateway{Name: "platform", Namespace: "gateway-system", HTTPSListener: "https", HTTPListener: "http",
			PodLabels: map[string]string{"gateway.networking.k8s.io/gateway-name": "platform"}}
		in.Domain = "apps.example.com"
	}
}

func http(name string, port int32) v1alpha1.Port {
	return v1alpha1.Port{Name: name, Port: port, Protocol: v1alpha1.ProtocolHTTP}
}

func exposedPort(p v1alpha1.Port) v1alpha1.Port {
	p.Expose = ptr.To(true)
	return p
}

func baseSpec() v1alpha1.XAppSpec {
	return v1alpha1.XAppSpec{Image: "ghcr.io/acme/shop:1.4.2", Ports: []v1alpha1.Port{http("http", 8080)}}
}

// testApp is the app newApp makes for namespace team-shop and name shop.
func testApp(tb testing.TB, in []inputMod, mods ...specMod) *app {
	tb.Helper()
	spec := baseSpec()
	for _, m := range mods {
		m(&spec)
	}
	input := &v1beta1.Input{}
	for _, m := range in {
		m(input)
	}
	ref, err := parseImage(spec.Image)
	if err != nil {
		tb.Fatalf("test image %q: %v", spec.Image, err)
	}
	return newApp("shop", "team-shop", spec, input, ref)
}

func q(s string) *resource.Quantity { return ptr.To(resource.MustParse(s)) }

// golden compares got (any object, as YAML) with testdata/<file>, or rewrites the file with -update.
func golden(t *testing.T, file string, got any) {
	t.Helper()
	s, err := pbjson.EncodeValue(got)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	b, err := yaml.Marshal(s.AsInterface())
	if err != nil {
		t.Fatalf("yaml: %v", err)
	}
	path := filepath.Join("testdata", file)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test -update to create it): %v", err)
	}
	if diff := cmp.Diff(string(want), string(b)); diff != "" {
		t.Errorf("%s: -want, +got (run go test ./fn -update if the change is intended):\n%s", path, diff)
	}
}

// mustStruct reads YAML into a Struct, as Crossplane would send it.
func mustStruct(tb testing.TB, y string) *structpb.Struct {
	tb.Helper()
	m := map[string]any{}
	if err := yaml.Unmarshal([]byte(y), &m); err != nil {
		tb.Fatalf("yaml: %v", err)
	}
	s, err := structpb.NewStruct(m)
	if err != nil {
		tb.Fatalf("struct: %v", err)
	}
	return s
}

func withDNS(namespace string, labels map[string]string) inputMod {
	return func(in *v1beta1.Input) {
		if in.NetworkPolicy == nil {
			in.NetworkPolicy = &v1beta1.NetworkPolicy{}
		}
		in.NetworkPolicy.DNS = &v1beta1.DNS{Namespace: namespace, PodLabels: labels}
	}
}

// verdict is what a policy check says, as the developer reads it.
type verdict struct {
	warnings []string
	errs     []string
}

func verdictOf(warnings []string, errs field.ErrorList) verdict {
	v := verdict{warnings: warnings}
	for _, e := range errs {
		v.errs = append(v.errs, e.Error())
	}
	return v
}

// fatalMessage is the message of the response's Fatal result; empty when there is none.
func fatalMessage(rsp *fnv1.RunFunctionResponse) string {
	for _, r := range rsp.GetResults() {
		if r.GetSeverity() == fnv1.Severity_SEVERITY_FATAL {
			return r.GetMessage()
		}
	}
	return ""
}

// composedNames are the resource names of what the response composes, in no order.
func composedNames(rsp *fnv1.RunFunctionResponse) []string {
	names := make([]string, 0, len(rsp.GetDesired().GetResources()))
	for n := range rsp.GetDesired().GetResources() {
		names = append(names, n)
	}
	return names
}
