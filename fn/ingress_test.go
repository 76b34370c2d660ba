package fn

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/types/known/structpb"
	"k8s.io/utils/ptr"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
	"github.com/xapp-dev/xapp/input/v1beta1"
)

// withIngress routes with Ingresses of class nginx, the controller in ingress-nginx, certificates
// from tls, and catch-all routes allowed when catchAll.
func withIngress(tls *v1beta1.IngressTLS, catchAll bool) inputMod {
	return func(in *v1beta1.Input) {
		in.Domain = "apps.example.com"
		in.Routing = &v1beta1.Routing{Kind: v1beta1.RoutingIngress, AllowCatchAll: catchAll, Ingress: &v1beta1.Ingress{
			ClassName:       "nginx",
			Annotations:     map[string]string{"nginx.ingress.kubernetes.io/proxy-body-size": "8m"},
			GRPCAnnotations: map[string]string{"nginx.ingress.kubernetes.io/backend-protocol": "GRPC"},
			TLS:             tls,
			Controller:      v1beta1.IngressController{Namespace: "ingress-nginx", PodLabels: map[string]string{"app.kubernetes.io/name": "ingress-nginx"}},
		}}
	}
}

// shopPorts is a web shop's ports: its pages and its API apart, both exposed, and metrics.
func shopPorts() specMod {
	return withPorts(exposedPort(http("web", 8080)), exposedPort(v1alpha1.Port{Name: "api", Port: 9000, ServicePort: ptr.To(int32(90))}), http("metrics", 9090))
}

// TestPublishedRoute renders routes in both flavours: Ingresses, and what Gateway API adds to them
// (rules per port, catch-all); TestRoute has the rest of the Gateway API ones.
func TestPublishedRoute(t *testing.T) {
	cases := map[string]struct {
		reason string
		in     []inputMod
		mods   []specMod
		golden string
	}{
		"Default": {
			reason: "A route without host gets one under the platform's domain; the platform's class and annotations, no certificate named.",
			in:     []inputMod{withIngress(nil, false)},
			mods:   []specMod{withPorts(exposedPort(http("http", 8080))), withRoute(&v1alpha1.Route{})},
			golden: "ingress-default.yaml",
		},
		"RulesClusterIssuer": {
			reason: "Each path goes to its port on the port the Service offers; cert-manager issues the host's certificate into <app>-tls.",
			in:     []inputMod{withIngress(&v1beta1.IngressTLS{ClusterIssuer: "letsencrypt"}, false)},
			mods: []specMod{shopPorts(), withRoute(&v1alpha1.Route{Host: "shop.apps.example.com", Rules: []v1alpha1.RouteRule{
				{Path: "/api", Port: "api"}, {Path: "/"}}})},
			golden: "ingress-rules.yaml",
		},
		"Issuer": {
			reason: "A namespaced cert-manager Issuer is named by its own annotation.",
			in:     []inputMod{withIngress(&v1beta1.IngressTLS{Issuer: "team-ca"}, false)},
			mods:   []specMod{withPorts(exposedPort(http("http", 8080))), withRoute(&v1alpha1.Route{})},
			golden: "ingress-issuer.yaml",
		},
		"PlainHTTP": {
			reason: "tls: false names no certificate, whatever the platform's source.",
			in:     []inputMod{withIngress(&v1beta1.IngressTLS{ClusterIssuer: "letsencrypt"}, false)},
			mods:   []specMod{withPorts(exposedPort(http("http", 8080))), withRoute(&v1alpha1.Route{Paths: []string{"/shop"}, TLS: ptr.To(false)})},
			golden: "ingress-plain-http.yaml",
		},
		"CatchAllSecret": {
			reason: "A catch-all route has a rule without host, served with the platform's Secret.",
			in:     []inputMod{withIngress(&v1beta1.IngressTLS{SecretName: "wildcard-tls"}, true)},
			mods:   []specMod{withPorts(exposedPort(http("http", 8080))), withRoute(&v1alpha1.Route{CatchAll: true})},
			golden: "ingress-catch-all.yaml",
		},
		"CatchAllIssuer": {
			reason: "cert-manager cannot issue a certificate for no host: a catch-all route names none and gets no issuer annotation.",
			in:     []inputMod{withIngress(&v1beta1.IngressTLS{ClusterIssuer: "letsencrypt"}, true)},
			mods:   []specMod{withPorts(exposedPort(http("http", 8080))), withRoute(&v1alpha1.Route{CatchAll: true})},
			golden: "ingress-catch-all-issuer.yaml",
		},
		"EmptyTLS": {
			reason: "A TLS source that names nothing names no certificate, rather than an empty issuer.",
			in:     []inputMod{withIngress(&v1beta1.IngressTLS{}, false)},
			mods:   []specMod{withPorts(exposedPort(http("http", 8080))), withRoute(&v1alpha1.Route{})},
			golden: "ingress-default.yaml",
		},
		"GRPC": {
			reason: "A gRPC app's Ingress sends everything to its gRPC port, with the platform's gRPC annotations.",
			in:     []inputMod{withIngress(&v1beta1.IngressTLS{SecretName: "wildcard-tls"}, false)},
			mods:   []specMod{withPorts(exposedPort(v1alpha1.Port{Name: "grpc", Port: 9000, Protocol: v1alpha1.ProtocolGRPC})), withRoute(&v1alpha1.Route{})},
			golden: "ingress-grpc.yaml",
		},
		"Rules": {
			reason: "Paths to different ports become one HTTPRoute rule per port, each matching its paths, in the order the ports first appear.",
			in:     []inputMod{withGateway()},
			mods: []specMod{shopPorts(), withRoute(&v1alpha1.Route{Rules: []v1alpha1.RouteRule{
				{Path: "/api", Port: "api"}, {Path: "/"}, {Path: "/v2/api", Port: "api"}}})},
			golden: "route-rules.yaml",
		},
		"RulesBesideGRPC": {
			reason: "Rules make an HTTPRoute even where the first exposed port speaks gRPC: they send paths to the HTTP ports they name.",
			in:     []inputMod{withGateway()},
			mods: []specMod{withPorts(exposedPort(v1alpha1.Port{Name: "grpc", Port: 9000, Protocol: v1alpha1.ProtocolGRPC}), exposedPort(http("web", 8080))),
				withRoute(&v1alpha1.Route{Rules: []v1alpha1.RouteRule{{Path: "/", Port: "web"}}})},
			golden: "route-rules-beside-grpc.yaml",
		},
		"CatchAll": {
			reason: "A catch-all HTTPRoute names no host, so it matches every host its listener accepts.",
			in:     []inputMod{withGateway(), func(in *v1beta1.Input) { in.Routing = &v1beta1.Routing{AllowCatchAll: true} }},
			mods:   []specMod{withPorts(exposedPort(http("http", 8080))), withRoute(&v1alpha1.Route{CatchAll: true})},
			golden: "route-catch-all.yaml",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, obj, _ := publishedRoute(testApp(t, tc.in, tc.mods...))
			golden(t, tc.golden, obj)
		})
	}
}

func TestIngressHealth(t *testing.T) {
	cases := map[string]struct {
		reason string
		obs    *structpb.Struct
		want   health
	}{
		"Missing":   {reason: "Not created yet.", want: health{why: "Ingress shop: not created yet"}},
		"NoAddress": {reason: "A controller that has not published an address has not taken the Ingress on.", obs: mustStruct(t, `{status: {loadBalancer: {}}}`), want: health{why: "Ingress shop: waiting for the ingress controller to publish its address"}},
		"IP":        {reason: "An address makes it ready.", obs: mustStruct(t, `{status: {loadBalancer: {ingress: [{ip: 203.0.113.9}]}}}`), want: ready()},
		"HostName":  {reason: "So does a host name.", obs: mustStruct(t, `{status: {loadBalancer: {ingress: [{hostname: lb.example.com}]}}}`), want: ready()},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, ingressHealth("shop")(tc.obs), cmp.AllowUnexported(health{})); diff != "" {
				t.Errorf("%s\ningressHealth(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
