package e2e

import (
	"context"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// testGatewayRoutes runs the MQTT broker of examples/gatewayroutes on a copy of the installed
// composition whose gateway has a TLS passthrough listener and takes TCP routes, as that example's
// composition says. The app is Ready once the gateway stand-in has accepted its TLSRoute, its
// TCPRoute and its HTTPRoute with their backends resolved, which it does only for routes the API
// server took: the TLS route by host on the passthrough listener, the TCP route on the gateway's
// listener at the Service port.
//
//nolint:thelper // A scenario, not a helper: its failures point at its own lines.
func testGatewayRoutes(t *testing.T, ctx context.Context) {
	comp, err := platformComposition(ctx, "xapp-gatewayroutes", func(in map[string]any) {
		gw, _ := in["gateway"].(map[string]any)
		gw["tlsListener"] = "tls-passthrough"
		gw["allowTCPRoutes"] = true
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.ApplyObject(ctx, comp); err != nil {
		t.Fatal(err)
	}
	applyExample(t, ctx, "../examples/gatewayroutes/xr.yaml", XAppKind, func(u *unstructured.Unstructured) {
		_ = unstructured.SetNestedField(u.Object, "xapp-gatewayroutes", "spec", "crossplane", "compositionRef", "name")
	})
	cases := map[string]struct {
		kind schema.GroupVersionKind
		// section and port are where the route attaches to the gateway.
		section string
		port    int64
		host    string
	}{
		"broker-mqtts": {kind: TLSRouteKind, section: "tls-passthrough", host: "broker.apps.example.com"},
		"broker-mqtt":  {kind: TCPRouteKind, port: 1883},
	}
	for name, want := range cases {
		u, err := h.Get(ctx, want.kind, "iot", name)
		if err != nil || u == nil {
			t.Fatalf("%s iot/%s: %v", want.kind.Kind, name, err)
		}
		r := &gatewayRoute{}
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, r); err != nil {
			t.Fatal(err)
		}
		if len(r.Spec.ParentRefs) != 1 || len(r.Status.Parents) != 1 {
			t.Fatalf("%s %s: parentRefs %+v, status %+v, want one parent, accepted", want.kind.Kind, name, r.Spec.ParentRefs, r.Status.Parents)
		}
		p := r.Spec.ParentRefs[0]
		section, port := "", int64(0)
		if p.SectionName != nil {
			section = string(*p.SectionName)
		}
		if p.Port != nil {
			port = int64(*p.Port)
		}
		if section != want.section || port != want.port {
			t.Errorf("%s %s attaches to listener %q, port %d; want %q, %d", want.kind.Kind, name, section, port, want.section, want.port)
		}
		hosts, _, _ := unstructured.NestedStringSlice(u.Object, "spec", "hostnames")
		if want.host != "" && (len(hosts) != 1 || hosts[0] != want.host) {
			t.Errorf("%s %s: hostnames %v, want [%s]", want.kind.Kind, name, hosts, want.host)
		}
		for _, c := range r.Status.Parents[0].Conditions {
			if c.Status != metav1.ConditionTrue {
				t.Errorf("%s %s: %s is %s (%s), want True", want.kind.Kind, name, c.Type, c.Status, c.Message)
			}
		}
	}
}
