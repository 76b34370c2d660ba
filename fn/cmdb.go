package fn

import (
	"google.golang.org/protobuf/types/known/structpb"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/xapp-dev/xapp/apis/cmdb/v1alpha1"
	xappv1alpha1 "github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
	"github.com/xapp-dev/xapp/internal/pbjson"
)

// configurationItem registers the app in the CMDB through provider-cmdb; nil when the app does not
// ask for it. The record is named `<namespace>/<app>`, like its identity key, so two apps of the same
// name in different namespaces stay two records.
func configurationItem(a *app) *v1alpha1.ConfigurationItem {
	c, in := a.spec.CMDB, a.in.CMDB
	if c == nil || in == nil {
		return nil
	}
	class := in.Class
	if class == "" {
		class = v1alpha1.ClassApplication
	}
	desc := c.Description
	if desc == "" {
		desc = "xapp " + a.namespace + "/" + a.name
	}
	p := v1alpha1.ConfigurationItemParameters{
		Class:           class,
		Name:            a.namespace + "/" + a.name,
		Description:     ptr.To(desc),
		OwnerTeam:       ptr.To(c.OwnerTeam),
		LifecycleStatus: ptr.To(v1alpha1.LifecycleOperational),
	}
	if in.Environment != "" {
		p.Environment = ptr.To(in.Environment)
	}
	if c.Criticality != "" {
		p.Criticality = ptr.To(v1alpha1.Criticality(c.Criticality))
	}
	return &v1alpha1.ConfigurationItem{
		TypeMeta:   metav1.TypeMeta{APIVersion: v1alpha1.SchemeGroupVersion.String(), Kind: v1alpha1.ConfigurationItemKind},
		ObjectMeta: a.objectMeta(a.name),
		Spec: v1alpha1.ConfigurationItemSpec{
			ManagedResourceSpec: xpv2.ManagedResourceSpec{ProviderConfigReference: cmdbProviderConfig(a)},
			ForProvider:         p,
		},
	}
}

// businessServiceLink records that the app's business service depends on it; nil without one.
func businessServiceLink(a *app) *v1alpha1.Relationship {
	if configurationItem(a) == nil || a.spec.CMDB.BusinessService == "" {
		return nil
	}
	return &v1alpha1.Relationship{
		TypeMeta:   metav1.TypeMeta{APIVersion: v1alpha1.SchemeGroupVersion.String(), Kind: v1alpha1.RelationshipKind},
		ObjectMeta: a.objectMeta(a.name + "-business-service"),
		Spec: v1alpha1.RelationshipSpec{
			ManagedResourceSpec: xpv2.ManagedResourceSpec{ProviderConfigReference: cmdbProviderConfig(a)},
			ForProvider: v1alpha1.RelationshipParameters{
				ParentID: ptr.To(a.spec.CMDB.BusinessService),
				ChildRef: &xpv2.NamespacedReference{Name: a.name},
				Type:     v1alpha1.RelationshipDependsOn,
			},
		},
	}
}

func cmdbProviderConfig(a *app) *xpv2.ProviderConfigReference {
	ref := a.in.CMDB.ProviderConfigRef
	kind := ref.Kind
	if kind == "" {
		kind = "ClusterProviderConfig"
	}
	name := ref.Name
	if name == "" {
		name = "default"
	}
	return &xpv2.ProviderConfigReference{Kind: kind, Name: name}
}

// observedRecord is what the status shows of the app's CMDB record: its id and URL, once the
// provider has created it.
func observedRecord(obs *structpb.Struct) *xappv1alpha1.CMDBStatus {
	if obs == nil {
		return nil
	}
	var st v1alpha1.ConfigurationItemStatus
	if err := pbjson.DecodeField(obs, "status", &st); err != nil || st.AtProvider.ID == "" {
		return nil
	}
	return &xappv1alpha1.CMDBStatus{ID: st.AtProvider.ID, URL: st.AtProvider.URL}
}
