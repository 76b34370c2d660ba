package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	admissionv1 "k8s.io/api/admissionregistration/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/xapp-dev/xapp/internal/render"
)

// XAppPolicyKind is the platform's policy for apps.
var XAppPolicyKind = schema.GroupVersionKind{Group: "platform.xapp.dev", Version: "v1alpha1", Kind: "XAppPolicy"}

// KubectlApply runs the real `kubectl apply -f file` (with extra flags) as the admin, as a developer
// or a GitOps tool would, and returns what it printed on stdout and stderr: admission's warnings
// are on stderr.
func (h *Harness) KubectlApply(ctx context.Context, file string, extra ...string) (stdout, stderr string, err error) {
	args := append([]string{"--kubeconfig=" + h.AdminKubeconfig, "apply", "-f", file}, extra...)
	cmd := exec.CommandContext(ctx, filepath.Join(h.Env.KubeDir, "kubectl"), args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	return out.String(), errOut.String(), err
}

// Denied is the message a ValidatingAdmissionPolicy's binding refused a request with, as kubectl
// prints it on stderr; "" when it did not. The words around it are the API server's
// (k8s.io/apiserver's validating policy dispatcher).
func Denied(stderr, policy, binding string) string {
	return after(stderr, fmt.Sprintf("ValidatingAdmissionPolicy '%s' with binding '%s' denied request: ", policy, binding))
}

// Warned is the message a binding with the Warn action warned with, as kubectl prints it.
func Warned(stderr, policy, binding string) string {
	return after(stderr, fmt.Sprintf("Warning: Validation failed for ValidatingAdmissionPolicy '%s' with binding '%s': ", policy, binding))
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

// A Permission is what core must be allowed to do to one resource.
type Permission struct {
	Group, Resource string
	Verbs           []string
}

// CoreCannot lists what of perms core's ServiceAccount may not do, as the API server's authorizer
// answers, each as "verb resource.group".
func (h *Harness) CoreCannot(ctx context.Context, perms ...Permission) ([]string, error) {
	user := "system:serviceaccount:" + CrossplaneNamespace + ":" + coreServiceAccount
	groups := []string{"system:serviceaccounts", "system:serviceaccounts:" + CrossplaneNamespace, "system:authenticated"}
	var missing []string
	for _, p := range perms {
		for _, v := range p.Verbs {
			sar := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
				User: user, Groups: groups,
				ResourceAttributes: &authorizationv1.ResourceAttributes{Group: p.Group, Resource: p.Resource, Verb: v},
			}}
			if err := h.Client.Create(ctx, sar); err != nil {
				return nil, errors.Wrap(err, "cannot review core's access")
			}
			if !sar.Status.Allowed {
				missing = append(missing, v+" "+p.Resource+"."+p.Group)
			}
		}
	}
	return missing, nil
}

// WaitObserved waits until the object's Synced condition is True about its current generation:
// Crossplane has reconciled the latest change.
func (h *Harness) WaitObserved(ctx context.Context, timeout time.Duration, gvk schema.GroupVersionKind, namespace, name string) error {
	return Eventually(ctx, timeout, 200*time.Millisecond, func() (bool, string, error) {
		u, err := h.Get(ctx, gvk, namespace, name)
		if err != nil || u == nil {
			return false, gvk.Kind + " " + name + " does not exist", err
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

// RenderOffline renders as a developer does without a cluster: `crossplane composition render`
// through the real CLI and render engine, against a function-xapp of its own on a loopback port
// (named function-xapp in a.Functions). It returns the CLI's output, or its error, which holds the
// function's Fatal.
func (h *Harness) RenderOffline(ctx context.Context, a render.Args) ([]byte, error) {
	fn, err := render.StartFunction(ctx, h.Env.Function, "--metrics-address=")
	if err != nil {
		return nil, errors.Wrap(err, "cannot start function-xapp for the render")
	}
	a.FunctionAddresses = map[string]string{"function-xapp": fn.Address()}
	out, rerr := render.Renderer{CLI: h.Env.CLI, Core: h.Env.Core}.Render(ctx, a)
	if err := fn.Stop(); err != nil {
		return nil, errors.Wrapf(err, "function-xapp: %s", fn.Output())
	}
	return out, rerr
}

// AdmissionVersions reads the generation and resourceVersion of a ValidatingAdmissionPolicy and of
// its bindings, by kind and name; any that is missing is an error (NotFound when it is gone).
func (h *Harness) AdmissionVersions(ctx context.Context, policy string, bindings ...string) (map[string]string, error) {
	objs := []client.Object{&admissionv1.ValidatingAdmissionPolicy{ObjectMeta: metav1.ObjectMeta{Name: policy}}}
	for _, b := range bindings {
		objs = append(objs, &admissionv1.ValidatingAdmissionPolicyBinding{ObjectMeta: metav1.ObjectMeta{Name: b}})
	}
	vs := make(map[string]string, len(objs))
	for _, o := range objs {
		if err := h.Client.Get(ctx, client.ObjectKeyFromObject(o), o); err != nil {
			return nil, err
		}
		vs[fmt.Sprintf("%T %s", o, o.GetName())] = fmt.Sprintf("generation %d, resourceVersion %s", o.GetGeneration(), o.GetResourceVersion())
	}
	return vs, nil
}
