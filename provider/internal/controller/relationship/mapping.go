package relationship

import (
	"github.com/xapp-dev/xapp/apis/cmdb/v1alpha1"
)

// ITopLinkClass is how iTop records every portable relationship: the parent
// ApplicationSolution lists the child in functionalcis_list, and iTop derives "impacts" and
// "depends on" from that link.
const ITopLinkClass = "lnkApplicationSolutionToFunctionalCI"

var snTypes = map[v1alpha1.RelationshipType]string{
	v1alpha1.RelationshipDependsOn: "Depends on::Used by",
	v1alpha1.RelationshipRunsOn:    "Runs on::Runs",
	v1alpha1.RelationshipContains:  "Contains::Contained by",
}

// BackendType names a portable relationship type the way the backend does.
func BackendType(b v1alpha1.Backend, t v1alpha1.RelationshipType) string {
	if b == v1alpha1.BackendITop {
		return ITopLinkClass
	}
	return snTypes[t]
}

// link is a relationship as a backend holds it; Type is the backend's type name.
type link struct {
	ID, Parent, Child, Type string
}

// UpToDate reports whether the backend's link joins the wanted records the wanted way.
func UpToDate(want, got link) bool {
	return want.Parent == got.Parent && want.Child == got.Child && want.Type == got.Type
}

// Observation is status.atProvider for a link.
func Observation(l link) v1alpha1.RelationshipObservation {
	return v1alpha1.RelationshipObservation{ID: l.ID, ParentID: l.Parent, ChildID: l.Child, Type: l.Type}
}
