package e2e

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// apps is how many apps the load scenario applies at once.
const apps = 100

//nolint:thelper // A scenario, not a helper: its failures point at its own lines.
func testHundredApps(t *testing.T, ctx context.Context) {
	const ns = "load"
	if err := h.CreateNamespace(ctx, ns); err != nil {
		t.Fatal(err)
	}
	fnCPU0, coreCPU0 := cpu(t, h.Function), cpu(t, h.Core)
	requests0 := h.FunctionRequests()
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, apps)
	for i := range apps {
		wg.Go(func() {
			u := &unstructured.Unstructured{Object: map[string]any{
				"apiVersion": "platform.xapp.dev/v1alpha1", "kind": "XApp",
				"metadata": map[string]any{"name": fmt.Sprintf("app-%03d", i), "namespace": ns},
				"spec": map[string]any{
					"image": fmt.Sprintf("ghcr.io/acme/app-%03d:1.0.0", i),
					"ports": []any{map[string]any{"name": "http", "port": int64(8080), "expose": true}},
					"route": map[string]any{},
				},
			}}
			errs <- h.ApplyObject(ctx, u)
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	applied := time.Since(start)
	var since time.Time
	err := Eventually(ctx, 150*time.Second, 250*time.Millisecond, func() (bool, string, error) {
		l := &unstructured.UnstructuredList{}
		l.SetGroupVersionKind(XAppKind.GroupVersion().WithKind("XAppList"))
		if err := h.Client.List(ctx, l, client.InNamespace(ns)); err != nil {
			return false, "", err
		}
		up := 0
		for i := range l.Items {
			cs := Conditions(&l.Items[i])
			if cs["Ready"].Status == ConditionTrue && cs["AppReady"].Status == ConditionTrue {
				up++
			}
		}
		if up < apps {
			since = time.Time{}
			return false, fmt.Sprintf("%d of %d apps Ready", up, apps), nil
		}
		if since.IsZero() {
			since = time.Now()
		}
		return time.Since(since) >= ReadyHold, "all Ready, holding", nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ready := since.Sub(start)
	fnCPU, coreCPU := cpu(t, h.Function)-fnCPU0, cpu(t, h.Core)-coreCPU0
	requests := h.FunctionRequests() - requests0
	h.Printf("100 apps: applied in %.1fs, all Ready %.1fs after the first apply (held %s)", applied.Seconds(), ready.Seconds(), ReadyHold)
	h.Printf("100 apps: CPU function-xapp %.1fs, Crossplane core %.1fs (until all Ready + hold)", fnCPU.Seconds(), coreCPU.Seconds())
	if requests > 0 {
		h.Printf("100 apps: %d function requests, %.2f ms function CPU per request", requests, float64(fnCPU.Microseconds())/float64(requests)/1000)
	}
	writes, err := h.SteadyWrites(ctx, ns, apps, 15*time.Second)
	if err != nil {
		t.Error(err)
		return
	}
	h.Printf("steady state: API writes per app per minute over 15s: %s", writes)
}

func cpu(t *testing.T, p *Proc) time.Duration {
	t.Helper()
	d, err := p.CPU()
	if err != nil {
		t.Fatal(err)
	}
	return d
}
