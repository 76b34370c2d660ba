package relationship

import (
	"context"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"

	"github.com/xapp-dev/xapp/apis/cmdb/v1alpha1"
)

const (
	errListRelationships = "cannot list Relationships to find which one manages the iTop link"
	errSharedLink        = "iTop keeps one link between two records, whatever its type, and Relationship %s already manages the one " +
		"from %s to %s: delete one of the two Relationships"
)

// linkOwners decides which Relationship manages an iTop link. iTop has no relationship types:
// DependsOn and Contains between the same records would be one link, adopted by both and
// deleted with either. The Relationship holding the link (then the older one, then the first
// by namespace/name) keeps it; the others are refused, and let go without touching it.
type linkOwners struct {
	kube client.Reader
}

// owner returns "namespace/name (type)" of the Relationship that manages cr's link instead of
// cr, or "" when cr does.
func (o linkOwners) owner(ctx context.Context, cr *v1alpha1.Relationship) (string, error) {
	l := &v1alpha1.RelationshipList{}
	if err := o.kube.List(ctx, l); err != nil {
		return "", errors.Wrap(err, errListRelationships)
	}
	for i := range l.Items {
		other := &l.Items[i]
		if other.UID == cr.UID || meta.WasDeleted(other) || !sameLink(other, cr) {
			continue
		}
		if before(other, cr) {
			return other.Namespace + "/" + other.Name + " (" + string(other.Spec.ForProvider.Type) + ")", nil
		}
	}
	return "", nil
}

// sameLink reports whether two Relationships join the same records in the same CMDB.
func sameLink(a, b *v1alpha1.Relationship) bool {
	ra, rb := a.GetProviderConfigReference(), b.GetProviderConfigReference()
	if ra == nil || rb == nil || *ra != *rb || (ra.Kind == v1alpha1.ProviderConfigKind && a.Namespace != b.Namespace) {
		return false
	}
	pa, ca, pb, cb := a.Spec.ForProvider.ParentID, a.Spec.ForProvider.ChildID, b.Spec.ForProvider.ParentID, b.Spec.ForProvider.ChildID
	return pa != nil && ca != nil && pb != nil && cb != nil && *pa == *pb && *ca == *cb
}

// before reports whether a keeps the link rather than b.
func before(a, b *v1alpha1.Relationship) bool {
	ha, hb := meta.GetExternalName(a) != "", meta.GetExternalName(b) != ""
	switch {
	case ha != hb:
		return ha
	case !a.CreationTimestamp.Equal(&b.CreationTimestamp):
		return a.CreationTimestamp.Before(&b.CreationTimestamp)
	}
	return a.Namespace+"/"+a.Name < b.Namespace+"/"+b.Name
}
