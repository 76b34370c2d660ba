package e2e

import (
	"context"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// eventsNamespace keeps the events app apart from team-shop, whose emptiness a later scenario checks.
const eventsNamespace = "team-orders"

// testEventsApp applies examples/events (scaled by KEDA on requests and a queue, a variable and
// files from the secret store): it becomes Ready once the stand-ins have written its Secrets and
// checked its ScaledObject, its Deployment is created only after those Secrets, and it has no HPA of
// xapp's. Then it is deleted, and nothing of it is left.
//
//nolint:thelper // A scenario, not a helper: its failures point at its own lines.
func testEventsApp(t *testing.T, ctx context.Context) {
	s := applyExample(t, ctx, "../examples/events/xr.yaml", XAppKind, func(u *unstructured.Unstructured) { u.SetNamespace(eventsNamespace) })
	wantReplicas(t, s, 1)

	dep := &appsv1.Deployment{}
	if err := h.Client.Get(ctx, client.ObjectKey{Namespace: eventsNamespace, Name: "orders"}, dep); err != nil {
		t.Fatal(err)
	}
	for name, keys := range map[string][]string{"orders-store-env": {"STRIPE_API_KEY"}, "orders-store-file-tls": {"value"}} {
		sec := &corev1.Secret{}
		if err := h.Client.Get(ctx, client.ObjectKey{Namespace: eventsNamespace, Name: name}, sec); err != nil {
			t.Errorf("Secret %s: %v", name, err)
			continue
		}
		if sec.Annotations[AnnotationWorkloadBefore] != "false" {
			t.Errorf("Secret %s written with %s=%q: the Deployment was created before it, and its pods would wait in CreateContainerConfigError", name, AnnotationWorkloadBefore, sec.Annotations[AnnotationWorkloadBefore])
		}
		for _, k := range keys {
			if _, ok := sec.Data[k]; !ok {
				t.Errorf("Secret %s has no key %s: %v", name, k, keysOf(sec.Data))
			}
		}
	}
	so := &unstructured.Unstructured{}
	so.SetGroupVersionKind(ScaledObjectKind)
	if err := h.Client.Get(ctx, client.ObjectKey{Namespace: eventsNamespace, Name: "orders"}, so); err != nil {
		t.Errorf("ScaledObject orders: %v", err)
	}
	hpas := &autoscalingv2.HorizontalPodAutoscalerList{}
	if err := h.Client.List(ctx, hpas, client.InNamespace(eventsNamespace)); err != nil {
		t.Fatal(err)
	}
	for _, a := range hpas.Items {
		t.Errorf("HorizontalPodAutoscaler %s next to the ScaledObject: KEDA makes its own, two would fight", a.Name)
	}

	app := &unstructured.Unstructured{}
	app.SetGroupVersionKind(XAppKind)
	app.SetNamespace(eventsNamespace)
	app.SetName("orders")
	if err := h.Client.Delete(ctx, app); err != nil {
		t.Fatal(err)
	}
	if err := h.WaitGone(ctx, 60*time.Second, eventsNamespace); err != nil {
		t.Error(err)
	}
}

func keysOf(m map[string][]byte) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
