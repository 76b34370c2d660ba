package xpkg

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"

	metav1 "github.com/crossplane/crossplane/apis/v2/pkg/meta/v1"
)

func TestPackageName(t *testing.T) {
	cases := map[string]struct {
		reason string
		ref    string
		want   string
	}{
		"HostOnly": {
			reason: "A package right under the registry's host is named after its repository alone.",
			ref:    "registry.example.com/function-xapp",
			want:   "function-xapp",
		},
		"Organisation": {
			reason: "The repository path's slashes become dashes.",
			ref:    "registry.example.com/platform/function-xapp",
			want:   "platform-function-xapp",
		},
		"LoopbackWithPort": {
			reason: "The host and port are not part of the name.",
			ref:    "127.0.0.1:5000/xapp/provider-cmdb",
			want:   "xapp-provider-cmdb",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := PackageName(tc.ref)
			if err != nil {
				t.Fatalf("PackageName(%q): %v", tc.ref, err)
			}
			if got != tc.want {
				t.Errorf("%s\nPackageName(%q) = %q, want %q", tc.reason, tc.ref, got, tc.want)
			}
		})
	}
}

func TestStageConfiguration(t *testing.T) {
	dir := t.TempDir()
	p := Published{Registry: "registry.example.com/platform", Version: "v0.3.0"}
	if err := StageConfiguration("../../package/configuration", dir, p); err != nil {
		t.Fatalf("StageConfiguration(): %v", err)
	}

	b, err := os.ReadFile(filepath.Join(dir, "crossplane.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	c := &metav1.Configuration{}
	if err := yaml.UnmarshalStrict(b, c); err != nil {
		t.Fatalf("staged crossplane.yaml: %v", err)
	}
	want := []metav1.Dependency{
		{APIVersion: ptr.To("pkg.crossplane.io/v1"), Kind: ptr.To("Function"), Package: ptr.To("registry.example.com/platform/function-xapp"), Version: ">=v0.3.0"},
		{APIVersion: ptr.To("pkg.crossplane.io/v1"), Kind: ptr.To("Provider"), Package: ptr.To("registry.example.com/platform/provider-cmdb"), Version: ">=v0.3.0"},
	}
	if diff := cmp.Diff(want, c.Spec.DependsOn); diff != "" {
		t.Errorf("dependsOn: -want, +got:\n%s", diff)
	}
	if c.Name != "xapp" || c.Spec.Crossplane == nil {
		t.Errorf("staged crossplane.yaml lost the package's own metadata: name %q, crossplane %v", c.Name, c.Spec.Crossplane)
	}

	// Every composition names the Function as Crossplane will name the installed dependency.
	for _, f := range []string{"composition-xapp.yaml", "composition-app.yaml"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "functionRef:\n      name: platform-function-xapp\n") || strings.Contains(string(b), "name: function-xapp") {
			t.Errorf("%s: the function step does not name platform-function-xapp:\n%s", f, b)
		}
	}
}
