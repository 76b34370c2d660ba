package fn

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
	"github.com/xapp-dev/xapp/input/v1beta1"
)

func withResources(r v1alpha1.Resources) specMod {
	return func(s *v1alpha1.XAppSpec) { s.Resources = &r }
}

func withResourcePolicy(p v1beta1.ResourcePolicy) inputMod {
	return func(in *v1beta1.Input) { in.Resources = &p }
}

func TestResources(t *testing.T) {
	list := func(cpu, mem string) corev1.ResourceList {
		l := corev1.ResourceList{}
		if cpu != "" {
			l[corev1.ResourceCPU] = *q(cpu)
		}
		if mem != "" {
			l[corev1.ResourceMemory] = *q(mem)
		}
		return l
	}
	cases := map[string]struct {
		reason string
		in     []inputMod
		mods   []specMod
		want   corev1.ResourceRequirements
	}{
		"Defaults": {
			reason: "The default: our requests, memory limited to its request, CPU not limited.",
			want:   corev1.ResourceRequirements{Requests: list("100m", "128Mi"), Limits: list("", "128Mi")},
		},
		"PlatformLimitsCPUToRequest": {
			reason: "A platform may limit CPU to the request, for predictable apps and the Guaranteed QoS class.",
			in:     []inputMod{withResourcePolicy(v1beta1.ResourcePolicy{CPULimit: v1beta1.CPULimitRequest})},
			mods:   []specMod{withResources(v1alpha1.Resources{CPU: q("250m")})},
			want:   corev1.ResourceRequirements{Requests: list("250m", "128Mi"), Limits: list("250m", "128Mi")},
		},
		"AppLimits": {
			reason: "An app's limits replace the defaults: a memory request below its limit, a CPU limit above its request.",
			in:     []inputMod{withResourcePolicy(v1beta1.ResourcePolicy{CPULimit: v1beta1.CPULimitRequest})},
			mods: []specMod{withResources(v1alpha1.Resources{CPU: q("250m"), Memory: q("256Mi"),
				Limits: &v1alpha1.ResourceLimits{CPU: q("1"), Memory: q("1Gi")}})},
			want: corev1.ResourceRequirements{Requests: list("250m", "256Mi"), Limits: list("1", "1Gi")},
		},
		"MemoryLimitOnly": {
			reason: "A memory limit alone leaves CPU unlimited.",
			mods:   []specMod{withResources(v1alpha1.Resources{Limits: &v1alpha1.ResourceLimits{Memory: q("512Mi")}})},
			want:   corev1.ResourceRequirements{Requests: list("100m", "128Mi"), Limits: list("", "512Mi")},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			a := testApp(t, tc.in, tc.mods...)
			if diff := cmp.Diff(tc.want, resources(a, a.spec.Resources)); diff != "" {
				t.Errorf("%s\nresources(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestValidateResources(t *testing.T) {
	cases := map[string]struct {
		reason string
		r      *v1alpha1.Resources
		want   []string
	}{
		"None":  {reason: "No resources, the platform's defaults."},
		"Valid": {reason: "Positive requests and limits.", r: &v1alpha1.Resources{CPU: q("1m"), Limits: &v1alpha1.ResourceLimits{Memory: q("1Mi")}}},
		"NotPositive": {
			reason: "Every quantity must be positive, each named by its path.",
			r:      &v1alpha1.Resources{CPU: q("0"), Memory: q("-1Mi"), Limits: &v1alpha1.ResourceLimits{CPU: q("0"), Memory: q("0")}},
			want: []string{
				`spec.resources.cpu: Invalid value: "0": must be greater than zero`,
				`spec.resources.memory: Invalid value: "-1Mi": must be greater than zero`,
				`spec.resources.limits.cpu: Invalid value: "0": must be greater than zero`,
				`spec.resources.limits.memory: Invalid value: "0": must be greater than zero`,
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := verdictOf(nil, validateResources(field.NewPath("spec", "resources"), tc.r))
			if diff := cmp.Diff(tc.want, got.errs); diff != "" {
				t.Errorf("%s\nvalidateResources(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestResourcesPolicy(t *testing.T) {
	caps := withResourcePolicy(v1beta1.ResourcePolicy{MaxCPU: q("2"), MaxMemory: q("4Gi")})
	cases := map[string]struct {
		reason string
		in     []inputMod
		mods   []specMod
		want   []string
	}{
		"WithinCaps": {
			reason: "Requests and limits up to the caps pass.",
			in:     []inputMod{caps},
			mods:   []specMod{withResources(v1alpha1.Resources{CPU: q("2"), Memory: q("1Gi"), Limits: &v1alpha1.ResourceLimits{CPU: q("2"), Memory: q("4Gi")}})},
		},
		"AboveCaps": {
			reason: "Each request and limit above its cap is refused, naming the field and the cap.",
			in:     []inputMod{caps},
			mods:   []specMod{withResources(v1alpha1.Resources{CPU: q("3"), Memory: q("8Gi"), Limits: &v1alpha1.ResourceLimits{CPU: q("4"), Memory: q("16Gi")}})},
			want: []string{
				"spec.resources.cpu: Forbidden: 3 is above the platform's cap of 2 (resources.maxCPU)",
				"spec.resources.memory: Forbidden: 8Gi is above the platform's cap of 4Gi (resources.maxMemory)",
				"spec.resources.limits.cpu: Forbidden: 4 is above the platform's cap of 2 (resources.maxCPU)",
				"spec.resources.limits.memory: Forbidden: 16Gi is above the platform's cap of 4Gi (resources.maxMemory)",
			},
		},
		"NoCaps": {
			reason: "Without caps anything positive passes.",
			mods:   []specMod{withResources(v1alpha1.Resources{CPU: q("64"), Limits: &v1alpha1.ResourceLimits{Memory: q("256Gi")}})},
		},
		"LimitBelowOwnRequest": {
			reason: "A limit below the app's own request names the request's field.",
			mods:   []specMod{withResources(v1alpha1.Resources{CPU: q("500m"), Memory: q("1Gi"), Limits: &v1alpha1.ResourceLimits{CPU: q("250m"), Memory: q("512Mi")}})},
			want: []string{
				`spec.resources.limits.cpu: Invalid value: "250m": must be at least the cpu request, 500m (spec.resources.cpu)`,
				`spec.resources.limits.memory: Invalid value: "512Mi": must be at least the memory request, 1Gi (spec.resources.memory)`,
			},
		},
		"LimitBelowPlatformDefault": {
			reason: "A limit below the platform's default request says the request is the platform's.",
			in:     []inputMod{func(in *v1beta1.Input) { in.Defaults = &v1beta1.Defaults{Memory: q("256Mi")} }},
			mods:   []specMod{withResources(v1alpha1.Resources{Limits: &v1alpha1.ResourceLimits{Memory: q("128Mi")}})},
			want:   []string{`spec.resources.limits.memory: Invalid value: "128Mi": must be at least the memory request, 256Mi (the platform's default)`},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			a := testApp(t, tc.in, tc.mods...)
			got := verdictOf(nil, resourcesPolicy(a, field.NewPath("spec", "resources"), a.spec.Resources))
			if diff := cmp.Diff(tc.want, got.errs); diff != "" {
				t.Errorf("%s\nresourcesPolicy(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
