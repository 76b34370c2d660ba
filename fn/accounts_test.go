package fn

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
	"github.com/xapp-dev/xapp/input/v1beta1"
)

func withPullSecrets(ps ...v1beta1.RegistryPullSecret) inputMod {
	return func(in *v1beta1.Input) { in.Images = &v1beta1.ImagePolicy{PullSecrets: ps} }
}

func TestImagePullSecrets(t *testing.T) {
	acme := withPullSecrets(v1beta1.RegistryPullSecret{Registry: "ghcr.io/acme", Secret: "acme-pull"},
		v1beta1.RegistryPullSecret{Registry: "docker.io", Secret: "hub-pull"},
		v1beta1.RegistryPullSecret{Registry: "ghcr.io", Secret: "acme-pull"})
	ref := func(image string) []corev1.LocalObjectReference { return []corev1.LocalObjectReference{{Name: image}} }
	cases := map[string]struct {
		reason string
		in     []inputMod
		mods   []specMod
		want   []corev1.LocalObjectReference
	}{
		"None":        {reason: "Without pull secrets the pod names none."},
		"Registry":    {reason: "The platform's secret of the image's registry, each secret once.", in: []inputMod{acme}, want: ref("acme-pull")},
		"OtherPrefix": {reason: "Registries match on path segments, as allowedRegistries do.", in: []inputMod{acme}, mods: []specMod{withImage("ghcr.io/acme-evil/x:1")}, want: ref("acme-pull")},
		"DockerHub":   {reason: "Docker Hub however it is spelt.", in: []inputMod{acme}, mods: []specMod{withImage("nginx:1.27")}, want: ref("hub-pull")},
		"AppsOwn": {
			reason: "The app's own secrets follow the platform's, each once.",
			in:     []inputMod{acme},
			mods:   []specMod{func(s *v1alpha1.XAppSpec) { s.ImagePullSecrets = []string{"team-pull", "acme-pull"} }},
			want:   []corev1.LocalObjectReference{{Name: "acme-pull"}, {Name: "team-pull"}},
		},
		"Unmatched": {
			reason: "A registry without a secret gets none.",
			in:     []inputMod{withPullSecrets(v1beta1.RegistryPullSecret{Registry: "quay.io", Secret: "quay-pull"})},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			a := testApp(t, tc.in, tc.mods...)
			if diff := cmp.Diff(tc.want, imagePullSecrets(a)); diff != "" {
				t.Errorf("%s\nimagePullSecrets(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestAccountsPolicy(t *testing.T) {
	allow := func(in *v1beta1.Input) { in.ServiceAccount = &v1beta1.ServiceAccountPolicy{AllowExisting: true} }
	existingSA := func(s *v1alpha1.XAppSpec) { s.ServiceAccountName = "legacy-runner" }
	cases := map[string]struct {
		reason string
		in     []inputMod
		mods   []specMod
		want   []string
	}{
		"Own":     {reason: "An app with its own ServiceAccount needs no allowance."},
		"Allowed": {reason: "An existing ServiceAccount where the platform allows it.", in: []inputMod{allow}, mods: []specMod{existingSA}},
		"NotAllowed": {
			reason: "Refused by default, naming the Input's setting.",
			mods:   []specMod{existingSA},
			want:   []string{"spec.serviceAccountName: Forbidden: the platform gives every app a ServiceAccount of its own and does not allow naming another (Input serviceAccount.allowExisting)"},
		},
		"DataServices": {
			reason: "A data service's cloud identity is bound to the app's own ServiceAccount.",
			in:     []inputMod{allow},
			mods:   []specMod{existingSA, func(s *v1alpha1.XAppSpec) { s.Bucket = &v1alpha1.Bucket{} }},
			want:   []string{"spec.serviceAccountName: Forbidden: an app with a database, cache or bucket runs under its own ServiceAccount, which its cloud identity is bound to"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := verdictOf(nil, accountsPolicy(testApp(t, tc.in, tc.mods...)))
			if diff := cmp.Diff(tc.want, got.errs); diff != "" {
				t.Errorf("%s\naccountsPolicy(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestValidateAccounts(t *testing.T) {
	got := verdictOf(nil, validateAccounts(field.NewPath("spec"), []string{"ok", "Not_OK"}, "Bad SA"))
	want := []string{
		`spec.imagePullSecrets[1]: Invalid value: "Not_OK": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
		`spec.serviceAccountName: Invalid value: "Bad SA": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
	}
	if diff := cmp.Diff(want, got.errs); diff != "" {
		t.Errorf("validateAccounts(): names are DNS subdomains, each by its path: -want, +got:\n%s", diff)
	}
}
