package v1beta1

// Scaling lets apps scale on requests and queues through KEDA (`autoscaling.requestsPerSecond`,
// `autoscaling.queue`). KEDA must run in the cluster; an app scaled this way gets a ScaledObject
// instead of a HorizontalPodAutoscaler.
type Scaling struct {
	// AllowScaleToZero lets apps set `autoscaling.min: 0`: no pods while no requests or messages
	// arrive, and a cold start for the first that do. Off by default.
	// +optional
	AllowScaleToZero bool `json:"allowScaleToZero,omitempty"`

	// RequestRate is how the platform measures an app's request rate, for `requestsPerSecond`.
	// Unset, apps may not scale on requests.
	// +optional
	RequestRate *RequestRateScaling `json:"requestRate,omitempty"`

	// Queues are the brokers apps may scale on, for `queue`. Empty, apps may not scale on queues.
	// +optional
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MaxItems=16
	Queues []QueueBroker `json:"queues,omitempty"`

	// PollingInterval is how often, in seconds, KEDA checks each app's requests or queue. KEDA's
	// default (30) when unset.
	// +optional
	// +kubebuilder:validation:Minimum=1
	PollingInterval *int32 `json:"pollingInterval,omitempty"`

	// CooldownPeriod is how long, in seconds, an app with `min: 0` must have been idle before it is
	// scaled to zero. KEDA's default (300) when unset.
	// +optional
	// +kubebuilder:validation:Minimum=0
	CooldownPeriod *int32 `json:"cooldownPeriod,omitempty"`
}

// RequestRateScaling is a Prometheus query for an app's requests per second.
type RequestRateScaling struct {
	// ServerAddress of the Prometheus that holds the gateway's request counter, e.g.
	// `http://prometheus.monitoring.svc:9090`.
	// +kubebuilder:validation:Pattern=`^https?://`
	ServerAddress string `json:"serverAddress"`

	// Query for one app's requests per second, across all its replicas: `{namespace}` and `{name}`
	// are the app's, e.g.
	// `sum(rate(gateway_http_requests_total{namespace="{namespace}",app="{name}"}[1m]))`.
	// +kubebuilder:validation:MinLength=1
	Query string `json:"query"`

	// Metadata are further settings of KEDA's prometheus trigger the platform fixes, e.g.
	// `authModes: bearer` with Authentication, or `activationThreshold`.
	// +optional
	Metadata map[string]string `json:"metadata,omitempty"`

	// Authentication KEDA uses to query Prometheus, when it needs any.
	// +optional
	Authentication *ScalerAuthentication `json:"authentication,omitempty"`
}

// QueueType is the kind of broker, named as KEDA's scaler is.
// +kubebuilder:validation:Enum=rabbitmq;aws-sqs-queue;kafka
type QueueType string

// Queue types.
const (
	QueueRabbitMQ QueueType = "rabbitmq"
	QueueSQS      QueueType = "aws-sqs-queue"
	QueueKafka    QueueType = "kafka"
)

// QueueBroker is a broker apps may scale on.
type QueueBroker struct {
	// Name apps refer to the broker by, in `queue.broker`.
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	Name string `json:"name"`

	// Type of broker: rabbitmq, aws-sqs-queue or kafka.
	Type QueueType `json:"type"`

	// Metadata are the trigger's settings the platform fixes for every app, as KEDA's scaler
	// documents them: `awsRegion` for SQS, `bootstrapServers` for Kafka, `vhostName` for RabbitMQ.
	// The queue, the consumer group and the target come from the app.
	// +optional
	Metadata map[string]string `json:"metadata,omitempty"`

	// Authentication KEDA uses to reach the broker (a RabbitMQ `host` with credentials, an AWS
	// identity, SASL for Kafka): credentials live there, never in an app.
	Authentication ScalerAuthentication `json:"authentication"`
}

// ScalerAuthentication names a KEDA TriggerAuthentication, which must exist in each app's namespace
// (copying it there is the platform's job), or a ClusterTriggerAuthentication.
type ScalerAuthentication struct {
	// Kind: ClusterTriggerAuthentication (default) or TriggerAuthentication.
	// +optional
	// +kubebuilder:validation:Enum=ClusterTriggerAuthentication;TriggerAuthentication
	Kind string `json:"kind,omitempty"`

	// Name of the authentication.
	// +kubebuilder:validation:MinLength=1
	Name string `json:"name"`
}
