package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// RelationshipType is a portable relationship between two configuration items.
// +kubebuilder:validation:Enum=DependsOn;RunsOn;Contains
type RelationshipType string

// Portable relationship types. ServiceNow: cmdb_rel_type "Depends on::Used by",
// "Runs on::Runs", "Contains::Contained by". iTop models all three as the parent
// ApplicationSolution listing the child in functionalcis_list
// (lnkApplicationSolutionToFunctionalCI), from which iTop derives impact and dependency.
const (
	RelationshipDependsOn RelationshipType = "DependsOn"
	RelationshipRunsOn    RelationshipType = "RunsOn"
	RelationshipContains  RelationshipType = "Contains"
)

// RelationshipParameters say which two records are related and how.
type RelationshipParameters struct {
	// ParentID is the backend id of the parent record. Set it directly for a record
	// provider-cmdb does not manage, or let parentRef/parentSelector fill it in.
	// +optional
	// +crossplane:generate:reference:type=ConfigurationItem
	// +crossplane:generate:reference:refFieldName=ParentRef
	// +crossplane:generate:reference:selectorFieldName=ParentSelector
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="parentId is immutable"
	ParentID *string `json:"parentId,omitempty"`

	// ParentRef names the ConfigurationItem whose record is the parent.
	// +optional
	ParentRef *xpv2.NamespacedReference `json:"parentRef,omitempty"`

	// ParentSelector selects the ConfigurationItem whose record is the parent.
	// +optional
	ParentSelector *xpv2.NamespacedSelector `json:"parentSelector,omitempty"`

	// ChildID is the backend id of the child record.
	// +optional
	// +crossplane:generate:reference:type=ConfigurationItem
	// +crossplane:generate:reference:refFieldName=ChildRef
	// +crossplane:generate:reference:selectorFieldName=ChildSelector
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="childId is immutable"
	ChildID *string `json:"childId,omitempty"`

	// ChildRef names the ConfigurationItem whose record is the child.
	// +optional
	ChildRef *xpv2.NamespacedReference `json:"childRef,omitempty"`

	// ChildSelector selects the ConfigurationItem whose record is the child.
	// +optional
	ChildSelector *xpv2.NamespacedSelector `json:"childSelector,omitempty"`

	// Type of the relationship, read as "parent <type> child": shop DependsOn shop-db.
	Type RelationshipType `json:"type"`
}

// RelationshipObservation is the CMDB's view of the relationship.
type RelationshipObservation struct {
	// ID of the relationship record (ServiceNow cmdb_rel_ci sys_id, iTop link key).
	ID string `json:"id,omitempty"`

	// ParentID as the backend holds it.
	ParentID string `json:"parentId,omitempty"`

	// ChildID as the backend holds it.
	ChildID string `json:"childId,omitempty"`

	// Type as the backend names it, e.g. "Depends on::Used by".
	Type string `json:"type,omitempty"`
}

// A RelationshipSpec defines the desired state of a Relationship.
type RelationshipSpec struct {
	xpv2.ManagedResourceSpec `json:",inline"`
	ForProvider              RelationshipParameters `json:"forProvider"`
}

// A RelationshipStatus represents the observed state of a Relationship.
type RelationshipStatus struct {
	xpv2.ManagedResourceStatus `json:",inline"`
	AtProvider                 RelationshipObservation `json:"atProvider,omitempty"`
}

// +kubebuilder:object:root=true

// A Relationship links two CMDB records, so impact analysis in the CMDB knows that an
// application depends on its database or runs on a cluster.
// +kubebuilder:printcolumn:name="READY",type="string",JSONPath=".status.conditions[?(@.type=='Ready')].status"
// +kubebuilder:printcolumn:name="SYNCED",type="string",JSONPath=".status.conditions[?(@.type=='Synced')].status"
// +kubebuilder:printcolumn:name="TYPE",type="string",JSONPath=".spec.forProvider.type"
// +kubebuilder:printcolumn:name="ID",type="string",JSONPath=".metadata.annotations.crossplane\\.io/external-name"
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Namespaced,categories={crossplane,managed,cmdb}
type Relationship struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   RelationshipSpec   `json:"spec"`
	Status RelationshipStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// RelationshipList contains a list of Relationship.
type RelationshipList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Relationship `json:"items"`
}
