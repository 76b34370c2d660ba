package fn

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
	"github.com/xapp-dev/xapp/input/v1beta1"
)

// resources requests CPU and memory and limits them. Unless the app sets its own limits, memory is
// limited to its request and CPU follows the platform's policy, by default no limit: a CPU limit
// throttles the app even when the node is idle, while a memory limit keeps one app from taking the
// node down.
func resources(a *app, r *v1alpha1.Resources) corev1.ResourceRequirements {
	cpu, mem := a.cpu(r), a.memory(r)
	l := limitsOf(r)
	limits := corev1.ResourceList{corev1.ResourceMemory: mem}
	if l.Memory != nil {
		limits[corev1.ResourceMemory] = *l.Memory
	}
	switch {
	case l.CPU != nil:
		limits[corev1.ResourceCPU] = *l.CPU
	case a.resourcePolicy().CPULimit == v1beta1.CPULimitRequest:
		limits[corev1.ResourceCPU] = cpu
	}
	return corev1.ResourceRequirements{
		Requests: corev1.ResourceList{corev1.ResourceCPU: cpu, corev1.ResourceMemory: mem},
		Limits:   limits,
	}
}

func limitsOf(r *v1alpha1.Resources) v1alpha1.ResourceLimits {
	if r != nil && r.Limits != nil {
		return *r.Limits
	}
	return v1alpha1.ResourceLimits{}
}

func (a *app) resourcePolicy() v1beta1.ResourcePolicy {
	if a.in.Resources == nil {
		return v1beta1.ResourcePolicy{}
	}
	return *a.in.Resources
}

// validateResources checks what the schema cannot: every quantity the app sets is positive.
func validateResources(p *field.Path, r *v1alpha1.Resources) field.ErrorList {
	if r == nil {
		return nil
	}
	var l v1alpha1.ResourceLimits
	if r.Limits != nil {
		l = *r.Limits
	}
	var errs field.ErrorList
	// Each field's path is made only for an error: this runs on every reconcile of every app.
	for _, q := range []struct {
		field resourcesField
		q     *resource.Quantity
	}{{resCPU, r.CPU}, {resMemory, r.Memory}, {resLimitsCPU, l.CPU}, {resLimitsMemory, l.Memory}} {
		if q.q != nil && q.q.Sign() <= 0 {
			errs = append(errs, field.Invalid(q.field.path(p), q.q.String(), "must be greater than zero"))
		}
	}
	return errs
}

// resourcesField is a field of Resources, by its path below it.
type resourcesField int

const (
	resCPU resourcesField = iota
	resMemory
	resLimitsCPU
	resLimitsMemory
)

func (f resourcesField) path(p *field.Path) *field.Path {
	switch f {
	case resMemory:
		return p.Child("memory")
	case resLimitsCPU:
		return p.Child("limits", "cpu")
	case resLimitsMemory:
		return p.Child("limits", "memory")
	default:
		return p.Child("cpu")
	}
}

// resourcesPolicy holds what the app sets to the platform's caps, and each limit to at least its
// request, which may be the platform's default. Only what the app sets is checked: the platform's
// own defaults are the platform's business.
func resourcesPolicy(a *app, p *field.Path, r *v1alpha1.Resources) field.ErrorList {
	if r == nil {
		return nil
	}
	l := limitsOf(r)
	pol := a.resourcePolicy()
	var errs field.ErrorList
	for _, c := range []struct {
		field    resourcesField
		set      *resource.Quantity
		max      *resource.Quantity
		capField string
	}{
		{resCPU, r.CPU, pol.MaxCPU, "resources.maxCPU"},
		{resMemory, r.Memory, pol.MaxMemory, "resources.maxMemory"},
		{resLimitsCPU, l.CPU, pol.MaxCPU, "resources.maxCPU"},
		{resLimitsMemory, l.Memory, pol.MaxMemory, "resources.maxMemory"},
	} {
		if c.set != nil && c.max != nil && c.set.Cmp(*c.max) > 0 {
			errs = append(errs, field.Forbidden(c.field.path(p), fmt.Sprintf("%s is above the platform's cap of %s (%s)", c.set, c.max, c.capField)))
		}
	}
	errs = append(errs, limitBelowRequest(p, l.CPU, a.cpu(r), r.CPU != nil, "cpu")...)
	errs = append(errs, limitBelowRequest(p, l.Memory, a.memory(r), r.Memory != nil, "memory")...)
	return errs
}

func limitBelowRequest(p *field.Path, limit *resource.Quantity, request resource.Quantity, own bool, name string) field.ErrorList {
	if limit == nil || limit.Cmp(request) >= 0 {
		return nil
	}
	from := "the platform's default"
	if own {
		from = p.Child(name).String()
	}
	p = p.Child("limits", name)
	return field.ErrorList{field.Invalid(p, limit.String(), fmt.Sprintf("must be at least the %s request, %s (%s)", name, request.String(), from))}
}
