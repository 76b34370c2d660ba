package fn

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
	"github.com/xapp-dev/xapp/input/v1beta1"
)

func TestEgressRecords(t *testing.T) {
	platform := withPlatformCMDB(&v1beta1.CMDB{ProviderConfigRef: v1beta1.ProviderConfigRef{Name: "servicenow"}})
	egress := withEgress(
		v1alpha1.Egress{Host: "api.stripe.com", Ports: []v1alpha1.EgressPort{{Port: 443}}},
		v1alpha1.Egress{Host: "api.stripe.com", Ports: []v1alpha1.EgressPort{{Port: 80}}},
		v1alpha1.Egress{CIDR: "203.0.113.0/24"},
	)
	cases := map[string]struct {
		reason string
		in     []inputMod
		mods   []specMod
		golden string
	}{
		"NotRegistered": {reason: "An app not in the CMDB records no egress.", in: []inputMod{platform}, mods: []specMod{egress}},
		"NoEgress": {
			reason: "A registered app without egress has no egress records.",
			in:     []inputMod{platform},
			mods:   []specMod{withCMDB(&v1alpha1.CMDB{OwnerTeam: "Shop"})},
		},
		"HostsAndRanges": {
			reason: "Each destination gets one record, however many ports it is named with, and a relationship saying the app depends on it.",
			in:     []inputMod{platform},
			mods:   []specMod{withCMDB(&v1alpha1.CMDB{OwnerTeam: "Shop"}), egress},
			golden: "cmdb-egress.yaml",
		},
		"PlatformClass": {
			reason: "The platform chooses the records' class.",
			in:     []inputMod{withPlatformCMDB(&v1beta1.CMDB{EgressClass: "cmdb_ci_endpoint", ProviderConfigRef: v1beta1.ProviderConfigRef{Name: "servicenow"}})},
			mods:   []specMod{withCMDB(&v1alpha1.CMDB{OwnerTeam: "Shop"}), withEgress(v1alpha1.Egress{Host: "*.s3.amazonaws.com"})},
			golden: "cmdb-egress-class.yaml",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			objs := egressRecords(testApp(t, tc.in, tc.mods...))
			if tc.golden == "" {
				if len(objs) != 0 {
					t.Errorf("%s\negressRecords(): got %d objects, want none", tc.reason, len(objs))
				}
				return
			}
			got := map[string]any{}
			for _, o := range objs {
				got[o.name] = o.obj
			}
			golden(t, tc.golden, got)
		})
	}
}

func TestEgressKey(t *testing.T) {
	long := strings.Repeat("a", 63) + "." + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + ".example.com"
	cases := map[string]struct {
		reason string
		dest   string
		want   string
	}{
		"Host":     {reason: "Dots become hyphens.", dest: "api.stripe.com", want: "api-stripe-com"},
		"Wildcard": {reason: "A wildcard reads as any.", dest: "*.s3.amazonaws.com", want: "any-s3-amazonaws-com"},
		"IPv4":     {reason: "Dots and the slash become hyphens.", dest: "203.0.113.0/24", want: "203-0-113-0-24"},
		"IPv6":     {reason: "Colons too.", dest: "2001:db8::/32", want: "2001-db8---32"},
		"Long": {
			reason: "A long host is cut to fit an object name and made unique with a hash of the whole.",
			dest:   long,
			want:   strings.Repeat("a", 63) + "-" + strings.Repeat("b", 63) + "-" + strings.Repeat("c", 23) + "-64a196e3",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, egressKey(tc.dest)); diff != "" {
				t.Errorf("%s\negressKey(%q): -want, +got:\n%s", tc.reason, tc.dest, diff)
			}
		})
	}
}
