package fn

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
	"github.com/xapp-dev/xapp/input/v1beta1"
)

func TestPolicyRules(t *testing.T) {
	dns := netRule{pods: &podsPeer{labels: map[string]string{"k8s-app": "kube-dns"}, namespace: "kube-system"}, ports: []netPort{{port: 53}}, dns: true}
	tcp := func(port int32) netPort { return netPort{port: port, protocol: corev1.ProtocolTCP} }
	cases := map[string]struct {
		reason string
		in     []inputMod
		mods   []specMod
		data   dataEgress
		want   netRules
	}{
		"Isolated": {
			reason: "A worker with no ports, dependencies or gateway may only ask DNS, on UDP and TCP.",
			mods:   []specMod{withPorts()},
			want:   netRules{egress: []netRule{dns}},
		},
		"PlatformDNS": {
			reason: "DNS is where the platform says it runs.",
			in:     []inputMod{withDNS("dns", map[string]string{"app": "coredns"})},
			mods:   []specMod{withPorts()},
			want: netRules{egress: []netRule{{
				pods: &podsPeer{labels: map[string]string{"app": "coredns"}, namespace: "dns"}, ports: []netPort{{port: 53}}, dns: true,
			}}},
		},
		"Full": {
			reason: "The gateway reaches exposed ports, callers in any namespace reach every port; the app reaches DNS, each dependency in its namespace, and the platform's CIDRs.",
			in: []inputMod{withGateway(), func(in *v1beta1.Input) {
				in.NetworkPolicy = &v1beta1.NetworkPolicy{EgressCIDRs: []string{"10.20.0.0/16"}}
			}},
			mods: []specMod{withPorts(exposedPort(http("http", 8080)), http("metrics", 9090)), withDependsOn("catalog", "payments/gateway")},
			want: netRules{
				ingress: []netRule{
					{pods: &podsPeer{labels: map[string]string{"gateway.networking.k8s.io/gateway-name": "platform"}, namespace: "gateway-system"}, ports: []netPort{tcp(8080)}},
					{pods: &podsPeer{labels: map[string]string{LabelCallsPrefix + "shop": "team-shop"}}, ports: []netPort{tcp(8080), tcp(9090)}},
				},
				egress: []netRule{
					dns,
					{pods: &podsPeer{labels: map[string]string{LabelName: "catalog", LabelInstance: "catalog"}, namespace: "team-shop"}},
					{pods: &podsPeer{labels: map[string]string{LabelName: "gateway", LabelInstance: "gateway"}, namespace: "payments"}},
					{cidrs: []string{"10.20.0.0/16"}},
				},
			},
		},
		"ScrapedByPrometheus": {
			reason: "The platform's Prometheus reaches the metrics port, and only that one.",
			in: []inputMod{withMonitoring(&v1beta1.Monitoring{Prometheus: &v1beta1.Prometheus{
				Namespace: "monitoring", PodLabels: map[string]string{"app.kubernetes.io/name": "prometheus"}}})},
			mods: []specMod{withPorts(http("http", 8080)), withMetrics()},
			want: netRules{
				ingress: []netRule{
					{pods: &podsPeer{labels: map[string]string{LabelCallsPrefix + "shop": "team-shop"}}, ports: []netPort{tcp(8080), tcp(9090)}},
					{pods: &podsPeer{labels: map[string]string{"app.kubernetes.io/name": "prometheus"}, namespace: "monitoring"}, ports: []netPort{tcp(9090)}},
				},
				egress: []netRule{dns},
			},
		},
		"ServicePortAndUDP": {
			reason: "Ingress is admitted where it arrives, on the container's port and transport, whatever port the Service offers.",
			mods: []specMod{withPorts(v1alpha1.Port{Name: "http", Port: 8080, ServicePort: ptr.To(int32(80))},
				v1alpha1.Port{Name: "syslog", Port: 5514, Protocol: v1alpha1.ProtocolUDP})},
			want: netRules{
				ingress: []netRule{{pods: &podsPeer{labels: map[string]string{LabelCallsPrefix + "shop": "team-shop"}}, ports: []netPort{tcp(8080), {port: 5514, protocol: corev1.ProtocolUDP}}}},
				egress:  []netRule{dns},
			},
		},
		"LoadBalancer": {
			reason: "A load balancer's clients reach the load-balanced ports from every address, or from the platform's source ranges.",
			in:     []inputMod{withLoadBalancer(v1beta1.LoadBalancer{})},
			mods:   []specMod{mqttPorts()},
			want: netRules{
				ingress: []netRule{
					{pods: &podsPeer{labels: map[string]string{LabelCallsPrefix + "shop": "team-shop"}}, ports: []netPort{tcp(8080), tcp(1883)}},
					{cidrs: []string{"0.0.0.0/0", "::/0"}, ports: []netPort{tcp(1883)}},
				},
				egress: []netRule{dns},
			},
		},
		"NoGatewayNoExposure": {
			reason: "Without a gateway, an exposed port is reachable only by callers.",
			mods:   []specMod{withPorts(exposedPort(http("http", 8080)))},
			want: netRules{
				ingress: []netRule{{pods: &podsPeer{labels: map[string]string{LabelCallsPrefix + "shop": "team-shop"}}, ports: []netPort{tcp(8080)}}},
				egress:  []netRule{dns},
			},
		},
		"Egress": {
			reason: "Each destination outside the cluster is a rule of its own, on its ports, after the app's in-cluster peers and before the platform's CIDRs.",
			in:     []inputMod{withNetworkPolicy(v1beta1.NetworkPolicy{EgressCIDRs: []string{"10.20.0.0/16"}})},
			mods: []specMod{withPorts(), withEgress(
				v1alpha1.Egress{Host: "api.stripe.com", Ports: []v1alpha1.EgressPort{{Port: 443}}},
				v1alpha1.Egress{CIDR: "203.0.113.0/24", Ports: []v1alpha1.EgressPort{{Port: 123, Protocol: v1alpha1.TransportUDP}, {Port: 443, Protocol: v1alpha1.TransportTCP}}},
				v1alpha1.Egress{Host: "*.s3.amazonaws.com"},
			)},
			want: netRules{egress: []netRule{
				dns,
				{hosts: []string{"api.stripe.com"}, ports: []netPort{tcp(443)}},
				{cidrs: []string{"203.0.113.0/24"}, ports: []netPort{{port: 123, protocol: corev1.ProtocolUDP}, tcp(443)}},
				{hosts: []string{"*.s3.amazonaws.com"}},
				{cidrs: []string{"10.20.0.0/16"}},
			}},
		},
		"InClusterDatabase": {
			reason: "An in-cluster database's pods are reachable on their port, in the app's own namespace only.",
			mods:   []specMod{withPorts()},
			data:   dataEgress{peers: []podPeer{{labels: map[string]string{"cnpg.io/cluster": "shop-db"}, port: 5432}}},
			want: netRules{egress: []netRule{
				dns,
				{pods: &podsPeer{labels: map[string]string{"cnpg.io/cluster": "shop-db"}, namespace: "team-shop", own: true}, ports: []netPort{tcp(5432)}},
			}},
		},
		"CloudDataServices": {
			reason: "Cloud databases and caches are reachable in the platform's data-service ranges on their ports only, before the app's own destinations.",
			mods:   []specMod{withPorts(), withEgress(v1alpha1.Egress{Host: "api.stripe.com"})},
			data:   dataEgress{cloud: &netRule{cidrs: []string{"10.40.0.0/20"}, ports: []netPort{tcp(5432), tcp(6379)}}},
			want: netRules{egress: []netRule{
				dns,
				{cidrs: []string{"10.40.0.0/20"}, ports: []netPort{tcp(5432), tcp(6379)}},
				{hosts: []string{"api.stripe.com"}},
			}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := policyRules(testApp(t, tc.in, tc.mods...), tc.data)
			// No rules is no rules, whether or not room was made for some.
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(netRules{}, netRule{}, podsPeer{}, netPort{}), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\npolicyRules(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
