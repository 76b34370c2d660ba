package fn

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"

	"google.golang.org/protobuf/types/known/structpb"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
)

// Composition resource names of a job app's workload. A one-shot Job's is followed by the hash of
// its pod template, like its name: see jobHashLen.
const (
	ResourceJobPrefix = "job-"
	ResourceCronJob   = "cronjob"
)

const errJobHash = "cannot hash the job's pod template"

// jobHashLen hex digits of the pod template's hash end a one-shot Job's name. The API server refuses
// any change to a Job's pod template, so a Job whose pod changed is a new Job under a new name and a
// new composition resource name: Crossplane creates it and deletes the old one (the old composition
// resource name is no longer desired), where updating it in place would fail on every reconcile.
const jobHashLen = 8

// Longest app names a job app may have: a Job's name is a label value on its pods (63 characters),
// and the CronJob controller appends 11 characters to name each run's Job.
const (
	maxJobAppName     = 63 - 1 - jobHashLen
	maxCronJobAppName = 52
)

// jobPlan is a job app's workload for one request: the object to compose (none while the app
// waits for its data services' Secrets) and what status says about its run.
type jobPlan struct {
	objects []object
	status  *v1alpha1.JobStatus
}

func (a *app) isJob() bool { return a.spec.Job != nil }

// planJob composes a job app's Job or CronJob and reads its run from what Crossplane observed. A
// job runs once per pod template: it starts only once every Secret its data services' variables
// come from exists, so that one run has them, where a Deployment starts at once and rolls when they
// appear.
func planJob(a *app, ds *dataPlan, observed map[string]*fnv1.Resource) (*jobPlan, error) {
	p := &jobPlan{}
	var (
		name, kind, resource string
		obj                  any
		h                    health
	)
	// A workload that exists keeps the variables it was made with while a Secret is missing: a
	// CronJob is not deleted then (its runs would stop), a one-shot Job keeps its template and so
	// its name (a new name would run it again).
	env := ds.extraEnv()
	if ds.secretsPending() {
		env = ds.fullEnv()
	}
	if a.spec.Job.Schedule != "" {
		cj := cronJob(a, env)
		name, kind, resource, obj = cj.Name, "CronJob", ResourceCronJob, cj
		h, p.status = cronJobRun(a, name, observed[resource].GetResource())
	} else {
		j, err := oneShotJob(a, env)
		if err != nil {
			return nil, err
		}
		resource = ResourceJobPrefix + j.Name[len(a.name)+1:]
		if kept, r := keptJob(j, resource, observed); kept != nil {
			j, resource = kept, r
		}
		name, kind, obj = j.Name, "Job", j
		h, p.status = jobRun(name, observed[resource].GetResource())
	}
	if ds.secretsPending() && observed[resource].GetResource() == nil {
		// Not made yet: its one run waits for every variable (compose then drops the Usages).
		return p, nil
	}
	if a.pendingSecret != "" && observed[resource].GetResource() == nil {
		// Its one run must have the store's secrets too; a workload that already exists is never
		// taken back (that would delete it).
		p.objects = []object{heldWorkload(kind, name, resource, a.pendingSecret)}
		return p, nil
	}
	// The data services' Usages keep them while the app's workload exists: this one.
	ds.usedBy("batch/v1", kind, name)
	p.objects = []object{{name: resource, obj: obj, health: func(*structpb.Struct) health { return h }}}
	return p, nil
}

// jobSpec runs the app's pod to completion. A failed attempt is a new pod rather than a restart in
// place, so each attempt's logs and exit code stay to be read until the run is retried away.
func jobSpec(a *app, extraEnv []corev1.EnvVar) batchv1.JobSpec {
	ps := podSpec(a, extraEnv)
	ps.RestartPolicy = corev1.RestartPolicyNever
	j := a.spec.Job
	return batchv1.JobSpec{
		BackoffLimit:          j.BackoffLimit,
		ActiveDeadlineSeconds: j.ActiveDeadlineSeconds,
		Suspend:               j.Suspend,
		Template: corev1.PodTemplateSpec{
			ObjectMeta: metav1.ObjectMeta{Labels: a.podLabels, Annotations: podAnnotations(a)},
			Spec:       ps,
		},
	}
}

// oneShotJob runs the app once per pod template, under the app's name and the template's hash, and
// records which spec of the app it runs for (see keptJob).
func oneShotJob(a *app, extraEnv []corev1.EnvVar) (*batchv1.Job, error) {
	spec := jobSpec(a, extraEnv)
	hash, err := templateHash(&spec.Template)
	if err != nil {
		return nil, err
	}
	run, err := runOf(a.spec)
	if err != nil {
		return nil, err
	}
	j := &batchv1.Job{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
		ObjectMeta: a.objectMeta(a.name + "-" + hash),
		Spec:       spec,
	}
	j.Annotations = a.annotations(map[string]string{AnnotationRunOf: run})
	// Crossplane deletes a replaced Job in the foreground, but any deletion without a policy
	// orphans a batch/v1 Job's pods: with the finalizer every deletion takes them, before the
	// Usages let the data services go.
	j.Finalizers = []string{metav1.FinalizerDeleteDependents}
	return j, nil
}

// cronJob runs the app on its schedule. Its job template may change in place: the next run uses
// the new one.
func cronJob(a *app, extraEnv []corev1.EnvVar) *batchv1.CronJob {
	j := a.spec.Job
	spec := jobSpec(a, extraEnv)
	spec.TTLSecondsAfterFinished = j.TTLSecondsAfterFinished
	policy := batchv1.ForbidConcurrent
	if j.ConcurrencyPolicy != "" {
		policy = batchv1.ConcurrencyPolicy(j.ConcurrencyPolicy)
	}
	cj := &batchv1.CronJob{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "CronJob"},
		ObjectMeta: a.objectMeta(a.name),
		Spec: batchv1.CronJobSpec{
			Schedule:                j.Schedule,
			TimeZone:                j.TimeZone,
			StartingDeadlineSeconds: j.StartingDeadlineSeconds,
			ConcurrencyPolicy:       policy,
			Suspend:                 j.Suspend,
			JobTemplate: batchv1.JobTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: a.labels},
				Spec:       spec,
			},
		},
	}
	cj.Finalizers = []string{metav1.FinalizerDeleteDependents}
	return cj
}

// templateHash is a short hash of a pod template's JSON, which encoding/json writes with sorted
// map keys: the same template always hashes the same.
func templateHash(t *corev1.PodTemplateSpec) (string, error) {
	b, err := json.Marshal(t)
	if err != nil {
		// Our own template always encodes; failing loudly beats running the wrong Job.
		return "", errors.Wrap(err, errJobHash)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])[:jobHashLen], nil
}

// secretsPending says whether the app still waits for a data service's Secret: those waits are
// the plan's objects that compose nothing.
func (p *dataPlan) secretsPending() bool {
	if p == nil {
		return false
	}
	for _, o := range p.objects {
		if o.obj == nil {
			return true
		}
	}
	return false
}

// fullEnv is the environment the data services give once every Secret exists.
func (p *dataPlan) fullEnv() []corev1.EnvVar {
	if p == nil {
		return nil
	}
	return p.allEnv
}

// dropUsages takes the data services' Usages out of the plan.
func (p *dataPlan) dropUsages() {
	if p == nil {
		return
	}
	p.objects = slices.DeleteFunc(p.objects, func(o object) bool {
		_, ok := o.obj.(*usage)
		return ok
	})
}

// usedBy points the data services' Usages at the workload that uses them.
func (p *dataPlan) usedBy(apiVersion, kind, name string) {
	if p == nil {
		return
	}
	for _, o := range p.objects {
		if u, ok := o.obj.(*usage); ok {
			u.Spec.By = usageResource{APIVersion: apiVersion, Kind: kind, ResourceRef: localRef{Name: name}}
		}
	}
}
