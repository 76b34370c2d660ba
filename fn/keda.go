package fn

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"google.golang.org/protobuf/types/known/structpb"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
	"github.com/xapp-dev/xapp/input/v1beta1"
)

// ResourceScaledObject is the composition resource name of the app's KEDA ScaledObject. It differs
// from the HorizontalPodAutoscaler's, so an app that moves from one to the other has the old one
// deleted rather than turned into the other kind.
const ResourceScaledObject = "scaled-object"

// Names of the ScaledObject's triggers; KEDA names the external metrics after them.
const (
	triggerRequests = "requests"
	triggerQueue    = "queue"
)

// The ScaledObject fields the function composes. KEDA's Go module would pull its controllers and
// every scaler's client into the function for these few structs; the render tests validate what
// they produce against KEDA's real CRD.
type scaledObject struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              scaledObjectSpec `json:"spec"`
}

type scaledObjectSpec struct {
	ScaleTargetRef  kedaScaleTarget `json:"scaleTargetRef"`
	MinReplicaCount *int32          `json:"minReplicaCount,omitempty"`
	MaxReplicaCount *int32          `json:"maxReplicaCount,omitempty"`
	PollingInterval *int32          `json:"pollingInterval,omitempty"`
	CooldownPeriod  *int32          `json:"cooldownPeriod,omitempty"`
	Triggers        []kedaTrigger   `json:"triggers"`
}

type kedaScaleTarget struct {
	APIVersion string `json:"apiVersion,omitempty"`
	Kind       string `json:"kind,omitempty"`
	Name       string `json:"name"`
}

type kedaTrigger struct {
	Type              string            `json:"type"`
	Name              string            `json:"name,omitempty"`
	MetricType        string            `json:"metricType,omitempty"`
	Metadata          map[string]string `json:"metadata"`
	AuthenticationRef *kedaAuthRef      `json:"authenticationRef,omitempty"`
}

type kedaAuthRef struct {
	Kind string `json:"kind,omitempty"`
	Name string `json:"name"`
}

// eventScaled apps scale on requests or a queue: KEDA, not a HorizontalPodAutoscaler of ours.
func (a *app) eventScaled() bool {
	return a.spec.Autoscaling != nil && isEventScaling(a.spec.Autoscaling)
}

func isEventScaling(as *v1alpha1.Autoscaling) bool {
	return as.RequestsPerSecond != nil || as.Queue != nil
}

// hpaName is the HorizontalPodAutoscaler that scales the app: ours, or the one KEDA makes for the
// app's ScaledObject, which KEDA names so.
func (a *app) hpaName() string {
	if a.eventScaled() {
		return "keda-hpa-" + a.name
	}
	return a.name
}

// scaledObjectFor scales the Deployment on requests per second and/or queue length through KEDA;
// nil unless the app asks for either. Policy has checked that the platform offers what is asked.
// Each target is an average per replica (KEDA's AverageValue), so "50 requests/s" means 50 for
// every replica the app runs.
func scaledObjectFor(a *app) *scaledObject {
	if !a.eventScaled() {
		return nil
	}
	as, s := a.spec.Autoscaling, a.in.Scaling
	so := &scaledObject{
		TypeMeta:   metav1.TypeMeta{APIVersion: "keda.sh/v1alpha1", Kind: "ScaledObject"},
		ObjectMeta: a.objectMeta(a.name),
		Spec: scaledObjectSpec{
			ScaleTargetRef:  kedaScaleTarget{APIVersion: "apps/v1", Kind: "Deployment", Name: a.name},
			MinReplicaCount: ptr.To(as.Min),
			MaxReplicaCount: ptr.To(as.Max),
			PollingInterval: s.PollingInterval,
			CooldownPeriod:  s.CooldownPeriod,
			Triggers:        make([]kedaTrigger, 0, 2),
		},
	}
	if rps := as.RequestsPerSecond; rps != nil {
		rr := s.RequestRate
		md := make(map[string]string, len(rr.Metadata)+3)
		maps.Copy(md, rr.Metadata)
		md["serverAddress"] = rr.ServerAddress
		md["query"] = strings.NewReplacer("{namespace}", a.namespace, "{name}", a.name).Replace(rr.Query)
		md["threshold"] = strconv.Itoa(int(*rps))
		so.Spec.Triggers = append(so.Spec.Triggers, kedaTrigger{
			Type: "prometheus", Name: triggerRequests, MetricType: "AverageValue", Metadata: md, AuthenticationRef: authRef(rr.Authentication),
		})
	}
	if q := as.Queue; q != nil {
		b, _ := broker(s, q.Broker)
		so.Spec.Triggers = append(so.Spec.Triggers, kedaTrigger{
			Type: string(b.Type), Name: triggerQueue, MetricType: "AverageValue", Metadata: queueMetadata(b, q), AuthenticationRef: authRef(&b.Authentication),
		})
	}
	return so
}

// queueMetadata is the platform's settings of a broker's trigger with the app's queue and target in
// the keys KEDA's scaler for that broker reads.
func queueMetadata(b v1beta1.QueueBroker, q *v1alpha1.QueueScaling) map[string]string {
	md := make(map[string]string, len(b.Metadata)+3)
	maps.Copy(md, b.Metadata)
	n := strconv.Itoa(int(q.MessagesPerReplica))
	switch b.Type {
	case v1beta1.QueueRabbitMQ:
		md["queueName"], md["mode"], md["value"] = q.Name, "QueueLength", n
	case v1beta1.QueueSQS:
		md["queueURL"], md["queueLength"] = q.Name, n
	case v1beta1.QueueKafka:
		md["topic"], md["consumerGroup"], md["lagThreshold"] = q.Name, q.ConsumerGroup, n
	}
	return md
}

func authRef(auth *v1beta1.ScalerAuthentication) *kedaAuthRef {
	if auth == nil {
		return nil
	}
	kind := auth.Kind
	if kind == "" {
		kind = "ClusterTriggerAuthentication"
	}
	return &kedaAuthRef{Kind: kind, Name: auth.Name}
}

// broker is the platform's broker of that name, or its first when name is empty.
func broker(s *v1beta1.Scaling, name string) (v1beta1.QueueBroker, bool) {
	for _, b := range s.Queues {
		if name == "" || b.Name == name {
			return b, true
		}
	}
	return v1beta1.QueueBroker{}, false
}

// validateEventScaling checks what the XRD's rules check of event scaling: utilisation targets
// and events are one autoscaler or the other, and only events can wake an app scaled to zero.
func validateEventScaling(ap *field.Path, as *v1alpha1.Autoscaling) field.ErrorList {
	var errs field.ErrorList
	event := isEventScaling(as)
	if event && (as.TargetCPUUtilization != nil || as.TargetMemoryUtilization != nil) {
		errs = append(errs, field.Forbidden(ap, "set utilisation targets (an HPA) or requestsPerSecond and queue (a KEDA ScaledObject), not both: KEDA makes its own HPA"))
	}
	if as.Min == 0 && !event {
		errs = append(errs, field.Invalid(ap.Child("min"), as.Min, "0 needs requestsPerSecond or queue: CPU and memory cannot wake an app that runs no pods"))
	}
	if r := as.RequestsPerSecond; r != nil && (*r < 1 || *r > 100000) {
		errs = append(errs, field.Invalid(ap.Child("requestsPerSecond"), *r, "must be between 1 and 100000"))
	}
	if q := as.Queue; q != nil {
		qp := ap.Child("queue")
		if q.Name == "" {
			errs = append(errs, field.Required(qp.Child("name"), "the queue (or Kafka topic) to scale on"))
		}
		if q.MessagesPerReplica < 1 {
			errs = append(errs, field.Invalid(qp.Child("messagesPerReplica"), q.MessagesPerReplica, "must be at least 1"))
		}
	}
	return errs
}

// scalingPolicy checks event scaling against what the platform offers: a request rate it
// measures, a broker it names, scaling to zero where it allows it.
func scalingPolicy(a *app) field.ErrorList {
	as, s := a.spec.Autoscaling, a.in.Scaling
	if as.Min > 0 && !isEventScaling(as) {
		// An HPA on CPU and memory: nothing of the platform's to check, and nothing to allocate.
		return nil
	}
	ap := field.NewPath("spec", "autoscaling")
	var errs field.ErrorList
	if as.Min == 0 && (s == nil || !s.AllowScaleToZero) {
		errs = append(errs, field.Forbidden(ap.Child("min"), "the platform does not allow scaling to zero (its Input's scaling.allowScaleToZero): set min to 1 or more"))
	}
	if as.RequestsPerSecond != nil && (s == nil || s.RequestRate == nil) {
		errs = append(errs, field.Forbidden(ap.Child("requestsPerSecond"), "the platform does not measure request rates for scaling (its Input has no scaling.requestRate): scale on CPU with targetCPUUtilization"))
	}
	if q := as.Queue; q != nil {
		errs = append(errs, queuePolicy(ap.Child("queue"), s, q)...)
	}
	return errs
}

func queuePolicy(qp *field.Path, s *v1beta1.Scaling, q *v1alpha1.QueueScaling) field.ErrorList {
	if s == nil || len(s.Queues) == 0 {
		return field.ErrorList{field.Forbidden(qp, "the platform offers no queue brokers to scale on (its Input has no scaling.queues)")}
	}
	b, ok := broker(s, q.Broker)
	if !ok {
		names := make([]string, len(s.Queues))
		for i, b := range s.Queues {
			names[i] = b.Name
		}
		return field.ErrorList{field.NotSupported(qp.Child("broker"), q.Broker, names)}
	}
	switch {
	case b.Type == v1beta1.QueueKafka && q.ConsumerGroup == "":
		return field.ErrorList{field.Required(qp.Child("consumerGroup"), fmt.Sprintf("broker %s is Kafka: the consumer group whose lag to scale on", b.Name))}
	case b.Type != v1beta1.QueueKafka && q.ConsumerGroup != "":
		return field.ErrorList{field.Forbidden(qp.Child("consumerGroup"), fmt.Sprintf("broker %s is %s: only Kafka has consumer groups", b.Name, b.Type))}
	}
	return nil
}

// scaledObjectHealth is ready once KEDA reports the ScaledObject Ready: its target exists and its
// triggers can be read. Scaled to zero, it stays Ready (and inactive).
func scaledObjectHealth(name string) func(*structpb.Struct) health {
	return readyConditionHealth("ScaledObject", name, "waiting for KEDA to check its target and triggers", nil)
}

// readyConditionHealth judges an object by its Ready condition, in the words of its controller.
// Ready=False with one of failedReasons will not fix itself without a change (a secret path that
// does not exist): it is reported as failed, ahead of what merely waits.
func readyConditionHealth(kind, name, before string, failedReasons []string) func(*structpb.Struct) health {
	return func(obs *structpb.Struct) health {
		cs, h := statusConditions(kind, name, obs)
		if h != nil {
			return *h
		}
		c := findCondition(cs, "Ready")
		switch {
		case c == nil || c.Status == metav1.ConditionUnknown && c.Message == "":
			return waiting(kind, name, "%s", before)
		case c.Status == metav1.ConditionTrue:
			return ready()
		}
		if slices.Contains(failedReasons, c.Reason) {
			return failing(kind, name, "%s: %s", c.Reason, oneLine(c.Message))
		}
		return waiting(kind, name, "%s: %s", c.Reason, oneLine(c.Message))
	}
}
