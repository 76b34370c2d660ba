package fn

import (
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
	p.Attributes = imageAttributes(a)
	return &v1alpha1.ConfigurationItem{
		TypeMeta:   metav1.TypeMeta{APIVersion: v1alpha1.SchemeGroupVersion.String(), Kind: v1alpha1.ConfigurationItemKind},
		ObjectMeta: a.objectMeta(a.name),
		Spec: v1alpha1.ConfigurationItemSpec{
			ManagedResourceSpec: xpv2.ManagedResourceSpec{ProviderConfigReference: cmdbProviderConfig(a)},
			ForProvider:         p,
		},
	}
}

// imageAttributes are what the app runs, in the backend fields the platform named for it: the
// repository, the digest and the tag, each as written in spec.image; empty when the reference does
// not say, so the record never keeps a value of an earlier image.
func imageAttributes(a *app) map[string]string {
	f := a.in.CMDB.ImageFields
	if f == nil {
		return nil
	}
	repo, tag := splitImage(a.spec.Image)
	attrs := make(map[string]string, 3)
	for field, value := range map[string]string{f.Image: repo, f.Digest: a.digest, f.Version: tag} {
		if field != "" {
			attrs[field] = value
		}
	}
	return attrs
}

// splitImage reads a reference as written into its repository and tag ("" without one); the
// tag is what follows the last colon after the last slash, before any digest.
func splitImage(image string) (repo, tag string) {
	base, _, _ := strings.Cut(image, "@")
	slash := strings.LastIndex(base, "/")
	if i := strings.LastIndex(base, ":"); i > slash {
		return base[:i], base[i+1:]
	}
	return base, ""
}

// registered apps asked for a CMDB record on a platform that has a CMDB (policy refuses the other
// combinations before anything is composed).
func registered(a *app) bool { return a.spec.CMDB != nil && a.in.CMDB != nil }

// businessServiceLink records that the app's business service depends on it; nil without one. A
// Relationship's parent is immutable, so a link to another business service is another object, under
// another composition resource name: Crossplane deletes the old link (and its CMDB record) and
// creates the new one, instead of keeping a name whose parent can never change.
func businessServiceLink(a *app) (resourceName string, rel *v1alpha1.Relationship) {
	if !registered(a) || a.spec.CMDB.BusinessService == "" {
		return "", nil
	}
	h := shortHash(a.spec.CMDB.BusinessService)
	return ResourceCMDBService + "-" + h, &v1alpha1.Relationship{
		TypeMeta:   metav1.TypeMeta{APIVersion: v1alpha1.SchemeGroupVersion.String(), Kind: v1alpha1.RelationshipKind},
		ObjectMeta: a.objectMeta(a.name + "-business-service-" + h),
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
		objs = append(objs, dependencyRecords(a, d.kind, class, a.namespace+"/"+d.st.Name,
			d.kind+" of xapp "+a.namespace+"/"+a.name+" ("+d.st.Provider+")")...)
	}
	return objs
}

// dependencyRecords registers one thing the app depends on, under key, as a record of its own and a
// relationship saying the app depends on it: composition resources cmdb-<key> and cmdb-uses-<key>.
func dependencyRecords(a *app, key, class, name, description string) []object {
	ci := configurationItem(a)
	ci.Name = a.name + "-" + key
	ci.Spec.ForProvider.Class = class
	ci.Spec.ForProvider.Name = name
	ci.Spec.ForProvider.Description = ptr.To(description)
	// A database's record does not run the app's image.
	ci.Spec.ForProvider.Attributes = nil
	rel := &v1alpha1.Relationship{
		TypeMeta:   metav1.TypeMeta{APIVersion: v1alpha1.SchemeGroupVersion.String(), Kind: v1alpha1.RelationshipKind},
		ObjectMeta: a.objectMeta(a.name + "-uses-" + key),
		Spec: v1alpha1.RelationshipSpec{
			ManagedResourceSpec: xpv2.ManagedResourceSpec{ProviderConfigReference: cmdbProviderConfig(a)},
			ForProvider: v1alpha1.RelationshipParameters{
				ParentRef: &xpv2.NamespacedReference{Name: a.name},
				ChildRef:  &xpv2.NamespacedReference{Name: ci.Name},
				Type:      v1alpha1.RelationshipDependsOn,
			},
		},
	}
	return []object{
		{name: "cmdb-" + key, obj: ci, health: managedHealth("ConfigurationItem", ci.Name)},
		{name: "cmdb-uses-" + key, obj: rel, health: managedHealth("Relationship", rel.Name)},
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
