package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// patchShop changes one field of the full app's spec, as `kubectl patch` would.
func patchShop(t *testing.T, ctx context.Context, value any, path ...string) {
	t.Helper()
	u, err := h.Get(ctx, XAppKind, "team-shop", "shop")
	if err != nil || u == nil {
		t.Fatalf("cannot get the full app: %v", err)
	}
	orig := u.DeepCopy()
	if err := unstructured.SetNestedField(u.Object, value, append([]string{"spec"}, path...)...); err != nil {
		t.Fatal(err)
	}
	if err := h.Client.Patch(ctx, u, client.MergeFrom(orig)); err != nil {
		t.Fatalf("cannot patch the full app: %v", err)
	}
}

//nolint:thelper // A scenario, not a helper: its failures point at its own lines.
func testImageUpdate(t *testing.T, ctx context.Context) {
	const image = "ghcr.io/acme/shop:1.4.3"
	patched := time.Now()
	patchShop(t, ctx, image, "image")
	stale := ""
	err := Eventually(ctx, 60*time.Second, 100*time.Millisecond, func() (bool, string, error) {
		s, err := h.App(ctx, XAppKind, "team-shop", "shop")
		if err != nil {
			return false, "", err
		}
		if s.Image != image || s.AppReady.Status != ConditionTrue {
			return false, s.String(), nil
		}
		d := &appsv1.Deployment{}
		if err := h.Client.Get(ctx, client.ObjectKey{Namespace: "team-shop", Name: "shop"}, d); err != nil {
			return false, "", err
		}
		if d.Status.ObservedGeneration < d.Generation || d.Status.UpdatedReplicas != d.Status.Replicas ||
			d.Spec.Template.Spec.Containers[0].Image != image {
			stale = s.AppReady.Message
		}
		return true, "", nil
	})
	if err != nil {
		t.Fatal(err, h.Describe(ctx, "team-shop", "shop"))
	}
	if _, err := h.WaitAppReady(ctx, 60*time.Second, XAppKind, "team-shop", "shop"); err != nil {
		t.Error(err)
	}
	// What the function answered: the reconcile that applies the new image must not judge the app
	// from the Deployment as it was, and the rollout must show before the app is Ready again.
	vs, err := h.FunctionVerdicts("team-shop/shop", patched)
	if err != nil {
		t.Fatal(err)
	}
	var said []string
	for _, v := range vs {
		said = append(said, v.AppReady)
	}
	if len(vs) == 0 || strings.HasPrefix(vs[0].AppReady, "STATUS_CONDITION_TRUE") {
		t.Errorf("the function's first answer after the image changed was not a rollout: %q", said)
	}
	rolled := false
	for _, v := range vs {
		rolled = rolled || strings.Contains(v.AppReady, "rolling out") || strings.Contains(v.AppReady, "new spec")
	}
	if !rolled {
		t.Errorf("the function never said the app was rolling out: %q", said)
	}
	if stale != "" {
		h.Printf("image update: Crossplane showed AppReady True (%s) on the new image before the Deployment rolled it out, though the function answered %d times, first %q", stale, len(vs), said[0])
	}
}

//nolint:thelper // A scenario, not a helper: its failures point at its own lines.
func testBusinessService(t *testing.T, ctx context.Context) {
	// A service the CMDB does not know: the backend refuses the link, which the app shows as Failed
	// in one line (ServiceNow's message holds a newline).
	patchShop(t, ctx, "0000000000000000000000000000dead", "cmdb", "businessService")
	err := Eventually(ctx, 60*time.Second, 200*time.Millisecond, func() (bool, string, error) {
		s, err := h.App(ctx, XAppKind, "team-shop", "shop")
		c := s.AppReady
		done := c.Status == "False" && c.Reason == "Failed" && strings.Contains(c.Message, "refused the record") && !strings.Contains(c.Message, "\n")
		return done, s.String(), err
	})
	if err != nil {
		t.Errorf("an unknown business service: %v", err)
	}

	next := h.ServiceNow.Insert("cmdb_ci_service_auto", map[string]string{"name": "Online Shop (new)"})
	patchShop(t, ctx, next, "cmdb", "businessService")
	var id string
	err = Eventually(ctx, 60*time.Second, 200*time.Millisecond, func() (bool, string, error) {
		s, err := h.App(ctx, XAppKind, "team-shop", "shop")
		rec, _ := s.Status["cmdb"].(map[string]any)
		id, _ = rec["id"].(string)
		now := h.ServiceNow.Find("cmdb_rel_ci", "parent", next)
		old := h.ServiceNow.Find("cmdb_rel_ci", "parent", shopService)
		done := len(now) == 1 && now[0]["child"] == id && len(old) == 0
		return done, fmt.Sprintf("%d links from the new service, %d from the old one; app: %s", len(now), len(old), s), err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.WaitAppReady(ctx, 60*time.Second, XAppKind, "team-shop", "shop"); err != nil {
		t.Error(err)
	}
	shopService = next
}

//nolint:thelper // A scenario, not a helper: its failures point at its own lines.
func testHandEdit(t *testing.T, ctx context.Context) {
	s, err := h.App(ctx, XAppKind, "team-shop", "shop")
	if err != nil {
		t.Fatal(err)
	}
	rec, _ := s.Status["cmdb"].(map[string]any)
	id, _ := rec["id"].(string)
	want := h.ServiceNow.Record(id)["short_description"]
	h.ServiceNow.Set(id, "short_description", "edited by hand")
	err = Eventually(ctx, 30*time.Second, 250*time.Millisecond, func() (bool, string, error) {
		got := h.ServiceNow.Record(id)["short_description"]
		return got == want, "short_description is " + got, nil
	})
	if err != nil {
		t.Error(err)
	}
}

// deletion is the full app's deletion, started before the load scenario and checked after it: the
// database waits about 30 s for Crossplane's Usage controller, time the load scenario uses.
var deletion struct {
	record string
	done   chan struct{}
	// podsGone and dbGone are how long after the delete the app's last pod and its database went.
	podsGone, dbGone time.Duration
	err              error
}

//nolint:thelper // A scenario, not a helper: its failures point at its own lines.
func testDeleteStart(t *testing.T, ctx context.Context) {
	s, err := h.App(ctx, XAppKind, "team-shop", "shop")
	if err != nil {
		t.Fatal(err)
	}
	rec, _ := s.Status["cmdb"].(map[string]any)
	deletion.record, _ = rec["id"].(string)
	u, err := h.Get(ctx, XAppKind, "team-shop", "shop")
	if err != nil || u == nil {
		t.Fatalf("cannot get the full app: %v", err)
	}
	start := time.Now()
	if err := h.Client.Delete(ctx, u); err != nil {
		t.Fatal(err)
	}
	deletion.done = make(chan struct{})
	go func() {
		defer close(deletion.done)
		// Its own context: the scenario that started it has ended by now.
		wctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		deletion.err = Eventually(wctx, 150*time.Second, 100*time.Millisecond, func() (bool, string, error) {
			pods := &corev1.PodList{}
			if err := h.Client.List(wctx, pods, client.InNamespace("team-shop"), client.MatchingLabels{"app.kubernetes.io/name": "shop"}); err != nil {
				return false, "", err
			}
			db, err := h.Get(wctx, CNPGCluster, "team-shop", "shop-db")
			if err != nil {
				return false, "", err
			}
			if len(pods.Items) == 0 && deletion.podsGone == 0 {
				deletion.podsGone = time.Since(start)
			}
			if db == nil && deletion.dbGone == 0 {
				deletion.dbGone = time.Since(start)
			}
			return deletion.podsGone > 0 && deletion.dbGone > 0, fmt.Sprintf("%d pods left, database gone: %t", len(pods.Items), deletion.dbGone > 0), nil
		})
	}()
}

//nolint:thelper // A scenario, not a helper: its failures point at its own lines.
func testDeleteCheck(t *testing.T, ctx context.Context) {
	if deletion.done == nil {
		t.Fatal("the deletion was not started")
	}
	select {
	case <-deletion.done:
	case <-ctx.Done():
		t.Fatal("the deletion did not finish in time")
	}
	if deletion.err != nil {
		t.Fatal(deletion.err)
	}
	h.Printf("delete: last pod gone after %.1fs, database after %.1fs", deletion.podsGone.Seconds(), deletion.dbGone.Seconds())
	if deletion.dbGone < deletion.podsGone {
		t.Errorf("the database was deleted %.1fs before the app's last pod was gone", (deletion.podsGone - deletion.dbGone).Seconds())
	}
	if r := h.ServiceNow.Record(deletion.record); r != nil && r["install_status"] != "7" {
		t.Errorf("the app's CMDB record is not retired: %v", r)
	}
	if err := h.WaitGone(ctx, 60*time.Second, "team-shop"); err != nil {
		t.Error(err)
	}
}
