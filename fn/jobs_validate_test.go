package fn

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
	"github.com/xapp-dev/xapp/input/v1beta1"
)

func TestValidateJob(t *testing.T) {
	cases := map[string]struct {
		reason string
		name   string
		mods   []specMod
		want   []string
	}{
		"OneShot":  {reason: "A one-shot job with its bounds is valid.", mods: []specMod{withJob(v1alpha1.Job{BackoffLimit: ptr.To(int32(0)), ActiveDeadlineSeconds: ptr.To(int64(60))})}},
		"Schedule": {reason: "Cron schedules and macros with a tz database zone are valid.", mods: []specMod{withJob(v1alpha1.Job{Schedule: "@hourly", TimeZone: ptr.To("Europe/Berlin"), ConcurrencyPolicy: v1alpha1.ConcurrencyReplace})}},
		"BadSchedule": {
			reason: "A schedule the CronJob controller cannot parse is refused with the parser's reason.",
			mods:   []specMod{withJob(v1alpha1.Job{Schedule: "61 * * * *"})},
			want:   []string{`spec.job.schedule: Invalid value: "61 * * * *": not a cron schedule: end of range (61) above maximum (59): 61`},
		},
		"TZInSchedule": {
			reason: "The API server refuses a time zone inside the schedule; the developer is told where it goes.",
			mods:   []specMod{withJob(v1alpha1.Job{Schedule: "CRON_TZ=UTC 0 3 * * *"})},
			want:   []string{`spec.job.schedule: Invalid value: "CRON_TZ=UTC 0 3 * * *": a time zone in the schedule (TZ=, CRON_TZ=) is not supported: set spec.job.timeZone`},
		},
		"BadZone": {
			reason: "A zone outside the tz database, and Local, are refused as the API server refuses them.",
			mods:   []specMod{withJob(v1alpha1.Job{Schedule: "0 3 * * *", TimeZone: ptr.To("Local")})},
			want:   []string{`spec.job.timeZone: Invalid value: "Local": must be a time zone of the tz database, e.g. Europe/Berlin`},
		},
		"NeedsSchedule": {
			reason: "Settings of scheduled runs are refused on a one-shot job, each by name; a TTL would delete the Job only for Crossplane to run it again.",
			mods:   []specMod{withJob(v1alpha1.Job{ConcurrencyPolicy: v1alpha1.ConcurrencyAllow, TTLSecondsAfterFinished: ptr.To(int32(60))})},
			want: []string{
				"spec.job.concurrencyPolicy: Forbidden: only a scheduled job (spec.job.schedule) takes it",
				"spec.job.ttlSecondsAfterFinished: Forbidden: only a scheduled job (spec.job.schedule) takes it",
			},
		},
		"Bounds": {
			reason: "Numbers out of the XRD's bounds are refused when the schema was skipped.",
			mods:   []specMod{withJob(v1alpha1.Job{Schedule: "0 3 * * *", BackoffLimit: ptr.To(int32(101)), StartingDeadlineSeconds: ptr.To(int64(0)), ConcurrencyPolicy: "Sometimes"})},
			want: []string{
				`spec.job.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Forbid", "Replace", "Allow"`,
				"spec.job.backoffLimit: Invalid value: 101: must be between 0 and 100",
				"spec.job.startingDeadlineSeconds: Invalid value: 0: must be between 1 and 86400",
			},
		},
		"Serving": {
			reason: "What only a serving app has is refused, each field by name.",
			mods: []specMod{withJob(v1alpha1.Job{}), withPorts(http("http", 8080)), withReplicas(2), withAutoscaling(1, 2),
				func(s *v1alpha1.XAppSpec) {
					s.Replicas = nil
					s.Probes = &v1alpha1.Probes{Readiness: &v1alpha1.Probe{Exec: &v1alpha1.ExecProbe{Command: []string{"true"}}}}
				}},
			want: []string{
				"spec.ports: Forbidden: a job serves nothing and runs one pod at a time; remove it, or remove spec.job to run a serving app",
				"spec.autoscaling: Forbidden: a job serves nothing and runs one pod at a time; remove it, or remove spec.job to run a serving app",
				"spec.probes.readiness: Forbidden: a job serves nothing and runs one pod at a time; remove it, or remove spec.job to run a serving app",
			},
		},
		"SharedVolume": {
			reason: "Overlapping runs cannot share a volume that attaches to one node.",
			mods: []specMod{withJob(v1alpha1.Job{Schedule: "* * * * *", ConcurrencyPolicy: v1alpha1.ConcurrencyAllow}), func(s *v1alpha1.XAppSpec) {
				s.Volumes = []v1alpha1.Volume{{Name: "data", Path: "/data", Persistent: &v1alpha1.PersistentVolume{Size: *q("1Gi")}}}
			}},
			want: []string{"spec.job.concurrencyPolicy: Forbidden: overlapping runs cannot share a persistent volume, which attaches to one node at a time: use Forbid or Replace"},
		},
		"LongName": {
			reason: "A Job's name, the app's and a hash, must fit a label value.",
			name:   strings.Repeat("a", 55),
			mods:   []specMod{withJob(v1alpha1.Job{})},
			want:   []string{"metadata.name: Too long: may not be more than 54 bytes"},
		},
		"LongCronName": {
			reason: "The CronJob controller appends 11 characters to name each run.",
			name:   strings.Repeat("a", 53),
			mods:   []specMod{withJob(v1alpha1.Job{Schedule: "@daily"})},
			want:   []string{"metadata.name: Too long: may not be more than 52 bytes"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			spec := testApp(t, nil, tc.mods...).spec
			appName := "shop"
			if tc.name != "" {
				appName = tc.name
			}
			var got []string
			for _, e := range validateJob(field.NewPath("spec"), appName, &spec) {
				got = append(got, e.Error())
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nvalidateJob(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestJobAlerts(t *testing.T) {
	monitoring := func(in *v1beta1.Input) { in.Monitoring = &v1beta1.Monitoring{Alerts: &v1beta1.Alerts{}} }
	for name, j := range map[string]v1alpha1.Job{"oneshot": {}, "cronjob": {Schedule: "0 3 * * *"}} {
		t.Run(name, func(t *testing.T) {
			golden(t, "alerts-job-"+name+".yaml", prometheusRules(testApp(t, []inputMod{monitoring}, withJob(j))))
		})
	}
}
