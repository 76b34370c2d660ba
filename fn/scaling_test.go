package fn

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
)

func TestAutoscaler(t *testing.T) {
	metric := func(name corev1.ResourceName, target int32) autoscalingv2.MetricSpec {
		return autoscalingv2.MetricSpec{Type: autoscalingv2.ResourceMetricSourceType, Resource: &autoscalingv2.ResourceMetricSource{
			Name: name, Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: ptr.To(target)}}}
	}
	type want struct {
		min, max int32
		metrics  []autoscalingv2.MetricSpec
	}
	cases := map[string]struct {
		reason string
		mods   []specMod
		want   *want
	}{
		"None": {reason: "No autoscaling, no autoscaler."},
		"DefaultTarget": {
			reason: "Without a target the autoscaler aims for 80% CPU.",
			mods:   []specMod{withAutoscaling(2, 6)},
			want:   &want{min: 2, max: 6, metrics: []autoscalingv2.MetricSpec{metric(corev1.ResourceCPU, 80)}},
		},
		"MemoryOnly": {
			reason: "A memory target alone does not add a CPU target.",
			mods: []specMod{withAutoscaling(1, 3), func(s *v1alpha1.XAppSpec) {
				s.Autoscaling.TargetMemoryUtilization = ptr.To(int32(75))
			}},
			want: &want{min: 1, max: 3, metrics: []autoscalingv2.MetricSpec{metric(corev1.ResourceMemory, 75)}},
		},
		"Both": {
			reason: "CPU and memory targets both become metrics, CPU first.",
			mods: []specMod{withAutoscaling(3, 30), func(s *v1alpha1.XAppSpec) {
				s.Autoscaling.TargetMemoryUtilization = ptr.To(int32(60))
				s.Autoscaling.TargetCPUUtilization = ptr.To(int32(50))
			}},
			want: &want{min: 3, max: 30, metrics: []autoscalingv2.MetricSpec{metric(corev1.ResourceCPU, 50), metric(corev1.ResourceMemory, 60)}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			hpa := autoscaler(testApp(t, nil, tc.mods...))
			var got *want
			if hpa != nil {
				got = &want{min: *hpa.Spec.MinReplicas, max: hpa.Spec.MaxReplicas, metrics: hpa.Spec.Metrics}
				if r := hpa.Spec.ScaleTargetRef; r.Kind != "Deployment" || r.Name != "shop" || r.APIVersion != "apps/v1" {
					t.Errorf("%s\nautoscaler(): scaleTargetRef = %+v, want the app's Deployment", tc.reason, r)
				}
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nautoscaler(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestDisruptionBudget(t *testing.T) {
	cases := map[string]struct {
		reason string
		mods   []specMod
		want   bool
	}{
		"DefaultReplicas": {reason: "The default two replicas get a budget.", want: true},
		"OneReplica":      {reason: "One replica gets no budget: it could only block drains.", mods: []specMod{withReplicas(1)}},
		"ZeroReplicas":    {reason: "A scaled-down app gets no budget.", mods: []specMod{withReplicas(0)}},
		"AutoscaledToOne": {reason: "An autoscaler that may run one pod only still gets a budget when it may run more.", mods: []specMod{withAutoscaling(1, 4)}, want: true},
		"AutoscaledFixed": {reason: "An autoscaler pinned at one pod gets none.", mods: []specMod{withAutoscaling(1, 1)}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			pdb := disruptionBudget(testApp(t, nil, tc.mods...))
			if got := pdb != nil; got != tc.want {
				t.Fatalf("%s\ndisruptionBudget() != nil: got %v, want %v", tc.reason, got, tc.want)
			}
			if pdb != nil && (pdb.Spec.MaxUnavailable.IntValue() != 1 || pdb.Spec.Selector.MatchLabels[LabelName] != "shop") {
				t.Errorf("%s\ndisruptionBudget(): got %+v, want maxUnavailable 1 over the app's pods", tc.reason, pdb.Spec)
			}
		})
	}
}
