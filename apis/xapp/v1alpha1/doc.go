// Package v1alpha1 is the XApp API: the one object an application developer writes. These Go types
// are the source of truth; `go generate ./...` derives both XRDs (the namespaced v2 XApp and the
// legacy v1 CompositeApp with its App claim) from them, and the function decodes requests into them.
//
// +kubebuilder:object:generate=true
// +groupName=platform.xapp.dev
// +versionName=v1alpha1
package v1alpha1
