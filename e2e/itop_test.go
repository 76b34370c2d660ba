package e2e

import (
	"context"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var configurationItemKind = schema.GroupVersionKind{Group: "cmdb.m.xapp.dev", Version: "v1alpha1", Kind: "ConfigurationItem"}

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
