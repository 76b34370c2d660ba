package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// Portable classes. Anything else in spec.forProvider.class is sent to the backend as a raw
// class name (cmdb_ci_service_auto, DatabaseSchema, ...), so the API never blocks a team whose
// CMDB uses a class this list does not know.
const (
	// ClassApplication is a business application: cmdb_ci_business_app in ServiceNow,
	// ApplicationSolution in iTop.
	ClassApplication = "Application"
	// ClassApplicationInstance is a running application: cmdb_ci_appl in ServiceNow,
	// ApplicationSolution in iTop (iTop has no separate class for a running instance).
	ClassApplicationInstance = "ApplicationInstance"
)

// Criticality is how much the business suffers when the application is down.
// +kubebuilder:validation:Enum=Critical;High;Medium;Low
type Criticality string

// Portable criticalities.
const (
	CriticalityCritical Criticality = "Critical"
	CriticalityHigh     Criticality = "High"
	CriticalityMedium   Criticality = "Medium"
	CriticalityLow      Criticality = "Low"
)

// LifecycleStatus is where the application is in its life.
// +kubebuilder:validation:Enum=Operational;NonOperational;Retired
type LifecycleStatus string

// Portable lifecycle states.
const (
	LifecycleOperational    LifecycleStatus = "Operational"
	LifecycleNonOperational LifecycleStatus = "NonOperational"
	LifecycleRetired        LifecycleStatus = "Retired"
)

// DeletionMode says what deleting the managed resource does to the CMDB record.
// +kubebuilder:validation:Enum=Retire;Delete
type DeletionMode string

// Deletion modes.
const (
	// DeletionRetire keeps the record for audit and history and marks it retired
	// (ServiceNow install_status 7, iTop status inactive): what CMDB owners usually ask for.
	DeletionRetire DeletionMode = "Retire"
	// DeletionDelete removes the record.
	DeletionDelete DeletionMode = "Delete"
)

// ConfigurationItemParameters are the fields of a CMDB record that provider-cmdb owns.
// Optional fields left empty are late-initialised from the record, so the spec shows what
// the CMDB holds; fields the user set are enforced on every poll.
type ConfigurationItemParameters struct {
	// Class of the record: a portable class (Application, ApplicationInstance) or a raw
	// backend class name such as cmdb_ci_service_auto or ApplicationSolution.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="class is immutable"
	Class string `json:"class"`

	// Name of the record in the CMDB.
	// +kubebuilder:validation:MinLength=1
	Name string `json:"name"`

	// Description of the application (ServiceNow short_description, iTop description).
	// +optional
	Description *string `json:"description,omitempty"`

	// OwnerTeam is the name of the team that supports the application (ServiceNow
	// support_group, a sys_user_group; iTop a Team linked through contacts_list).
	// +optional
	OwnerTeam *string `json:"ownerTeam,omitempty"`

	// Environment the application runs in, e.g. Production (ServiceNow environment).
	// iTop's standard data model has no environment on ApplicationSolution, so iTop ignores it.
	// +optional
	Environment *string `json:"environment,omitempty"`

	// Criticality for the business (ServiceNow busines_criticality, iTop business_criticity).
	// +optional
	Criticality *Criticality `json:"criticality,omitempty"`

	// LifecycleStatus of the application (ServiceNow install_status and operational_status,
	// iTop status).
	// +optional
	LifecycleStatus *LifecycleStatus `json:"lifecycleStatus,omitempty"`

	// Attributes are further backend fields sent as they are, e.g. u_cost_center or
	// move2production. Keys are backend field names; provider-cmdb enforces them like any
	// other field it was given.
	// +optional
	Attributes map[string]string `json:"attributes,omitempty"`

	// IdentityKey identifies this application in the CMDB across retries, crashes and
	// re-creations: ServiceNow's source_native_key for Identification and Reconciliation.
	// Defaults to <namespace>/<name> of this object.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="identityKey is immutable"
	IdentityKey *string `json:"identityKey,omitempty"`

	// DeletionMode says whether deleting this object retires the record (default) or
	// deletes it.
	// +optional
	// +kubebuilder:default=Retire
	DeletionMode *DeletionMode `json:"deletionMode,omitempty"`
}

// ConfigurationItemObservation is the CMDB's view of the record.
type ConfigurationItemObservation struct {
	// ID of the record in the backend (ServiceNow sys_id, iTop numeric key); also the
	// external name.
	ID string `json:"id,omitempty"`

	// URL of the record in the CMDB's user interface.
	URL string `json:"url,omitempty"`

	// Class the backend stores the record as (after mapping a portable class).
	Class string `json:"class,omitempty"`

	// Name of the record as the backend holds it.
	Name string `json:"name,omitempty"`

	// Description as the backend holds it.
	Description string `json:"description,omitempty"`

	// OwnerTeam as the backend holds it (team name).
	OwnerTeam string `json:"ownerTeam,omitempty"`

	// Environment as the backend holds it.
	Environment string `json:"environment,omitempty"`

	// Criticality as the backend holds it, mapped back to the portable value when possible.
	Criticality string `json:"criticality,omitempty"`

	// LifecycleStatus as the backend holds it, mapped back to the portable value when possible.
	LifecycleStatus string `json:"lifecycleStatus,omitempty"`

	// Fields are the raw backend fields provider-cmdb manages, as last read.
	Fields map[string]string `json:"fields,omitempty"`
}

// A ConfigurationItemSpec defines the desired state of a ConfigurationItem.
type ConfigurationItemSpec struct {
	xpv2.ManagedResourceSpec `json:",inline"`
	ForProvider              ConfigurationItemParameters `json:"forProvider"`
}

// A ConfigurationItemStatus represents the observed state of a ConfigurationItem.
type ConfigurationItemStatus struct {
	xpv2.ManagedResourceStatus `json:",inline"`
	AtProvider                 ConfigurationItemObservation `json:"atProvider,omitempty"`
}

// +kubebuilder:object:root=true

// A ConfigurationItem is an application registered in a CMDB (ServiceNow or iTop): created,
// kept in sync with its spec and retired with the app.
// +kubebuilder:printcolumn:name="READY",type="string",JSONPath=".status.conditions[?(@.type=='Ready')].status"
// +kubebuilder:printcolumn:name="SYNCED",type="string",JSONPath=".status.conditions[?(@.type=='Synced')].status"
// +kubebuilder:printcolumn:name="CLASS",type="string",JSONPath=".status.atProvider.class"
// +kubebuilder:printcolumn:name="ID",type="string",JSONPath=".metadata.annotations.crossplane\\.io/external-name"
// +kubebuilder:printcolumn:name="URL",type="string",JSONPath=".status.atProvider.url",priority=1
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Namespaced,categories={crossplane,managed,cmdb}
type ConfigurationItem struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   ConfigurationItemSpec   `json:"spec"`
	Status ConfigurationItemStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// ConfigurationItemList contains a list of ConfigurationItem.
type ConfigurationItemList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ConfigurationItem `json:"items"`
}
