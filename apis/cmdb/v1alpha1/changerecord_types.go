package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// ChangeOutcome is how the recorded change ended.
// +kubebuilder:validation:Enum=Successful;Unsuccessful
type ChangeOutcome string

// Change outcomes: ServiceNow close_code successful and unsuccessful.
const (
	ChangeSuccessful   ChangeOutcome = "Successful"
	ChangeUnsuccessful ChangeOutcome = "Unsuccessful"
)

// ChangeRecordParameters say what changed, on which record, and how it ended. A change record
// is history: none of it can change once written (the record's id is filled in once, by reference).
// +kubebuilder:validation:XValidation:rule="self.correlationId == oldSelf.correlationId && self.title == oldSelf.title && self.description == oldSelf.description && self.outcome == oldSelf.outcome && self.closeNotes == oldSelf.closeNotes",message="a change record cannot change"
type ChangeRecordParameters struct {
	// ConfigurationItemID is the backend id of the changed record. Set it directly for a record
	// provider-cmdb does not manage, or let configurationItemRef fill it in.
	// +optional
	// +crossplane:generate:reference:type=ConfigurationItem
	// +crossplane:generate:reference:refFieldName=ConfigurationItemRef
	// +crossplane:generate:reference:selectorFieldName=ConfigurationItemSelector
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="configurationItemId is immutable"
	ConfigurationItemID *string `json:"configurationItemId,omitempty"`

	// ConfigurationItemRef names the ConfigurationItem whose record changed.
	// +optional
	ConfigurationItemRef *xpv2.NamespacedReference `json:"configurationItemRef,omitempty"`

	// ConfigurationItemSelector selects the ConfigurationItem whose record changed.
	// +optional
	ConfigurationItemSelector *xpv2.NamespacedSelector `json:"configurationItemSelector,omitempty"`

	// CorrelationID identifies this change in the CMDB across retries and crashes: ServiceNow's
	// correlation_id; in iTop a marker in the description. Before creating, provider-cmdb looks
	// for a record carrying it, so a create whose answer was lost is adopted, not repeated.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=100
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9._:/-]+$`
	CorrelationID string `json:"correlationId"`

	// Title of the change (ServiceNow short_description, iTop title).
	// +kubebuilder:validation:MinLength=1
	Title string `json:"title"`

	// Description of the change: what was deployed.
	// +kubebuilder:validation:MinLength=1
	Description string `json:"description"`

	// Outcome of the change, recorded when it is closed.
	Outcome ChangeOutcome `json:"outcome"`

	// Notes recorded when the change is closed (ServiceNow close_notes).
	// +kubebuilder:validation:MinLength=1
	CloseNotes string `json:"closeNotes"`

	// StartTime is when the change started (RFC 3339).
	// +optional
	StartTime *metav1.Time `json:"startTime,omitempty"`

	// EndTime is when the change ended (RFC 3339).
	// +optional
	EndTime *metav1.Time `json:"endTime,omitempty"`
}

// ChangeRecordObservation is the CMDB's view of the change record.
type ChangeRecordObservation struct {
	// ID of the record in the backend (ServiceNow sys_id, iTop key); also the external name.
	ID string `json:"id,omitempty"`

	// Number a person knows the change by (ServiceNow CHG0010001, iTop C-000001).
	Number string `json:"number,omitempty"`

	// URL of the record in the CMDB's user interface.
	URL string `json:"url,omitempty"`

	// State of the change as the backend names it (ServiceNow state code, iTop status).
	State string `json:"state,omitempty"`

	// Closed is true once the change is recorded with its outcome.
	Closed bool `json:"closed,omitempty"`
}

// A ChangeRecordSpec defines the desired state of a ChangeRecord.
type ChangeRecordSpec struct {
	xpv2.ManagedResourceSpec `json:",inline"`
	ForProvider              ChangeRecordParameters `json:"forProvider"`
}

// A ChangeRecordStatus represents the observed state of a ChangeRecord.
type ChangeRecordStatus struct {
	xpv2.ManagedResourceStatus `json:",inline"`
	AtProvider                 ChangeRecordObservation `json:"atProvider,omitempty"`
}

// +kubebuilder:object:root=true

// A ChangeRecord records one change of an application (a deploy) in the CMDB, once: a ServiceNow
// change request or an iTop change, linked to the application's record and closed with its
// outcome. Deleting it leaves the record: a change record is history.
// +kubebuilder:printcolumn:name="READY",type="string",JSONPath=".status.conditions[?(@.type=='Ready')].status"
// +kubebuilder:printcolumn:name="SYNCED",type="string",JSONPath=".status.conditions[?(@.type=='Synced')].status"
// +kubebuilder:printcolumn:name="NUMBER",type="string",JSONPath=".status.atProvider.number"
// +kubebuilder:printcolumn:name="OUTCOME",type="string",JSONPath=".spec.forProvider.outcome"
// +kubebuilder:printcolumn:name="URL",type="string",JSONPath=".status.atProvider.url",priority=1
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Namespaced,categories={crossplane,managed,cmdb}
type ChangeRecord struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   ChangeRecordSpec   `json:"spec"`
	Status ChangeRecordStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// ChangeRecordList contains a list of ChangeRecord.
type ChangeRecordList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ChangeRecord `json:"items"`
}
