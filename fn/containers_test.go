package fn

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
	"github.com/xapp-dev/xapp/input/v1beta1"
)

func withContainers(init, sidecars []v1alpha1.Container) specMod {
	return func(s *v1alpha1.XAppSpec) { s.InitContainers, s.Sidecars = init, sidecars }
}

func TestValidateContainers(t *testing.T) {
	cases := map[string]struct {
		reason string
		mods   []specMod
		want   []string
	}{
		"Valid": {
			reason: "A migration and a log shipper reading the app's log volume.",
			mods: []specMod{withVolumes(scratch("logs", "/var/log/shop")), withContainers(
				[]v1alpha1.Container{{Name: "migrate", Image: "ghcr.io/acme/shop-migrate:1.4.2"}},
				[]v1alpha1.Container{{Name: "logs", Image: "ghcr.io/acme/shipper:2.0", Volumes: []string{"logs"}}})},
		},
		"Invalid": {
			reason: "Each container is checked as the app's own is, names are unique across the pod, and volumes are the app's.",
			mods: []specMod{withContainers(
				[]v1alpha1.Container{{Name: "shop", Image: "Bad Image"}, {Name: "x", Image: "ghcr.io/acme/x:1", Env: []v1alpha1.EnvVar{{Name: "A"}, {Name: "A"}}}},
				[]v1alpha1.Container{{Name: "x", Image: "", Volumes: []string{"nope"}, Resources: &v1alpha1.Resources{CPU: q("0")},
					Security: &v1alpha1.Security{RunAsUser: ptr.To(int64(0))}}})},
			want: []string{
				`spec.initContainers[0].name: Duplicate value: "shop (also the app's own container)"`,
				`spec.initContainers[0].image: Invalid value: "Bad Image": not an image reference: repository can only contain the characters ` + "`abcdefghijklmnopqrstuvwxyz0123456789_-./`: Bad Image",
				`spec.initContainers[1].env[1].name: Duplicate value: "A (also spec.initContainers[1].env[0])"`,
				`spec.sidecars[0].name: Duplicate value: "x (also spec.initContainers[1].name)"`,
				`spec.sidecars[0].image: Required value: the image to run`,
				`spec.sidecars[0].resources.cpu: Invalid value: "0": must be greater than zero`,
				`spec.sidecars[0].security.runAsUser: Invalid value: 0: must be a UID other than 0: the container never runs as root`,
				`spec.sidecars[0].volumes[0]: Not found: "nope"`,
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			spec := baseSpec()
			for _, m := range tc.mods {
				m(&spec)
			}
			got := verdictOf(nil, validateContainers("shop", &spec))
			if diff := cmp.Diff(tc.want, got.errs); diff != "" {
				t.Errorf("%s\nvalidateContainers(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestContainersPolicy(t *testing.T) {
	strict := func(in *v1beta1.Input) {
		in.Images = &v1beta1.ImagePolicy{AllowedRegistries: []string{"ghcr.io/acme"}, Pinning: v1beta1.PinningTag}
		in.Resources = &v1beta1.ResourcePolicy{MaxMemory: q("1Gi")}
	}
	cases := map[string]struct {
		reason string
		in     []inputMod
		mods   []specMod
		want   verdict
	}{
		"Allowed": {
			reason: "Pinned images from the allowed registry within the caps.",
			in:     []inputMod{strict},
			mods:   []specMod{withContainers(nil, []v1alpha1.Container{{Name: "logs", Image: "ghcr.io/acme/shipper:2.0"}})},
		},
		"SameRulesAsTheApp": {
			reason: "A sidecar's image, resources and security answer to the app's rules, each by its own path.",
			in:     []inputMod{strict},
			mods: []specMod{withContainers(
				[]v1alpha1.Container{{Name: "migrate", Image: "docker.io/library/flyway:latest"}},
				[]v1alpha1.Container{{Name: "logs", Image: "ghcr.io/acme/shipper:2.0", Resources: &v1alpha1.Resources{Memory: q("2Gi")},
					Security: &v1alpha1.Security{Capabilities: []string{"NET_ADMIN"}}}})},
			want: verdict{errs: []string{
				"spec.initContainers[0].image: Forbidden: index.docker.io/library/flyway is not from a registry the platform allows (ghcr.io/acme)",
				"spec.initContainers[0].image: Forbidden: the platform requires a version tag other than latest, or a digest",
				"spec.sidecars[0].resources.memory: Forbidden: 2Gi is above the platform's cap of 1Gi (resources.maxMemory)",
				"spec.sidecars[0].security.capabilities[0]: Forbidden: NET_ADMIN is not a capability the platform allows (it allows none)",
			}},
		},
		"Warns": {
			reason: "A floating tag is warned about, naming the container's image.",
			mods:   []specMod{withContainers(nil, []v1alpha1.Container{{Name: "logs", Image: "fluent/fluent-bit"}})},
			want:   verdict{warnings: []string{"spec.sidecars[0].image: fluent/fluent-bit has no version tag or uses latest: the running version is unknown and rollbacks may not roll back"}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, verdictOf(containersPolicy(testApp(t, tc.in, tc.mods...))), cmp.AllowUnexported(verdict{})); diff != "" {
				t.Errorf("%s\ncontainersPolicy(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestContainerPullSecrets(t *testing.T) {
	a := testApp(t, []inputMod{withPullSecrets(v1beta1.RegistryPullSecret{Registry: "registry.acme.example", Secret: "acme-pull"})},
		withContainers(nil, []v1alpha1.Container{{Name: "proxy", Image: "registry.acme.example/proxy:1"}}))
	want := []corev1.LocalObjectReference{{Name: "acme-pull"}}
	if diff := cmp.Diff(want, imagePullSecrets(a)); diff != "" {
		t.Errorf("imagePullSecrets(): a sidecar's registry gets its pull secret too: -want, +got:\n%s", diff)
	}
}
