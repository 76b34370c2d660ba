package fn

import (
	"fmt"

	"github.com/xapp-dev/xapp/input/v1beta1"
)

// cronJobLateAfter is how long past its next scheduled time a scheduled app may be without a run
// starting (the controller down, runs skipped behind a long one under Forbid) before it alerts.
const cronJobLateAfter = "900"

// jobAlerts replace a job app's health alerts: a Deployment's (replicas unavailable, a rollout stuck,
// containers restarting) mean nothing for pods that finish. A one-shot app alerts when its Job has
// failed; a scheduled app when its latest run failed, and when a run is late, both from
// kube-state-metrics' standard series, as readiness judges them.
func (a *app) jobAlerts(al *v1beta1.Alerts) []alertRule {
	ns := fmt.Sprintf(`namespace=%q`, a.namespace)
	if a.spec.Job.Schedule == "" {
		failed := fmt.Sprintf(`kube_job_failed{%s, job_name=~"%s-[0-9a-f]{%d}", condition="true"} == 1`, ns, a.name, jobHashLen)
		return []alertRule{a.alert(al, "XAppJobFailed", failed, "",
			"The job of app %s failed", "The app's Job has failed: AppReady on the XApp says why; a new image, env or file runs it again.")}
	}
	// The CronJob's runs, by start time; the latest run is the one with the newest.
	runs := fmt.Sprintf(`(kube_job_status_start_time{%s} * on(namespace, job_name) group_left() kube_job_owner{%s, owner_kind="CronJob", owner_name=%q})`, ns, ns, a.name)
	failed := fmt.Sprintf(`(kube_job_failed{%s, condition="true"} == 1) and on(namespace, job_name) (%s == on(namespace) group_left() max by (namespace) (%s))`, ns, runs, runs)
	cj := fmt.Sprintf(`%s, cronjob=%q`, ns, a.name)
	late := fmt.Sprintf(`(time() - kube_cronjob_next_schedule_time{%s} > %s) unless on(namespace, cronjob) (kube_cronjob_spec_suspend{%s} == 1)`, cj, cronJobLateAfter, cj)
	return []alertRule{
		a.alert(al, "XAppJobFailed", failed, "",
			"The latest run of app %s failed", "The CronJob's latest run has failed: see its Job's pods' logs; the alert clears when a later run succeeds."),
		a.alert(al, "XAppCronJobLate", late, "",
			"App %s has missed its schedule", "No run has started in the 15 minutes since one was due: runs skipped while a long one runs (concurrencyPolicy Forbid), a missed startingDeadlineSeconds, or the CronJob controller is down."),
	}
}
