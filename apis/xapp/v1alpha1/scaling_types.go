package v1alpha1

// EventScaling scales the app on what it serves rather than on what it uses: requests per second or
// messages waiting in a queue, through KEDA. KEDA can scale such an app to zero and wake it when
// requests or messages arrive; CPU and memory cannot, since an app with no pods uses neither.
type EventScaling struct {
	// RequestsPerSecond each replica should serve: the app runs enough replicas to keep its request
	// rate, as the platform's gateway counts it, at this many per replica. Refused unless the
	// platform measures request rates.
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=100000
	RequestsPerSecond *int32 `json:"requestsPerSecond,omitempty"`

	// Queue scales the app on the messages waiting in a queue of one of the platform's brokers.
	// +optional
	Queue *QueueScaling `json:"queue,omitempty"`
}

// QueueScaling is a queue the app consumes, and how many waiting messages one replica handles.
type QueueScaling struct {
	// Broker names one of the platform's queue brokers; the platform's first when unset. The platform
	// holds the broker's address and credentials: the app never sees them.
	// +optional
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	Broker string `json:"broker,omitempty"`

	// Name of the queue: a RabbitMQ queue, an SQS queue (its name or URL), a Kafka topic.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=1024
	Name string `json:"name"`

	// MessagesPerReplica is how many waiting messages (for Kafka, the consumer group's lag) one
	// replica should have to work through.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=1000000
	MessagesPerReplica int32 `json:"messagesPerReplica"`

	// ConsumerGroup the app reads a Kafka topic in; required for Kafka and only there.
	// +optional
	// +kubebuilder:validation:MaxLength=255
	ConsumerGroup string `json:"consumerGroup,omitempty"`
}
