package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/xapp-dev/xapp/internal/render"
)

// The policy scenarios apply the example policy (../examples/policy/xr.yaml): its production
// environment denies, its development one warns, each selecting namespaces by a label.
const (
	policyName   = "platform"
	vapName      = "xapppolicy-platform"
	envLabel     = "acme.com/environment"
	prodNS       = "policy-prod"
	devNS        = "policy-dev"
	policyApp    = "cart"
	badImage     = "docker.io/library/nginx:1.27"
	badRegistry  = "docker.io/library"
	policyPrefix = "the app breaks the platform's policy: "
)

// forbidden is the one rule the app breaks, in the words of the rule table: the same text is
// expected from admission, from an offline render and on the app.
const forbidden = "spec.image: " + badImage + " is not from a registry the platform allows (ghcr.io/acme)"

var bindings = []string{vapName + "-production", vapName + "-development"}

// manage is what core does to the objects it composes.
var manage = []string{"get", "list", "watch", "create", "update", "patch", "delete"}

// policyRun is what the policy scenarios share: the files applied and rendered, and the admission
// objects' versions once the policy was Ready.
var policyRun struct {
	dir string
	// vap and binding resource versions and generations when the policy was first Ready.
	versions map[string]string
}

// TestPolicy applies the platform's XAppPolicy and proves it live: one rule table, enforced by
// admission in a production namespace (refused), in a development one (warned), by an offline
// render with the same message, and changed by editing the policy alone. It needs nothing TestLive
// made, and runs before it (Go runs a package's tests in file order): on the quiet control plane it
// takes about 20 s, after the load scenario's 100 apps over a minute.
func TestPolicy(t *testing.T) {
	live(t)
	policyRun.dir = t.TempDir()
	defer scenario(t, "policy deleted: apps, namespaces, admission policy and bindings gone", testPolicyCleanup)
	if !scenario(t, "XAppPolicy Ready: admission policy and a binding per environment", testPolicyReady) {
		return
	}
	scenario(t, "production: kubectl apply refused with the rule's message; offline render says the same", testPolicyDeny)
	scenario(t, "development: kubectl apply warns with the same message; the app shows it", testPolicyWarn)
	scenario(t, "policy edited: admission follows, admission policy and bindings untouched", testPolicyEdit)
	scenario(t, "policy tightened: an admitted app is refused by composition, not stalled", testPolicyTightened)
}

// appYAML is the app the scenarios judge: it keeps every rule of the example policy but the
// registry one (tag pinned, owner label, a port to probe, two replicas).
func appYAML(kind, namespace string) []byte {
	return fmt.Appendf(nil, `apiVersion: platform.xapp.dev/v1alpha1
kind: %s
metadata:
  name: %s
  namespace: %s
  labels: {acme.com/team: shop}
spec:
  image: %s
  replicas: 2
  ports:
  - {name: http, port: 8080}
`, kind, policyApp, namespace, badImage)
}

// writeFile writes a file of the scenario's folder and returns its path.
func writeFile(t *testing.T, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(policyRun.dir, name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func deniedBy(stderr, env string) string { return Denied(stderr, vapName, vapName+"-"+env) }

func warnedBy(stderr, env string) string { return Warned(stderr, vapName, vapName+"-"+env) }

func policyNamespace(name, env string) *corev1.Namespace {
	return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{envLabel: env}}}
}

//nolint:thelper // A scenario, not a helper: its failures point at its own lines.
func testPolicyReady(t *testing.T, ctx context.Context) {
	if err := h.WaitConditions(ctx, 30*time.Second, XRDKind, "", "xapppolicies.platform.xapp.dev", "Established"); err != nil {
		t.Fatal(err)
	}
	// Without these core cannot watch, create or bind the admission policy, and the XAppPolicy
	// never gets a condition: say which permission is missing rather than time out.
	missing, err := h.CoreCannot(ctx,
		Permission{"admissionregistration.k8s.io", "validatingadmissionpolicies", manage},
		Permission{"admissionregistration.k8s.io", "validatingadmissionpolicybindings", manage},
		// The API server lets only those who may read a binding's parameters create it.
		Permission{"platform.xapp.dev", "xapppolicies", []string{"get", "list", "watch"}})
	switch {
	case err != nil:
		t.Fatal(err)
	case len(missing) > 0:
		t.Fatalf("core may not manage what an XAppPolicy composes; package/rbac/clusterrole.yaml must grant: %s", strings.Join(missing, ", "))
	}
	for _, ns := range []*corev1.Namespace{policyNamespace(prodNS, "production"), policyNamespace(devNS, "development")} {
		if err := h.Client.Create(ctx, ns); err != nil {
			t.Fatalf("cannot create namespace %s: %v", ns.Name, err)
		}
	}
	start := time.Now()
	if _, stderr, err := h.KubectlApply(ctx, "../examples/policy/xr.yaml"); err != nil {
		t.Fatalf("kubectl apply the example XAppPolicy: %v\n%s", err, stderr)
	}
	if err := h.WaitConditions(ctx, 60*time.Second, XAppPolicyKind, "", policyName, "Synced", "Ready"); err != nil {
		t.Fatalf("%v (core's log: %s)", err, filepath.Join(h.Logs, "crossplane-core.log"))
	}
	ready := time.Since(start)
	vs, err := h.AdmissionVersions(ctx, vapName, bindings...)
	if err != nil {
		t.Fatal(err)
	}
	policyRun.versions = vs
	u, err := h.Get(ctx, XAppPolicyKind, "", policyName)
	if err != nil {
		t.Fatal(err)
	}
	got, _, _ := unstructured.NestedStringSlice(u.Object, "status", "admission", "bindings")
	if strings.Join(got, ",") != strings.Join(bindings, ",") {
		t.Errorf("status.admission.bindings = %v, want %v", got, bindings)
	}
	// Admission enforces the policy once the API server has loaded it, its parameters and each
	// binding: each environment's binding is loaded on its own, so both are waited for (the
	// development one once lagged behind production's and the warning scenario saw none).
	prod := writeFile(t, "prod-XApp.yaml", appYAML("XApp", prodNS))
	dev := writeFile(t, "dev-XApp.yaml", appYAML("XApp", devNS))
	err = Eventually(ctx, 30*time.Second, 100*time.Millisecond, func() (bool, string, error) {
		_, stderr, err := h.KubectlApply(ctx, prod, "--dry-run=server")
		if err == nil || deniedBy(stderr, "production") == "" {
			return false, "a dry run in production is not refused yet: " + stderr, nil
		}
		_, stderr, err = h.KubectlApply(ctx, dev, "--dry-run=server")
		return err == nil && warnedBy(stderr, "development") != "", "a dry run in development is not warned yet: " + stderr, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	h.Printf("policy: XAppPolicy Ready after %.1fs, admission enforcing after %.1fs", ready.Seconds(), time.Since(start).Seconds())
}

//nolint:thelper // A scenario, not a helper: its failures point at its own lines.
func testPolicyDeny(t *testing.T, ctx context.Context) {
	var live string
	for _, kind := range []string{"XApp", "App"} {
		file := writeFile(t, "prod-"+kind+".yaml", appYAML(kind, prodNS))
		_, stderr, err := h.KubectlApply(ctx, file)
		msg := deniedBy(stderr, "production")
		if err == nil || msg != forbidden {
			t.Errorf("kubectl apply -f %s (%s in production): %v, said %q\nwant refused with %q", file, kind, err, stderr, forbidden)
		}
		if kind == "XApp" {
			live = msg
		}
	}
	for _, gvk := range []schema.GroupVersionKind{XAppKind, AppClaimKind} {
		if u, err := h.Get(ctx, gvk, prodNS, policyApp); err != nil || u != nil {
			t.Errorf("the refused %s was stored (%v)", gvk.Kind, err)
		}
	}
	fatal, _ := renderOffline(t, ctx, "prod-XApp.yaml", prodNS, "production")
	offline := after(fatal, policyPrefix)
	if offline != live {
		t.Errorf("offline render and admission disagree:\nrender:    %q\nadmission: %q\n(render said %s)", offline, live, fatal)
	}
}

// renderOffline renders the app in file with `crossplane composition render` through the real
// CLI and render engine, against the repository's composition and a function-xapp of its own, with
// the live XAppPolicy and the app's namespace as the required resources Crossplane would send. It
// returns the render's error (the function's Fatal) and the function's warnings.
func renderOffline(t *testing.T, ctx context.Context, file, namespace, env string) (fatal string, warnings []string) {
	t.Helper()
	pol, err := h.Get(ctx, XAppPolicyKind, "", policyName)
	if err != nil || pol == nil {
		t.Fatalf("cannot read the XAppPolicy: %v", err)
	}
	pol = &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": pol.GetAPIVersion(), "kind": pol.GetKind(), "metadata": map[string]any{"name": pol.GetName()}, "spec": pol.Object["spec"],
	}}
	ns := policyNamespace(namespace, env)
	ns.TypeMeta = metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"}
	var required []byte
	for _, o := range []any{pol.Object, ns} {
		b, err := yaml.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		required = append(append(required, "---\n"...), b...)
	}
	req := writeFile(t, "required-"+env+".yaml", required)

	start := time.Now()
	out, err := h.RenderOffline(ctx, render.Args{
		XR: filepath.Join(policyRun.dir, file), Composition: "../package/configuration/composition-xapp.yaml",
		Functions: "../examples/functions.yaml", Required: req, IncludeResults: true,
	})
	h.Printf("policy: offline render in %s took %.1fs", env, time.Since(start).Seconds())
	if err != nil {
		return err.Error(), nil
	}
	objs, err := Objects(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objs {
		if o.GetKind() == "Result" && o.Object["severity"] == "Warning" {
			m, _ := o.Object["message"].(string)
			warnings = append(warnings, m)
		}
	}
	return "", warnings
}

//nolint:thelper // A scenario, not a helper: its failures point at its own lines.
func testPolicyWarn(t *testing.T, ctx context.Context) {
	file := writeFile(t, "dev-XApp.yaml", appYAML("XApp", devNS))
	stdout, stderr, err := h.KubectlApply(ctx, file)
	live := warnedBy(stderr, "development")
	if err != nil || live != forbidden {
		t.Fatalf("kubectl apply -f %s (in development): %v\nstdout: %s\nstderr: %s\nwant admitted with the warning %q", file, err, stdout, stderr, forbidden)
	}
	if !strings.Contains(stdout, "xapp.platform.xapp.dev/"+policyApp+" created") {
		t.Errorf("kubectl apply in development did not create the app: %s", stdout)
	}
	fatal, offline := renderOffline(t, ctx, "dev-XApp.yaml", devNS, "development")
	want := []string{`Pipeline step "compose-app": ` + forbidden}
	if fatal != "" || strings.Join(offline, "\n") != strings.Join(want, "\n") {
		t.Errorf("offline render in development: refused %q, warnings %q; want the warnings %q", fatal, offline, want)
	}
	// The app composes, and says what admission said, in its status and as an event.
	err = Eventually(ctx, 60*time.Second, 200*time.Millisecond, func() (bool, string, error) {
		s, err := h.App(ctx, XAppKind, devNS, policyApp)
		if err != nil {
			return false, "", err
		}
		if got, _ := s.Status["policyWarnings"].([]any); len(got) != 1 || got[0] != forbidden {
			return false, fmt.Sprintf("status.policyWarnings = %q, want [%q]", got, forbidden), nil
		}
		found, seen, err := h.WarningAbout(ctx, devNS, "XApp", policyApp, want[0])
		return found, "no Warning event " + want[0] + "; events: " + strings.Join(seen, " | "), err
	})
	if err != nil {
		t.Error(err)
	}
}

// setRegistries replaces the policy's allowed registries, as `kubectl edit` would.
func setRegistries(t *testing.T, ctx context.Context, registries ...string) {
	t.Helper()
	u, err := h.Get(ctx, XAppPolicyKind, "", policyName)
	if err != nil || u == nil {
		t.Fatalf("cannot get the XAppPolicy: %v", err)
	}
	orig := u.DeepCopy()
	if err := unstructured.SetNestedStringSlice(u.Object, registries, "spec", "images", "allowedRegistries"); err != nil {
		t.Fatal(err)
	}
	if err := h.Client.Patch(ctx, u, client.MergeFrom(orig)); err != nil {
		t.Fatalf("cannot patch the XAppPolicy: %v", err)
	}
}

//nolint:thelper // A scenario, not a helper: its failures point at its own lines.
func testPolicyEdit(t *testing.T, ctx context.Context) {
	file := filepath.Join(policyRun.dir, "prod-XApp.yaml")
	start := time.Now()
	setRegistries(t, ctx, "ghcr.io/acme", badRegistry)
	err := Eventually(ctx, 30*time.Second, 100*time.Millisecond, func() (bool, string, error) {
		_, stderr, err := h.KubectlApply(ctx, file, "--dry-run=server")
		return err == nil, "still refused: " + stderr, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	h.Printf("policy: admission followed the edited XAppPolicy after %.1fs", time.Since(start).Seconds())
	stdout, stderr, err := h.KubectlApply(ctx, file)
	if err != nil || strings.Contains(stderr, "Warning") {
		t.Fatalf("kubectl apply -f %s after the policy allowed its registry: %v\n%s%s", file, err, stdout, stderr)
	}
	// Crossplane has reconciled the edited policy once its Synced condition observed the edit.
	if err := h.WaitObserved(ctx, 30*time.Second, XAppPolicyKind, "", policyName); err != nil {
		t.Error(err)
	}
	vs, err := h.AdmissionVersions(ctx, vapName, bindings...)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range policyRun.versions {
		if vs[k] != v {
			t.Errorf("%s changed with the policy: %s, was %s", k, vs[k], v)
		}
	}
}

//nolint:thelper // A scenario, not a helper: its failures point at its own lines.
func testPolicyTightened(t *testing.T, ctx context.Context) {
	// The app composes under the loosened policy first.
	if err := Eventually(ctx, 60*time.Second, 200*time.Millisecond, func() (bool, string, error) {
		u, err := h.Get(ctx, XAppKind, prodNS, policyApp)
		if err != nil || u == nil {
			return false, "the app does not exist", err
		}
		refs, _, _ := unstructured.NestedSlice(u.Object, "spec", "crossplane", "resourceRefs")
		return len(refs) > 0, "Crossplane has not recorded the app's composed resources", nil
	}); err != nil {
		t.Fatal(err)
	}
	setRegistries(t, ctx, "ghcr.io/acme")
	// Composition now refuses the app with admission's message: Crossplane's writes of its status
	// pass admission.
	want := policyPrefix + forbidden
	err := Eventually(ctx, 90*time.Second, 200*time.Millisecond, func() (bool, string, error) {
		s, err := h.App(ctx, XAppKind, prodNS, policyApp)
		return s.AppReady.Status == "False" && s.AppReady.Reason == "Failed" && s.AppReady.Message == want, s.String(), err
	})
	if err != nil {
		t.Error(err)
	}
	// A change a developer makes is refused, with the same message.
	_, stderr, err := h.KubectlApply(ctx, writeFile(t, "prod-XApp-3.yaml", bytes.Replace(appYAML("XApp", prodNS), []byte("replicas: 2"), []byte("replicas: 3"), 1)))
	if msg := deniedBy(stderr, "production"); err == nil || msg != forbidden {
		t.Errorf("changing the app after the policy was tightened: %v, %q; want refused with %q", err, stderr, forbidden)
	}
	// Deleting it is Crossplane removing its finalizer, an update admission must let through.
	u, err := h.Get(ctx, XAppKind, prodNS, policyApp)
	if err != nil || u == nil {
		t.Fatalf("cannot get the app: %v", err)
	}
	if len(u.GetFinalizers()) == 0 {
		t.Fatal("the app has no finalizer: its deletion would not show whether admission lets Crossplane's updates through")
	}
	start := time.Now()
	if err := h.Client.Delete(ctx, u); err != nil {
		t.Fatal(err)
	}
	err = Eventually(ctx, 60*time.Second, 200*time.Millisecond, func() (bool, string, error) {
		err := h.Client.Get(ctx, client.ObjectKeyFromObject(u), u)
		return kerrors.IsNotFound(err), fmt.Sprintf("the refused app is not deleted: finalizers %v", u.GetFinalizers()), client.IgnoreNotFound(err)
	})
	if err != nil {
		t.Error(err)
	}
	h.Printf("policy: the app refused after tightening was deleted in %.1fs", time.Since(start).Seconds())
}

//nolint:thelper // A scenario, not a helper: its failures point at its own lines.
func testPolicyCleanup(t *testing.T, ctx context.Context) {
	for _, ns := range []string{devNS, prodNS} {
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(XAppKind)
		u.SetNamespace(ns)
		u.SetName(policyApp)
		if err := h.Client.Delete(ctx, u); client.IgnoreNotFound(err) != nil {
			t.Error(err)
		}
	}
	// Both namespaces at once: each waits seconds for its pods and the namespace controller.
	errs := make(chan error, 2)
	for _, ns := range []string{devNS, prodNS} {
		go func() {
			// A scenario that failed early may not have made it.
			if err := h.Client.Get(ctx, client.ObjectKey{Name: ns}, &corev1.Namespace{}); err != nil {
				errs <- client.IgnoreNotFound(err)
				return
			}
			errs <- h.WaitGone(ctx, 60*time.Second, ns)
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	pol := &unstructured.Unstructured{}
	pol.SetGroupVersionKind(XAppPolicyKind)
	pol.SetName(policyName)
	if err := h.Client.Delete(ctx, pol); client.IgnoreNotFound(err) != nil {
		t.Fatal(err)
	}
	err := Eventually(ctx, 60*time.Second, 200*time.Millisecond, func() (bool, string, error) {
		vs, err := h.AdmissionVersions(ctx, vapName, bindings...)
		if kerrors.IsNotFound(err) {
			// One is gone; every one must be.
			vap := &admissionv1.ValidatingAdmissionPolicyList{}
			if err := h.Client.List(ctx, vap); err != nil {
				return false, "", err
			}
			vb := &admissionv1.ValidatingAdmissionPolicyBindingList{}
			if err := h.Client.List(ctx, vb); err != nil {
				return false, "", err
			}
			return len(vap.Items)+len(vb.Items) == 0, fmt.Sprintf("%d admission policies and %d bindings left", len(vap.Items), len(vb.Items)), nil
		}
		return false, fmt.Sprintf("admission objects left: %v", vs), err
	})
	if err != nil {
		t.Error(err)
	}
}
