package fn

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"

	appsv1 "k8s.io/api/apps/v1"
)

// AnnotationSpec is on the app's Deployment (not its pods, so it rolls nothing): a hash of the spec
// the function composed.
const AnnotationSpec = "xapp.dev/spec"

// stampSpec records which spec the function composed in the Deployment, so a later reconcile can
// tell whether the Deployment it observes already has it.
func stampSpec(d *appsv1.Deployment) {
	b, err := json.Marshal(d.Spec)
	if err != nil {
		// A typed spec always marshals; without a stamp readiness waits, it never lies.
		return
	}
	sum := sha256.Sum256(b)
	d.Annotations = maps.Clone(d.Annotations)
	if d.Annotations == nil {
		d.Annotations = map[string]string{}
	}
	d.Annotations[AnnotationSpec] = hex.EncodeToString(sum[:8])
}

// rolloutHealth is the Deployment's readiness for the spec the function composes now. The
// reconcile that changes the spec observes the Deployment as it was, available with the old pods:
// judged on that alone, the app would read Ready on the new image before any pod runs it.
func rolloutHealth(name string, desired *appsv1.Deployment, observed *observedDeployment) health {
	if want := desired.Annotations[AnnotationSpec]; observed != nil && observed.Metadata.Annotations[AnnotationSpec] != want {
		return waiting("Deployment", name, "rolling out: the new spec is not applied yet")
	}
	return deploymentHealth(name, observed)
}
