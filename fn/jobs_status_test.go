package fn

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/types/known/structpb"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
)

func at(s string) *metav1.Time {
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return ptr.To(metav1.NewTime(tm))
}

func TestJobRun(t *testing.T) {
	job := func(status string) *structpb.Struct {
		return mustStruct(t, "apiVersion: batch/v1\nkind: Job\nmetadata: {name: shop-c20da666}\nstatus: "+status)
	}
	st := func(outcome string, mod func(*v1alpha1.JobStatus)) *v1alpha1.JobStatus {
		js := &v1alpha1.JobStatus{Kind: "Job", Name: "shop-c20da666", Outcome: outcome}
		if mod != nil {
			mod(js)
		}
		return js
	}
	cases := map[string]struct {
		reason string
		obs    *structpb.Struct
		want   health
		status *v1alpha1.JobStatus
	}{
		"Missing": {reason: "A Job that does not exist yet is not ready and has no run to report.", want: health{why: "Job shop-c20da666: not created yet"}},
		"Running": {
			reason: "A Job with an active pod runs.",
			obs:    job(`{active: 1, startTime: "2026-11-29T03:00:00Z"}`),
			want:   health{why: "Job shop-c20da666: running: 1 active"},
			status: st(v1alpha1.JobRunning, func(js *v1alpha1.JobStatus) { js.Active, js.StartTime = 1, at("2026-11-29T03:00:00Z") }),
		},
		"Retrying": {
			reason: "Failed attempts before the backoff limit are retried: still waiting, and the developer hears where to look.",
			obs:    job(`{active: 1, failed: 2}`),
			want:   health{why: "Job shop-c20da666: running: 1 active, 2 failed attempts so far (see the pods' logs)"},
			status: st(v1alpha1.JobRunning, func(js *v1alpha1.JobStatus) { js.Active = 1 }),
		},
		"Complete": {
			reason: "The Complete condition makes the app ready.",
			obs:    job(`{succeeded: 1, completionTime: "2026-11-29T03:01:00Z", conditions: [{type: SuccessCriteriaMet, status: "True"}, {type: Complete, status: "True"}]}`),
			want:   ready(),
			status: st(v1alpha1.JobSucceeded, func(js *v1alpha1.JobStatus) { js.CompletionTime = at("2026-11-29T03:01:00Z") }),
		},
		"Failed": {
			reason: "The Failed condition is a failure that will not fix itself, in the Job controller's words.",
			obs:    job(`{failed: 3, conditions: [{type: FailureTarget, status: "True"}, {type: Failed, status: "True", reason: BackoffLimitExceeded, message: "Job has reached the specified backoff limit"}]}`),
			want:   health{failed: true, why: "Job shop-c20da666: failed: BackoffLimitExceeded: Job has reached the specified backoff limit; change the app (a new image, env or file) to run it again"},
			status: st(v1alpha1.JobFailed, func(js *v1alpha1.JobStatus) {
				js.Message = "BackoffLimitExceeded: Job has reached the specified backoff limit"
			}),
		},
		"Suspended": {
			reason: "A suspended Job waits for the developer.",
			obs:    job(`{conditions: [{type: Suspended, status: "True", reason: JobSuspended}]}`),
			want:   health{why: "Job shop-c20da666: suspended: it runs once spec.job.suspend is lifted"},
			status: st(v1alpha1.JobSuspended, nil),
		},
		"Resumed": {
			reason: "A Suspended condition turned False after a resume says nothing: the Job runs.",
			obs:    job(`{active: 1, conditions: [{type: Suspended, status: "False", reason: JobResumed}]}`),
			want:   health{why: "Job shop-c20da666: running: 1 active"},
			status: st(v1alpha1.JobRunning, func(js *v1alpha1.JobStatus) { js.Active = 1 }),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			h, js := jobRun("shop-c20da666", tc.obs)
			if diff := cmp.Diff(tc.want, h, cmp.AllowUnexported(health{})); diff != "" {
				t.Errorf("%s\njobRun(): health: -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.status, js); diff != "" {
				t.Errorf("%s\njobRun(): status: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestCronJobRun(t *testing.T) {
	cron := func(status string) *structpb.Struct {
		return mustStruct(t, "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: shop}\nstatus: "+status)
	}
	st := func(outcome string, active int32, last, success string) *v1alpha1.JobStatus {
		js := &v1alpha1.JobStatus{Kind: "CronJob", Name: "shop", Outcome: outcome, Active: active}
		if last != "" {
			js.LastScheduleTime = at(last)
		}
		if success != "" {
			js.LastSuccessfulTime = at(success)
		}
		return js
	}
	const three, threeOhOne, yesterday = "2026-11-29T03:00:00Z", "2026-11-29T03:01:00Z", "2026-11-28T03:01:00Z"
	cases := map[string]struct {
		reason  string
		suspend bool
		obs     *structpb.Struct
		want    health
		status  *v1alpha1.JobStatus
	}{
		"Missing":   {reason: "A CronJob that does not exist yet is not ready.", want: health{why: "CronJob shop: not created yet"}},
		"NeverRun":  {reason: "A CronJob whose first run is not due yet is ready: it exists as asked.", obs: cron(`{}`), want: ready(), status: st(v1alpha1.JobScheduled, 0, "", "")},
		"FirstRuns": {reason: "The first run runs: nothing has failed.", obs: cron(`{lastScheduleTime: "` + three + `", active: [{kind: Job, name: shop-29400000}]}`), want: ready(), status: st(v1alpha1.JobScheduled, 1, three, "")},
		"Succeeded": {
			reason: "The last run succeeded after it was scheduled.",
			obs:    cron(`{lastScheduleTime: "` + three + `", lastSuccessfulTime: "` + threeOhOne + `"}`),
			want:   ready(), status: st(v1alpha1.JobSucceeded, 0, three, threeOhOne),
		},
		"RunsAgain": {
			reason: "A run in progress after a success: still ready, the last finished run succeeded.",
			obs:    cron(`{lastScheduleTime: "` + three + `", lastSuccessfulTime: "` + yesterday + `", active: [{kind: Job, name: shop-29400000}]}`),
			want:   ready(), status: st(v1alpha1.JobSucceeded, 1, three, yesterday),
		},
		"LastFailed": {
			reason: "No run active and no success since the last schedule: the last run failed, which shows until a later one succeeds.",
			obs:    cron(`{lastScheduleTime: "` + three + `", lastSuccessfulTime: "` + yesterday + `"}`),
			want: health{failed: true, why: "CronJob shop: the run scheduled at 2026-11-29T03:00:00Z did not succeed (last success: 2026-11-28T03:01:00Z); " +
				"see `kubectl get jobs -n team-shop -l app.kubernetes.io/instance=shop` and their pods' logs"},
			status: func() *v1alpha1.JobStatus {
				js := st(v1alpha1.JobFailed, 0, three, yesterday)
				js.Message = "the run scheduled at 2026-11-29T03:00:00Z did not succeed (last success: 2026-11-28T03:01:00Z)"
				return js
			}(),
		},
		"NeverSucceeded": {
			reason: "The first run failed.",
			obs:    cron(`{lastScheduleTime: "` + three + `"}`),
			want: health{failed: true, why: "CronJob shop: the run scheduled at 2026-11-29T03:00:00Z did not succeed (last success: never); " +
				"see `kubectl get jobs -n team-shop -l app.kubernetes.io/instance=shop` and their pods' logs"},
			status: func() *v1alpha1.JobStatus {
				js := st(v1alpha1.JobFailed, 0, three, "")
				js.Message = "the run scheduled at 2026-11-29T03:00:00Z did not succeed (last success: never)"
				return js
			}(),
		},
		"Suspended": {
			reason:  "A suspended CronJob is ready as asked, whatever its last run did.",
			suspend: true,
			obs:     cron(`{lastScheduleTime: "` + three + `"}`),
			want:    ready(), status: st(v1alpha1.JobSuspended, 0, three, ""),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			a := testApp(t, nil, withJob(v1alpha1.Job{Schedule: "0 3 * * *", Suspend: ptr.To(tc.suspend)}))
			h, js := cronJobRun(a, "shop", tc.obs)
			if diff := cmp.Diff(tc.want, h, cmp.AllowUnexported(health{})); diff != "" {
				t.Errorf("%s\ncronJobRun(): health: -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.status, js); diff != "" {
				t.Errorf("%s\ncronJobRun(): status: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestJobSummary(t *testing.T) {
	cases := map[string]struct {
		reason string
		js     v1alpha1.JobStatus
		want   string
	}{
		"Completed":  {reason: "A completed Job says when.", js: v1alpha1.JobStatus{Kind: "Job", Name: "shop-1", CompletionTime: at("2026-11-29T03:01:00Z")}, want: "Job shop-1 completed at 2026-11-29T03:01:00Z"},
		"Suspended":  {reason: "A suspended CronJob says so.", js: v1alpha1.JobStatus{Kind: "CronJob", Name: "shop", Outcome: v1alpha1.JobSuspended}, want: "CronJob shop is suspended"},
		"LastRun":    {reason: "A CronJob says when its last run succeeded.", js: v1alpha1.JobStatus{Kind: "CronJob", Name: "shop", LastSuccessfulTime: at("2026-11-29T03:01:00Z")}, want: "CronJob shop is scheduled; its last run succeeded at 2026-11-29T03:01:00Z"},
		"NotRunYet":  {reason: "A CronJob without a finished run says so.", js: v1alpha1.JobStatus{Kind: "CronJob", Name: "shop"}, want: "CronJob shop is scheduled; no run has finished yet"},
		"NoTimeLeft": {reason: "A completed Job without a completion time still reads right.", js: v1alpha1.JobStatus{Kind: "Job", Name: "shop-1"}, want: "Job shop-1 completed"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, jobSummary(&tc.js)); diff != "" {
				t.Errorf("%s\njobSummary(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
