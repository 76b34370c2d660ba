package examples

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// TestClusterRoleCoversComposedKinds checks that the ClusterRole xapp ships lets Crossplane manage
// every kind any example composes: a kind it cannot watch stalls every app (see package/rbac).
func TestClusterRoleCoversComposedKinds(t *testing.T) {
	b, err := os.ReadFile("../package/rbac/clusterrole.yaml")
	if err != nil {
		t.Fatal(err)
	}
	role := &rbacv1.ClusterRole{}
	if err := yaml.UnmarshalStrict(b, role); err != nil {
		t.Fatalf("package/rbac/clusterrole.yaml: %v", err)
	}
	if role.Labels["rbac.crossplane.io/aggregate-to-crossplane"] != "true" {
		t.Errorf("the ClusterRole is not labelled for Crossplane's aggregation: %v", role.Labels)
	}
	allowed := func(gr schema.GroupResource) bool {
		for _, r := range role.Rules {
			if slices.Contains(r.APIGroups, gr.Group) && slices.Contains(r.Resources, gr.Resource) {
				return slices.Equal(r.Verbs, []string{"get", "list", "watch", "create", "update", "patch", "delete"})
			}
		}
		return false
	}
	goldens, err := filepath.Glob("testdata/*.yaml")
	if err != nil || len(goldens) == 0 {
		t.Fatalf("no goldens in testdata: %v", err)
	}
	seen := map[schema.GroupVersionKind]bool{}
	for _, g := range goldens {
		f, err := os.Open(g)
		if err != nil {
			t.Fatal(err)
		}
		d := utilyaml.NewYAMLOrJSONDecoder(f, 4096)
		for {
			u := &unstructured.Unstructured{}
			if err := d.Decode(&u.Object); err != nil {
				break
			}
			gvk := u.GroupVersionKind()
			// The XRs themselves and render's results are not composed.
			if gvk.Group == "platform.xapp.dev" || gvk.Group == "render.crossplane.io" || gvk.Kind == "" || seen[gvk] {
				continue
			}
			seen[gvk] = true
			gvr, _ := meta.UnsafeGuessKindToResource(gvk)
			if !allowed(gvr.GroupResource()) {
				t.Errorf("%s: %s (%s) is composed but the shipped ClusterRole does not grant it", g, gvk.Kind, gvr.GroupResource())
			}
		}
		_ = f.Close()
	}
	if len(seen) < 10 {
		t.Errorf("only %d composed kinds found in the goldens: the test reads them wrong", len(seen))
	}
}
