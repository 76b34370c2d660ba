package fn

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
	"github.com/xapp-dev/xapp/input/v1beta1"
)

func withSecurity(s v1alpha1.Security) specMod {
	return func(sp *v1alpha1.XAppSpec) { sp.Security = &s }
}

func TestValidateSecurity(t *testing.T) {
	cases := map[string]struct {
		reason string
		s      *v1alpha1.Security
		want   []string
	}{
		"Valid": {reason: "A UID, GID 0 and a capability.", s: &v1alpha1.Security{RunAsUser: ptr.To(int64(101)), RunAsGroup: ptr.To(int64(0)), Capabilities: []string{"NET_BIND_SERVICE"}}},
		"Invalid": {
			reason: "Never UID 0; capabilities as Kubernetes spells them.",
			s:      &v1alpha1.Security{RunAsUser: ptr.To(int64(0)), RunAsGroup: ptr.To(int64(-1)), Capabilities: []string{"CAP_NET_RAW", "net_admin"}},
			want: []string{
				"spec.security.runAsUser: Invalid value: 0: must be a UID other than 0: the container never runs as root",
				"spec.security.runAsGroup: Invalid value: -1: must not be negative",
				`spec.security.capabilities[0]: Invalid value: "CAP_NET_RAW": write the capability without CAP_, as Kubernetes does: NET_RAW`,
				`spec.security.capabilities[1]: Invalid value: "net_admin": a capability name in capitals, e.g. NET_BIND_SERVICE`,
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := verdictOf(nil, validateSecurity(field.NewPath("spec", "security"), tc.s))
			if diff := cmp.Diff(tc.want, got.errs); diff != "" {
				t.Errorf("%s\nvalidateSecurity(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestSecurityPolicy(t *testing.T) {
	root := withSecurity(v1alpha1.Security{RunAsUser: ptr.To(int64(101)), RunAsGroup: ptr.To(int64(101)), Capabilities: []string{"NET_BIND_SERVICE", "NET_RAW"}})
	cases := map[string]struct {
		reason string
		in     []inputMod
		want   []string
	}{
		"Allowed": {
			reason: "A platform that allows a user and both capabilities allows the app.",
			in: []inputMod{func(in *v1beta1.Input) {
				in.Security = &v1beta1.SecurityPolicy{AllowRunAsUser: true, AllowedCapabilities: []string{"NET_BIND_SERVICE", "NET_RAW"}}
			}},
		},
		"PartlyAllowed": {
			reason: "Each capability the platform does not allow is refused, naming those it does.",
			in: []inputMod{func(in *v1beta1.Input) {
				in.Security = &v1beta1.SecurityPolicy{AllowRunAsUser: true, AllowedCapabilities: []string{"NET_BIND_SERVICE"}}
			}},
			want: []string{"spec.security.capabilities[1]: Forbidden: NET_RAW is not a capability the platform allows (NET_BIND_SERVICE)"},
		},
		"NotAllowed": {
			reason: "By default nothing is allowed, and every field says so.",
			want: []string{
				"spec.security.runAsUser: Forbidden: the platform does not let apps choose their user and group (Input security.allowRunAsUser)",
				"spec.security.runAsGroup: Forbidden: the platform does not let apps choose their user and group (Input security.allowRunAsUser)",
				"spec.security.capabilities[0]: Forbidden: NET_BIND_SERVICE is not a capability the platform allows (it allows none)",
				"spec.security.capabilities[1]: Forbidden: NET_RAW is not a capability the platform allows (it allows none)",
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			a := testApp(t, tc.in, root)
			got := verdictOf(nil, securityPolicy(a, field.NewPath("spec", "security"), a.spec.Security))
			if diff := cmp.Diff(tc.want, got.errs); diff != "" {
				t.Errorf("%s\nsecurityPolicy(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
