package fn

import (
	"maps"

	corev1 "k8s.io/api/core/v1"
)

// workloadIdentity binds the app's ServiceAccount to a cloud identity allowed to use only the app's
// own data services: an IAM role the ServiceAccount assumes (aws), a GCP service account it acts as
// (gcp), a user-assigned identity federated with it (azure). Each provider's identity builder is in
// its dataservices_<provider>.go.
type workloadIdentity struct {
	objects []object
	// saAnnotations tell the cloud's token webhook or metadata server which identity the
	// ServiceAccount is; podLabels opt the pods in where the cloud asks for that.
	saAnnotations map[string]string
	podLabels     map[string]string
}

// bindServiceAccount annotates the app's ServiceAccount with its cloud identity.
func (p *dataPlan) bindServiceAccount(sa *corev1.ServiceAccount) {
	if p == nil || len(p.saAnnotations) == 0 {
		return
	}
	ann := make(map[string]string, len(sa.Annotations)+len(p.saAnnotations))
	maps.Copy(ann, sa.Annotations)
	maps.Copy(ann, p.saAnnotations)
	sa.Annotations = ann
}

// bindPods adds the identity's pod labels to the app's pods. Selector labels are not touched.
func (p *dataPlan) bindPods(a *app) {
	if p == nil || len(p.podLabels) == 0 {
		return
	}
	labels := maps.Clone(a.podLabels)
	maps.Copy(labels, p.podLabels)
	a.podLabels = labels
}
