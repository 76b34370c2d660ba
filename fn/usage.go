package fn

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// The Usage fields the function composes (protection.crossplane.io/v1beta1, namespaced). Crossplane
// refuses to delete the `of` object while the `by` object exists, so an app's database outlives the
// Deployment that uses it, whatever order a deletion happens in.
type usage struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              usageSpec `json:"spec"`
}

type usageSpec struct {
	Of     usageResource `json:"of"`
	By     usageResource `json:"by"`
	Reason string        `json:"reason,omitempty"`
	// ReplayDeletion deletes the data service right after its user is gone, instead of waiting for
	// the next garbage collection.
	ReplayDeletion *bool `json:"replayDeletion,omitempty"`
}

type usageResource struct {
	APIVersion  string   `json:"apiVersion"`
	Kind        string   `json:"kind"`
	ResourceRef localRef `json:"resourceRef"`
}

// usageObject protects of from deletion while the app's Deployment exists. It is ready once it
// exists: it has nothing to wait for.
func usageObject(a *app, resourceName string, of typedRef) object {
	u := &usage{
		TypeMeta:   metav1.TypeMeta{APIVersion: "protection.crossplane.io/v1beta1", Kind: "Usage"},
		ObjectMeta: a.objectMeta(of.name + "-used-by-" + a.name),
		Spec: usageSpec{
			Of:             usageResource{APIVersion: of.apiVersion, Kind: of.kind, ResourceRef: localRef{Name: of.name}},
			By:             usageResource{APIVersion: "apps/v1", Kind: "Deployment", ResourceRef: localRef{Name: a.name}},
			ReplayDeletion: ptr.To(true),
		},
	}
	return object{name: resourceName, obj: u, health: existing("Usage", u.Name)}
}
