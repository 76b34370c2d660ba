package fn

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
	"github.com/xapp-dev/xapp/input/v1beta1"
)

// withL4Listeners gives the platform's gateway a TLS passthrough listener and allows TCP routes.
func withL4Listeners(in *v1beta1.Input) {
	in.Gateway.TLSListener = "tls-passthrough"
	in.Gateway.AllowTCPRoutes = true
}

// dbPorts is a database proxy's ports: its own TLS on 5432 and a plain TCP admin port, both through
// the gateway.
func dbPorts() specMod {
	return withPorts(
		exposedPort(v1alpha1.Port{Name: "pg", Port: 5432, Protocol: v1alpha1.ProtocolTCP, GatewayRoute: v1alpha1.GatewayRouteTLS}),
		exposedPort(v1alpha1.Port{Name: "admin", Port: 7000, Protocol: v1alpha1.ProtocolTCP, GatewayRoute: v1alpha1.GatewayRouteTCP}),
		http("metrics", 9090))
}

func TestGatewayRoutes(t *testing.T) {
	objs := gatewayRoutes(testApp(t, []inputMod{withGateway(), withL4Listeners}, dbPorts()))
	names := make([]string, len(objs))
	for i, o := range objs {
		names[i] = o.name
		golden(t, "gateway-route-"+o.name[len(ResourceGatewayRoutePrefix):]+".yaml", o.obj)
	}
	if diff := cmp.Diff([]string{"gateway-route-pg", "gateway-route-admin"}, names); diff != "" {
		t.Errorf("gatewayRoutes(): resource names -want, +got:\n%s", diff)
	}
	if got := gatewayRoutes(testApp(t, []inputMod{withGateway()})); got != nil {
		t.Errorf("gatewayRoutes(): an app without gateway routes got %v, want none", got)
	}
}

func TestGatewayRoutesPolicy(t *testing.T) {
	cases := map[string]struct {
		reason string
		in     []inputMod
		mods   []specMod
		want   []string
	}{
		"Allowed": {reason: "A gateway with both listeners carries both routes.", in: []inputMod{withGateway(), withL4Listeners}},
		"NoListeners": {
			reason: "Each route kind is refused by its port's field, naming the Input field the platform would set.",
			in:     []inputMod{withGateway()},
			want: []string{
				"spec.ports[0].gatewayRoute: Forbidden: the platform's gateway has no TLS passthrough listener (Input gateway.tlsListener)",
				"spec.ports[1].gatewayRoute: Forbidden: the platform does not allow TCP routes (Input gateway.allowTCPRoutes)",
			},
		},
		"Ingress": {
			reason: "Ingresses carry HTTP only.",
			in:     []inputMod{withGateway(), withL4Listeners, withIngress(nil, false)},
			want: []string{
				"spec.ports[0].gatewayRoute: Forbidden: the platform routes with Ingresses, which carry HTTP only: use loadBalancer",
				"spec.ports[1].gatewayRoute: Forbidden: the platform routes with Ingresses, which carry HTTP only: use loadBalancer",
			},
		},
		"TLSHostOutsideDomains": {
			reason: "A TLS route matches by host: the host, the default one here, must be under the allowed domains.",
			in:     []inputMod{withGateway(), withL4Listeners, func(in *v1beta1.Input) { in.AllowedDomains = []string{"db.example.com"} }},
			want:   []string{"spec.route.host: Forbidden: host shop.team-shop.apps.example.com is outside the platform's allowed domains (db.example.com)"},
		},
		"TLSCatchAll": {
			reason: "A TLS route cannot match every host.",
			in:     []inputMod{withGateway(), withL4Listeners, func(in *v1beta1.Input) { in.Routing = &v1beta1.Routing{AllowCatchAll: true} }},
			mods:   []specMod{func(s *v1alpha1.XAppSpec) { s.Route = &v1alpha1.Route{CatchAll: true} }},
			want:   []string{"spec.ports[0].gatewayRoute: Forbidden: a TLS route matches by host name: set spec.route.host instead of catchAll"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			a := testApp(t, tc.in, append([]specMod{dbPorts()}, tc.mods...)...)
			if diff := cmp.Diff(tc.want, verdictOf(nil, gatewayRoutesPolicy(a)).errs); diff != "" {
				t.Errorf("%s\ngatewayRoutesPolicy(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestValidateGatewayRoutes(t *testing.T) {
	cases := map[string]struct {
		reason string
		port   v1alpha1.Port
		want   []string
	}{
		"Valid":      {reason: "An exposed tcp port.", port: exposedPort(v1alpha1.Port{Name: "pg", Port: 5432, Protocol: v1alpha1.ProtocolTCP, GatewayRoute: v1alpha1.GatewayRouteTLS})},
		"NotExposed": {reason: "The gateway must be let in.", port: v1alpha1.Port{Name: "pg", Port: 5432, Protocol: v1alpha1.ProtocolTCP, GatewayRoute: v1alpha1.GatewayRouteTCP}, want: []string{`spec.ports[0].gatewayRoute: Invalid value: "TCP": gatewayRoute publishes a tcp port with expose: true`}},
		"HTTP":       {reason: "HTTP ports are routed by the route.", port: exposedPort(v1alpha1.Port{Name: "web", Port: 8080, GatewayRoute: v1alpha1.GatewayRouteTLS}), want: []string{`spec.ports[0].gatewayRoute: Invalid value: "TLS": gatewayRoute publishes a tcp port with expose: true`}},
		"Unknown":    {reason: "Only TLS and TCP.", port: exposedPort(v1alpha1.Port{Name: "dns", Port: 53, Protocol: v1alpha1.ProtocolTCP, GatewayRoute: "UDP"}), want: []string{`spec.ports[0].gatewayRoute: Unsupported value: "UDP": supported values: "TLS", "TCP"`}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := verdictOf(nil, validateGatewayRoutes(field.NewPath("spec", "ports"), []v1alpha1.Port{tc.port}))
			if diff := cmp.Diff(tc.want, got.errs); diff != "" {
				t.Errorf("%s\nvalidateGatewayRoutes(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
