package fn

import (
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

// autoscaler scales the Deployment on CPU and/or memory; nil unless the app asks for autoscaling.
func autoscaler(a *app) *autoscalingv2.HorizontalPodAutoscaler {
	as := a.spec.Autoscaling
	if as == nil || a.eventScaled() {
		// An app scaled on events gets a ScaledObject, whose HPA KEDA makes: two would fight.
		return nil
	}
	cpu := as.TargetCPUUtilization
	if cpu == nil && as.TargetMemoryUtilization == nil {
		cpu = ptr.To(defaultTargetCPU)
	}
	metrics := make([]autoscalingv2.MetricSpec, 0, 2)
	for _, m := range []struct {
		name   corev1.ResourceName
		target *int32
	}{{corev1.ResourceCPU, cpu}, {corev1.ResourceMemory, as.TargetMemoryUtilization}} {
		if m.target == nil {
			continue
		}
		metrics = append(metrics, autoscalingv2.MetricSpec{
			Type: autoscalingv2.ResourceMetricSourceType,
			Resource: &autoscalingv2.ResourceMetricSource{
				Name:   m.name,
				Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: ptr.To(*m.target)},
			},
		})
	}
	return &autoscalingv2.HorizontalPodAutoscaler{
		TypeMeta:   metav1.TypeMeta{APIVersion: "autoscaling/v2", Kind: "HorizontalPodAutoscaler"},
		ObjectMeta: a.objectMeta(a.name),
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: a.name},
			MinReplicas:    ptr.To(as.Min),
			MaxReplicas:    as.Max,
			Metrics:        metrics,
		},
	}
}

// disruptionBudget keeps all but one pod running through node drains; nil when the app never runs
// more than one pod, where a budget could only block a drain or allow everything. It counts what may
// go (maxUnavailable), not what must stay (minAvailable): an app KEDA scales down to one pod or to
// none still lets a drain evict it, where minAvailable 1 would block the drain at one pod and
// promise nothing at zero.
func disruptionBudget(a *app) *policyv1.PodDisruptionBudget {
	if a.maxReplicas() <= 1 {
		return nil
	}
	return &policyv1.PodDisruptionBudget{
		TypeMeta:   metav1.TypeMeta{APIVersion: "policy/v1", Kind: "PodDisruptionBudget"},
		ObjectMeta: a.objectMeta(a.name),
		Spec: policyv1.PodDisruptionBudgetSpec{
			MaxUnavailable: ptr.To(intstr.FromInt32(1)),
			Selector:       &metav1.LabelSelector{MatchLabels: a.selector},
			// A pod that is not ready serves nothing; protecting it would only block the drain.
			UnhealthyPodEvictionPolicy: ptr.To(policyv1.AlwaysAllow),
		},
	}
}
