package fn

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

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
	if !registered(a) {
		return nil
	}
	c, in := a.spec.CMDB, a.in.CMDB
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

// registered apps asked for a CMDB record on a platform that has a CMDB (policy refuses the other
// combinations before anything is composed).
func registered(a *app) bool { return a.spec.CMDB != nil && a.in.CMDB != nil }

// businessServiceLink records that the app's business service depends on it; nil without one. The
// record's parent cannot change (parentId is immutable), so the Relationship and its composition
// resource name are named after the service: another service is another Relationship, and
// Crossplane deletes the old one, and its record, as no longer desired.
func businessServiceLink(a *app) (resourceName string, rel *v1alpha1.Relationship) {
	if !registered(a) || a.spec.CMDB.BusinessService == "" {
		return "", nil
	}
	sum := sha256.Sum256([]byte(a.spec.CMDB.BusinessService))
	suffix := "-" + hex.EncodeToString(sum[:4])
	return ResourceCMDBService + suffix, &v1alpha1.Relationship{
		TypeMeta:   metav1.TypeMeta{APIVersion: v1alpha1.SchemeGroupVersion.String(), Kind: v1alpha1.RelationshipKind},
		ObjectMeta: a.objectMeta(a.name + "-business-service" + suffix),
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

// dataServiceRecords registers each of the app's data services in the CMDB and records that the
// app depends on it, so an impact analysis in the CMDB finds the app behind a failing database.
func dataServiceRecords(a *app, ds *dataPlan) []object {
	if !registered(a) || ds == nil {
		return nil
	}
	class := a.in.CMDB.DataServiceClass
	if class == "" {
		class = v1alpha1.ClassApplicationInstance
	}
	objs := make([]object, 0, 6)
	for _, d := range []struct {
		kind string
		st   *xappv1alpha1.DataServiceStatus
	}{{"database", ds.database}, {"cache", ds.cache}, {"bucket", ds.bucket}} {
		if d.st == nil {
			continue
		}
		ci := configurationItem(a)
		ci.Name = a.name + "-" + d.kind
		ci.Spec.ForProvider.Class = class
		ci.Spec.ForProvider.Name = a.namespace + "/" + d.st.Name
		ci.Spec.ForProvider.Description = ptr.To(d.kind + " of xapp " + a.namespace + "/" + a.name + " (" + d.st.Provider + ")")
		rel := &v1alpha1.Relationship{
			TypeMeta:   metav1.TypeMeta{APIVersion: v1alpha1.SchemeGroupVersion.String(), Kind: v1alpha1.RelationshipKind},
			ObjectMeta: a.objectMeta(a.name + "-uses-" + d.kind),
			Spec: v1alpha1.RelationshipSpec{
				ManagedResourceSpec: xpv2.ManagedResourceSpec{ProviderConfigReference: cmdbProviderConfig(a)},
				ForProvider: v1alpha1.RelationshipParameters{
					ParentRef: &xpv2.NamespacedReference{Name: a.name},
					ChildRef:  &xpv2.NamespacedReference{Name: ci.Name},
					Type:      v1alpha1.RelationshipDependsOn,
				},
			},
		}
		objs = append(objs,
			object{name: "cmdb-" + d.kind, obj: ci, health: cmdbHealth("ConfigurationItem", ci.Name)},
			object{name: "cmdb-uses-" + d.kind, obj: rel, health: cmdbHealth("Relationship", rel.Name)})
	}
	return objs
}

// cmdbHealth is a CMDB record's readiness, a managed resource's, except that the backend refusing
// the record, the credentials or the operation is a failure someone must act on, not a wait:
// provider-cmdb retries it forever and it never succeeds by itself.
func cmdbHealth(kind, name string) func(*structpb.Struct) health {
	return func(obs *structpb.Struct) health {
		h := mrHealth(kind, name, obs)
		for _, p := range v1alpha1.PermanentFailures {
			h.failed = h.failed || (!h.ready && strings.Contains(h.why, p))
		}
		return h
	}
}

func cmdbProviderConfig(a *app) *xpv2.ProviderConfigReference {
	return providerConfigReference(&a.in.CMDB.ProviderConfigRef)
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
