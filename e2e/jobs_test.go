package e2e

import (
	"context"
	"testing"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

var (
	jobKind     = schema.GroupVersionKind{Group: "batch", Version: "v1", Kind: "Job"}
	cronJobKind = schema.GroupVersionKind{Group: "batch", Version: "v1", Kind: "CronJob"}
)

// testJobs applies the one-shot import job (with its in-cluster database) and the nightly report.
// The import is Ready only once the Job controller has marked its Job Complete: its database's
// Secret written, the Job created, its pod run to completion (kwok's pod-complete stage), the Job
// controller's Complete condition, Crossplane's next look. The report is Ready as soon as its
// CronJob exists, before its first run.
//
//nolint:thelper // A scenario, not a helper: its failures point at its own lines.
func testJobs(t *testing.T, ctx context.Context) {
	s := applyExample(t, ctx, "../examples/job/xr.yaml", XAppKind, nil)
	run, _ := s.Status["job"].(map[string]any)
	name, _ := run["name"].(string)
	if run["kind"] != "Job" || run["outcome"] != "Succeeded" || run["completionTime"] == nil {
		t.Errorf("status.job = %v, want a Succeeded Job with its completion time", run)
	}
	job, err := h.Get(ctx, jobKind, "team-shop", name)
	if err != nil || job == nil {
		t.Fatalf("Job team-shop/%s: %v", name, err)
	}
	if c := Conditions(job)["Complete"]; c.Status != ConditionTrue {
		t.Errorf("Job %s: Complete = %s, want True: the app was Ready before its run finished", name, c)
	}

	s = applyExample(t, ctx, "../examples/cronjob/xr.yaml", XAppKind, nil)
	if run, _ := s.Status["job"].(map[string]any); run["kind"] != "CronJob" || run["outcome"] != "Scheduled" {
		t.Errorf("status.job = %v, want a Scheduled CronJob", run)
	}
	if cj, err := h.Get(ctx, cronJobKind, "team-shop", "nightly-report"); err != nil || cj == nil {
		t.Errorf("CronJob team-shop/nightly-report: %v", err)
	}
}
