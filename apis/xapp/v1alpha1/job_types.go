package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// ConcurrencyPolicy says what happens when a scheduled run is due while the previous one still runs.
// +kubebuilder:validation:Enum=Forbid;Replace;Allow
type ConcurrencyPolicy string

// Concurrency policies, as a CronJob names them.
const (
	ConcurrencyForbid  ConcurrencyPolicy = "Forbid"
	ConcurrencyReplace ConcurrencyPolicy = "Replace"
	ConcurrencyAllow   ConcurrencyPolicy = "Allow"
)

// Job makes the app run to completion instead of serving: once (a Kubernetes Job), or on a schedule
// (a CronJob). It keeps everything a serving app has for its pod (image policy, env, files,
// volumes, secrets, data services, identity, secure defaults) and has nothing that only serves
// (ports, route, replicas, autoscaling, readiness probe).
//
// +kubebuilder:validation:XValidation:rule="has(self.schedule) || !(has(self.concurrencyPolicy) || has(self.timeZone) || has(self.startingDeadlineSeconds) || has(self.ttlSecondsAfterFinished))",message="concurrencyPolicy, timeZone, startingDeadlineSeconds and ttlSecondsAfterFinished need a schedule: a one-shot job is the app's record of its run and is never deleted behind the platform's back"
type Job struct {
	// Schedule runs the app periodically, in cron format (`0 3 * * *`, `@hourly`), in the time zone
	// of timeZone. Without a schedule the app runs once, and again whenever its pod changes (a new
	// image, env, file).
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=100
	Schedule string `json:"schedule,omitempty"`

	// TimeZone of the schedule, from the tz database (`Europe/Berlin`); the cluster's controller
	// manager's local time when unset, which is usually UTC.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	TimeZone *string `json:"timeZone,omitempty"`

	// ConcurrencyPolicy is what happens when a run is due while the previous one still runs: Forbid
	// skips it (the default here, unlike Kubernetes', because two overlapping runs of the same work
	// rarely end well), Replace stops the old run, Allow runs both.
	// +optional
	ConcurrencyPolicy ConcurrencyPolicy `json:"concurrencyPolicy,omitempty"`

	// StartingDeadlineSeconds is how late a run may start (after a missed schedule, the controller
	// being down); a run later than that is skipped.
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=86400
	StartingDeadlineSeconds *int64 `json:"startingDeadlineSeconds,omitempty"`

	// Suspend stops new runs: a scheduled app skips its runs, a one-shot app does not start (or its
	// pods are stopped) until suspend is lifted.
	// +optional
	Suspend *bool `json:"suspend,omitempty"`

	// BackoffLimit is how many times a failed run is retried, with exponential delay, before it
	// counts as failed. Kubernetes' default is 6.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=100
	BackoffLimit *int32 `json:"backoffLimit,omitempty"`

	// ActiveDeadlineSeconds bounds a run, retries included; past it the run is stopped and failed.
	// +optional
	// +kubebuilder:validation:Minimum=1
	ActiveDeadlineSeconds *int64 `json:"activeDeadlineSeconds,omitempty"`

	// TTLSecondsAfterFinished deletes each finished run of a scheduled app (its Job and pods) that
	// long after it finished; the CronJob's history limits apply too. Only with a schedule.
	// +optional
	// +kubebuilder:validation:Minimum=0
	TTLSecondsAfterFinished *int32 `json:"ttlSecondsAfterFinished,omitempty"`
}

// Outcomes of a job app's run.
const (
	JobRunning   = "Running"
	JobSucceeded = "Succeeded"
	JobFailed    = "Failed"
	JobSuspended = "Suspended"
	JobScheduled = "Scheduled"
)

// JobStatus is a job app's run, read from its Job or CronJob.
type JobStatus struct {
	// Kind of the workload: Job or CronJob.
	Kind string `json:"kind"`

	// Name of the Job (the app's name and a hash of its pod) or of the CronJob.
	Name string `json:"name"`

	// Outcome of the run: Running, Succeeded, Failed or Suspended; for a scheduled app, of its last
	// finished run, or Scheduled before its first one has finished.
	// +kubebuilder:validation:Enum=Running;Succeeded;Failed;Suspended;Scheduled
	Outcome string `json:"outcome"`

	// Message says why a run failed, in the Job's words.
	// +optional
	Message string `json:"message,omitempty"`

	// Active runs of a scheduled app; running pods of a one-shot app.
	// +optional
	Active int32 `json:"active,omitempty"`

	// StartTime of a one-shot app's run.
	// +optional
	StartTime *metav1.Time `json:"startTime,omitempty"`

	// CompletionTime of a one-shot app's successful run.
	// +optional
	CompletionTime *metav1.Time `json:"completionTime,omitempty"`

	// LastScheduleTime is when a scheduled app's last run was started.
	// +optional
	LastScheduleTime *metav1.Time `json:"lastScheduleTime,omitempty"`

	// LastSuccessfulTime is when a scheduled app's last successful run finished.
	// +optional
	LastSuccessfulTime *metav1.Time `json:"lastSuccessfulTime,omitempty"`
}
