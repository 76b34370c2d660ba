package fn

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
	"github.com/xapp-dev/xapp/input/v1beta1"
)

func withLoadBalancer(lb v1beta1.LoadBalancer) inputMod {
	return func(in *v1beta1.Input) { in.LoadBalancer = &lb }
}

// mqttPorts is a broker's ports: MQTT on a load balancer, its UI in the cluster only.
func mqttPorts() specMod {
	return withPorts(http("http", 8080), v1alpha1.Port{Name: "mqtt", Port: 1883, Protocol: v1alpha1.ProtocolTCP, LoadBalancer: true})
}

func TestLoadBalancer(t *testing.T) {
	cases := map[string]struct {
		reason string
		in     []inputMod
		mods   []specMod
		golden string
	}{
		"None": {reason: "An app without load-balanced ports gets no load balancer.", in: []inputMod{withLoadBalancer(v1beta1.LoadBalancer{})}},
		"Platform": {
			reason: "Only the load-balanced ports, keeping clients' addresses, with the platform's class, annotations and source ranges.",
			in: []inputMod{func(in *v1beta1.Input) { in.Annotations = map[string]string{"acme.com/team": "shop"} },
				withLoadBalancer(v1beta1.LoadBalancer{Class: "service.k8s.aws/nlb", SourceRanges: []string{"203.0.113.0/24"},
					Annotations: map[string]string{"service.beta.kubernetes.io/aws-load-balancer-scheme": "internal"}})},
			mods:   []specMod{mqttPorts()},
			golden: "loadbalancer.yaml",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			lb := loadBalancer(testApp(t, tc.in, tc.mods...))
			if tc.golden == "" {
				if lb != nil {
					t.Errorf("%s\nloadBalancer(): got %v, want nil", tc.reason, lb)
				}
				return
			}
			golden(t, tc.golden, lb)
		})
	}
}

func TestLoadBalancerPolicy(t *testing.T) {
	cases := map[string]struct {
		reason string
		in     []inputMod
		want   []string
	}{
		"Allowed": {reason: "A platform with load balancers allows them.", in: []inputMod{withLoadBalancer(v1beta1.LoadBalancer{})}},
		"NotAllowed": {
			reason: "Without the platform's allowance a load-balanced port is refused, by its path.",
			want:   []string{"spec.ports[1].loadBalancer: Forbidden: the platform does not allow load balancers (Input loadBalancer); publish HTTP and gRPC ports with a route"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := verdictOf(nil, loadBalancerPolicy(testApp(t, tc.in, mqttPorts())))
			if diff := cmp.Diff(tc.want, got.errs); diff != "" {
				t.Errorf("%s\nloadBalancerPolicy(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestLoadBalancerHealth(t *testing.T) {
	cases := map[string]struct {
		reason  string
		obs     *structpb.Struct
		want    health
		address string
	}{
		"Missing":    {reason: "Not created yet.", want: health{why: "Service shop-lb: not created yet"}},
		"NoAddress":  {reason: "Clients cannot reach the app before the load balancer has an address.", obs: mustStruct(t, `{status: {loadBalancer: {}}}`), want: health{why: "Service shop-lb: waiting for its load balancer's address"}},
		"IP":         {reason: "An IP is the address.", obs: mustStruct(t, `{status: {loadBalancer: {ingress: [{ip: 203.0.113.7}]}}}`), want: ready(), address: "203.0.113.7"},
		"HostName":   {reason: "Some clouds give a host name instead.", obs: mustStruct(t, `{status: {loadBalancer: {ingress: [{hostname: a1.elb.example.com}]}}}`), want: ready(), address: "a1.elb.example.com"},
		"Unreadable": {reason: "A status that cannot be read is no address.", obs: mustStruct(t, `{status: {loadBalancer: {ingress: 7}}}`), want: health{why: "Service shop-lb: waiting for its load balancer's address"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, loadBalancerHealth("shop-lb")(tc.obs), cmp.AllowUnexported(health{})); diff != "" {
				t.Errorf("%s\nloadBalancerHealth(): -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.address, loadBalancerAddress(tc.obs)); diff != "" {
				t.Errorf("%s\nloadBalancerAddress(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
