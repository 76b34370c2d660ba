package fn

import (
	"fmt"
	"time"

	"google.golang.org/protobuf/types/known/structpb"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
	"github.com/xapp-dev/xapp/internal/pbjson"
)

// jobRun judges a one-shot app by its Job's terminal conditions, as `kubectl wait
// --for=condition=Complete` does: ready once it completed, failed once it failed (its retries
// spent or its deadline passed), waiting while it runs or is suspended. The Job controller sets
// Complete or Failed only after the run's pods have terminated (batch/v1 since Kubernetes 1.31), so
// a ready app's run is truly over.
func jobRun(name string, obs *structpb.Struct) (health, *v1alpha1.JobStatus) {
	const kind = "Job"
	if obs == nil {
		return waiting(kind, name, "not created yet"), nil
	}
	var st batchv1.JobStatus
	if err := pbjson.DecodeField(obs, "status", &st); err != nil {
		return waiting(kind, name, "cannot read status: %v", err), nil
	}
	js := &v1alpha1.JobStatus{Kind: kind, Name: name, Outcome: v1alpha1.JobRunning, Active: st.Active,
		StartTime: st.StartTime, CompletionTime: st.CompletionTime}
	for _, c := range st.Conditions {
		if c.Status != corev1.ConditionTrue {
			continue
		}
		switch c.Type {
		case batchv1.JobComplete:
			js.Outcome = v1alpha1.JobSucceeded
			return ready(), js
		case batchv1.JobFailed:
			js.Outcome, js.Message = v1alpha1.JobFailed, c.Reason+": "+oneLine(c.Message)
			// A failed Job stays failed: a new run needs a change to the app's pod.
			return failing(kind, name, "failed: %s; change the app (a new image, env or file) to run it again", js.Message), js
		case batchv1.JobSuspended:
			js.Outcome = v1alpha1.JobSuspended
			return waiting(kind, name, "suspended: it runs once spec.job.suspend is lifted"), js
		}
	}
	if st.Failed > 0 {
		return waiting(kind, name, "running: %d active, %d failed attempts so far (see the pods' logs)", st.Active, st.Failed), js
	}
	return waiting(kind, name, "running: %d active", st.Active), js
}

// cronJobRun judges a scheduled app: ready while its CronJob exists and its last finished run did
// not fail. The CronJob controller sets lastSuccessfulTime to a successful run's completion and
// drops finished runs from active in the same status update, so a last schedule with no active run
// and no success after it is a run that failed. That state lasts until a later run succeeds, and
// is reported as failed so that it is seen; a suspended app is ready, as asked.
func cronJobRun(a *app, name string, obs *structpb.Struct) (health, *v1alpha1.JobStatus) {
	const kind = "CronJob"
	if obs == nil {
		return waiting(kind, name, "not created yet"), nil
	}
	var st batchv1.CronJobStatus
	if err := pbjson.DecodeField(obs, "status", &st); err != nil {
		return waiting(kind, name, "cannot read status: %v", err), nil
	}
	js := &v1alpha1.JobStatus{Kind: kind, Name: name, Outcome: v1alpha1.JobScheduled, Active: int32(len(st.Active)),
		LastScheduleTime: st.LastScheduleTime, LastSuccessfulTime: st.LastSuccessfulTime}
	lastFailed := st.LastScheduleTime != nil && len(st.Active) == 0 &&
		(st.LastSuccessfulTime == nil || st.LastSuccessfulTime.Before(st.LastScheduleTime))
	switch {
	case a.spec.Job.Suspend != nil && *a.spec.Job.Suspend:
		js.Outcome = v1alpha1.JobSuspended
	case lastFailed:
		last := "never"
		if st.LastSuccessfulTime != nil {
			last = st.LastSuccessfulTime.UTC().Format(time.RFC3339)
		}
		js.Outcome = v1alpha1.JobFailed
		js.Message = fmt.Sprintf("the run scheduled at %s did not succeed (last success: %s)", st.LastScheduleTime.UTC().Format(time.RFC3339), last)
		return failing(kind, name, "%s; see `kubectl get jobs -n %s -l %s=%s` and their pods' logs", js.Message, a.namespace, LabelInstance, a.name), js
	case st.LastSuccessfulTime != nil:
		js.Outcome = v1alpha1.JobSucceeded
	}
	return ready(), js
}

// jobSummary is a ready job app's AppReady message.
func jobSummary(js *v1alpha1.JobStatus) string {
	switch {
	case js.Kind == "Job" && js.CompletionTime != nil:
		return fmt.Sprintf("Job %s completed at %s", js.Name, js.CompletionTime.UTC().Format(time.RFC3339))
	case js.Kind == "Job":
		return "Job " + js.Name + " completed"
	case js.Outcome == v1alpha1.JobSuspended:
		return "CronJob " + js.Name + " is suspended"
	case js.LastSuccessfulTime != nil:
		return fmt.Sprintf("CronJob %s is scheduled; its last run succeeded at %s", js.Name, js.LastSuccessfulTime.UTC().Format(time.RFC3339))
	}
	return "CronJob " + js.Name + " is scheduled; no run has finished yet"
}
