package v1beta1

// Monitoring is how apps are scraped and alerted on.
type Monitoring struct {
	// Labels every ServiceMonitor and PrometheusRule carries, so that the platform's Prometheus
	// selects them: its serviceMonitorSelector and ruleSelector (kube-prometheus-stack selects
	// `release: <its release name>` unless told otherwise).
	// +optional
	Labels map[string]string `json:"labels,omitempty"`

	// Interval between scrapes, e.g. 30s. Default: the Prometheus' own.
	// +optional
	// +kubebuilder:validation:Pattern=`^[0-9]+(ms|s|m)$`
	Interval string `json:"interval,omitempty"`

	// Prometheus is where the platform's Prometheus runs, so that an app's network policy lets it
	// scrape the metrics port.
	// +optional
	Prometheus *Prometheus `json:"prometheus,omitempty"`

	// Alerts every app gets from kube-state-metrics' series. Set to turn them on.
	// +optional
	Alerts *Alerts `json:"alerts,omitempty"`

	// SLI are query templates of the platform's request metrics (its gateway's, or a mesh's), from
	// which an app's SLO becomes burn-rate alerts. `{namespace}` and `{name}` are the app's,
	// `{window}` a range such as 5m, `{threshold}` the latency objective in seconds.
	// +optional
	SLI *SLI `json:"sli,omitempty"`
}

// Prometheus locates the platform's Prometheus pods.
type Prometheus struct {
	// Namespace Prometheus runs in.
	// +kubebuilder:validation:MinLength=1
	Namespace string `json:"namespace"`

	// PodLabels select the Prometheus pods.
	// +kubebuilder:validation:MinProperties=1
	PodLabels map[string]string `json:"podLabels"`
}

// Alerts are the thresholds of the alerts every app gets. Durations are Prometheus durations.
type Alerts struct {
	// UnavailableFor is how long replicas may be unavailable before an alert.
	// +optional
	// +kubebuilder:default="15m"
	UnavailableFor string `json:"unavailableFor,omitempty"`

	// RestartsPerHour a container may have before an alert.
	// +optional
	// +kubebuilder:default=3
	// +kubebuilder:validation:Minimum=1
	RestartsPerHour int32 `json:"restartsPerHour,omitempty"`

	// RolloutStuckFor is how long a rollout may stall before an alert.
	// +optional
	// +kubebuilder:default="15m"
	RolloutStuckFor string `json:"rolloutStuckFor,omitempty"`

	// AtMaxReplicasFor is how long an autoscaler may stay at its maximum before an alert.
	// +optional
	// +kubebuilder:default="30m"
	AtMaxReplicasFor string `json:"atMaxReplicasFor,omitempty"`

	// Labels added to every alert, e.g. severity, on top of app, namespace and team.
	// +optional
	Labels map[string]string `json:"labels,omitempty"`
}

// SLI are PromQL templates of a ratio of bad requests to all requests over `{window}`.
type SLI struct {
	// Errors is the ratio of failed requests, e.g.
	// `sum(rate(http_requests_total{namespace="{namespace}",app="{name}",code=~"5.."}[{window}])) / sum(rate(http_requests_total{namespace="{namespace}",app="{name}"}[{window}]))`.
	// +optional
	Errors string `json:"errors,omitempty"`

	// Slow is the ratio of requests slower than `{threshold}` seconds.
	// +optional
	Slow string `json:"slow,omitempty"`
}
