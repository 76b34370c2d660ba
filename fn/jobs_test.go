package fn

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/types/known/structpb"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
)

// withJob makes the test app a job: no ports, the given run settings.
func withJob(j v1alpha1.Job) specMod {
	return func(s *v1alpha1.XAppSpec) {
		s.Ports = nil
		s.Job = &j
	}
}

func TestPlanJob(t *testing.T) {
	dbSecret := func(exists bool) *dataPlan {
		env := []corev1.EnvVar{{Name: "PGHOST", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "shop-db-app"}, Key: "host"}}}}
		p := &dataPlan{
			env:     env,
			allEnv:  env,
			objects: []object{usageObject(testApp(t, nil), ResourceUsageDatabase, typedRef{cnpgAPI, "Cluster", "shop-db"})},
		}
		if !exists {
			p.env = nil
			p.objects = append(p.objects, object{name: "secret-shop-db-app", health: func(*structpb.Struct) health { return waiting("Secret", "shop-db-app", "waiting") }})
		}
		return p
	}
	cases := map[string]struct {
		reason string
		mods   []specMod
		ds     *dataPlan
		golden string
		// composed is the composition resource name of the workload; empty when none is composed.
		composed string
		usedBy   string
		// pending is an ExternalSecret not yet Ready; held what the app then says it waits for.
		pending, held string
		// observed are the composed resources Crossplane observed.
		observed map[string]*fnv1.Resource
	}{
		"OneShot": {
			reason:   "A one-shot job is a Job named after the app and its pod template's hash, its pods never restarted in place, deleted with its pods.",
			mods:     []specMod{withJob(v1alpha1.Job{BackoffLimit: ptr.To(int32(2)), ActiveDeadlineSeconds: ptr.To(int64(600))})},
			ds:       dbSecret(true),
			golden:   "job-oneshot.yaml",
			composed: "job-c20da666",
			usedBy:   "shop-c20da666",
		},
		"Scheduled": {
			reason:   "A scheduled job is a CronJob under the app's name that forbids overlapping runs unless told otherwise.",
			mods:     []specMod{withJob(v1alpha1.Job{Schedule: "0 3 * * *", TimeZone: ptr.To("Europe/Berlin"), TTLSecondsAfterFinished: ptr.To(int32(3600))})},
			golden:   "job-cronjob.yaml",
			composed: ResourceCronJob,
		},
		"WaitsForSecrets": {
			reason: "A job does not start before its data services' Secrets exist, so its one run has their variables; its Usages come with it.",
			mods:   []specMod{withJob(v1alpha1.Job{})},
			ds:     dbSecret(false),
		},
		"KeptWhileASecretIsMissing": {
			reason:   "A CronJob that exists is not deleted while a data service's Secret is missing (its runs would stop); it keeps the variables it was made with, and its Usages.",
			mods:     []specMod{withJob(v1alpha1.Job{Schedule: "0 3 * * *"})},
			ds:       dbSecret(false),
			observed: map[string]*fnv1.Resource{ResourceCronJob: {Resource: &structpb.Struct{}}},
			golden:   "job-cronjob-secret-missing.yaml",
			composed: ResourceCronJob,
			usedBy:   "shop",
		},
		"WaitsForStoreSecret": {
			reason:  "A job does not start before the store's secrets are written either: its one run reads them.",
			mods:    []specMod{withJob(v1alpha1.Job{Schedule: "0 3 * * *"})},
			pending: "shop-store-env",
			held:    "CronJob shop: not created until ExternalSecret shop-store-env has written its Secret, which the pods read",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			a := testApp(t, nil, tc.mods...)
			a.pendingSecret = tc.pending
			if tc.ds == nil {
				tc.ds = &dataPlan{}
			}
			if tc.observed == nil {
				tc.observed = map[string]*fnv1.Resource{}
			}
			p, err := planJob(a, tc.ds, tc.observed)
			if err != nil {
				t.Fatalf("%s\nplanJob(): %v", tc.reason, err)
			}
			// One object (the workload, or what stands in for it) or none while it waits for Secrets.
			if want := map[bool]int{true: 1, false: 0}[tc.composed != "" || tc.held != ""]; len(p.objects) != want {
				t.Fatalf("%s\nplanJob(): %d objects, want %d", tc.reason, len(p.objects), want)
			}
			composed, held := "", ""
			switch {
			case len(p.objects) == 1 && p.objects[0].obj == nil:
				held = p.objects[0].health(nil).why
			case len(p.objects) == 1:
				composed = p.objects[0].name
				golden(t, tc.golden, p.objects[0].obj)
			}
			if diff := cmp.Diff(tc.held, held); diff != "" {
				t.Errorf("%s\nplanJob(): what the app waits for: -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.composed, composed); diff != "" {
				t.Errorf("%s\nplanJob(): composition resource name: -want, +got:\n%s", tc.reason, diff)
			}
			if len(tc.ds.objects) == 0 {
				return
			}
			usedBy := "" // what the composed Usage names; none while the workload is not made
			for _, o := range compose(a, nil, tc.ds, p, externalSecrets(a)) {
				if u, ok := o.obj.(*usage); ok {
					usedBy = u.Spec.By.ResourceRef.Name
				}
			}
			if diff := cmp.Diff(tc.usedBy, usedBy); diff != "" {
				t.Errorf("%s\nplanJob(): Usage by: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestTemplateHash(t *testing.T) {
	name := func(mods ...specMod) string {
		j, err := oneShotJob(testApp(t, nil, append([]specMod{withJob(v1alpha1.Job{})}, mods...)...), nil)
		if err != nil {
			t.Fatalf("oneShotJob(): %v", err)
		}
		return j.Name
	}
	base := name()
	cases := map[string]struct {
		reason string
		mods   []specMod
		same   bool
	}{
		"Same":      {reason: "The same app names the same Job on every reconcile.", same: true},
		"Image":     {reason: "A new image is a new pod template, which a Job cannot take: a new Job.", mods: []specMod{withImage("ghcr.io/acme/shop:1.5.0")}},
		"File":      {reason: "A changed file changes the template's checksum annotation: a new run.", mods: []specMod{withFiles(v1alpha1.File{Path: "/etc/shop.yaml", Content: "a: 1"})}},
		"Backoff":   {reason: "The backoff limit is outside the pod template and may change in place.", mods: []specMod{func(s *v1alpha1.XAppSpec) { s.Job.BackoffLimit = ptr.To(int32(1)) }}, same: true},
		"Suspend":   {reason: "Suspending or resuming changes the Job in place.", mods: []specMod{func(s *v1alpha1.XAppSpec) { s.Job.Suspend = ptr.To(true) }}, same: true},
		"DependsOn": {reason: "A new dependency labels the pods, which a Job's template cannot take either: a new run.", mods: []specMod{withDependsOn("catalog")}},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			if got := name(tc.mods...); (got == base) != tc.same {
				t.Errorf("%s\noneShotJob(): name %q, first name %q, want same = %t", tc.reason, got, base, tc.same)
			}
		})
	}
}
