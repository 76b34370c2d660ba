package fn

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/types/known/structpb"
	"k8s.io/utils/ptr"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
	"github.com/xapp-dev/xapp/input/v1beta1"
)

func TestRouteURL(t *testing.T) {
	address := mustStruct(t, `{status: {loadBalancer: {ingress: [{ip: 203.0.113.9}]}}}`)
	cases := map[string]struct {
		reason string
		in     []inputMod
		route  *v1alpha1.Route
		obs    *structpb.Struct
		want   string
	}{
		"Gateway": {
			reason: "On a gateway the URL is the host's, from the start.",
			in:     []inputMod{withGateway()}, route: &v1alpha1.Route{Rules: []v1alpha1.RouteRule{{Path: "/shop"}}},
			want: "https://shop.team-shop.apps.example.com/shop",
		},
		"GatewayCatchAll": {
			reason: "A catch-all route on a gateway has no host, and the gateway's address is not the app's to know.",
			in:     []inputMod{withGateway()}, route: &v1alpha1.Route{CatchAll: true},
		},
		"IngressNoAddress": {
			reason: "An Ingress without an address reaches nobody yet: no URL.",
			in:     []inputMod{withIngress(nil, false)}, route: &v1alpha1.Route{},
			obs: mustStruct(t, `{status: {loadBalancer: {}}}`),
		},
		"IngressAddress": {
			reason: "Once the controller publishes an address the URL is the host's.",
			in:     []inputMod{withIngress(nil, false)}, route: &v1alpha1.Route{TLS: ptr.To(false)}, obs: address,
			want: "http://shop.team-shop.apps.example.com",
		},
		"IngressCatchAll": {
			reason: "A catch-all Ingress is reached at its address.",
			in:     []inputMod{withIngress(nil, true)}, route: &v1alpha1.Route{CatchAll: true, Paths: []string{"/shop"}}, obs: address,
			want: "https://203.0.113.9/shop",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			a := testApp(t, tc.in, withPorts(exposedPort(http("http", 8080))), withRoute(tc.route))
			if diff := cmp.Diff(tc.want, routeURL(a, tc.obs)); diff != "" {
				t.Errorf("%s\nrouteURL(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestRoutePolicy(t *testing.T) {
	noIngress := func(in *v1beta1.Input) { in.Routing = &v1beta1.Routing{Kind: v1beta1.RoutingIngress} }
	cases := map[string]struct {
		reason string
		in     []inputMod
		route  *v1alpha1.Route
		grpc   bool
		want   verdict
	}{
		"Ingress": {reason: "An Ingress platform routes apps without a gateway.", in: []inputMod{withIngress(nil, false)}, route: &v1alpha1.Route{}},
		"IngressOutsideDomains": {
			reason: "The allowed domains rule applies to Ingresses too.",
			in:     []inputMod{withIngress(nil, false)}, route: &v1alpha1.Route{Host: "shop.example.org"},
			want: verdict{errs: []string{"spec.route.host: Forbidden: host shop.example.org is outside the platform's allowed domains (apps.example.com)"}},
		},
		"IngressNotConfigured": {
			reason: "Ingress routing without its settings is named, by the Input field the platform must set.",
			in:     []inputMod{withGateway(), noIngress}, route: &v1alpha1.Route{},
			want: verdict{errs: []string{"spec.route: Forbidden: the platform routes with Ingresses but configures none (Input routing.ingress)"}},
		},
		"IngressControllerUnplaced": {
			reason: "Without the controller's namespace the policy could only admit its labels in every namespace: refused.",
			in:     []inputMod{withIngress(nil, false), func(in *v1beta1.Input) { in.Routing.Ingress.Controller.Namespace = "" }}, route: &v1alpha1.Route{},
			want: verdict{errs: []string{"spec.route: Forbidden: the platform does not say where its ingress controller runs (Input routing.ingress.controller.namespace)"}},
		},
		"CatchAllAllowed": {reason: "A catch-all route where the platform allows one; no host to check.", in: []inputMod{withIngress(nil, true)}, route: &v1alpha1.Route{CatchAll: true}},
		"CatchAllRefused": {
			reason: "A catch-all route is refused by its field unless the platform allows it.",
			in:     []inputMod{withGateway()}, route: &v1alpha1.Route{CatchAll: true},
			want: verdict{errs: []string{"spec.route.catchAll: Forbidden: the platform does not allow catch-all routes (Input routing.allowCatchAll): name a host"}},
		},
		"GRPCWithoutAnnotations": {
			reason: "A gRPC app on Ingresses without gRPC annotations is warned, not refused: the controller may speak HTTP/2 by itself.",
			in:     []inputMod{withIngress(nil, false), func(in *v1beta1.Input) { in.Routing.Ingress.GRPCAnnotations = nil }}, route: &v1alpha1.Route{}, grpc: true,
			want: verdict{warnings: []string{"spec.route: port grpc speaks gRPC, but the platform's Ingresses carry no gRPC annotations (Input routing.ingress.grpcAnnotations): the ingress controller may not speak HTTP/2 to it"}},
		},
		"GRPCWithAnnotations": {reason: "With the platform's gRPC annotations, nothing to say.", in: []inputMod{withIngress(nil, false)}, route: &v1alpha1.Route{}, grpc: true},
		"NoGateway": {
			reason: "Gateway API routing without a gateway is refused, as before.",
			in:     []inputMod{func(in *v1beta1.Input) { in.Domain = "apps.example.com" }}, route: &v1alpha1.Route{},
			want: verdict{errs: []string{"spec.route: Forbidden: the platform has no gateway configured to attach routes to"}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			port := http("http", 8080)
			if tc.grpc {
				port = v1alpha1.Port{Name: "grpc", Port: 9000, Protocol: v1alpha1.ProtocolGRPC}
			}
			a := testApp(t, tc.in, withPorts(exposedPort(port)), withRoute(tc.route))
			if diff := cmp.Diff(tc.want, verdictOf(routePolicy(a)), cmp.AllowUnexported(verdict{})); diff != "" {
				t.Errorf("%s\nroutePolicy(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestValidateRouteRules(t *testing.T) {
	grpc := exposedPort(v1alpha1.Port{Name: "grpc", Port: 9000, Protocol: v1alpha1.ProtocolGRPC})
	cases := map[string]struct {
		reason string
		ports  []v1alpha1.Port
		route  v1alpha1.Route
		want   []string
	}{
		"Valid": {reason: "Rules to exposed HTTP ports, and one to the routed port.", route: v1alpha1.Route{Rules: []v1alpha1.RouteRule{{Path: "/api", Port: "api"}, {Path: "/"}}}},
		"Both": {
			reason: "Paths and rules are two ways of saying the same thing: one at a time.",
			route:  v1alpha1.Route{Paths: []string{"/"}, Rules: []v1alpha1.RouteRule{{Path: "/api", Port: "api"}}},
			want:   []string{"spec.route.rules: Invalid value: 1: set either paths (to the first exposed port) or rules (each path to a port), not both"},
		},
		"HostAndCatchAll": {
			reason: "A catch-all route has no host.",
			route:  v1alpha1.Route{Host: "shop.apps.example.com", CatchAll: true},
			want:   []string{"spec.route.catchAll: Invalid value: true: a catch-all route matches every host: set either host or catchAll"},
		},
		"BadRules": {
			reason: "Each bad rule is named by its path: a relative path, a repeated one, an unknown port, a port not exposed.",
			route: v1alpha1.Route{Rules: []v1alpha1.RouteRule{
				{Path: "api", Port: "api"}, {Path: "/x", Port: "nope"}, {Path: "/x", Port: "metrics"}}},
			want: []string{
				`spec.route.rules[0].path: Invalid value: "api": must start with /`,
				`spec.route.rules[1].port: Not found: "nope"`,
				`spec.route.rules[2].path: Duplicate value: "/x (also spec.route.rules[1])"`,
				`spec.route.rules[2].port: Invalid value: "metrics": must name an http port with expose: true`,
			},
		},
		"UnnamedToGRPC": {
			reason: "A rule without port goes to the routed port, which must speak HTTP.",
			ports:  []v1alpha1.Port{grpc, exposedPort(http("web", 8080))},
			route:  v1alpha1.Route{Rules: []v1alpha1.RouteRule{{Path: "/"}}},
			want:   []string{"spec.route.rules[0].port: Required value: the first exposed port, grpc, speaks grpc, not http: name an exposed http port"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			spec := baseSpec()
			shopPorts()(&spec)
			if tc.ports != nil {
				spec.Ports = tc.ports
			}
			spec.Route = &tc.route
			_, errs := validate("shop", "team-shop", &spec)
			if diff := cmp.Diff(tc.want, verdictOf(nil, errs).errs); diff != "" {
				t.Errorf("%s\nvalidate(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestRouteSource(t *testing.T) {
	cases := map[string]struct {
		reason string
		in     []inputMod
		want   *podsPeer
	}{
		"Gateway":         {reason: "Gateway API: the gateway's proxies.", in: []inputMod{withGateway()}, want: &podsPeer{labels: map[string]string{"gateway.networking.k8s.io/gateway-name": "platform"}, namespace: "gateway-system"}},
		"Ingress":         {reason: "Ingress: the controller's pods, not the gateway's.", in: []inputMod{withGateway(), withIngress(nil, false)}, want: &podsPeer{labels: map[string]string{"app.kubernetes.io/name": "ingress-nginx"}, namespace: "ingress-nginx"}},
		"Neither":         {reason: "No gateway: nothing is admitted."},
		"IngressUnplaced": {reason: "A controller without a namespace admits nothing, rather than its labels in every namespace.", in: []inputMod{withIngress(nil, false), func(in *v1beta1.Input) { in.Routing.Ingress.Controller.Namespace = "" }}},
		"IngressUnset":    {reason: "Ingress routing without its settings admits nothing, rather than the gateway.", in: []inputMod{withGateway(), func(in *v1beta1.Input) { in.Routing = &v1beta1.Routing{Kind: v1beta1.RoutingIngress} }}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, testApp(t, tc.in).routeSource(), cmp.AllowUnexported(podsPeer{})); diff != "" {
				t.Errorf("%s\nrouteSource(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// Each kind of route has its own resource name: Crossplane deletes only what is no longer desired
// by name, so a name that changed kind would leave the old route composed by nobody, still routing
// the host.
func TestPublishedRouteNames(t *testing.T) {
	grpc := exposedPort(v1alpha1.Port{Name: "grpc", Port: 9000, Protocol: v1alpha1.ProtocolGRPC})
	web := exposedPort(http("web", 8080))
	cases := map[string]struct {
		reason string
		in     []inputMod
		ports  []v1alpha1.Port
		route  *v1alpha1.Route
		want   string
	}{
		"HTTPRoute": {reason: "An HTTP app on a gateway.", in: []inputMod{withGateway()}, ports: []v1alpha1.Port{web}, route: &v1alpha1.Route{}, want: ResourceRoute},
		"GRPCRoute": {reason: "A gRPC app on a gateway.", in: []inputMod{withGateway()}, ports: []v1alpha1.Port{grpc}, route: &v1alpha1.Route{}, want: ResourceGRPCRoute},
		"GRPCWithRules": {
			reason: "Rules send paths to HTTP ports: the route becomes an HTTPRoute under its own name, and the GRPCRoute goes.",
			in:     []inputMod{withGateway()}, ports: []v1alpha1.Port{grpc, web},
			route: &v1alpha1.Route{Rules: []v1alpha1.RouteRule{{Path: "/", Port: "web"}}}, want: ResourceRoute,
		},
		"Ingress": {reason: "The platform routes by Ingress.", in: []inputMod{withIngress(nil, false)}, ports: []v1alpha1.Port{web}, route: &v1alpha1.Route{}, want: ResourceIngress},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, _, _ := publishedRoute(testApp(t, tc.in, withPorts(tc.ports...), withRoute(tc.route)))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\npublishedRoute(): resource name: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
