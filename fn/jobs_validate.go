package fn

import (
	"fmt"
	"math"
	"strings"
	"time"
	_ "time/tzdata" // The CronJob controller's tz database is compiled in; so is the check's.

	"github.com/robfig/cron/v3"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
)

// Bounds the XRD also sets on spec.job.
const (
	maxBackoffLimit     = 100
	maxStartingDeadline = 86400
)

// validateJob checks a job app: its schedule and time zone as the API server checks a CronJob's
// (robfig/cron's standard parser, no TZ in the schedule, an explicit zone), its bounds, the fields
// that need a schedule, and the serving fields a job has no use for, each refused by name.
func validateJob(sp *field.Path, appName string, spec *v1alpha1.XAppSpec) field.ErrorList {
	j := spec.Job
	jp := sp.Child("job")
	var errs field.ErrorList
	if j.Schedule != "" {
		errs = append(errs, validateSchedule(jp, j)...)
		if len(appName) > maxCronJobAppName {
			errs = append(errs, field.TooLong(field.NewPath("metadata", "name"), appName, maxCronJobAppName))
		}
	} else {
		for _, f := range []struct {
			name string
			set  bool
		}{
			{"concurrencyPolicy", j.ConcurrencyPolicy != ""}, {"timeZone", j.TimeZone != nil},
			{"startingDeadlineSeconds", j.StartingDeadlineSeconds != nil},
			// The one-shot Job is the app's record of its run: deleted by its TTL, it would be
			// composed, and run, again.
			{"ttlSecondsAfterFinished", j.TTLSecondsAfterFinished != nil},
		} {
			if f.set {
				errs = append(errs, field.Forbidden(jp.Child(f.name), "only a scheduled job (spec.job.schedule) takes it"))
			}
		}
		if len(appName) > maxJobAppName {
			errs = append(errs, field.TooLong(field.NewPath("metadata", "name"), appName, maxJobAppName))
		}
	}
	errs = append(errs, jobBounds(jp, j)...)
	for _, f := range jobForbidden(spec) {
		errs = append(errs, field.Forbidden(sp.Child(f[0], f[1:]...), "a job serves nothing and runs one pod at a time; remove it, or remove spec.job to run a serving app"))
	}
	if j.ConcurrencyPolicy == v1alpha1.ConcurrencyAllow && hasPersistent(spec.Volumes) {
		errs = append(errs, field.Forbidden(jp.Child("concurrencyPolicy"), "overlapping runs cannot share a persistent volume, which attaches to one node at a time: use Forbid or Replace"))
	}
	return errs
}

// validateSchedule checks the schedule, time zone and concurrency policy of a scheduled job.
func validateSchedule(jp *field.Path, j *v1alpha1.Job) field.ErrorList {
	var errs field.ErrorList
	if strings.Contains(j.Schedule, "TZ") {
		errs = append(errs, field.Invalid(jp.Child("schedule"), j.Schedule, "a time zone in the schedule (TZ=, CRON_TZ=) is not supported: set spec.job.timeZone"))
	} else if _, err := cron.ParseStandard(j.Schedule); err != nil {
		errs = append(errs, field.Invalid(jp.Child("schedule"), j.Schedule, "not a cron schedule: "+err.Error()))
	}
	if tz := j.TimeZone; tz != nil {
		if _, err := time.LoadLocation(*tz); err != nil || *tz == "" || strings.EqualFold(*tz, "Local") {
			errs = append(errs, field.Invalid(jp.Child("timeZone"), *tz, "must be a time zone of the tz database, e.g. Europe/Berlin"))
		}
	}
	switch j.ConcurrencyPolicy {
	case "", v1alpha1.ConcurrencyForbid, v1alpha1.ConcurrencyReplace, v1alpha1.ConcurrencyAllow:
	default:
		errs = append(errs, field.NotSupported(jp.Child("concurrencyPolicy"), j.ConcurrencyPolicy,
			[]string{string(v1alpha1.ConcurrencyForbid), string(v1alpha1.ConcurrencyReplace), string(v1alpha1.ConcurrencyAllow)}))
	}
	return errs
}

// jobBounds checks the numbers the XRD bounds.
func jobBounds(jp *field.Path, j *v1alpha1.Job) field.ErrorList {
	var errs field.ErrorList
	check := func(name string, v *int64, lo, hi int64) {
		if v != nil && (*v < lo || *v > hi) {
			errs = append(errs, field.Invalid(jp.Child(name), *v, fmt.Sprintf("must be between %d and %d", lo, hi)))
		}
	}
	widen := func(v *int32) *int64 {
		if v == nil {
			return nil
		}
		w := int64(*v)
		return &w
	}
	check("backoffLimit", widen(j.BackoffLimit), 0, maxBackoffLimit)
	check("activeDeadlineSeconds", j.ActiveDeadlineSeconds, 1, 1<<53)
	check("startingDeadlineSeconds", j.StartingDeadlineSeconds, 1, maxStartingDeadline)
	check("ttlSecondsAfterFinished", widen(j.TTLSecondsAfterFinished), 0, math.MaxInt32)
	return errs
}

// jobForbidden names the serving fields a job app sets: what a Job's pods have no use for, so
// nothing composes them.
func jobForbidden(spec *v1alpha1.XAppSpec) [][]string {
	var out [][]string
	for _, f := range []struct {
		path []string
		set  bool
	}{
		{[]string{"ports"}, len(spec.Ports) > 0}, {[]string{"route"}, spec.Route != nil},
		{[]string{"replicas"}, spec.Replicas != nil}, {[]string{"autoscaling"}, spec.Autoscaling != nil},
		{[]string{"metrics"}, spec.Metrics != nil}, {[]string{"slo"}, spec.SLO != nil},
		{[]string{"multiCluster"}, spec.MultiCluster != nil},
		{[]string{"probes", "readiness"}, spec.Probes != nil && spec.Probes.Readiness != nil},
	} {
		if f.set {
			out = append(out, f.path)
		}
	}
	return out
}
