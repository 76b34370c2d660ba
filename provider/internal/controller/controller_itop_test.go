package controller

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/xapp-dev/xapp/apis/cmdb/v1alpha1"
	"github.com/xapp-dev/xapp/provider/internal/clients/cmdbtest"
)

// iTopTest returns the iTop subtest of TestProviderAgainstRealAPIServer.
func iTopTest(ctx context.Context, cfg *rest.Config, s *runtime.Scheme, kube client.Client) func(*testing.T) {
	return func(t *testing.T) {
		it := cmdbtest.NewITop("Platform")
		defer it.Close()
		node := it.Insert("Server", map[string]string{"name": "k8s-node-1", "org_id": "1", "status": "production"})
		ns := "billing"
		mustCreate(ctx, t, kube,
			&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}},
			adminSecret(ns, "cmdb-creds", "admin"),
			providerConfig(ns, "cmdb", it.URL, v1alpha1.BackendITop, "cmdb-creds"),
		)
		startProvider(t, cfg, s)

		app := ci(ns, "billing", withParams(func(p *v1alpha1.ConfigurationItemParameters) {
			p.Description = new("Invoices")
			p.OwnerTeam = new("Platform")
			p.Criticality = new(v1alpha1.CriticalityCritical)
			p.LifecycleStatus = new(v1alpha1.LifecycleOperational)
		}))
		rel := &v1alpha1.Relationship{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "billing-runs-on-node"},
			Spec: v1alpha1.RelationshipSpec{
				ManagedResourceSpec: xpv2.ManagedResourceSpec{
					ProviderConfigReference: &xpv2.ProviderConfigReference{Kind: v1alpha1.ProviderConfigKind, Name: "cmdb"},
				},
				ForProvider: v1alpha1.RelationshipParameters{
					ParentRef: &xpv2.NamespacedReference{Name: "billing"},
					ChildID:   new(strconv.Itoa(node)),
					Type:      v1alpha1.RelationshipRunsOn,
				},
			},
		}
		created := time.Now()
		mustCreate(ctx, t, kube, app, rel)
		eventually(t, 30*time.Second, "billing ready", func() string { return readyOrWhy(ctx, kube, app) })
		eventually(t, 30*time.Second, "relationship ready", func() string { return readyOrWhy(ctx, kube, rel) })
		t.Logf("ConfigurationItem and Relationship Ready %s after create", time.Since(created).Round(time.Millisecond))

		id, _ := strconv.Atoi(meta.GetExternalName(app))
		if got := it.Find("ApplicationSolution", "name", "billing"); len(got) != 1 || got[0] != id {
			t.Fatalf("want one ApplicationSolution billing with id %d, got %v", id, got)
		}
		want := map[string]string{"name": "billing", "org_id": "1", "description": "Invoices", "business_criticity": "high", "status": "active",
			"redundancy": "disabled"} // iTop's default on create
		if diff := cmp.Diff(want, it.Object(id)); diff != "" {
			t.Errorf("iTop object -want +got:\n%s", diff)
		}
		teams := it.Find("lnkContactToFunctionalCI", "functionalci_id", strconv.Itoa(id))
		if len(teams) != 1 || it.Object(teams[0])["contact_id"] != strconv.Itoa(it.Find("Team", "name", "Platform")[0]) {
			t.Errorf("want the Platform team linked to billing, got links %v", teams)
		}
		links := it.Find(relationshipLinkClass, "applicationsolution_id", strconv.Itoa(id))
		if len(links) != 1 || it.Object(links[0])["functionalci_id"] != strconv.Itoa(node) || strconv.Itoa(links[0]) != meta.GetExternalName(rel) {
			t.Fatalf("want one link billing -> k8s-node-1 with the relationship's id, got %v", links)
		}
		t.Logf("iTop ApplicationSolution::%d: %v; link %d: %v", id, it.Object(id), links[0], it.Object(links[0]))

		it.Set(id, "status", "inactive")
		it.Set(id, "description", "edited by hand")
		d := eventually(t, 15*time.Second, "drift corrected", func() string {
			o := it.Object(id)
			if o["status"] != "active" || o["description"] != "Invoices" {
				return "object still has " + o["status"] + " / " + o["description"]
			}
			return ""
		})
		t.Logf("drift corrected %s after the edit", d.Round(time.Millisecond))

		for _, o := range []client.Object{rel, app} {
			if err := kube.Delete(ctx, o); err != nil {
				t.Fatal(err)
			}
			eventually(t, 30*time.Second, o.GetName()+" deleted", func() string { return gone(ctx, kube, o) })
		}
		if it.Object(links[0]) != nil {
			t.Errorf("link still exists after delete: %v", it.Object(links[0]))
		}
		if o := it.Object(id); o["status"] != "inactive" {
			t.Errorf("billing not retired (status inactive) after delete: %v", o)
		}
		t.Logf("iTop ApplicationSolution::%d after delete: %v", id, it.Object(id))
	}
}

const relationshipLinkClass = "lnkApplicationSolutionToFunctionalCI"
