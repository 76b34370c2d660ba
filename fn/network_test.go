package fn

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
	"github.com/xapp-dev/xapp/input/v1beta1"
)

func TestService(t *testing.T) {
	cases := map[string]struct {
		reason      string
		in          []inputMod
		mods        []specMod
		ports       []corev1.ServicePort
		annotations map[string]string
	}{
		"NoPorts": {reason: "A worker gets no Service.", mods: []specMod{withPorts()}},
		"Protocols": {
			reason: "Every port is in the Service under its name; appProtocol tells meshes and gateways how to speak to it.",
			mods: []specMod{withPorts(http("http", 8080), v1alpha1.Port{Name: "grpc", Port: 9000, Protocol: v1alpha1.ProtocolGRPC},
				v1alpha1.Port{Name: "raw", Port: 7000, Protocol: v1alpha1.ProtocolTCP})},
			ports: []corev1.ServicePort{
				{Name: "http", Protocol: corev1.ProtocolTCP, Port: 8080, TargetPort: intstr.FromString("http"), AppProtocol: ptr.To("http")},
				{Name: "grpc", Protocol: corev1.ProtocolTCP, Port: 9000, TargetPort: intstr.FromString("grpc"), AppProtocol: ptr.To("kubernetes.io/h2c")},
				{Name: "raw", Protocol: corev1.ProtocolTCP, Port: 7000, TargetPort: intstr.FromString("raw")},
			},
		},
		"ServicePortAndUDP": {
			reason: "A Service port may differ from the container's, which stays the target by name; a UDP port is offered over UDP.",
			mods: []specMod{withPorts(v1alpha1.Port{Name: "http", Port: 8080, ServicePort: ptr.To(int32(80))},
				v1alpha1.Port{Name: "syslog", Port: 5514, ServicePort: ptr.To(int32(514)), Protocol: v1alpha1.ProtocolUDP})},
			ports: []corev1.ServicePort{
				{Name: "http", Protocol: corev1.ProtocolTCP, Port: 80, TargetPort: intstr.FromString("http"), AppProtocol: ptr.To("http")},
				{Name: "syslog", Protocol: corev1.ProtocolUDP, Port: 514, TargetPort: intstr.FromString("syslog")},
			},
		},
		"Global": {
			reason: "A global app's Service carries the Cilium ClusterMesh annotations next to the platform's.",
			in: []inputMod{func(in *v1beta1.Input) {
				in.Annotations = map[string]string{"acme.com/team": "shop"}
				in.MultiCluster = &v1beta1.MultiCluster{Mechanism: v1beta1.MultiClusterCilium}
			}},
			mods: []specMod{func(s *v1alpha1.XAppSpec) { s.MultiCluster = &v1alpha1.MultiCluster{Global: true, Affinity: "local"} }},
			ports: []corev1.ServicePort{
				{Name: "http", Protocol: corev1.ProtocolTCP, Port: 8080, TargetPort: intstr.FromString("http"), AppProtocol: ptr.To("http")},
			},
			annotations: map[string]string{"acme.com/team": "shop", annotationCiliumGlobal: "true", annotationCiliumAffinity: "local"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			a := testApp(t, tc.in, tc.mods...)
			svc := service(a)
			var ports []corev1.ServicePort
			var ann map[string]string
			if svc != nil {
				ports, ann = svc.Spec.Ports, svc.Annotations
				if diff := cmp.Diff(a.selector, svc.Spec.Selector); diff != "" {
					t.Errorf("%s\nservice(): selector -want, +got:\n%s", tc.reason, diff)
				}
			}
			if diff := cmp.Diff(tc.ports, ports); diff != "" {
				t.Errorf("%s\nservice(): ports -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.annotations, ann); diff != "" {
				t.Errorf("%s\nservice(): annotations -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestRoute(t *testing.T) {
	cases := map[string]struct {
		reason string
		in     []inputMod
		mods   []specMod
		golden string
	}{
		"NoRoute": {reason: "No route asked, none composed.", in: []inputMod{withGateway()}},
		"DefaultHost": {
			reason: "A route without host gets one under the platform's domain on the HTTPS listener, to the first exposed HTTP port.",
			in:     []inputMod{withGateway()},
			mods:   []specMod{withPorts(http("admin", 9000), exposedPort(http("http", 8080))), withRoute(&v1alpha1.Route{})},
			golden: "route-default.yaml",
		},
		"PathsPlainHTTP": {
			reason: "Paths become prefix matches; tls: false attaches to the HTTP listener.",
			in:     []inputMod{withGateway()},
			mods:   []specMod{withPorts(exposedPort(http("http", 8080))), withRoute(&v1alpha1.Route{Host: "shop.example.org", Paths: []string{"/api", "/static"}, TLS: ptr.To(false)})},
			golden: "route-paths.yaml",
		},
		"ServicePort": {
			reason: "The route's backend is the Service, on the port the Service offers.",
			in:     []inputMod{withGateway()},
			mods:   []specMod{withPorts(exposedPort(v1alpha1.Port{Name: "http", Port: 8080, ServicePort: ptr.To(int32(80))})), withRoute(&v1alpha1.Route{})},
			golden: "route-service-port.yaml",
		},
		"GRPC": {
			reason: "A gRPC port is published with a GRPCRoute.",
			in:     []inputMod{withGateway()},
			mods:   []specMod{withPorts(exposedPort(v1alpha1.Port{Name: "grpc", Port: 9000, Protocol: v1alpha1.ProtocolGRPC})), withRoute(&v1alpha1.Route{})},
			golden: "route-grpc.yaml",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			r := route(testApp(t, tc.in, tc.mods...))
			if tc.golden == "" {
				if r != nil {
					t.Errorf("%s\nroute(): got %v, want nil", tc.reason, r)
				}
				return
			}
			golden(t, tc.golden, r)
		})
	}
}

// TestPolicyRenderers renders each case's rules in both flavours: the rules themselves are
// TestPolicyRules' concern, so a case here is about translation only.
func TestPolicyRenderers(t *testing.T) {
	cases := map[string]struct {
		reason             string
		in                 []inputMod
		mods               []specMod
		data               dataEgress
		kubernetes, cilium string
	}{
		"Full": {
			reason: "Pods in a named namespace, in any namespace (callers), on ports of one protocol and of both (DNS), and CIDRs.",
			in: []inputMod{withGateway(), func(in *v1beta1.Input) {
				in.NetworkPolicy = &v1beta1.NetworkPolicy{EgressCIDRs: []string{"10.20.0.0/16"}}
			}},
			mods:       []specMod{withPorts(exposedPort(http("http", 8080)), http("metrics", 9090)), withDependsOn("catalog", "payments/gateway")},
			kubernetes: "networkpolicy-full.yaml",
			cilium:     "ciliumpolicy-full.yaml",
		},
		"Isolated": {
			reason:     "No ingress rules still denies ingress: both policy types (Kubernetes) and explicit default deny (Cilium).",
			in:         []inputMod{withDNS("dns", map[string]string{"app": "coredns"})},
			mods:       []specMod{withPorts()},
			kubernetes: "networkpolicy-isolated.yaml",
			cilium:     "ciliumpolicy-isolated.yaml",
		},
		"Egress": {
			reason: "Hosts become toFQDNs (a name, or a pattern for a wildcard) for Cilium and nothing for Kubernetes, which cannot name them; ranges become IP blocks and toCIDR, on their ports.",
			mods: []specMod{withPorts(), withEgress(
				v1alpha1.Egress{Host: "api.stripe.com", Ports: []v1alpha1.EgressPort{{Port: 443}}},
				v1alpha1.Egress{Host: "*.s3.amazonaws.com"},
				v1alpha1.Egress{CIDR: "203.0.113.0/24", Ports: []v1alpha1.EgressPort{{Port: 123, Protocol: v1alpha1.TransportUDP}}},
			)},
			kubernetes: "networkpolicy-egress.yaml",
			cilium:     "ciliumpolicy-egress.yaml",
		},
		"LoadBalancer": {
			reason:     "Clients outside the cluster by address: IP blocks for Kubernetes, fromCIDR for Cilium.",
			in:         []inputMod{withLoadBalancer(v1beta1.LoadBalancer{SourceRanges: []string{"203.0.113.0/24"}})},
			mods:       []specMod{mqttPorts()},
			kubernetes: "networkpolicy-loadbalancer.yaml",
			cilium:     "ciliumpolicy-loadbalancer.yaml",
		},
		"InClusterDatabase": {
			reason:     "Pods in the app's own namespace: no namespace selector in a NetworkPolicy, the namespace label in Cilium.",
			mods:       []specMod{withPorts()},
			data:       dataEgress{peers: []podPeer{{labels: map[string]string{"cnpg.io/cluster": "shop-db"}, port: 5432}}},
			kubernetes: "networkpolicy-incluster-db.yaml",
			cilium:     "ciliumpolicy-incluster-db.yaml",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			a := testApp(t, tc.in, tc.mods...)
			r := policyRules(a, tc.data)
			golden(t, tc.kubernetes, networkPolicy(a, r))
			golden(t, tc.cilium, ciliumPolicy(a, r))
		})
	}
}
