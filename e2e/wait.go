package e2e

import (
	"context"
	"fmt"
	"strings"
	"time"

	kerrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// Kinds the harness and tests wait on.
var (
	ConfigurationKind = schema.GroupVersionKind{Group: "pkg.crossplane.io", Version: "v1", Kind: "Configuration"}
	FunctionKind      = schema.GroupVersionKind{Group: "pkg.crossplane.io", Version: "v1", Kind: "Function"}
	ProviderKind      = schema.GroupVersionKind{Group: "pkg.crossplane.io", Version: "v1", Kind: "Provider"}
	XRDKind           = schema.GroupVersionKind{Group: "apiextensions.crossplane.io", Version: "v1", Kind: "CompositeResourceDefinition"}
	LockKind          = schema.GroupVersionKind{Group: "pkg.crossplane.io", Version: "v1beta1", Kind: "Lock"}
)

// ConditionTrue is a condition's status when it holds.
const ConditionTrue = "True"

// Condition is one status condition of an object.
type Condition struct {
	Type, Status, Reason, Message string
}

// Conditions reads status.conditions.
func Conditions(u *unstructured.Unstructured) map[string]Condition {
	cs, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	out := make(map[string]Condition, len(cs))
	for _, c := range cs {
		m, ok := c.(map[string]any)
		if !ok {
			continue
		}
		s := func(k string) string { v, _ := m[k].(string); return v }
		out[s("type")] = Condition{Type: s("type"), Status: s("status"), Reason: s("reason"), Message: s("message")}
	}
	return out
}

// String shows the conditions compactly, for failure messages.
func (c Condition) String() string {
	return fmt.Sprintf("%s=%s (%s: %s)", c.Type, c.Status, c.Reason, c.Message)
}

// Get reads an object of any kind; a missing one is returned as nil without error.
func (h *Harness) Get(ctx context.Context, gvk schema.GroupVersionKind, namespace, name string) (*unstructured.Unstructured, error) {
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(gvk)
	err := h.Client.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, u)
	switch {
	case kerrors.IsNotFound(err):
		return nil, nil //nolint:nilnil // Absent is an answer here, not an error: callers wait for it.
	case err != nil:
		return nil, errors.Wrapf(err, "cannot get %s %s", gvk.Kind, name)
	}
	return u, nil
}

// Eventually polls check every interval until it says done or timeout passes; the error then
// holds check's last word on why it was not done.
func Eventually(ctx context.Context, timeout, interval time.Duration, check func() (done bool, why string, err error)) error {
	deadline := time.Now().Add(timeout)
	var why string
	for {
		done, w, err := check()
		if err != nil {
			return err
		}
		if done {
			return nil
		}
		why = w
		if time.Now().After(deadline) {
			return errors.Errorf("still not after %s: %s", timeout, why)
		}
		select {
		case <-ctx.Done():
			return errors.Wrap(ctx.Err(), why)
		case <-time.After(interval):
		}
	}
}

// WaitConditions waits until the object has every condition type in want True.
func (h *Harness) WaitConditions(ctx context.Context, timeout time.Duration, gvk schema.GroupVersionKind, namespace, name string, want ...string) error {
	return Eventually(ctx, timeout, 200*time.Millisecond, func() (bool, string, error) {
		u, err := h.Get(ctx, gvk, namespace, name)
		if err != nil || u == nil {
			return false, gvk.Kind + " " + name + " does not exist", err
		}
		cs := Conditions(u)
		var not []string
		for _, t := range want {
			if c := cs[t]; c.Status != ConditionTrue {
				not = append(not, fmt.Sprintf("%s %s: %s", gvk.Kind, name, c))
			}
		}
		return len(not) == 0, strings.Join(not, "; "), nil
	})
}

// WaitPackagesHealthy waits until the Configuration and the function and provider Crossplane
// installed from its dependencies are Installed and Healthy.
func (h *Harness) WaitPackagesHealthy(ctx context.Context, timeout time.Duration) error {
	for _, p := range []struct {
		gvk  schema.GroupVersionKind
		name string
	}{
		{ConfigurationKind, "xapp"},
		{FunctionKind, h.PackageName(FunctionPackage)},
		{ProviderKind, h.PackageName(ProviderPackage)},
	} {
		if err := h.WaitConditions(ctx, timeout, p.gvk, "", p.name, "Installed", "Healthy"); err != nil {
			return errors.Wrapf(err, "package %s is not healthy (logs: %s)", p.name, h.Logs)
		}
	}
	return nil
}
