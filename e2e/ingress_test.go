package e2e

import (
	"context"
	"testing"

	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// testIngressApp runs the store front on the shipped Ingress composition, selected the way an app
// selects it: it is Ready once the ingress controller stand-in has published its Ingress's address,
// and its status carries the URL.
//
//nolint:thelper // A scenario, not a helper: its failures point at its own lines.
func testIngressApp(t *testing.T, ctx context.Context) {
	s := applyExample(t, ctx, "../examples/ingress/xr.yaml", XAppKind, func(u *unstructured.Unstructured) {
		_ = unstructured.SetNestedStringMap(u.Object, map[string]string{"platform.xapp.dev/routing": "ingress"},
			"spec", "crossplane", "compositionSelector", "matchLabels")
	})
	if s.URL != "https://shop.apps.example.com" {
		t.Errorf("status.url = %q, want https://shop.apps.example.com", s.URL)
	}
	ing := &networkingv1.Ingress{}
	if err := h.Client.Get(ctx, client.ObjectKey{Namespace: "shop", Name: "storefront"}, ing); err != nil {
		t.Fatalf("the app's Ingress: %v", err)
	}
	if ing.Spec.IngressClassName == nil || *ing.Spec.IngressClassName != "nginx" || len(ing.Spec.Rules) != 1 || len(ing.Spec.Rules[0].HTTP.Paths) != 2 {
		t.Errorf("Ingress spec = %+v, want class nginx and one host with the app's two paths", ing.Spec)
	}
	if got := ing.Annotations["cert-manager.io/cluster-issuer"]; got != "letsencrypt" {
		t.Errorf("Ingress annotation cert-manager.io/cluster-issuer = %q, want letsencrypt", got)
	}
}
