package fn

import (
	"fmt"
	"strings"

	"google.golang.org/protobuf/types/known/structpb"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
	"github.com/xapp-dev/xapp/internal/pbjson"
)

// health is a composed resource's readiness as the developer should hear it: not just "not ready"
// but which object and why, in the object's own words where it has any.
type health struct {
	ready bool
	// failed marks a state that will not fix itself (a stalled rollout, a rejected route).
	failed bool
	// why names the object and what it waits for; empty when ready.
	why string
}

func ready() health { return health{ready: true} }

func waiting(kind, name, format string, args ...any) health {
	return health{why: kind + " " + name + ": " + fmt.Sprintf(format, args...)}
}

func failing(kind, name, format string, args ...any) health {
	h := waiting(kind, name, format, args...)
	h.failed = true
	return h
}

// existing is the readiness of objects with no status to wait for (ServiceAccount, ConfigMap,
// Service, PodDisruptionBudget, policies): ready once they exist.
func existing(kind, name string) func(*structpb.Struct) health {
	return func(obs *structpb.Struct) health {
		if obs == nil {
			return waiting(kind, name, "not created yet")
		}
		return ready()
	}
}

// observedDeployment is what readiness and status read of an observed Deployment.
type observedDeployment struct {
	Metadata struct {
		Generation  int64             `json:"generation"`
		Annotations map[string]string `json:"annotations"`
	} `json:"metadata"`
	Spec struct {
		Replicas *int32 `json:"replicas"`
		Template struct {
			Spec struct {
				Containers []struct {
					Name  string `json:"name"`
					Image string `json:"image"`
				} `json:"containers"`
			} `json:"spec"`
		} `json:"template"`
	} `json:"spec"`
	Status appsv1.DeploymentStatus `json:"status"`
}

// decodeDeployment reads an observed Deployment; nil when it does not exist yet or cannot be read.
func decodeDeployment(obs *structpb.Struct) *observedDeployment {
	if obs == nil {
		return nil
	}
	d := &observedDeployment{}
	if err := pbjson.Decode(obs, d); err != nil {
		return nil
	}
	return d
}

// deploymentHealth follows `kubectl rollout status`: the Deployment has the app's current spec
// (appGeneration, see AnnotationAppGeneration), the controller has seen it, every replica runs the
// new template, no old replica is left, and every new one is available.
func deploymentHealth(name, appGeneration string, d *observedDeployment) health {
	const kind = "Deployment"
	if d == nil {
		return waiting(kind, name, "not created yet")
	}
	if appGeneration != "" && d.Metadata.Annotations[AnnotationAppGeneration] != appGeneration {
		return waiting(kind, name, "applying the app's new spec")
	}
	s := d.Status
	if s.ObservedGeneration < d.Metadata.Generation {
		return waiting(kind, name, "waiting for the controller to see the new spec")
	}
	for _, c := range s.Conditions {
		if c.Type == appsv1.DeploymentProgressing && c.Status == corev1.ConditionFalse && c.Reason == "ProgressDeadlineExceeded" {
			return failing(kind, name, "rollout stalled: %s", c.Message)
		}
		if c.Type == appsv1.DeploymentReplicaFailure && c.Status == corev1.ConditionTrue {
			return failing(kind, name, "%s: %s", c.Reason, c.Message)
		}
	}
	desired := int32(1)
	if d.Spec.Replicas != nil {
		desired = *d.Spec.Replicas
	}
	switch {
	case s.UpdatedReplicas < desired:
		return waiting(kind, name, "rolling out: %d of %d replicas updated", s.UpdatedReplicas, desired)
	case s.Replicas > s.UpdatedReplicas:
		return waiting(kind, name, "rolling out: %d old replicas pending termination", s.Replicas-s.UpdatedReplicas)
	case s.AvailableReplicas < s.UpdatedReplicas:
		h := waiting(kind, name, "%d of %d updated replicas available", s.AvailableReplicas, s.UpdatedReplicas)
		for _, c := range s.Conditions {
			if c.Type == appsv1.DeploymentAvailable && c.Status != corev1.ConditionTrue && c.Message != "" {
				h.why += " (" + c.Message + ")"
			}
		}
		return h
	}
	return ready()
}

// replicaStatus is the developer's view of the pods; nil until the Deployment exists.
func replicaStatus(d *observedDeployment) *v1alpha1.ReplicaStatus {
	if d == nil {
		return nil
	}
	desired := int32(1)
	if d.Spec.Replicas != nil {
		desired = *d.Spec.Replicas
	}
	return &v1alpha1.ReplicaStatus{Desired: desired, Updated: d.Status.UpdatedReplicas, Available: d.Status.AvailableReplicas}
}

// routeHealth waits until the app's gateway has accepted the route and resolved its backend.
func routeHealth(a *app, kind, name string) func(*structpb.Struct) health {
	return func(obs *structpb.Struct) health {
		if obs == nil {
			return waiting(kind, name, "not created yet")
		}
		var st gatewayv1.RouteStatus
		if err := pbjson.DecodeField(obs, "status", &st); err != nil {
			return waiting(kind, name, "cannot read status: %v", err)
		}
		gw := a.gateway()
		for _, p := range st.Parents {
			if string(p.ParentRef.Name) != gw.Name || (p.ParentRef.Namespace != nil && string(*p.ParentRef.Namespace) != gw.Namespace) {
				continue
			}
			for _, t := range []gatewayv1.RouteConditionType{gatewayv1.RouteConditionAccepted, gatewayv1.RouteConditionResolvedRefs} {
				c := findCondition(p.Conditions, string(t))
				switch {
				case c == nil:
					return waiting(kind, name, "waiting for Gateway %s/%s to report %s", gw.Namespace, gw.Name, t)
				case c.Status != metav1.ConditionTrue && t == gatewayv1.RouteConditionAccepted:
					// A gateway that refuses a route will not change its mind by itself.
					return failing(kind, name, "not accepted by Gateway %s/%s: %s: %s", gw.Namespace, gw.Name, c.Reason, c.Message)
				case c.Status != metav1.ConditionTrue:
					// Unresolved refs are usually the Service being created alongside the route.
					return waiting(kind, name, "Gateway %s/%s cannot resolve its backend yet: %s: %s", gw.Namespace, gw.Name, c.Reason, c.Message)
				}
			}
			return ready()
		}
		return waiting(kind, name, "waiting for Gateway %s/%s to accept it", gw.Namespace, gw.Name)
	}
}

func findCondition(cs []metav1.Condition, t string) *metav1.Condition {
	for i := range cs {
		if cs[i].Type == t {
			return &cs[i]
		}
	}
	return nil
}

// autoscalerHealth is ready once the autoscaler reports it is able to scale the Deployment.
func autoscalerHealth(name string) func(*structpb.Struct) health {
	const kind = "HorizontalPodAutoscaler"
	return func(obs *structpb.Struct) health {
		if obs == nil {
			return waiting(kind, name, "not created yet")
		}
		var st autoscalingv2.HorizontalPodAutoscalerStatus
		if err := pbjson.DecodeField(obs, "status", &st); err != nil {
			return waiting(kind, name, "cannot read status: %v", err)
		}
		for _, c := range st.Conditions {
			if c.Type != autoscalingv2.AbleToScale {
				continue
			}
			if c.Status == corev1.ConditionTrue {
				return ready()
			}
			return waiting(kind, name, "cannot scale: %s: %s", c.Reason, c.Message)
		}
		return waiting(kind, name, "waiting for the autoscaler's first check")
	}
}

// managedHealth is the readiness of a Crossplane managed resource, for objects whose health is
// judged when Crossplane hands over their observed state.
func managedHealth(kind, name string) func(*structpb.Struct) health {
	return func(obs *structpb.Struct) health { return mrHealth(kind, name, obs) }
}

// mrHealth follows the managed resource convention: Ready=True means the external resource exists
// and is usable, and stays ready even while a later update fails to sync (the database still
// serves). Otherwise the provider's own words say why: a failing Synced condition first (bad
// credentials, a rejected spec), else the Ready condition's reason and message.
func mrHealth(kind, name string, obs *structpb.Struct) health {
	cs, h := statusConditions(kind, name, obs)
	if h != nil {
		return *h
	}
	rc, sc := findCondition(cs, "Ready"), findCondition(cs, "Synced")
	switch {
	case rc != nil && rc.Status == metav1.ConditionTrue:
		return ready()
	case sc != nil && sc.Status == metav1.ConditionFalse && refused(sc.Message):
		return failing(kind, name, "%s: %s", sc.Reason, oneLine(sc.Message))
	case sc != nil && sc.Status == metav1.ConditionFalse:
		return waiting(kind, name, "%s: %s", sc.Reason, oneLine(sc.Message))
	case rc != nil && rc.Message != "":
		return waiting(kind, name, "%s: %s", rc.Reason, oneLine(rc.Message))
	case rc != nil:
		return waiting(kind, name, "%s", rc.Reason)
	}
	return waiting(kind, name, "waiting for its provider to report Ready")
}

// refused says whether a managed resource's Synced message is its backend refusing what was asked:
// crossplane-runtime's managed reconciler starts it with "create failed" or "update failed" then.
// That will not fix itself. A failure to connect or observe may (the backend is down), and waits.
func refused(msg string) bool {
	return strings.HasPrefix(msg, "create failed") || strings.HasPrefix(msg, "update failed")
}

// oneLine folds a provider's message onto one line: backends answer with newlines and indentation
// that break a condition's message in kubectl's tables.
func oneLine(msg string) string {
	return strings.Join(strings.Fields(msg), " ")
}

// statusConditions reads an observed object's status conditions; h is its health instead when there
// is no object, or no status to read.
func statusConditions(kind, name string, obs *structpb.Struct) (cs []metav1.Condition, h *health) {
	if obs == nil {
		w := waiting(kind, name, "not created yet")
		return nil, &w
	}
	var st struct {
		Conditions []metav1.Condition `json:"conditions"`
	}
	if err := pbjson.DecodeField(obs, "status", &st); err != nil {
		w := waiting(kind, name, "cannot read status: %v", err)
		return nil, &w
	}
	return st.Conditions, nil
}
