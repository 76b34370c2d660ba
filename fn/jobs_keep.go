package fn

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
	"github.com/xapp-dev/xapp/internal/pbjson"
)

// AnnotationRunOf on a one-shot Job is the hash of the app's spec it runs for (its suspend aside):
// what the developer asked to run, apart from what the platform made of it.
const AnnotationRunOf = "xapp.dev/run-of"

const errRunOf = "cannot hash the app's spec for its Job"

// runOf is the hash AnnotationRunOf holds for the app's current spec. Suspending a run or lifting
// the suspension is the same run. The spec is hashed as it is sent, without what is left empty, in
// protobuf's deterministic form: a later xapp whose XAppSpec has a field more, which the app does
// not set, hashes the app the same and does not run its job again (encoding/json would write a new
// struct field as {} in every spec).
func runOf(spec v1alpha1.XAppSpec) (string, error) {
	j := *spec.Job
	j.Suspend = nil
	spec.Job = &j
	s, err := pbjson.Encode(&spec)
	if err != nil {
		return "", errors.Wrap(err, errRunOf)
	}
	sum := sha256.Sum256(pbjson.AppendWire(nil, s))
	return hex.EncodeToString(sum[:16]), nil
}

// keptJob is the one-shot Job that already ran, or runs, for the app's current spec, when the
// platform has since changed the pod template (pod defaults, policy labels): that Job is kept as it
// is, under its own name and composition resource name, instead of running the app again. A Job's
// pod template cannot change, so it is sent back as the API server holds it, defaults included,
// which changes nothing; only its suspension follows the app. nil when no observed Job is of the
// same spec, or when the observed one is want itself.
func keptJob(want *batchv1.Job, resource string, observed map[string]*fnv1.Resource) (*batchv1.Job, string) {
	if observed[resource].GetResource() != nil {
		return nil, "" // the Job of the current template exists: nothing older is kept
	}
	for r, o := range observed {
		if !strings.HasPrefix(r, ResourceJobPrefix) || r == resource {
			continue
		}
		j := &batchv1.Job{}
		// want always carries its record: a Job without one (made before it existed) never matches.
		if err := pbjson.Decode(o.GetResource(), j); err != nil || j.Annotations[AnnotationRunOf] != want.Annotations[AnnotationRunOf] {
			continue
		}
		kept := &batchv1.Job{
			TypeMeta:   want.TypeMeta,
			ObjectMeta: metav1.ObjectMeta{Name: j.Name, Namespace: want.Namespace, Labels: want.Labels, Annotations: want.Annotations, Finalizers: want.Finalizers},
			Spec:       j.Spec,
		}
		kept.Spec.Suspend = want.Spec.Suspend
		return kept, r
	}
	return nil, ""
}
