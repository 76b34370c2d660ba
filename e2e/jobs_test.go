package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	kerrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

var (
	jobKind     = schema.GroupVersionKind{Group: "batch", Version: "v1", Kind: "Job"}
	cronJobKind = schema.GroupVersionKind{Group: "batch", Version: "v1", Kind: "CronJob"}
)

// jobsNamespace keeps the job apps apart from team-shop, whose deletion check wants it empty.
const jobsNamespace = "team-jobs"

// testJobs applies the one-shot import job (with its in-cluster database) and the nightly report.
// The import is Ready only once the Job controller has marked its Job Complete: its database's
// Secret written, the Job created, its pod run to completion (kwok's pod-complete stage), the Job
// controller's Complete condition, Crossplane's next look. The report is Ready as soon as its
// CronJob exists, before its first run. A new image runs a new Job (see rerun). Deleting the apps
// takes the Jobs and the CronJob with them.
//
//nolint:thelper // A scenario, not a helper: its failures point at its own lines.
func testJobs(t *testing.T, ctx context.Context) {
	toJobs := func(u *unstructured.Unstructured) { u.SetNamespace(jobsNamespace) }
	s := applyExample(t, ctx, "../examples/job/xr.yaml", XAppKind, toJobs)
	run, _ := s.Status["job"].(map[string]any)
	name, _ := run["name"].(string)
	if run["kind"] != "Job" || run["outcome"] != "Succeeded" || run["completionTime"] == nil {
		t.Errorf("status.job = %v, want a Succeeded Job with its completion time", run)
	}
	job, err := h.Get(ctx, jobKind, jobsNamespace, name)
	if err != nil || job == nil {
		t.Fatalf("Job %s/%s: %v", jobsNamespace, name, err)
	}
	if c := Conditions(job)["Complete"]; c.Status != ConditionTrue {
		t.Errorf("Job %s: Complete = %s, want True: the app was Ready before its run finished", name, c)
	}

	rerun(t, ctx, name)

	s = applyExample(t, ctx, "../examples/cronjob/xr.yaml", XAppKind, toJobs)
	if run, _ := s.Status["job"].(map[string]any); run["kind"] != "CronJob" || run["outcome"] != "Scheduled" {
		t.Errorf("status.job = %v, want a Scheduled CronJob", run)
	}

	workloads := map[string]schema.GroupVersionKind{"nightly-report": cronJobKind}
	for _, app := range []string{"ledger-import", "nightly-report"} {
		u, err := h.Get(ctx, XAppKind, jobsNamespace, app)
		if err != nil || u == nil {
			t.Fatalf("XApp %s/%s: %v", jobsNamespace, app, err)
		}
		if err := h.Client.Delete(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	err = Eventually(ctx, 30*time.Second, 250*time.Millisecond, func() (bool, string, error) {
		l := &unstructured.UnstructuredList{}
		l.SetGroupVersionKind(jobKind.GroupVersion().WithKind("JobList"))
		if err := h.Client.List(ctx, l, client.InNamespace(jobsNamespace)); err != nil || len(l.Items) > 0 {
			return false, fmt.Sprintf("%d Jobs are still there", len(l.Items)), err
		}
		for n, gvk := range workloads {
			if u, err := h.Get(ctx, gvk, jobsNamespace, n); err != nil || u != nil {
				return false, fmt.Sprintf("%s %s is still there", gvk.Kind, n), err
			}
		}
		return true, "", nil
	})
	if err != nil {
		t.Error(err)
	}
}

// rerun gives the one-shot job a new image: a Job's pod template cannot change, so the app must
// run a new Job under a new name, become Ready once that one completes, and lose the old one,
// rather than fail on every reconcile trying to update it.
func rerun(t *testing.T, ctx context.Context, old string) {
	t.Helper()
	// Crossplane writes the XApp too: an update may conflict, and is tried again on a fresh copy.
	err := Eventually(ctx, 10*time.Second, 100*time.Millisecond, func() (bool, string, error) {
		u, err := h.Get(ctx, XAppKind, jobsNamespace, "ledger-import")
		if err != nil || u == nil {
			return false, "the XApp is not there", err
		}
		if err := unstructured.SetNestedField(u.Object, "ghcr.io/acme/ledger-import:2.0.2", "spec", "image"); err != nil {
			return false, "", err
		}
		err = h.Client.Update(ctx, u)
		if kerrors.IsConflict(err) {
			return false, err.Error(), nil
		}
		return err == nil, "", err
	})
	if err != nil {
		t.Fatal(err)
	}
	var name string
	err = Eventually(ctx, 60*time.Second, 250*time.Millisecond, func() (bool, string, error) {
		s, err := h.App(ctx, XAppKind, jobsNamespace, "ledger-import")
		run, _ := s.Status["job"].(map[string]any)
		name, _ = run["name"].(string)
		done := s.Up() && name != old && run["outcome"] == "Succeeded" && s.Image == "ghcr.io/acme/ledger-import:2.0.2"
		return done, fmt.Sprintf("status.job = %v; %s", run, s), err
	})
	if err != nil {
		t.Fatal(err)
	}
	err = Eventually(ctx, 30*time.Second, 250*time.Millisecond, func() (bool, string, error) {
		j, err := h.Get(ctx, jobKind, jobsNamespace, old)
		return j == nil, "the replaced Job " + old + " is still there", err
	})
	if err != nil {
		t.Error(err)
	}
}
