package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// Outcomes of a rollout.
const (
	DeployInProgress = "InProgress"
	DeploySucceeded  = "Succeeded"
	DeployFailed     = "Failed"
)

// DeployStatus is the app's latest rollout, read from its Deployment.
type DeployStatus struct {
	// Revision is the Deployment's rollout revision (`kubectl rollout history`).
	Revision int64 `json:"revision"`

	// Image the rollout runs.
	Image string `json:"image"`

	// Outcome of the rollout: InProgress, Succeeded (every replica updated and available) or
	// Failed (stalled past its progress deadline, or its pods cannot be created).
	// +kubebuilder:validation:Enum=InProgress;Succeeded;Failed
	Outcome string `json:"outcome"`

	// Time the rollout last progressed: when it finished, for one that did.
	// +optional
	Time *metav1.Time `json:"time,omitempty"`
}

// Links point a developer at what the platform offers for the app.
type Links struct {
	// Dashboard of the app.
	// +optional
	Dashboard string `json:"dashboard,omitempty"`

	// Metrics of the app: a query in the platform's metrics UI.
	// +optional
	Metrics string `json:"metrics,omitempty"`
}
