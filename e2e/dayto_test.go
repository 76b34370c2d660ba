package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

var compositionKind = schema.GroupVersionKind{Group: "apiextensions.crossplane.io", Version: "v1", Kind: "Composition"}

// receiver is a loopback webhook: it accepts every delivery and keeps what it got.
type receiver struct {
	*httptest.Server

	mu         sync.Mutex
	deliveries []string // X-Xapp-Delivery of each request
}

func newReceiver() *receiver {
	r := &receiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		_, _ = io.Copy(io.Discard, req.Body)
		r.mu.Lock()
		r.deliveries = append(r.deliveries, req.Header.Get("X-Xapp-Delivery"))
		r.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	return r
}

func (r *receiver) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.deliveries...)
}

// dayTwoComposition is the installed XApp composition under another name, with deploys announced
// to url for apps in namespace ns and recorded in the CMDB.
func dayTwoComposition(ctx context.Context, name, ns, url string) (*unstructured.Unstructured, error) {
	return platformComposition(ctx, name, func(in map[string]any) {
		in["notifications"] = map[string]any{"targets": []any{map[string]any{"name": "e2e", "namespaces": []any{ns}, "url": url}}}
		cmdb, _ := in["cmdb"].(map[string]any)
		cmdb["changes"] = map[string]any{"keep": int64(3)}
	})
}

// platformComposition is a copy of the installed xapp Composition under another name, its function's
// Input changed by edit: what a platform team does to change its settings for some apps.
func platformComposition(ctx context.Context, name string, edit func(in map[string]any)) (*unstructured.Unstructured, error) {
	c, err := h.Get(ctx, compositionKind, "", "xapp")
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, errors.New("the xapp Composition does not exist")
	}
	u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": c.GetAPIVersion(), "kind": c.GetKind(), "spec": c.Object["spec"]}}
	u.SetName(name)
	steps, _, _ := unstructured.NestedSlice(u.Object, "spec", "pipeline")
	in, _ := steps[0].(map[string]any)["input"].(map[string]any)
	edit(in)
	return u, unstructured.SetNestedSlice(u.Object, steps, "spec", "pipeline")
}

// changeRequests are the change requests ServiceNow holds for the app ns/name.
func changeRequests(ns, name string) []map[string]string {
	var out []map[string]string
	for _, r := range h.ServiceNow.Find("change_request", "type", "standard") {
		if strings.HasPrefix(r["correlation_id"], "xapp:"+ns+"/"+name+":") {
			out = append(out, r)
		}
	}
	return out
}

// testDayTwo deploys a registered app on a platform that announces and records deploys: its
// rollout is announced exactly once to a loopback receiver and recorded exactly once in
// ServiceNow as a closed change request; a second reconcile of the app adds neither.
//
//nolint:thelper // A scenario, not a helper: its failures point at its own lines.
func testDayTwo(t *testing.T, ctx context.Context) {
	const ns, name = "team-dayto", "hello"
	rcv := newReceiver()
	defer rcv.Close()
	comp, err := dayTwoComposition(ctx, "xapp-dayto", ns, rcv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.ApplyObject(ctx, comp); err != nil {
		t.Fatal(err)
	}
	applyExample(t, ctx, "../examples/changes/xr.yaml", XAppKind, func(u *unstructured.Unstructured) {
		u.SetNamespace(ns)
		_ = unstructured.SetNestedField(u.Object, "xapp-dayto", "spec", "crossplane", "compositionRef", "name")
	})
	recorded := time.Now()
	err = Eventually(ctx, 20*time.Second, 200*time.Millisecond, func() (bool, string, error) {
		crs := changeRequests(ns, name)
		closed := len(crs) == 1 && crs[0]["state"] == "3"
		return len(rcv.got()) >= 1 && closed, fmt.Sprintf("%d deliveries, change requests %v", len(rcv.got()), crs), nil
	})
	if err != nil {
		t.Fatal(err, h.Describe(ctx, ns, name))
	}
	h.Printf("day two: announced and recorded %.1fs after the app was Ready", time.Since(recorded).Seconds())

	// A second reconcile: the function runs again (the XApp changed) and the provider polls again.
	touched, u, err := h.Touch(ctx, XAppKind, ns, name)
	if err != nil {
		t.Fatal(err)
	}
	err = Eventually(ctx, 15*time.Second, 200*time.Millisecond, func() (bool, string, error) {
		vs, err := h.FunctionVerdicts(ns+"/"+name, touched)
		return len(vs) > 0, "the function has not run since the touch", err
	})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Second) // the provider's reconciles of what the function answered
	if got := rcv.got(); len(got) != 1 {
		t.Errorf("the receiver got %d deliveries, want exactly 1: %v", len(got), got)
	}
	if crs := changeRequests(ns, name); len(crs) != 1 || crs[0]["state"] != "3" || crs[0]["close_code"] != "successful" {
		t.Errorf("ServiceNow holds %v for the app, want exactly one closed, successful change request", crs)
	}
	// The app goes, and its change request stays: history. Waited for here, so that its
	// Notification and ChangeRecord do not fall in the load scenario's steady state (apps of
	// earlier scenarios that stay, like the minimal one, may: their reconciles change nothing).
	if err := h.Client.Delete(ctx, u); err != nil {
		t.Fatal(err)
	}
	if err := h.WaitGone(ctx, 30*time.Second, ns); err != nil {
		t.Error(err)
	}
	if crs := changeRequests(ns, name); len(crs) != 1 || crs[0]["state"] != "3" {
		t.Errorf("after the app was deleted ServiceNow holds %v for it, want its closed change request kept", crs)
	}
}
