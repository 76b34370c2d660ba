package fn

import (
	"maps"
	"testing"

	"github.com/google/go-cmp/cmp"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
	"github.com/xapp-dev/xapp/internal/pbjson"
)

// TestKeptJob runs an app's one-shot job against a Job Crossplane observed under another name:
// the one composed for an earlier pod template, which the API server holds with its defaults.
func TestKeptJob(t *testing.T) {
	type want struct {
		resource string // composition resource name of the composed Job
		kept     bool   // the observed Job, template and all, rather than a new one
		suspend  *bool
	}
	cases := map[string]struct {
		reason string
		// observedMods change the observed Job away from the one the app composes now.
		observedMods []func(*batchv1.Job)
		appMods      []specMod
		want         want
	}{
		"PlatformChanged": {
			reason:       "The platform changed the pod template since the Job ran for this spec: the Job is kept, not run again.",
			observedMods: []func(*batchv1.Job){earlierTemplate},
			want:         want{resource: "job-0ld0ld00", kept: true},
		},
		"PlatformChangedThenSuspended": {
			reason:       "Suspending is the same run: the kept Job takes the suspension in place.",
			observedMods: []func(*batchv1.Job){earlierTemplate},
			appMods:      []specMod{func(s *v1alpha1.XAppSpec) { s.Job.Suspend = ptr.To(true) }},
			want:         want{resource: "job-0ld0ld00", kept: true, suspend: ptr.To(true)},
		},
		"AppChanged": {
			reason:       "The developer changed the app since: a new Job runs the new spec.",
			observedMods: []func(*batchv1.Job){earlierTemplate, runFor("an earlier spec")},
			appMods:      []specMod{withImage("ghcr.io/acme/shop:1.5.0")},
			want:         want{resource: "new"},
		},
		"BeforeRunOf": {
			reason:       "A Job composed before AnnotationRunOf existed says nothing of its spec: a new template is a new Job, as it was.",
			observedMods: []func(*batchv1.Job){earlierTemplate, runFor("")},
			want:         want{resource: "new"},
		},
		"SameTemplate": {
			reason: "The Job of the current template is composed as usual.",
			want:   want{resource: "new"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			mods := append([]specMod{withJob(v1alpha1.Job{})}, tc.appMods...)
			// The observed Job ran for the app before appMods, as the API server holds it.
			before, err := oneShotJob(testApp(t, nil, withJob(v1alpha1.Job{})), nil)
			if err != nil {
				t.Fatal(err)
			}
			before.Spec.Template.Spec.DNSPolicy = corev1.DNSClusterFirst // a default only the server adds
			for _, m := range tc.observedMods {
				m(before)
			}
			s, err := pbjson.Encode(before)
			if err != nil {
				t.Fatal(err)
			}
			observed := map[string]*fnv1.Resource{ResourceJobPrefix + before.Name[len("shop-"):]: {Resource: s}}

			a := testApp(t, nil, mods...)
			now, err := oneShotJob(a, nil)
			if err != nil {
				t.Fatal(err)
			}
			p, err := planJob(a, &dataPlan{}, observed)
			if err != nil {
				t.Fatalf("%s\nplanJob(): %v", tc.reason, err)
			}
			if len(p.objects) != 1 {
				t.Fatalf("%s\nplanJob(): %d objects, want the Job", tc.reason, len(p.objects))
			}
			got, _ := p.objects[0].obj.(*batchv1.Job)
			wantResource, wantJob := tc.want.resource, now
			if wantResource == "new" {
				wantResource = ResourceJobPrefix + now.Name[len("shop-"):]
			}
			if tc.want.kept {
				wantJob = before.DeepCopy()
				wantJob.ObjectMeta = now.ObjectMeta
				wantJob.Name = before.Name
				wantJob.Spec.Suspend = tc.want.suspend
			}
			if diff := cmp.Diff(wantResource, p.objects[0].name); diff != "" {
				t.Errorf("%s\nplanJob(): composition resource name: -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(wantJob, got); diff != "" {
				t.Errorf("%s\nplanJob(): Job: -want, +got:\n%s", tc.reason, diff)
			}
			// status.job reads the composed Job as observed; a new one is not made yet.
			made := observed[p.objects[0].name] != nil
			if (p.status != nil) != made || made && p.status.Name != wantJob.Name {
				t.Errorf("%s\nplanJob(): status.job %+v, want that of Job %s: %t", tc.reason, p.status, wantJob.Name, made)
			}
		})
	}
}

// earlierTemplate makes the Job the one composed for a pod template the platform has since changed.
func earlierTemplate(j *batchv1.Job) {
	j.Name = "shop-0ld0ld00"
	j.Spec.Template.Labels = maps.Clone(j.Spec.Template.Labels)
	j.Spec.Template.Labels["platform"] = "before"
}

func runFor(hash string) func(*batchv1.Job) {
	return func(j *batchv1.Job) {
		j.Annotations = maps.Clone(j.Annotations)
		if hash == "" {
			delete(j.Annotations, AnnotationRunOf)
			return
		}
		j.Annotations[AnnotationRunOf] = hash
	}
}

func TestRunOf(t *testing.T) {
	hash := func(mods ...specMod) string {
		a := testApp(t, nil, append([]specMod{withJob(v1alpha1.Job{BackoffLimit: ptr.To(int32(2))})}, mods...)...)
		h, err := runOf(a.spec)
		if err != nil {
			t.Fatalf("runOf(): %v", err)
		}
		return h
	}
	labels := func(keys ...string) specMod {
		return func(s *v1alpha1.XAppSpec) {
			s.PodMetadata = &v1alpha1.PodMetadata{Labels: map[string]string{}}
			for _, k := range keys {
				s.PodMetadata.Labels[k] = "x"
			}
		}
	}
	base := hash()
	cases := map[string]struct {
		reason string
		mods   []specMod
		same   bool
	}{
		"Same":     {reason: "The same spec is the same run on every reconcile.", same: true},
		"Suspend":  {reason: "Suspending is the same run.", mods: []specMod{func(s *v1alpha1.XAppSpec) { s.Job.Suspend = ptr.To(true) }}, same: true},
		"Image":    {reason: "A new image is a new run.", mods: []specMod{withImage("ghcr.io/acme/shop:1.5.0")}},
		"JobField": {reason: "A change to the job's own settings is a new run of the app's spec.", mods: []specMod{func(s *v1alpha1.XAppSpec) { s.Job.BackoffLimit = ptr.To(int32(3)) }}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := hash(tc.mods...); (got == base) != tc.same {
				t.Errorf("%s\nrunOf(): %s, first %s, want same = %t", tc.reason, got, base, tc.same)
			}
		})
	}
	t.Run("MapOrder", func(t *testing.T) {
		keys := []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}
		first := hash(labels(keys...))
		for range 20 {
			if got := hash(labels(keys...)); got != first {
				t.Fatalf("runOf(): %s then %s for the same labels: the hash must not follow map order", first, got)
			}
		}
	})
}
