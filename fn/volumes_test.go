package fn

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/types/known/structpb"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
	"github.com/xapp-dev/xapp/input/v1beta1"
)

func withVolumes(vs ...v1alpha1.Volume) specMod { return func(s *v1alpha1.XAppSpec) { s.Volumes = vs } }

func scratch(name, path string) v1alpha1.Volume {
	return v1alpha1.Volume{Name: name, Path: path, Scratch: &v1alpha1.ScratchVolume{}}
}

func persistentVolume(name, path, size string) v1alpha1.Volume {
	return v1alpha1.Volume{Name: name, Path: path, Persistent: &v1alpha1.PersistentVolume{Size: *q(size)}}
}

func TestValidateVolumes(t *testing.T) {
	cases := map[string]struct {
		reason string
		mods   []specMod
		want   []string
	}{
		"Valid": {
			reason: "Each kind of volume, at distinct paths.",
			mods: []specMod{withVolumes(scratch("cache", "/var/cache/nginx"),
				v1alpha1.Volume{Name: "tls", Path: "/etc/tls", Secret: &v1alpha1.ObjectVolume{Name: "shop-tls"}},
				v1alpha1.Volume{Name: "conf", Path: "/etc/shop/conf.d/", ConfigMap: &v1alpha1.ObjectVolume{Name: "shop-conf"}},
				persistentVolume("data", "/data", "1Gi"))},
		},
		"Invalid": {
			reason: "Names, paths and sources are checked, each by its path.",
			mods: []specMod{withVolumes(
				v1alpha1.Volume{Name: "Cache", Path: "/tmp/cache", Scratch: &v1alpha1.ScratchVolume{Size: q("0")}},
				v1alpha1.Volume{Name: "both", Path: "relative", Scratch: &v1alpha1.ScratchVolume{}, Secret: &v1alpha1.ObjectVolume{Name: "s"}},
				v1alpha1.Volume{Name: "both", Path: "/data/"},
				v1alpha1.Volume{Name: "again", Path: "/data", Persistent: &v1alpha1.PersistentVolume{}},
			)},
			want: []string{
				`spec.volumes[0].name: Invalid value: "Cache": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
				`spec.volumes[0].path: Invalid value: "/tmp/cache": /tmp is always writable scratch space; mount volumes elsewhere`,
				`spec.volumes[0].scratch.size: Invalid value: "0": must be greater than zero`,
				`spec.volumes[1].path: Invalid value: "relative": must be an absolute path other than /`,
				`spec.volumes[1]: Invalid value: "both": set exactly one of scratch, secret, configMap, storeSecret and persistent`,
				`spec.volumes[2].name: Duplicate value: "both (also spec.volumes[1])"`,
				`spec.volumes[2]: Invalid value: "both": set exactly one of scratch, secret, configMap, storeSecret and persistent`,
				`spec.volumes[3].path: Duplicate value: "/data (also spec.volumes[2].path)"`,
				`spec.volumes[3].persistent.size: Invalid value: "0": must be greater than zero`,
			},
		},
		"PersistentRunsOnePod": {
			reason: "Persistent storage attaches to one node at a time: more replicas or an autoscaler are refused, saying why.",
			mods:   []specMod{withVolumes(persistentVolume("data", "/data", "1Gi")), withReplicas(3), withAutoscaling(1, 3)},
			want: []string{
				"spec.replicas: Invalid value: 3: an app with persistent storage runs one pod: its volume attaches to one node at a time; keep state that must scale in a database",
				"spec.autoscaling: Forbidden: an app with persistent storage runs one pod: its volume attaches to one node at a time; keep state that must scale in a database",
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			spec := baseSpec()
			for _, m := range tc.mods {
				m(&spec)
			}
			got := verdictOf(nil, validateVolumes(field.NewPath("spec"), &spec))
			if diff := cmp.Diff(tc.want, got.errs); diff != "" {
				t.Errorf("%s\nvalidateVolumes(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestVolumesPolicy(t *testing.T) {
	pol := func(p v1beta1.VolumePolicy) inputMod { return func(in *v1beta1.Input) { in.Volumes = &p } }
	sized := v1alpha1.Volume{Name: "big", Path: "/big", Scratch: &v1alpha1.ScratchVolume{Size: q("2Gi")}}
	cases := map[string]struct {
		reason string
		in     []inputMod
		mods   []specMod
		want   []string
	}{
		"Defaults": {reason: "Scratch, Secrets and ConfigMaps need no allowance.", mods: []specMod{withVolumes(scratch("cache", "/cache"), sized)}},
		"PersistentNotAllowed": {
			reason: "Persistent volumes need the platform's allowance.",
			mods:   []specMod{withVolumes(persistentVolume("data", "/data", "1Gi"))},
			want:   []string{"spec.volumes[0].persistent: Forbidden: the platform does not allow persistent volumes (Input volumes.allowPersistent): keep state in a database, cache or bucket"},
		},
		"Caps": {
			reason: "Each volume within the platform's caps; a capped scratch volume must say its size.",
			in:     []inputMod{pol(v1beta1.VolumePolicy{AllowPersistent: true, MaxPersistentSize: q("10Gi"), MaxScratchSize: q("1Gi")})},
			mods:   []specMod{withVolumes(persistentVolume("data", "/data", "20Gi"), scratch("cache", "/cache"), sized, persistentVolume("ok", "/ok", "10Gi"))},
			want: []string{
				"spec.volumes[0].persistent.size: Forbidden: 20Gi is above the platform's cap of 10Gi (volumes.maxPersistentSize)",
				"spec.volumes[1].scratch.size: Required value: the platform caps scratch volumes at 1Gi (volumes.maxScratchSize)",
				"spec.volumes[2].scratch.size: Forbidden: 2Gi is above the platform's cap of 1Gi (volumes.maxScratchSize)",
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := verdictOf(nil, volumesPolicy(testApp(t, tc.in, tc.mods...)))
			if diff := cmp.Diff(tc.want, got.errs); diff != "" {
				t.Errorf("%s\nvolumesPolicy(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestClaimHealth(t *testing.T) {
	cases := map[string]struct {
		reason string
		obs    *structpb.Struct
		want   health
	}{
		"Missing":  {reason: "Not created yet.", want: health{why: "PersistentVolumeClaim shop-data: not created yet"}},
		"NoStatus": {reason: "Nothing has looked at it yet.", obs: mustStruct(t, `{spec: {}}`), want: health{why: "PersistentVolumeClaim shop-data: waiting for a volume"}},
		"Pending":  {reason: "Pending until a volume is provisioned, or the pod scheduled.", obs: mustStruct(t, `{status: {phase: Pending}}`), want: health{why: "PersistentVolumeClaim shop-data: Pending"}},
		"Lost":     {reason: "A lost volume will not come back by itself.", obs: mustStruct(t, `{status: {phase: Lost}}`), want: health{failed: true, why: "PersistentVolumeClaim shop-data: Lost: its volume is gone"}},
		"Bound":    {reason: "Bound is ready.", obs: mustStruct(t, `{status: {phase: Bound}}`), want: ready()},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, claimHealth("shop-data")(tc.obs), cmp.AllowUnexported(health{})); diff != "" {
				t.Errorf("%s\nclaimHealth(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestClaims(t *testing.T) {
	a := testApp(t, []inputMod{func(in *v1beta1.Input) {
		in.Volumes = &v1beta1.VolumePolicy{AllowPersistent: true, StorageClass: "fast"}
	}},
		withVolumes(scratch("cache", "/cache"), persistentVolume("data", "/data", "5Gi")))
	got := map[string]any{}
	for _, o := range claims(a) {
		got[o.name] = o.obj
	}
	golden(t, "claims.yaml", got)
}
