package v1alpha1

// Metrics is where the app serves Prometheus metrics.
type Metrics struct {
	// Port names the port in spec.ports that serves metrics. It is on the app's Service, which the
	// platform's Prometheus discovers through a ServiceMonitor.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=15
	Port string `json:"port"`

	// Path of the metrics endpoint.
	// +optional
	// +kubebuilder:default="/metrics"
	// +kubebuilder:validation:Pattern=`^/`
	// +kubebuilder:validation:MaxLength=256
	Path string `json:"path,omitempty"`
}

// SLO is an app's service level objective over a rolling window: the share of requests that must
// succeed, and optionally the share that must be faster than a threshold.
type SLO struct {
	// Availability is the percentage of requests that must succeed, e.g. "99.9".
	// +kubebuilder:validation:Pattern=`^(9[0-9](\.[0-9]{1,3})?)$`
	Availability string `json:"availability"`

	// Latency objective: the percentage of requests that must be served within the threshold.
	// +optional
	Latency *LatencyObjective `json:"latency,omitempty"`

	// Window the objective is measured over.
	// +optional
	// +kubebuilder:default="30d"
	// +kubebuilder:validation:Enum="7d";"28d";"30d"
	Window string `json:"window,omitempty"`
}

// LatencyObjective is the share of requests that must be faster than a threshold.
type LatencyObjective struct {
	// Threshold a request must be served within, e.g. "300ms" (a bucket boundary of the
	// platform's latency histogram).
	// +kubebuilder:validation:Pattern=`^[0-9]+(\.[0-9]+)?(ms|s)$`
	Threshold string `json:"threshold"`

	// Percent of requests that must be faster, e.g. "99".
	// +kubebuilder:validation:Pattern=`^(9[0-9](\.[0-9]{1,3})?)$`
	Percent string `json:"percent"`
}
