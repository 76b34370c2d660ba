package e2e

import (
	"context"
	"strconv"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var (
	configurationItemKind = schema.GroupVersionKind{Group: "cmdb.m.xapp.dev", Version: "v1alpha1", Kind: "ConfigurationItem"}
	changeRecordKind      = schema.GroupVersionKind{Group: "cmdb.m.xapp.dev", Version: "v1alpha1", Kind: "ChangeRecord"}
)

// testITop registers a record in iTop through provider-cmdb as installed from its package: the
// shipped compositions use ServiceNow, so the record is applied as a platform team would apply one.
//
//nolint:thelper // A scenario, not a helper: its failures point at its own lines.
func testITop(t *testing.T, ctx context.Context) {
	if err := h.CreateNamespace(ctx, "team-itop"); err != nil {
		t.Fatal(err)
	}
	ci := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "cmdb.m.xapp.dev/v1alpha1", "kind": "ConfigurationItem",
		"metadata": map[string]any{"name": "billing", "namespace": "team-itop"},
		"spec": map[string]any{
			"providerConfigRef": map[string]any{"kind": "ClusterProviderConfig", "name": "itop"},
			"forProvider": map[string]any{
				"class": "Application", "name": "team-itop/billing", "ownerTeam": "Shop Team",
				"description": "billing, registered live", "lifecycleStatus": "Operational",
			},
		},
	}}
	if err := h.ApplyObject(ctx, ci); err != nil {
		t.Fatal(err)
	}
	if err := h.WaitConditions(ctx, 60*time.Second, configurationItemKind, "team-itop", "billing", "Ready", "Synced"); err != nil {
		t.Fatal(err)
	}
	ids := h.ITop.Find("ApplicationSolution", "name", "team-itop/billing")
	if len(ids) != 1 {
		t.Fatalf("iTop holds %d ApplicationSolutions named team-itop/billing, want 1", len(ids))
	}
	recordChangeInITop(t, ctx, ids[0])
	if err := h.Client.Delete(ctx, ci); err != nil {
		t.Fatal(err)
	}
	if err := h.WaitGone(ctx, 60*time.Second, "team-itop"); err != nil {
		t.Error(err)
	}
	// Retired, as iTop retires an application: inactive, or gone where the record is deleted.
	if o := h.ITop.Object(ids[0]); o != nil && o["status"] != "inactive" {
		t.Errorf("the iTop record is not retired: %v", o)
	}
}

// recordChangeInITop records a deploy of billing (iTop object app) as a ChangeRecord applied by
// hand: exactly one Change, linked to the app and walked to closed, which a later poll leaves
// alone and deleting the ChangeRecord leaves in iTop.
func recordChangeInITop(t *testing.T, ctx context.Context, app int) {
	t.Helper()
	const desc = "billing: image billing:2"
	cr := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "cmdb.m.xapp.dev/v1alpha1", "kind": "ChangeRecord",
		"metadata": map[string]any{"name": "billing-change-2", "namespace": "team-itop"},
		"spec": map[string]any{
			"providerConfigRef": map[string]any{"kind": "ClusterProviderConfig", "name": "itop"},
			"forProvider": map[string]any{
				"configurationItemRef": map[string]any{"name": "billing"}, "correlationId": "xapp:team-itop/billing:2",
				"title": "deploy billing revision 2", "description": desc, "outcome": "Successful", "closeNotes": "rollout finished",
			},
		},
	}}
	start := time.Now()
	if err := h.ApplyObject(ctx, cr); err != nil {
		t.Fatal(err)
	}
	if err := h.WaitConditions(ctx, 30*time.Second, changeRecordKind, "team-itop", "billing-change-2", "Ready", "Synced"); err != nil {
		t.Fatal(err)
	}
	h.Printf("iTop: change recorded and closed %.1fs after the ChangeRecord was applied", time.Since(start).Seconds())
	changes := func() []int {
		return h.ITop.Find("Change", "description", desc+"\n\n[xapp-change xapp:team-itop/billing:2]")
	}
	// A touch makes the provider reconcile it again, which must add nothing.
	if _, _, err := h.Touch(ctx, changeRecordKind, "team-itop", "billing-change-2"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	ids := changes()
	if len(ids) != 1 {
		t.Fatalf("iTop holds %d changes for one deploy, want 1", len(ids))
	}
	if o := h.ITop.Object(ids[0]); o["status"] != "closed" || len(h.ITop.Find("lnkFunctionalCIToTicket", "functionalci_id", strconv.Itoa(app))) != 1 {
		t.Errorf("the change is not closed and linked to the app: %v", o)
	}
	if err := h.Client.Delete(ctx, cr); err != nil {
		t.Fatal(err)
	}
	err := Eventually(ctx, 20*time.Second, 200*time.Millisecond, func() (bool, string, error) {
		u, err := h.Get(ctx, changeRecordKind, "team-itop", "billing-change-2")
		return u == nil && err == nil, "the ChangeRecord is still there", err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(changes()) != 1 {
		t.Error("deleting the ChangeRecord removed its change from iTop; a change record is history")
	}
}
