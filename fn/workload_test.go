package fn

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
	"github.com/xapp-dev/xapp/input/v1beta1"
)

func TestServiceAccount(t *testing.T) {
	a := testApp(t, []inputMod{func(in *v1beta1.Input) { in.Annotations = map[string]string{"acme.com/cost-centre": "4711"} }})
	want := &corev1.ServiceAccount{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
		ObjectMeta: metav1.ObjectMeta{Name: "shop", Namespace: "team-shop",
			Labels:      map[string]string{LabelName: "shop", LabelInstance: "shop", LabelManagedBy: ManagedBy, LabelVersion: "1.4.2"},
			Annotations: map[string]string{"acme.com/cost-centre": "4711"}},
		AutomountServiceAccountToken: ptr.To(false),
	}
	if diff := cmp.Diff(want, serviceAccount(a)); diff != "" {
		t.Errorf("serviceAccount(): -want, +got:\n%s", diff)
	}
}

func TestConfigMap(t *testing.T) {
	cases := map[string]struct {
		reason string
		mods   []specMod
		want   map[string]string
	}{
		"NoFiles": {
			reason: "An app without files gets no ConfigMap.",
		},
		"KeysFromPaths": {
			reason: "Each file is stored under a key derived from its path, so the same path always gets the same key.",
			mods:   []specMod{withFiles(v1alpha1.File{Path: "/etc/shop/config.yaml", Content: "a: 1"}, v1alpha1.File{Path: "/srv/data file", Content: "x"})},
			want:   map[string]string{"etc_shop_config.yaml": "a: 1", "srv_data-file": "x"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cm := configMap(testApp(t, nil, tc.mods...))
			var got map[string]string
			if cm != nil {
				got = cm.Data
				if cm.Name != "shop-files" {
					t.Errorf("%s\nconfigMap(): name = %q, want shop-files", tc.reason, cm.Name)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nconfigMap(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestDeployment(t *testing.T) {
	cases := map[string]struct {
		reason string
		in     []inputMod
		mods   []specMod
		extra  []corev1.EnvVar
		golden string
	}{
		"Minimal": {
			reason: "An image and a port get the platform's defaults: 2 replicas, default resources, default probes, secure context.",
			golden: "deployment-minimal.yaml",
		},
		"Autoscaled": {
			reason: "An autoscaled app sends no replicas, so the function never fights the autoscaler.",
			mods:   []specMod{withAutoscaling(2, 5)},
			golden: "deployment-autoscaled.yaml",
		},
		"Full": {
			reason: "Files are mounted read-only with a checksum that rolls the pods, env keeps its order with platform variables last, dependencies label the pods.",
			in: []inputMod{func(in *v1beta1.Input) {
				in.Defaults = &v1beta1.Defaults{CPU: q("50m"), Memory: q("64Mi"), Replicas: ptr.To(int32(1))}
			}},
			mods: []specMod{
				withFiles(v1alpha1.File{Path: "/etc/shop/config.yaml", Content: "currency: EUR\n"}),
				withDependsOn("catalog", "payments/gateway"),
				func(s *v1alpha1.XAppSpec) {
					s.Command = []string{"/shop"}
					s.Args = []string{"--verbose"}
					s.Resources = &v1alpha1.Resources{Memory: q("1Gi")}
					s.Env = []v1alpha1.EnvVar{
						{Name: "A", Value: "1"},
						{Name: "B", SecretKeyRef: &v1alpha1.KeyRef{Name: "s", Key: "k"}},
						{Name: "C", ConfigMapKeyRef: &v1alpha1.KeyRef{Name: "c", Key: "k", Optional: true}},
					}
				},
			},
			extra:  []corev1.EnvVar{{Name: "PLATFORM", Value: "x"}},
			golden: "deployment-full.yaml",
		},
		"PodMetadata": {
			reason: "The app's pod labels and annotations go on the pod template next to the platform's; the function's win.",
			in:     []inputMod{withPodMetadataPolicy([]string{"sidecar.istio.io/"}, []string{"prometheus.io/"})},
			mods: []specMod{
				withFiles(v1alpha1.File{Path: "/etc/shop/config.yaml", Content: "currency: EUR\n"}),
				withPodMetadata(map[string]string{"sidecar.istio.io/inject": "true"}, map[string]string{"prometheus.io/scrape": "true"}),
			},
			golden: "deployment-pod-metadata.yaml",
		},
		"RunAsUser": {
			reason: "An image built for root runs as the app's user and group, which own the volumes, with a capability added back; never root, never escalating.",
			mods:   []specMod{withSecurity(v1alpha1.Security{RunAsUser: ptr.To(int64(101)), RunAsGroup: ptr.To(int64(101)), Capabilities: []string{"NET_BIND_SERVICE"}})},
			golden: "deployment-run-as-user.yaml",
		},
		"Volumes": {
			reason: "Each volume is mounted at its path, Secrets and ConfigMaps read-only; persistent storage runs one pod, recreated rather than rolled.",
			mods: []specMod{withVolumes(
				v1alpha1.Volume{Name: "cache", Path: "/var/cache/nginx", Scratch: &v1alpha1.ScratchVolume{Memory: true, Size: q("64Mi")}},
				v1alpha1.Volume{Name: "tls", Path: "/etc/tls", Secret: &v1alpha1.ObjectVolume{Name: "shop-tls", Optional: true}},
				v1alpha1.Volume{Name: "conf", Path: "/etc/shop/conf.d", ConfigMap: &v1alpha1.ObjectVolume{Name: "shop-conf"}},
				persistentVolume("data", "/data", "5Gi"),
			)},
			golden: "deployment-volumes.yaml",
		},
		"Containers": {
			reason: "A migration runs first with the data-service variables; a log shipper runs as a native sidecar without them, reading the app's log volume; both under the secure defaults.",
			mods: []specMod{withVolumes(scratch("logs", "/var/log/shop")), withContainers(
				[]v1alpha1.Container{{Name: "migrate", Image: "ghcr.io/acme/shop-migrate:1.4.2", Args: []string{"up"}}},
				[]v1alpha1.Container{{Name: "logs", Image: "ghcr.io/acme/shipper:2.0", Volumes: []string{"logs"},
					Resources: &v1alpha1.Resources{CPU: q("10m"), Memory: q("32Mi")}}})},
			extra:  []corev1.EnvVar{{Name: "DATABASE_URL", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "shop-db"}, Key: "uri"}}}},
			golden: "deployment-containers.yaml",
		},
		"NoPorts": {
			reason: "A worker without ports gets no probes and no ports.",
			mods:   []specMod{withPorts(), withReplicas(1)},
			golden: "deployment-worker.yaml",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			golden(t, tc.golden, deployment(testApp(t, tc.in, tc.mods...), tc.extra))
		})
	}
}
