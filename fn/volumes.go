package fn

import (
	"fmt"
	"strings"

	"google.golang.org/protobuf/types/known/structpb"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
	"github.com/xapp-dev/xapp/internal/pbjson"
)

// volumePrefix starts the pod's names of the app's volumes, so they never clash with the function's
// own (tmp, files).
const volumePrefix = "v-"

// maxVolumeName leaves room for the app's name in its claim's name.
const maxVolumeName = 40

// appVolumes are the app's volumes and where the container mounts them.
func appVolumes(a *app) ([]corev1.Volume, []corev1.VolumeMount) {
	if len(a.spec.Volumes) == 0 {
		return nil, nil
	}
	vols := make([]corev1.Volume, len(a.spec.Volumes))
	mounts := make([]corev1.VolumeMount, len(a.spec.Volumes))
	for i, v := range a.spec.Volumes {
		vols[i], mounts[i] = volumeOf(a, v)
	}
	return vols, mounts
}

// volumeOf is one of the app's volumes and its mount. Secrets and ConfigMaps are read-only: they are
// configuration, and a write would be lost anyway.
func volumeOf(a *app, v v1alpha1.Volume) (corev1.Volume, corev1.VolumeMount) {
	vol := corev1.Volume{Name: volumePrefix + v.Name}
	m := corev1.VolumeMount{Name: vol.Name, MountPath: v.Path}
	switch {
	case v.Scratch != nil:
		vol.EmptyDir = &corev1.EmptyDirVolumeSource{SizeLimit: v.Scratch.Size}
		if v.Scratch.Memory {
			vol.EmptyDir.Medium = corev1.StorageMediumMemory
		}
	case v.Secret != nil:
		vol.Secret = &corev1.SecretVolumeSource{SecretName: v.Secret.Name, Optional: optional(v.Secret.Optional)}
		m.ReadOnly = true
	case v.ConfigMap != nil:
		vol.ConfigMap = &corev1.ConfigMapVolumeSource{
			LocalObjectReference: corev1.LocalObjectReference{Name: v.ConfigMap.Name}, Optional: optional(v.ConfigMap.Optional),
		}
		m.ReadOnly = true
	case v.StoreSecret != nil:
		vol.Secret = &corev1.SecretVolumeSource{SecretName: storeFileSecret(a, v.Name)}
		m.ReadOnly = true
	case v.Persistent != nil:
		vol.PersistentVolumeClaim = &corev1.PersistentVolumeClaimVolumeSource{ClaimName: claimName(a, v)}
	}
	return vol, m
}

func claimName(a *app, v v1alpha1.Volume) string { return a.name + "-" + v.Name }

// claims are the app's PersistentVolumeClaims, on the platform's storage class, each attached to
// one node at a time, composed as volume-<volume name>.
func claims(a *app) []object {
	out := make([]object, 0, len(a.spec.Volumes))
	for _, v := range a.spec.Volumes {
		if v.Persistent == nil {
			continue
		}
		pvc := &corev1.PersistentVolumeClaim{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "PersistentVolumeClaim"},
			ObjectMeta: a.objectMeta(claimName(a, v)),
			Spec: corev1.PersistentVolumeClaimSpec{
				AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
				Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: v.Persistent.Size}},
			},
		}
		if p := a.in.Volumes; p != nil && p.StorageClass != "" {
			pvc.Spec.StorageClassName = ptr.To(p.StorageClass)
		}
		out = append(out, object{name: ResourceVolumePrefix + v.Name, obj: pvc, health: claimHealth(pvc.Name)})
	}
	return out
}

// hasPersistent apps run one pod, replaced rather than rolled: a ReadWriteOnce volume attaches to one
// node at a time, so a second pod, or a new one started before the old one stops, would wait forever.
func hasPersistent(vs []v1alpha1.Volume) bool {
	for _, v := range vs {
		if v.Persistent != nil {
			return true
		}
	}
	return false
}

// claimHealth is ready once the claim is bound to a volume.
func claimHealth(name string) func(*structpb.Struct) health {
	return func(obs *structpb.Struct) health {
		var o struct {
			Status corev1.PersistentVolumeClaimStatus `json:"status"`
		}
		switch {
		case obs == nil:
			return waiting("PersistentVolumeClaim", name, "not created yet")
		case pbjson.Decode(obs, &o) != nil || o.Status.Phase == "":
			return waiting("PersistentVolumeClaim", name, "waiting for a volume")
		case o.Status.Phase == corev1.ClaimLost:
			return failing("PersistentVolumeClaim", name, "Lost: its volume is gone")
		case o.Status.Phase != corev1.ClaimBound:
			return waiting("PersistentVolumeClaim", name, "%s", o.Status.Phase)
		}
		return ready()
	}
}

// validateVolumes checks names, paths and sources, and the single-pod rule of persistent storage.
func validateVolumes(sp *field.Path, spec *v1alpha1.XAppSpec) field.ErrorList {
	p := sp.Child("volumes")
	var errs field.ErrorList
	names := make(map[string]int, len(spec.Volumes))
	paths := make(map[string]int, len(spec.Volumes))
	for i, v := range spec.Volumes {
		vp := p.Index(i)
		errs = append(errs, validateVolumeName(vp.Child("name"), v.Name, names, i)...)
		errs = append(errs, validateVolumePath(vp.Child("path"), v.Path, paths, i)...)
		sources := 0
		for _, set := range []bool{v.Scratch != nil, v.Secret != nil, v.ConfigMap != nil, v.StoreSecret != nil, v.Persistent != nil} {
			if set {
				sources++
			}
		}
		if sources != 1 {
			errs = append(errs, field.Invalid(vp, v.Name, "set exactly one of scratch, secret, configMap, storeSecret and persistent"))
		}
		if s := v.Scratch; s != nil && s.Size != nil && s.Size.Sign() <= 0 {
			errs = append(errs, field.Invalid(vp.Child("scratch", "size"), s.Size.String(), "must be greater than zero"))
		}
		if pv := v.Persistent; pv != nil && pv.Size.Sign() <= 0 {
			errs = append(errs, field.Invalid(vp.Child("persistent", "size"), pv.Size.String(), "must be greater than zero"))
		}
	}
	if hasPersistent(spec.Volumes) {
		const why = "an app with persistent storage runs one pod: its volume attaches to one node at a time; keep state that must scale in a database"
		if spec.Replicas != nil && *spec.Replicas > 1 {
			errs = append(errs, field.Invalid(sp.Child("replicas"), *spec.Replicas, why))
		}
		if spec.Autoscaling != nil {
			errs = append(errs, field.Forbidden(sp.Child("autoscaling"), why))
		}
	}
	return errs
}

func validateVolumeName(p *field.Path, name string, seen map[string]int, i int) field.ErrorList {
	var errs field.ErrorList
	// The name is part of the claim's name, <app>-<volume>, which must stay a DNS label.
	if msgs := validation.IsDNS1035Label(name); len(msgs) > 0 {
		errs = append(errs, field.Invalid(p, name, strings.Join(msgs, "; ")))
	} else if len(name) > maxVolumeName {
		errs = append(errs, field.TooLong(p, name, maxVolumeName))
	}
	if j, dup := seen[name]; dup {
		errs = append(errs, field.Duplicate(p, fmt.Sprintf("%s (also spec.volumes[%d])", name, j)))
	}
	seen[name] = i
	return errs
}

func validateVolumePath(p *field.Path, path string, seen map[string]int, i int) field.ErrorList {
	var errs field.ErrorList
	switch {
	case !strings.HasPrefix(path, "/") || path == "/":
		errs = append(errs, field.Invalid(p, path, "must be an absolute path other than /"))
	case strings.Contains(path, "/../") || strings.HasSuffix(path, "/..") || strings.ContainsRune(path, 0):
		errs = append(errs, field.Invalid(p, path, "must not contain '..' or NUL"))
	case path == "/tmp" || strings.HasPrefix(path, "/tmp/"):
		errs = append(errs, field.Invalid(p, path, "/tmp is always writable scratch space; mount volumes elsewhere"))
	}
	clean := strings.TrimSuffix(path, "/")
	if j, dup := seen[clean]; dup {
		errs = append(errs, field.Duplicate(p, fmt.Sprintf("%s (also spec.volumes[%d].path)", path, j)))
	}
	seen[clean] = i
	return errs
}

// volumesPolicy holds volumes to the platform's caps, and persistent storage to its allowance.
func volumesPolicy(a *app) field.ErrorList {
	if len(a.spec.Volumes) == 0 {
		return nil
	}
	var errs field.ErrorList
	pol := a.in.Volumes
	p := field.NewPath("spec", "volumes")
	for i, v := range a.spec.Volumes {
		vp := p.Index(i)
		switch {
		case v.Persistent != nil && (pol == nil || !pol.AllowPersistent):
			errs = append(errs, field.Forbidden(vp.Child("persistent"), "the platform does not allow persistent volumes (Input volumes.allowPersistent): keep state in a database, cache or bucket"))
		case v.Persistent != nil && pol.MaxPersistentSize != nil && v.Persistent.Size.Cmp(*pol.MaxPersistentSize) > 0:
			errs = append(errs, field.Forbidden(vp.Child("persistent", "size"), fmt.Sprintf("%s is above the platform's cap of %s (volumes.maxPersistentSize)", v.Persistent.Size.String(), pol.MaxPersistentSize)))
		case v.Scratch != nil && pol != nil && pol.MaxScratchSize != nil && v.Scratch.Size == nil:
			errs = append(errs, field.Required(vp.Child("scratch", "size"), fmt.Sprintf("the platform caps scratch volumes at %s (volumes.maxScratchSize)", pol.MaxScratchSize)))
		case v.Scratch != nil && pol != nil && pol.MaxScratchSize != nil && v.Scratch.Size.Cmp(*pol.MaxScratchSize) > 0:
			errs = append(errs, field.Forbidden(vp.Child("scratch", "size"), fmt.Sprintf("%s is above the platform's cap of %s (volumes.maxScratchSize)", v.Scratch.Size, pol.MaxScratchSize)))
		}
	}
	return errs
}
