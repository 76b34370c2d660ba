package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
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

// XAppPolicyKind is the platform's policy for apps.
var XAppPolicyKind = schema.GroupVersionKind{Group: "platform.xapp.dev", Version: "v1alpha1", Kind: "XAppPolicy"}

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

// policyRun is what the policy scenarios share: the files applied and rendered, and the admission
// objects' versions once the policy was Ready.
var policyRun struct {
	dir string
	// vap and binding resource versions and generations when the policy was first Ready.
	versions map[string]string
}

// TestPolicy applies the platform's XAppPolicy and proves it live: one rule table, enforced by
// admission in a production namespace (refused), in a development one (warned), by an offline
// render with the same message, and changed by editing the policy alone.
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

// kubectlApply runs `kubectl apply -f file` (with extra flags) as the admin, as a developer or a
// GitOps tool would, and returns what it printed on stdout and stderr.
func kubectlApply(ctx context.Context, file string, extra ...string) (stdout, stderr string, err error) {
	args := append([]string{"--kubeconfig=" + h.AdminKubeconfig, "apply", "-f", file}, extra...)
	cmd := exec.CommandContext(ctx, filepath.Join(h.Env.KubeDir, "kubectl"), args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	return out.String(), errOut.String(), err
}

// after returns the rest of the line of s that follows marker, or "" when s has no marker.
func after(s, marker string) string {
	_, rest, ok := strings.Cut(s, marker)
	if !ok {
		return ""
	}
	line, _, _ := strings.Cut(rest, "\n")
	return strings.TrimSpace(line)
}

// The API server's words around a rule's message (k8s.io/apiserver's validating policy dispatcher).
func deniedBy(env string) string {
	return fmt.Sprintf("ValidatingAdmissionPolicy '%s' with binding '%s-%s' denied request: ", vapName, vapName, env)
}

func warnedBy(env string) string {
	return fmt.Sprintf("Warning: Validation failed for ValidatingAdmissionPolicy '%s' with binding '%s-%s': ", vapName, vapName, env)
}

func policyNamespace(name, env string) *corev1.Namespace {
	return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{envLabel: env}}}
}

//nolint:thelper // A scenario, not a helper: its failures point at its own lines.
func testPolicyReady(t *testing.T, ctx context.Context) {
	if err := h.WaitConditions(ctx, 30*time.Second, XRDKind, "", "xapppolicies.platform.xapp.dev", "Established"); err != nil {
		t.Fatal(err)
	}
	for _, ns := range []*corev1.Namespace{policyNamespace(prodNS, "production"), policyNamespace(devNS, "development")} {
		if err := h.Client.Create(ctx, ns); err != nil {
			t.Fatalf("cannot create namespace %s: %v", ns.Name, err)
		}
	}
	start := time.Now()
	if _, stderr, err := kubectlApply(ctx, "../examples/policy/xr.yaml"); err != nil {
		t.Fatalf("kubectl apply the example XAppPolicy: %v\n%s", err, stderr)
	}
	if err := h.WaitConditions(ctx, 60*time.Second, XAppPolicyKind, "", policyName, "Synced", "Ready"); err != nil {
		t.Fatalf("%v (core's log: %s)", err, filepath.Join(h.Logs, "crossplane-core.log"))
	}
	ready := time.Since(start)
	vs, err := admissionVersions(ctx)
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
	// Admission enforces the policy once the API server has loaded it and its parameters.
	file := writeFile(t, "prod-XApp.yaml", appYAML("XApp", prodNS))
	err = Eventually(ctx, 30*time.Second, 100*time.Millisecond, func() (bool, string, error) {
		_, stderr, err := kubectlApply(ctx, file, "--dry-run=server")
		return err != nil && strings.Contains(stderr, deniedBy("production")), "a dry run is not refused yet: " + stderr, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	h.Printf("policy: XAppPolicy Ready after %.1fs, admission enforcing after %.1fs", ready.Seconds(), time.Since(start).Seconds())
}

// admissionVersions reads the admission policy's and the bindings' generations and resource
// versions: all must exist.
func admissionVersions(ctx context.Context) (map[string]string, error) {
	vs := map[string]string{}
	objs := []client.Object{&admissionv1.ValidatingAdmissionPolicy{ObjectMeta: metav1.ObjectMeta{Name: vapName}}}
	for _, b := range bindings {
		objs = append(objs, &admissionv1.ValidatingAdmissionPolicyBinding{ObjectMeta: metav1.ObjectMeta{Name: b}})
	}
	for _, o := range objs {
		if err := h.Client.Get(ctx, client.ObjectKeyFromObject(o), o); err != nil {
			return nil, err
		}
		vs[fmt.Sprintf("%T %s", o, o.GetName())] = fmt.Sprintf("generation %d, resourceVersion %s", o.GetGeneration(), o.GetResourceVersion())
	}
	return vs, nil
}

//nolint:thelper // A scenario, not a helper: its failures point at its own lines.
func testPolicyDeny(t *testing.T, ctx context.Context) {
	var live string
	for _, kind := range []string{"XApp", "App"} {
		file := writeFile(t, "prod-"+kind+".yaml", appYAML(kind, prodNS))
		_, stderr, err := kubectlApply(ctx, file)
		msg := after(stderr, deniedBy("production"))
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

	fn, err := render.StartFunction(ctx, h.Env.Function, "--metrics-address=")
	if err != nil {
		t.Fatalf("cannot start function-xapp for the render: %v", err)
	}
	defer func() {
		if err := fn.Stop(); err != nil {
			t.Errorf("function-xapp: %v\n%s", err, fn.Output())
		}
	}()
	start := time.Now()
	defer func() { h.Printf("policy: offline render in %s took %.1fs", env, time.Since(start).Seconds()) }()
	out, err := render.Renderer{CLI: h.Env.CLI, Core: h.Env.Core}.Render(ctx, render.Args{
		XR: filepath.Join(policyRun.dir, file), Composition: "../package/configuration/composition-xapp.yaml",
		Functions: "../examples/functions.yaml", FunctionAddresses: map[string]string{"function-xapp": fn.Address()},
		Required: req, IncludeResults: true,
	})
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
	stdout, stderr, err := kubectlApply(ctx, file)
	live := after(stderr, warnedBy("development"))
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
		_, stderr, err := kubectlApply(ctx, file, "--dry-run=server")
		return err == nil, "still refused: " + stderr, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	h.Printf("policy: admission followed the edited XAppPolicy after %.1fs", time.Since(start).Seconds())
	stdout, stderr, err := kubectlApply(ctx, file)
	if err != nil || strings.Contains(stderr, "Warning") {
		t.Fatalf("kubectl apply -f %s after the policy allowed its registry: %v\n%s%s", file, err, stdout, stderr)
	}
	// Crossplane has reconciled the edited policy once its Synced condition observed the edit.
	if err := waitObserved(ctx, XAppPolicyKind, "", policyName); err != nil {
		t.Error(err)
	}
	vs, err := admissionVersions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range policyRun.versions {
		if vs[k] != v {
			t.Errorf("%s changed with the policy: %s, was %s", k, vs[k], v)
		}
	}
}

// waitObserved waits until the object's Synced condition is about its current generation.
func waitObserved(ctx context.Context, gvk schema.GroupVersionKind, namespace, name string) error {
	return Eventually(ctx, 30*time.Second, 200*time.Millisecond, func() (bool, string, error) {
		u, err := h.Get(ctx, gvk, namespace, name)
		if err != nil || u == nil {
			return false, "", err
		}
		cs, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
		for _, c := range cs {
			m, _ := c.(map[string]any)
			if m["type"] == "Synced" && m["status"] == ConditionTrue && m["observedGeneration"] == u.GetGeneration() {
				return true, "", nil
			}
		}
		return false, fmt.Sprintf("%s %s generation %d: Synced has not observed it: %v", gvk.Kind, name, u.GetGeneration(), cs), nil
	})
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
	_, stderr, err := kubectlApply(ctx, writeFile(t, "prod-XApp-3.yaml", bytes.Replace(appYAML("XApp", prodNS), []byte("replicas: 2"), []byte("replicas: 3"), 1)))
	if msg := after(stderr, deniedBy("production")); err == nil || msg != forbidden {
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
		go func() { errs <- h.WaitGone(ctx, 60*time.Second, ns) }()
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
		vs, err := admissionVersions(ctx)
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
