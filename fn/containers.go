package fn

import (
	"fmt"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
)

// extraContainer is an init container or a sidecar with where it is declared.
type extraContainer struct {
	path *field.Path
	c    v1alpha1.Container
}

// extraContainers lists the init containers, then the sidecars.
func extraContainers(spec *v1alpha1.XAppSpec) []extraContainer {
	out := make([]extraContainer, 0, len(spec.InitContainers)+len(spec.Sidecars))
	for i, c := range spec.InitContainers {
		out = append(out, extraContainer{field.NewPath("spec", "initContainers").Index(i), c})
	}
	for i, c := range spec.Sidecars {
		out = append(out, extraContainer{field.NewPath("spec", "sidecars").Index(i), c})
	}
	return out
}

// validateContainers checks each container as the app's own is checked, and that every name in the
// pod is used once.
func validateContainers(appName string, spec *v1alpha1.XAppSpec) field.ErrorList {
	var errs field.ErrorList
	names := map[string]string{appName: "the app's own container"}
	volumes := make(map[string]bool, len(spec.Volumes))
	for _, v := range spec.Volumes {
		volumes[v.Name] = true
	}
	for _, x := range extraContainers(spec) {
		np := x.path.Child("name")
		if msgs := validation.IsDNS1123Label(x.c.Name); len(msgs) > 0 {
			errs = append(errs, field.Invalid(np, x.c.Name, strings.Join(msgs, "; ")))
		}
		if prev, dup := names[x.c.Name]; dup {
			errs = append(errs, field.Duplicate(np, fmt.Sprintf("%s (also %s)", x.c.Name, prev)))
		}
		names[x.c.Name] = np.String()
		if _, err := validateImage(x.path.Child("image"), x.c.Image); err != nil {
			errs = append(errs, err)
		}
		errs = append(errs, validateEnv(x.path.Child("env"), x.c.Env)...)
		errs = append(errs, validateResources(x.path.Child("resources"), x.c.Resources)...)
		errs = append(errs, validateSecurity(x.path.Child("security"), x.c.Security)...)
		for i, v := range x.c.Volumes {
			if !volumes[v] {
				errs = append(errs, field.NotFound(x.path.Child("volumes").Index(i), v))
			}
		}
	}
	return errs
}

// containersPolicy holds every container to the rules of the app's own: where images come from and
// how they are pinned, resource caps, and the security escape hatch.
func containersPolicy(a *app) (warnings []string, errs field.ErrorList) {
	for _, x := range extraContainers(&a.spec) {
		ref, err := parseImage(x.c.Image)
		if err != nil {
			// validate refused it already; policy runs only on valid apps.
			continue
		}
		w, e := imagePolicy(a.in.Images, x.path.Child("image"), x.c.Image, ref)
		warnings, errs = append(warnings, w...), append(errs, e...)
		errs = append(errs, resourcesPolicy(a, x.path.Child("resources"), x.c.Resources)...)
		errs = append(errs, securityPolicy(a, x.path.Child("security"), x.c.Security)...)
	}
	return warnings, errs
}

// images are every image the pod runs, for their pull secrets.
func (a *app) images() []name.Reference {
	refs := make([]name.Reference, 1, 1+len(a.spec.InitContainers)+len(a.spec.Sidecars))
	refs[0] = a.image
	for _, cs := range [][]v1alpha1.Container{a.spec.InitContainers, a.spec.Sidecars} {
		for _, c := range cs {
			if ref, err := parseImage(c.Image); err == nil {
				refs = append(refs, ref)
			}
		}
	}
	return refs
}

// initContainers are the app's init containers, then its sidecars as native sidecars: init
// containers that keep running (restartPolicy Always), so they start before the app and stop after
// it. Init containers get the data-service variables (a migration needs DATABASE_URL); sidecars do
// not, since a log shipper has no business with the database's password.
func initContainers(a *app, extraEnv []corev1.EnvVar) []corev1.Container {
	if len(a.spec.InitContainers)+len(a.spec.Sidecars) == 0 {
		return nil
	}
	out := make([]corev1.Container, 0, len(a.spec.InitContainers)+len(a.spec.Sidecars))
	for _, c := range a.spec.InitContainers {
		out = append(out, container(a, c, extraEnv))
	}
	for _, c := range a.spec.Sidecars {
		sc := container(a, c, nil)
		sc.RestartPolicy = ptr.To(corev1.ContainerRestartPolicyAlways)
		out = append(out, sc)
	}
	return out
}

// container is c under the app's secure defaults, with its own /tmp (the pod's tmp volume) and the
// app's volumes it names, at the app's paths.
func container(a *app, c v1alpha1.Container, extraEnv []corev1.EnvVar) corev1.Container {
	mounts := []corev1.VolumeMount{{Name: volumeTmp, MountPath: "/tmp"}}
	for _, v := range a.spec.Volumes {
		if slices.Contains(c.Volumes, v.Name) {
			_, m := volumeOf(a, v)
			mounts = append(mounts, m)
		}
	}
	return corev1.Container{
		Name:            c.Name,
		Image:           c.Image,
		Command:         c.Command,
		Args:            c.Args,
		Env:             env(a, c.Env, extraEnv),
		Resources:       resources(a, c.Resources),
		VolumeMounts:    mounts,
		SecurityContext: containerSecurityContext(c.Security),
	}
}
