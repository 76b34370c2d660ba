package controller

import (
	"strconv"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/xapp-dev/xapp/apis/cmdb/v1alpha1"
)

// These tests pin what broke against a real iTop 3.2.0 (issue 9), through the provider's own
// managed reconcilers and the iTop test server.

func withOwner(team string) ciModifier {
	return withParams(func(p *v1alpha1.ConfigurationItemParameters) { p.OwnerTeam = new(team) })
}

// A Relationship whose end no longer exists (its app record was deleted) can be deleted, also
// when its link id was never written down (a crash right after the create): iTop answers
// criteria naming a missing object with an error, OQL with "Found: 0".
func TestITopRelationshipWithAMissingEndCanBeDeleted(t *testing.T) {
	v, h, shop, db := twoApps(t)
	defer v.close()
	rel := h.link("shop-depends-on-db", "shop", "shop-db", v1alpha1.RelationshipDependsOn)
	h.create(rel)
	h.crashNextCreate(rel.GetName())
	_ = h.reconcile(rel)
	h.get(rel)
	if meta.GetExternalName(rel) != "" || len(v.links(meta.GetExternalName(shop), meta.GetExternalName(db))) != 1 {
		t.Fatalf("want the link created and its id lost, got external name %q", meta.GetExternalName(rel))
	}
	v.remove(meta.GetExternalName(db))
	h.delete(rel)
	for range 3 {
		_ = h.reconcile(rel)
	}
	if h.get(rel) {
		t.Errorf("the Relationship was never let go: finalizers %v, Synced %q", rel.GetFinalizers(), rel.GetCondition(xpv2.TypeSynced).Message)
	}
}

// A Person a human added to the app's contacts is someone else's link: it is neither drift nor
// removed, also when the owner team changes.
func TestITopKeepsOtherPeoplesContacts(t *testing.T) {
	v := newITopView()
	defer v.close()
	v.s.Insert("Team", map[string]string{"name": "Payments", "org_id": "1"})
	person := v.s.Insert("Person", map[string]string{"name": "Christie", "first_name": "Agatha", "org_id": "1"})
	h := newHarness(t, v.backend(), v.url())
	app := ci(h.ns, "billing", withOwner("Platform"))
	h.create(app)
	h.settle(app, 5)
	id := meta.GetExternalName(app)
	v.s.Insert("lnkContactToFunctionalCI", map[string]string{"functionalci_id": id, "contact_id": strconv.Itoa(person)})

	h.settle(app, 3)
	if app.Status.AtProvider.OwnerTeam != "Platform" {
		t.Errorf("atProvider.ownerTeam: want Platform, got %q", app.Status.AtProvider.OwnerTeam)
	}
	if got := v.contacts(id); !slicesEqual(got, []string{"Agatha Christie", "Platform"}) {
		t.Errorf("contacts after a poll: want the Person kept next to Platform, got %v", got)
	}

	app.Spec.ForProvider.OwnerTeam = new("Payments")
	if err := h.kube.Update(t.Context(), app); err != nil {
		t.Fatal(err)
	}
	h.settle(app, 5)
	if got := v.contacts(id); !slicesEqual(got, []string{"Agatha Christie", "Payments"}) {
		t.Errorf("contacts after the owner changed: want the Person kept and Payments instead of Platform, got %v", got)
	}
}

// The owner team is looked up in the ProviderConfig's organisation: the same team name in
// another organisation is not ambiguous.
func TestITopOwnerTeamInTheConfigsOrganisation(t *testing.T) {
	v := newITopView()
	defer v.close()
	other := v.s.Insert("Organization", map[string]string{"name": "Other"})
	v.s.Insert("Team", map[string]string{"name": "Platform", "org_id": strconv.Itoa(other)})
	h := newHarness(t, v.backend(), v.url())
	app := ci(h.ns, "billing", withOwner("Platform"))
	h.create(app)
	h.settle(app, 5)
	if got := v.contacts(meta.GetExternalName(app)); !slicesEqual(got, []string{"Platform"}) {
		t.Errorf("want the Demo organisation's Platform team, got %v", got)
	}
	demoTeam := strconv.Itoa(v.s.Find("Team", "org_id", "1")[0])
	if links := v.s.Find("lnkContactToFunctionalCI", "contact_id", demoTeam); len(links) != 1 {
		t.Errorf("want the link to Demo's Platform team (%s), got links %v", demoTeam, links)
	}
}

// A record moved to another organisation is drift: it is moved back.
func TestITopOrganisationIsEnforced(t *testing.T) {
	v := newITopView()
	defer v.close()
	other := v.s.Insert("Organization", map[string]string{"name": "Other"})
	h := newHarness(t, v.backend(), v.url())
	app := ci(h.ns, "billing")
	h.create(app)
	h.settle(app, 5)
	id, _ := strconv.Atoi(meta.GetExternalName(app))
	v.s.Set(id, "org_id", strconv.Itoa(other))
	_ = h.reconcile(app)
	if got := v.s.Object(id)["org_id"]; got != "1" {
		t.Errorf("a record moved to another organisation: want it moved back to Demo (1), got org_id %s", got)
	}
	if n := len(v.apps("billing")); n != 1 {
		t.Errorf("want 1 record named billing, got %d", n)
	}
}

// iTop keeps one link per pair of records, whatever its type: a second Relationship of another
// type between the same records is refused, and deleting it leaves the first one's link.
func TestITopOneLinkPerPair(t *testing.T) {
	v, h, shop, db := twoApps(t)
	defer v.close()
	first := h.link("shop-depends-on-db", "shop", "shop-db", v1alpha1.RelationshipDependsOn)
	h.create(first)
	h.settle(first, 5)
	second := h.link("shop-contains-db", "shop", "shop-db", v1alpha1.RelationshipContains)
	h.create(second)
	for range 2 {
		_ = h.reconcile(second)
	}
	h.get(second)
	if c := second.GetCondition(xpv2.TypeSynced); c.Status != corev1.ConditionFalse || !strings.Contains(c.Message, "shop-depends-on-db") {
		t.Errorf("second type between the same records: want Synced False naming the first, got %s %q", c.Status, c.Message)
	}
	if meta.GetExternalName(second) != "" {
		t.Errorf("the second Relationship adopted the first one's link %s", meta.GetExternalName(second))
	}
	h.delete(second)
	h.settle(second, 3)
	if h.get(second) {
		t.Fatalf("the refused Relationship cannot be deleted: %v", second.GetFinalizers())
	}
	if links := v.links(meta.GetExternalName(shop), meta.GetExternalName(db)); len(links) != 1 {
		t.Errorf("deleting the refused Relationship removed the first one's link: links %v", links)
	}
}

// twoApps registers the ConfigurationItems shop and shop-db in a fresh iTop.
func twoApps(t *testing.T) (*itopView, *harness, *v1alpha1.ConfigurationItem, *v1alpha1.ConfigurationItem) {
	t.Helper()
	v := newITopView()
	h := newHarness(t, v.backend(), v.url())
	shop, db := ci(h.ns, "shop"), ci(h.ns, "shop-db")
	h.create(shop, db)
	h.settle(shop, 5)
	h.settle(db, 5)
	return v, h, shop, db
}

func slicesEqual(a, b []string) bool { return strings.Join(a, ",") == strings.Join(b, ",") }
