package fn

import (
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
)

// containerSecurityContext is the secure default, loosened only as far as the app's security says
// (policy has checked that the platform allows it): never root, never privilege escalation, a
// read-only root filesystem, and no capabilities but those added back.
func containerSecurityContext(s *v1alpha1.Security) *corev1.SecurityContext {
	sc := &corev1.SecurityContext{
		AllowPrivilegeEscalation: ptr.To(false),
		ReadOnlyRootFilesystem:   ptr.To(true),
		RunAsNonRoot:             ptr.To(true),
		Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
	}
	if s == nil {
		return sc
	}
	sc.RunAsUser, sc.RunAsGroup = s.RunAsUser, s.RunAsGroup
	for _, c := range s.Capabilities {
		sc.Capabilities.Add = append(sc.Capabilities.Add, corev1.Capability(c))
	}
	return sc
}

// podSecurityContext runs every container as non-root with the runtime's seccomp profile; an app
// that runs as a group of its own also owns its volumes with it, so it can write them.
func podSecurityContext(s *v1alpha1.Security) *corev1.PodSecurityContext {
	psc := &corev1.PodSecurityContext{
		RunAsNonRoot:   ptr.To(true),
		SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
	}
	if s != nil && s.RunAsGroup != nil {
		psc.FSGroup = s.RunAsGroup
	}
	return psc
}

// validateSecurity checks what the schema does, for pipelines that skip it.
func validateSecurity(p *field.Path, s *v1alpha1.Security) field.ErrorList {
	if s == nil {
		return nil
	}
	var errs field.ErrorList
	if s.RunAsUser != nil && *s.RunAsUser < 1 {
		errs = append(errs, field.Invalid(p.Child("runAsUser"), *s.RunAsUser, "must be a UID other than 0: the container never runs as root"))
	}
	if s.RunAsGroup != nil && *s.RunAsGroup < 0 {
		errs = append(errs, field.Invalid(p.Child("runAsGroup"), *s.RunAsGroup, "must not be negative"))
	}
	for i, c := range s.Capabilities {
		switch {
		case strings.HasPrefix(c, "CAP_"):
			errs = append(errs, field.Invalid(p.Child("capabilities").Index(i), c, "write the capability without CAP_, as Kubernetes does: "+strings.TrimPrefix(c, "CAP_")))
		case c == "" || strings.Trim(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") != "":
			errs = append(errs, field.Invalid(p.Child("capabilities").Index(i), c, "a capability name in capitals, e.g. NET_BIND_SERVICE"))
		}
	}
	return errs
}

// securityPolicy allows a container's escape hatch, s at p, only as far as the platform does.
func securityPolicy(a *app, p *field.Path, s *v1alpha1.Security) field.ErrorList {
	if s == nil {
		return nil
	}
	var allowRunAs bool
	var caps []string
	if pol := a.in.Security; pol != nil {
		allowRunAs, caps = pol.AllowRunAsUser, pol.AllowedCapabilities
	}
	var errs field.ErrorList
	if !allowRunAs {
		for _, f := range []struct {
			name string
			v    *int64
		}{{"runAsUser", s.RunAsUser}, {"runAsGroup", s.RunAsGroup}} {
			if f.v != nil {
				errs = append(errs, field.Forbidden(p.Child(f.name), "the platform does not let apps choose their user and group (Input security.allowRunAsUser)"))
			}
		}
	}
	for i, c := range s.Capabilities {
		if !slices.Contains(caps, c) {
			errs = append(errs, field.Forbidden(p.Child("capabilities").Index(i), fmt.Sprintf("%s is not a capability the platform allows (%s)", c, allowedList(caps))))
		}
	}
	return errs
}

func allowedList(xs []string) string {
	if len(xs) == 0 {
		return "it allows none"
	}
	return strings.Join(xs, ", ")
}
