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
// CronJob exists, before its first run. A platform change keeps the Job that ran (see
// platformChange); a new image runs a new Job (see rerun). Deleting the apps
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

	platformChange(t, ctx, name)
	rerun(t, ctx, name)

	s = applyExample(t, ctx, "../examples/cronjob/xr.yaml", XAppKind, toJobs)
	if run, _ := s.Status["job"].(map[string]any); run["kind"] != "CronJob" || run["outcome"] != "Scheduled" {
		t.Errorf("status.job = %v, want a Scheduled CronJob", run)
	}

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
		u, err := h.Get(ctx, cronJobKind, jobsNamespace, "nightly-report")
		return u == nil && err == nil, "CronJob nightly-report is still there", err
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
	updateApp(t, ctx, jobsNamespace, "ledger-import", func(u *unstructured.Unstructured) error {
		return unstructured.SetNestedField(u.Object, "ghcr.io/acme/ledger-import:2.0.2", "spec", "image")
	})
	var name string
	err := Eventually(ctx, 60*time.Second, 250*time.Millisecond, func() (bool, string, error) {
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

// tierLabel is the label the platform adds to every object of its apps in platformChange.
const tierLabel = "platform.acme.io/tier"

// platformChange moves the one-shot job's app to a copy of the installed Composition whose Input adds
// a platform label to every object, its pods included. The Job's pod template would change, but the
// developer asked for nothing new: the Job that ran is kept, under its name and with its own run,
// and only its metadata takes the label. A new Job would run the import a second time.
func platformChange(t *testing.T, ctx context.Context, ran string) {
	t.Helper()
	job, err := h.Get(ctx, jobKind, jobsNamespace, ran)
	if err != nil || job == nil {
		t.Fatalf("Job %s/%s: %v", jobsNamespace, ran, err)
	}
	comp, err := platformComposition(ctx, "xapp-labelled", func(in map[string]any) {
		labels, _ := in["labels"].(map[string]any)
		if labels == nil {
			labels = map[string]any{}
		}
		labels[tierLabel] = "gold"
		in["labels"] = labels
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.ApplyObject(ctx, comp); err != nil {
		t.Fatal(err)
	}
	updateApp(t, ctx, jobsNamespace, "ledger-import", func(u *unstructured.Unstructured) error {
		return unstructured.SetNestedField(u.Object, "xapp-labelled", "spec", "crossplane", "compositionRef", "name")
	})
	err = Eventually(ctx, 30*time.Second, 250*time.Millisecond, func() (bool, string, error) {
		j, err := h.Get(ctx, jobKind, jobsNamespace, ran)
		if err != nil || j == nil {
			return false, "the Job that ran is gone", err
		}
		s, err := h.App(ctx, XAppKind, jobsNamespace, "ledger-import")
		return j.GetLabels()[tierLabel] == "gold" && s.Up(), fmt.Sprintf("Job labels %v; %s", j.GetLabels(), s), err
	})
	if err != nil {
		t.Fatal(err)
	}
	l := &unstructured.UnstructuredList{}
	l.SetGroupVersionKind(jobKind.GroupVersion().WithKind("JobList"))
	if err := h.Client.List(ctx, l, client.InNamespace(jobsNamespace)); err != nil {
		t.Fatal(err)
	}
	if len(l.Items) != 1 || l.Items[0].GetUID() != job.GetUID() {
		names := make([]string, len(l.Items))
		for i, j := range l.Items {
			names[i] = j.GetName() + " " + string(j.GetUID())
		}
		t.Fatalf("Jobs after the platform change: %v, want only %s %s, the one that ran", names, ran, job.GetUID())
	}
	if c := Conditions(&l.Items[0])["Complete"]; c.Status != ConditionTrue {
		t.Errorf("Job %s: Complete = %s, want True", l.Items[0].GetName(), c)
	}
}

// updateApp changes the XApp ns/name with edit. Crossplane writes the XApp too: an update may
// conflict, and is tried again on a fresh copy.
func updateApp(t *testing.T, ctx context.Context, ns, name string, edit func(*unstructured.Unstructured) error) {
	t.Helper()
	err := Eventually(ctx, 10*time.Second, 100*time.Millisecond, func() (bool, string, error) {
		u, err := h.Get(ctx, XAppKind, ns, name)
		if err != nil || u == nil {
			return false, "the XApp is not there", err
		}
		if err := edit(u); err != nil {
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
}
