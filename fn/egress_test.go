package fn

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
	"github.com/xapp-dev/xapp/input/v1beta1"
)

func withEgress(e ...v1alpha1.Egress) specMod { return func(s *v1alpha1.XAppSpec) { s.Egress = e } }

func withNetworkPolicy(np v1beta1.NetworkPolicy) inputMod {
	return func(in *v1beta1.Input) { in.NetworkPolicy = &np }
}

func TestValidateEgress(t *testing.T) {
	cases := map[string]struct {
		reason string
		egress []v1alpha1.Egress
		want   []string
	}{
		"Valid": {
			reason: "Hosts, one-label wildcards, IPv4 and IPv6 ranges, TCP and UDP ports.",
			egress: []v1alpha1.Egress{
				{Host: "api.stripe.com", Ports: []v1alpha1.EgressPort{{Port: 443}}},
				{Host: "*.s3.amazonaws.com"},
				{CIDR: "203.0.113.0/24", Ports: []v1alpha1.EgressPort{{Port: 123, Protocol: v1alpha1.TransportUDP}}},
				{CIDR: "2001:db8::/32"},
			},
		},
		"HostAndCIDR": {
			reason: "A destination is a host or a range, never both or neither.",
			egress: []v1alpha1.Egress{{Host: "a.example.com", CIDR: "203.0.113.0/24"}, {}},
			want: []string{
				`spec.egress[0]: Invalid value: "a.example.com203.0.113.0/24": set exactly one of host and cidr`,
				`spec.egress[1]: Invalid value: "": set exactly one of host and cidr`,
			},
		},
		"BadHost": {
			reason: "A host is a DNS name, a wildcard only as its first label.",
			egress: []v1alpha1.Egress{{Host: "API.example.com"}, {Host: "a.*.example.com"}},
			want: []string{
				`spec.egress[0].host: Invalid value: "API.example.com": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
				`spec.egress[1].host: Invalid value: "a.*.example.com": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
			},
		},
		"BadCIDR": {
			reason: "A range must parse, and a range with host bits set says which one was meant.",
			egress: []v1alpha1.Egress{{CIDR: "203.0.113.7"}, {CIDR: "203.0.113.7/24"}},
			want: []string{
				`spec.egress[0].cidr: Invalid value: "203.0.113.7": not a CIDR such as 203.0.113.0/24: netip.ParsePrefix("203.0.113.7"): no '/'`,
				`spec.egress[1].cidr: Invalid value: "203.0.113.7/24": has bits set beyond the prefix length: did you mean 203.0.113.0/24?`,
			},
		},
		"BadPorts": {
			reason: "Ports are numbers in range, over TCP or UDP.",
			egress: []v1alpha1.Egress{{Host: "a.example.com", Ports: []v1alpha1.EgressPort{{Port: 0}, {Port: 53, Protocol: "sctp"}}}},
			want: []string{
				`spec.egress[0].ports[0].port: Invalid value: 0: must be between 1 and 65535`,
				`spec.egress[0].ports[1].protocol: Unsupported value: "sctp": supported values: "tcp", "udp"`,
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := verdictOf(nil, validateEgress(field.NewPath("spec", "egress"), tc.egress))
			if diff := cmp.Diff(tc.want, got.errs); diff != "" {
				t.Errorf("%s\nvalidateEgress(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestEgressPolicy(t *testing.T) {
	cilium := withNetworkPolicy(v1beta1.NetworkPolicy{Flavor: v1beta1.NetworkPolicyCilium})
	cases := map[string]struct {
		reason string
		in     []inputMod
		egress []v1alpha1.Egress
		want   verdict
	}{
		"PublicRange": {
			reason: "Without platform bounds, a public range is allowed.",
			egress: []v1alpha1.Egress{{CIDR: "203.0.113.0/24"}, {CIDR: "2001:db8::/32"}},
		},
		"PrivateRanges": {
			reason: "Without platform bounds, a range overlapping private addresses is refused, the catch-all included.",
			egress: []v1alpha1.Egress{{CIDR: "10.1.0.0/16"}, {CIDR: "0.0.0.0/0"}, {CIDR: "fd00::/8"}},
			want: verdict{errs: []string{
				"spec.egress[0].cidr: Forbidden: 10.1.0.0/16 includes private addresses (10.0.0.0/8), where the cluster's pods and nodes usually are; name public ranges or hosts, or ask the platform to allow the range in allowedEgressCIDRs",
				"spec.egress[1].cidr: Forbidden: 0.0.0.0/0 includes private addresses (10.0.0.0/8), where the cluster's pods and nodes usually are; name public ranges or hosts, or ask the platform to allow the range in allowedEgressCIDRs",
				"spec.egress[2].cidr: Forbidden: fd00::/8 includes private addresses (fc00::/7), where the cluster's pods and nodes usually are; name public ranges or hosts, or ask the platform to allow the range in allowedEgressCIDRs",
			}},
		},
		"PlatformRanges": {
			reason: "With platform bounds, a range must lie inside one of them, private or not.",
			in:     []inputMod{withNetworkPolicy(v1beta1.NetworkPolicy{AllowedEgressCIDRs: []string{"10.50.0.0/16"}})},
			egress: []v1alpha1.Egress{{CIDR: "10.50.3.0/24"}, {CIDR: "10.0.0.0/8"}, {CIDR: "203.0.113.0/24"}},
			want: verdict{errs: []string{
				"spec.egress[1].cidr: Forbidden: 10.0.0.0/8 is outside the ranges the platform allows apps to reach (10.50.0.0/16)",
				"spec.egress[2].cidr: Forbidden: 203.0.113.0/24 is outside the ranges the platform allows apps to reach (10.50.0.0/16)",
			}},
		},
		"HostOnKubernetes": {
			reason: "A Kubernetes NetworkPolicy cannot name hosts: the developer is told the host is blocked and what to do.",
			egress: []v1alpha1.Egress{{Host: "api.stripe.com"}},
			want: verdict{warnings: []string{
				"spec.egress[0].host: the platform's Kubernetes NetworkPolicy cannot allow a host name, so connections to api.stripe.com are blocked unless the platform's egressCIDRs cover its addresses; name its address ranges in cidr instead",
			}},
		},
		"HostOnCilium": {
			reason: "Cilium enforces host names: no warning.",
			in:     []inputMod{cilium},
			egress: []v1alpha1.Egress{{Host: "api.stripe.com"}},
		},
		"HostWithoutPolicy": {
			reason: "Without network policy nothing is blocked, so there is nothing to warn about.",
			in:     []inputMod{withNetworkPolicy(v1beta1.NetworkPolicy{Flavor: v1beta1.NetworkPolicyNone})},
			egress: []v1alpha1.Egress{{Host: "api.stripe.com"}},
		},
		"PlatformHosts": {
			reason: "With platform bounds a host, or a wildcard's domain, must be under an allowed domain, on label boundaries.",
			in:     []inputMod{withNetworkPolicy(v1beta1.NetworkPolicy{Flavor: v1beta1.NetworkPolicyCilium, AllowedEgressHosts: []string{"stripe.com"}})},
			egress: []v1alpha1.Egress{{Host: "api.stripe.com"}, {Host: "*.stripe.com"}, {Host: "notstripe.com"}},
			want: verdict{errs: []string{
				"spec.egress[2].host: Forbidden: notstripe.com is outside the hosts the platform allows apps to reach (stripe.com)",
			}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, verdictOf(egressPolicy(testApp(t, tc.in, withEgress(tc.egress...)))), cmp.AllowUnexported(verdict{})); diff != "" {
				t.Errorf("%s\negressPolicy(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
