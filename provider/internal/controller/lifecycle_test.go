package controller

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/xapp-dev/xapp/apis/cmdb/v1alpha1"
)

// backends returns a fresh CMDB view per backend; each test closes it.
func backends() map[string]func() soakView {
	return map[string]func() soakView{
		"ServiceNow": func() soakView { return newSNView() },
		"iTop":       func() soakView { return newITopView() },
	}
}

// TestLifecycleRoundTrips drives the provider's managed reconcilers through the life of a
// record: retired and registered again, adopted and then managed, deleted while the CMDB is down.
func TestLifecycleRoundTrips(t *testing.T) {
	for name, newView := range backends() {
		t.Run(name+"/RetireThenRegisterAgain", func(t *testing.T) { retireThenRegisterAgain(t, newView()) })
		t.Run(name+"/AdoptThenManage", func(t *testing.T) { adoptThenManage(t, newView()) })
		t.Run(name+"/DeleteWhileDown", func(t *testing.T) { deleteWhileDown(t, newView()) })
		t.Run(name+"/RetiredByHandBeforeTheFirstPoll", func(t *testing.T) { retiredByHandBeforeTheFirstPoll(t, newView()) })
	}
}

// An app deleted (its record retired) and created again is in use again: its record must be
// operational, and it must be the same record, not a second one.
func retireThenRegisterAgain(t *testing.T, v cmdbView) {
	t.Helper()
	defer v.close()
	h := newHarness(t, v.backend(), v.url())
	shop := ci(h.ns, "shop", withParams(func(p *v1alpha1.ConfigurationItemParameters) { p.Description = new("Online shop") }))
	h.create(shop)
	h.settle(shop, 5)
	id := meta.GetExternalName(shop)
	if v.retired(id) {
		t.Fatalf("a new record is retired")
	}
	h.delete(shop)
	h.settle(shop, 5)
	if h.get(shop) {
		t.Fatalf("shop still exists after delete: finalizers %v", shop.GetFinalizers())
	}
	if !v.retired(id) {
		t.Fatalf("deleting shop did not retire its record")
	}

	again := ci(h.ns, "shop", withParams(func(p *v1alpha1.ConfigurationItemParameters) { p.Description = new("Online shop") }))
	h.create(again)
	h.settle(again, 5)
	if got := meta.GetExternalName(again); got != id {
		t.Errorf("registered again: want the retired record %s adopted, got %s", id, got)
	}
	if v.retired(id) {
		t.Errorf("registered again: the record is still retired")
	}
	if lc := again.Spec.ForProvider.LifecycleStatus; lc != nil && *lc != v1alpha1.LifecycleOperational {
		t.Errorf("registered again: lifecycleStatus late-initialised to %s, want Operational or unset", *lc)
	}
	if n := len(v.apps("shop")); n != 1 {
		t.Errorf("registered again: want 1 record named shop, got %d", n)
	}
}

// A record adopted under an Observe-only policy is left alone; switching the policy to full
// management updates that record and makes no second one.
func adoptThenManage(t *testing.T, v cmdbView) {
	t.Helper()
	defer v.close()
	h := newHarness(t, v.backend(), v.url())
	legacy := v.insert("legacy", "kept by hand")
	obs := ci(h.ns, "legacy", withPolicies(xpv2.ManagementActionObserve), withParams(func(p *v1alpha1.ConfigurationItemParameters) {
		p.Description = new("managed now")
	}))
	h.create(obs)
	for range 3 {
		if err := h.reconcile(obs); err != nil {
			t.Fatalf("observe-only poll: %v", err)
		}
	}
	h.get(obs)
	if obs.Status.AtProvider.ID != legacy {
		t.Fatalf("observe-only: want atProvider.id %s, got %+v", legacy, obs.Status.AtProvider)
	}
	if got := v.description(legacy); got != "kept by hand" {
		t.Fatalf("observe-only changed the record: description %q", got)
	}

	obs.Spec.ManagementPolicies = xpv2.ManagementPolicies{xpv2.ManagementActionAll}
	if err := h.kube.Update(t.Context(), obs); err != nil {
		t.Fatal(err)
	}
	h.settle(obs, 5)
	if got := meta.GetExternalName(obs); got != legacy {
		t.Errorf("full management: want the adopted record %s, got %s", legacy, got)
	}
	if got := v.description(legacy); got != "managed now" {
		t.Errorf("full management: description %q, want the spec's", got)
	}
	if n := len(v.apps("legacy")); n != 1 {
		t.Errorf("full management: want 1 record named legacy, got %d", n)
	}
}

// Deleting while the CMDB cannot be reached keeps the finalizer (the record is still there to
// retire); once the CMDB is back, the record is retired and the object goes.
func deleteWhileDown(t *testing.T, v cmdbView) {
	t.Helper()
	defer v.close()
	p := newFaultProxy(v.url(), 1)
	defer p.Close()
	h := newHarness(t, v.backend(), p.URL)
	app := ci(h.ns, "billing")
	h.create(app)
	h.settle(app, 5)
	id := meta.GetExternalName(app)

	p.setDown(true)
	h.delete(app)
	for range 5 {
		_ = h.reconcile(app)
		if !h.get(app) {
			t.Fatal("deleted while the CMDB is down: the object went without its record being retired")
		}
		if c := app.GetCondition(xpv2.TypeSynced); c.Status != corev1.ConditionFalse {
			t.Fatalf("a poll against a CMDB that is down: want Synced False, got %s %s", c.Status, c.Message)
		}
	}
	t.Logf("while down: %s", app.GetCondition(xpv2.TypeSynced).Message)
	if !meta.FinalizerExists(app, "finalizer.managedresource.crossplane.io") {
		t.Fatalf("deleted while the CMDB is down: the object went without its record being retired")
	}
	if v.retired(id) {
		t.Fatalf("the record was retired while the CMDB was down")
	}

	p.setDown(false)
	h.settle(app, 5)
	if h.get(app) {
		t.Fatalf("CMDB back: the object is still there, finalizers %v", app.GetFinalizers())
	}
	if !v.retired(id) {
		t.Errorf("CMDB back: the object went but its record %s is not retired", id)
	}
}

// The provider registers an app's record as in use. Someone retiring it by hand before the next
// poll is drift to correct, not the lifecycle to late-initialise (found by the fault soak).
func retiredByHandBeforeTheFirstPoll(t *testing.T, v cmdbView) {
	t.Helper()
	defer v.close()
	h := newHarness(t, v.backend(), v.url())
	app := ci(h.ns, "billing")
	h.create(app)
	_ = h.reconcile(app) // creates the record
	h.get(app)
	id := meta.GetExternalName(app)
	if id == "" {
		t.Fatal("the first poll did not create the record")
	}
	v.edit(id)
	h.settle(app, 3)
	if v.retired(id) {
		t.Errorf("the record retired by hand after its create stays retired; lifecycleStatus %s", ptr.Deref(app.Spec.ForProvider.LifecycleStatus, ""))
	}
}
