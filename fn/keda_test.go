package fn

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/types/known/structpb"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
	"github.com/xapp-dev/xapp/input/v1beta1"
)

// withKEDA is a platform that measures request rates through its gateway's counter and offers a
// RabbitMQ and a Kafka broker.
func withKEDA(scaleToZero bool) inputMod {
	return func(in *v1beta1.Input) {
		in.Scaling = &v1beta1.Scaling{
			AllowScaleToZero: scaleToZero,
			CooldownPeriod:   ptr.To(int32(120)),
			RequestRate: &v1beta1.RequestRateScaling{
				ServerAddress: "http://prometheus.monitoring.svc:9090",
				Query:         `sum(rate(gateway_http_requests_total{namespace="{namespace}",app="{name}"}[1m]))`,
			},
			Queues: []v1beta1.QueueBroker{
				{Name: "rabbit", Type: v1beta1.QueueRabbitMQ, Metadata: map[string]string{"vhostName": "apps"}, Authentication: v1beta1.ScalerAuthentication{Name: "rabbit"}},
				{Name: "events", Type: v1beta1.QueueKafka, Metadata: map[string]string{"bootstrapServers": "kafka.events.svc:9092"},
					Authentication: v1beta1.ScalerAuthentication{Kind: "TriggerAuthentication", Name: "kafka-sasl"}},
			},
		}
	}
}

func withEvents(lo, hi int32, rps *int32, q *v1alpha1.QueueScaling) specMod {
	return func(s *v1alpha1.XAppSpec) {
		s.Autoscaling = &v1alpha1.Autoscaling{Min: lo, Max: hi, EventScaling: v1alpha1.EventScaling{RequestsPerSecond: rps, Queue: q}}
	}
}

func TestScaledObject(t *testing.T) {
	cases := map[string]struct {
		reason string
		in     []inputMod
		mods   []specMod
		golden string
	}{
		"CPUOnly": {
			reason: "An app scaled on CPU gets an HPA, not a ScaledObject.",
			in:     []inputMod{withKEDA(true)},
			mods:   []specMod{withAutoscaling(2, 5)},
		},
		"Requests": {
			reason: "Requests per second per replica: a prometheus trigger on the platform's query for this app, averaged over replicas.",
			in:     []inputMod{withKEDA(false)},
			mods:   []specMod{withEvents(2, 10, ptr.To(int32(50)), nil)},
			golden: "scaledobject-requests.yaml",
		},
		"QueueToZero": {
			reason: "A Kafka topic's lag scales the app from zero, the broker's address and credentials the platform's.",
			in:     []inputMod{withKEDA(true)},
			mods:   []specMod{withEvents(0, 8, nil, &v1alpha1.QueueScaling{Broker: "events", Name: "orders", MessagesPerReplica: 100, ConsumerGroup: "shop"})},
			golden: "scaledobject-kafka.yaml",
		},
		"RequestsAndQueue": {
			reason: "Both triggers: the first broker when the app names none; KEDA scales to the larger need.",
			in:     []inputMod{withKEDA(true)},
			mods:   []specMod{withEvents(1, 20, ptr.To(int32(30)), &v1alpha1.QueueScaling{Name: "orders", MessagesPerReplica: 20})},
			golden: "scaledobject-requests-rabbitmq.yaml",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			a := testApp(t, tc.in, tc.mods...)
			so := scaledObjectFor(a)
			if tc.golden == "" {
				if so != nil {
					t.Errorf("%s\nscaledObjectFor(): got a ScaledObject, want none", tc.reason)
				}
				if autoscaler(a) == nil {
					t.Errorf("%s\nautoscaler(): got none, want the HPA", tc.reason)
				}
				return
			}
			if hpa := autoscaler(a); hpa != nil {
				t.Errorf("%s\nautoscaler(): got an HPA next to the ScaledObject; KEDA makes its own", tc.reason)
			}
			golden(t, tc.golden, so)
		})
	}
}

func TestValidateEventScaling(t *testing.T) {
	cases := map[string]struct {
		reason string
		as     v1alpha1.Autoscaling
		want   []string
	}{
		"Requests": {reason: "Requests per second alone is valid.", as: v1alpha1.Autoscaling{Min: 1, Max: 3, EventScaling: v1alpha1.EventScaling{RequestsPerSecond: ptr.To(int32(10))}}},
		"Both": {
			reason: "Utilisation targets and events would be an HPA and a ScaledObject: refused.",
			as:     v1alpha1.Autoscaling{Min: 1, Max: 3, TargetCPUUtilization: ptr.To(int32(70)), EventScaling: v1alpha1.EventScaling{RequestsPerSecond: ptr.To(int32(10))}},
			want:   []string{"spec.autoscaling: Forbidden: set utilisation targets (an HPA) or requestsPerSecond and queue (a KEDA ScaledObject), not both: KEDA makes its own HPA"},
		},
		"ZeroOnCPU": {
			reason: "Nothing wakes an app scaled to zero on CPU.",
			as:     v1alpha1.Autoscaling{Min: 0, Max: 3},
			want:   []string{"spec.autoscaling.min: Invalid value: 0: 0 needs requestsPerSecond or queue: CPU and memory cannot wake an app that runs no pods"},
		},
		"BadQueue": {
			reason: "A queue needs a name and a target, as the XRD says.",
			as:     v1alpha1.Autoscaling{Min: 0, Max: 3, EventScaling: v1alpha1.EventScaling{RequestsPerSecond: ptr.To(int32(0)), Queue: &v1alpha1.QueueScaling{}}},
			want: []string{
				"spec.autoscaling.requestsPerSecond: Invalid value: 0: must be between 1 and 100000",
				"spec.autoscaling.queue.name: Required value: the queue (or Kafka topic) to scale on",
				"spec.autoscaling.queue.messagesPerReplica: Invalid value: 0: must be at least 1",
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := verdictOf(nil, validateEventScaling(field.NewPath("spec", "autoscaling"), &tc.as))
			if diff := cmp.Diff(tc.want, got.errs); diff != "" {
				t.Errorf("%s\nvalidateEventScaling(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestScalingPolicy(t *testing.T) {
	cases := map[string]struct {
		reason string
		in     []inputMod
		mod    specMod
		want   []string
	}{
		"NoKEDA": {
			reason: "A platform without KEDA scaling refuses requests and queues, naming the fields.",
			mod:    withEvents(1, 3, ptr.To(int32(10)), &v1alpha1.QueueScaling{Name: "orders", MessagesPerReplica: 5}),
			want: []string{
				"spec.autoscaling.requestsPerSecond: Forbidden: the platform does not measure request rates for scaling (its Input has no scaling.requestRate): scale on CPU with targetCPUUtilization",
				"spec.autoscaling.queue: Forbidden: the platform offers no queue brokers to scale on (its Input has no scaling.queues)",
			},
		},
		"ZeroNotAllowed": {
			reason: "Scale to zero only where the platform allows it.",
			in:     []inputMod{withKEDA(false)},
			mod:    withEvents(0, 3, ptr.To(int32(10)), nil),
			want:   []string{"spec.autoscaling.min: Forbidden: the platform does not allow scaling to zero (its Input's scaling.allowScaleToZero): set min to 1 or more"},
		},
		"ZeroAllowed": {reason: "Scale to zero where the platform allows it.", in: []inputMod{withKEDA(true)}, mod: withEvents(0, 3, ptr.To(int32(10)), nil)},
		"UnknownBroker": {
			reason: "A broker the platform does not offer is named with those it does.",
			in:     []inputMod{withKEDA(true)},
			mod:    withEvents(1, 3, nil, &v1alpha1.QueueScaling{Broker: "sqs", Name: "orders", MessagesPerReplica: 5}),
			want:   []string{`spec.autoscaling.queue.broker: Unsupported value: "sqs": supported values: "rabbit", "events"`},
		},
		"KafkaWithoutGroup": {
			reason: "Kafka lag is a consumer group's.",
			in:     []inputMod{withKEDA(true)},
			mod:    withEvents(1, 3, nil, &v1alpha1.QueueScaling{Broker: "events", Name: "orders", MessagesPerReplica: 5}),
			want:   []string{"spec.autoscaling.queue.consumerGroup: Required value: broker events is Kafka: the consumer group whose lag to scale on"},
		},
		"GroupOnRabbit": {
			reason: "A consumer group means nothing to RabbitMQ.",
			in:     []inputMod{withKEDA(true)},
			mod:    withEvents(1, 3, nil, &v1alpha1.QueueScaling{Broker: "rabbit", Name: "orders", MessagesPerReplica: 5, ConsumerGroup: "shop"}),
			want:   []string{"spec.autoscaling.queue.consumerGroup: Forbidden: broker rabbit is rabbitmq: only Kafka has consumer groups"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := verdictOf(nil, scalingPolicy(testApp(t, tc.in, tc.mod)))
			if diff := cmp.Diff(tc.want, got.errs); diff != "" {
				t.Errorf("%s\nscalingPolicy(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestScaledObjectHealth(t *testing.T) {
	so := func(status string) *structpb.Struct {
		return mustStruct(t, "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: shop}\nstatus: "+status)
	}
	cases := map[string]struct {
		reason string
		obs    *structpb.Struct
		want   health
	}{
		"Missing":  {reason: "Not created yet.", want: health{why: "ScaledObject shop: not created yet"}},
		"NoStatus": {reason: "KEDA has not looked at it yet.", obs: so(`{}`), want: health{why: "ScaledObject shop: waiting for KEDA to check its target and triggers"}},
		"NotReady": {
			reason: "KEDA cannot scale the target: its own words.",
			obs:    so(`{conditions: [{type: Ready, status: "False", reason: ScaledObjectCheckFailed, message: "ScaledObject doesn't have correct scaleTargetRef specification"}]}`),
			want:   health{why: "ScaledObject shop: ScaledObjectCheckFailed: ScaledObject doesn't have correct scaleTargetRef specification"},
		},
		"ReadyAtZero": {
			reason: "Ready and inactive: scaled to zero is healthy.",
			obs:    so(`{conditions: [{type: Ready, status: "True", reason: ScaledObjectReady}, {type: Active, status: "False", reason: ScalerNotActive}]}`),
			want:   ready(),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, scaledObjectHealth("shop")(tc.obs), cmp.AllowUnexported(health{})); diff != "" {
				t.Errorf("%s\nscaledObjectHealth(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestHPAName(t *testing.T) {
	cases := map[string]struct {
		reason string
		mod    specMod
		want   string
	}{
		"OurHPA":  {reason: "The app's own HPA has its name.", mod: withAutoscaling(2, 5), want: "shop"},
		"KEDAHPA": {reason: "KEDA names the HPA it makes for a ScaledObject; the at-max alert must watch that one.", mod: withEvents(2, 5, ptr.To(int32(10)), nil), want: "keda-hpa-shop"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := testApp(t, []inputMod{withKEDA(false)}, tc.mod).hpaName(); got != tc.want {
				t.Errorf("%s\nhpaName(): got %q, want %q", tc.reason, got, tc.want)
			}
		})
	}
}
