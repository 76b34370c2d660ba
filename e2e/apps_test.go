package e2e

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

//nolint:thelper // A scenario, not a helper: its failures point at its own lines.
func testPackages(t *testing.T, ctx context.Context) {
	if err := h.WaitPackagesHealthy(ctx, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	for _, xrd := range []struct {
		name string
		want []string
	}{
		{"xapps.platform.xapp.dev", []string{"Established"}},
		{"compositeapps.platform.xapp.dev", []string{"Established", "Offered"}},
	} {
		if err := h.WaitConditions(ctx, 30*time.Second, XRDKind, "", xrd.name, xrd.want...); err != nil {
			t.Error(err)
		}
	}
	// Only the Configuration was applied: the function and provider are there because Crossplane
	// resolved its dependencies.
	lock, err := h.Get(ctx, LockKind, "", "lock")
	if err != nil || lock == nil {
		t.Fatalf("no package Lock: %v", err)
	}
	pkgs, _, _ := unstructured.NestedSlice(lock.Object, "packages")
	if len(pkgs) != 3 {
		t.Errorf("the Lock holds %d packages, want the Configuration and its two dependencies: %v", len(pkgs), pkgs)
	}
}

//nolint:thelper // A scenario, not a helper: its failures point at its own lines.
func testMinimalApp(t *testing.T, ctx context.Context) {
	s := applyExample(t, ctx, "../examples/minimal/xr.yaml", XAppKind, nil)
	wantReplicas(t, s, 2)
	if s.Image != "ghcr.io/acme/hello:1.0.0" {
		t.Errorf("status.image = %q, want the spec's image", s.Image)
	}
}

// applyExample applies the app in an example file, changed by edit if given, in its namespace
// (created if need be), and waits until it is Ready.
func applyExample(t *testing.T, ctx context.Context, file string, gvk schema.GroupVersionKind, edit func(*unstructured.Unstructured)) AppState {
	t.Helper()
	objs, err := ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	app := objs[0]
	if edit != nil {
		edit(app)
	}
	if err := h.CreateNamespace(ctx, app.GetNamespace()); err != nil {
		t.Fatal(err)
	}
	if err := h.ApplyObject(ctx, app); err != nil {
		t.Fatal(err)
	}
	s, err := h.WaitAppReady(ctx, 90*time.Second, gvk, app.GetNamespace(), app.GetName())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// wantReplicas checks status.replicas: every desired pod updated and available.
func wantReplicas(t *testing.T, s AppState, want int64) {
	t.Helper()
	r, _ := s.Status["replicas"].(map[string]any)
	for _, k := range []string{"desired", "updated", "available"} {
		if got, _ := r[k].(int64); got != want {
			t.Errorf("status.replicas.%s = %v, want %d (status.replicas: %v)", k, r[k], want, r)
		}
	}
}

// shopService is the business service the full app belongs to, as the CMDB knows it.
var shopService string

//nolint:thelper // A scenario, not a helper: its failures point at its own lines.
func testFullApp(t *testing.T, ctx context.Context) {
	shopService = h.ServiceNow.Insert("cmdb_ci_service_auto", map[string]string{"name": "Online Shop"})
	before, err := h.APIWrites(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s := applyExample(t, ctx, "../examples/full/xr.yaml", XAppKind, func(u *unstructured.Unstructured) {
		_ = unstructured.SetNestedField(u.Object, shopService, "spec", "cmdb", "businessService")
	})
	if w, err := h.WritesSince(ctx, before); err == nil {
		h.Printf("full app: API writes until Ready: %s", w)
	}
	wantReplicas(t, s, 2)
	if s.URL != "https://shop.apps.example.com" || s.Image != "ghcr.io/acme/shop:1.4.2" {
		t.Errorf("status url %q, image %q: want https://shop.apps.example.com and ghcr.io/acme/shop:1.4.2", s.URL, s.Image)
	}
	db, _ := s.Status["database"].(map[string]any)
	if db["provider"] != "in-cluster" || db["secretName"] != "shop-db-app" || db["endpoint"] != "shop-db-rw.team-shop.svc" {
		t.Errorf("status.database = %v, want in-cluster, Secret shop-db-app, endpoint shop-db-rw.team-shop.svc", db)
	}
	rec, _ := s.Status["cmdb"].(map[string]any)
	id, _ := rec["id"].(string)
	if got := h.ServiceNow.Record(id); got["name"] != "team-shop/shop" {
		t.Fatalf("status.cmdb = %v: ServiceNow holds %v, want the record team-shop/shop", rec, got)
	}
	if rels := h.ServiceNow.Find("cmdb_rel_ci", "parent", shopService); len(rels) != 1 || rels[0]["child"] != id {
		t.Errorf("ServiceNow relationships of the business service: %v, want one to the app's record %s", rels, id)
	}
}

// kubectl runs the kubectl built with the control plane, as the admin.
func kubectl(ctx context.Context, args ...string) (string, error) {
	args = append([]string{"--kubeconfig=" + h.AdminKubeconfig}, args...)
	out, err := exec.CommandContext(ctx, filepath.Join(h.Env.KubeDir, "kubectl"), args...).CombinedOutput()
	return string(out), err
}

//nolint:thelper // A scenario, not a helper: its failures point at its own lines.
func testKubectlGet(t *testing.T, ctx context.Context) {
	out, err := kubectl(ctx, "get", "xapp", "shop", "-n", "team-shop")
	if err != nil || !strings.Contains(out, "shop") {
		t.Errorf("kubectl get xapp shop: %v\n%s", err, out)
	}
	// The category still lists every app.
	out, err = kubectl(ctx, "get", "xapps.platform.xapp.dev", "-A")
	if err != nil || !strings.Contains(out, "hello") {
		t.Errorf("kubectl get xapps -A: %v\n%s", err, out)
	}
}

//nolint:thelper // A scenario, not a helper: its failures point at its own lines.
func testClaim(t *testing.T, ctx context.Context) {
	s := applyExample(t, ctx, "../examples/claim/claim.yaml", AppClaimKind, nil)
	wantReplicas(t, s, 3)
	if s.URL != "https://blog.team-blog.apps.example.com" {
		t.Errorf("claim status.url = %q, want the default host under the platform's domain", s.URL)
	}
}

// scratchFile is input the schema accepts and the function refuses: /tmp is the app's scratch
// space.
const scratchField = "spec.files[0].path"

func withScratchFile(u *unstructured.Unstructured) {
	_ = unstructured.SetNestedSlice(u.Object, []any{map[string]any{"path": "/tmp/config.yaml", "content": "a: b\n"}}, "spec", "files")
}

//nolint:thelper // A scenario, not a helper: its failures point at its own lines.
func testClaimBadInput(t *testing.T, ctx context.Context) {
	objs, err := ReadFile("../examples/claim/claim.yaml")
	if err != nil {
		t.Fatal(err)
	}
	bad := objs[0]
	bad.SetName("blog-bad")
	withScratchFile(bad)
	if err := h.ApplyObject(ctx, bad); err != nil {
		t.Fatal(err)
	}
	wantRefused(t, ctx, AppClaimKind, "team-blog", "blog-bad", scratchField)
}

// wantRefused waits until the app says, as AppReady False with reason Failed and as a Warning
// event, that the function refused it, naming field.
func wantRefused(t *testing.T, ctx context.Context, gvk schema.GroupVersionKind, namespace, name, field string) {
	t.Helper()
	err := Eventually(ctx, 30*time.Second, 200*time.Millisecond, func() (bool, string, error) {
		s, err := h.App(ctx, gvk, namespace, name)
		if err != nil {
			return false, "", err
		}
		if s.AppReady.Status != "False" || s.AppReady.Reason != "Failed" || !strings.Contains(s.AppReady.Message, field) {
			return false, gvk.Kind + " " + name + ": " + s.String(), nil
		}
		found, seen, err := h.WarningAbout(ctx, namespace, gvk.Kind, name, field)
		return found, "no Warning event naming " + field + "; events: " + strings.Join(seen, " | "), err
	})
	if err != nil {
		t.Error(err)
	}
}

//nolint:thelper // A scenario, not a helper: its failures point at its own lines.
func testXAppBadInput(t *testing.T, ctx context.Context) {
	objs, err := ReadFile("../examples/minimal/xr.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// Refused by the XRD's schema at apply.
	bad := objs[0].DeepCopy()
	bad.SetName("bad-port")
	_ = unstructured.SetNestedSlice(bad.Object, []any{map[string]any{"name": "http", "port": int64(70000)}}, "spec", "ports")
	if err := h.ApplyObject(ctx, bad); err == nil || !strings.Contains(err.Error(), "spec.ports[0].port") {
		t.Errorf("applying an XApp with port 70000: got %v, want a refusal naming spec.ports[0].port", err)
	}
	// Refused by the function: the Fatal names the field, on the XR.
	bad = objs[0].DeepCopy()
	bad.SetName("bad-file")
	withScratchFile(bad)
	if err := h.ApplyObject(ctx, bad); err != nil {
		t.Fatal(err)
	}
	wantRefused(t, ctx, XAppKind, "default", "bad-file", scratchField)
	// A host outside the platform's domains is refused by policy.
	bad = objs[0].DeepCopy()
	bad.SetName("evil")
	_ = unstructured.SetNestedSlice(bad.Object, []any{map[string]any{"name": "http", "port": int64(8080), "expose": true}}, "spec", "ports")
	_ = unstructured.SetNestedField(bad.Object, map[string]any{"host": "shop.evil.example.org"}, "spec", "route")
	if err := h.ApplyObject(ctx, bad); err != nil {
		t.Fatal(err)
	}
	wantRefused(t, ctx, XAppKind, "default", "evil", "spec.route.host")
}
