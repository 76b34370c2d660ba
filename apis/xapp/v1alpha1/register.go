package v1alpha1

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Group and version of the XApp API.
const (
	Group   = "platform.xapp.dev"
	Version = "v1alpha1"
)

// Kinds the API defines. Both composite kinds share XAppSpec and XAppStatus.
const (
	// XAppKind is the namespaced Crossplane v2 composite resource.
	XAppKind = "XApp"
	// CompositeAppKind is the legacy cluster-scoped composite resource behind the App claim.
	CompositeAppKind = "CompositeApp"
	// AppKind is the legacy claim.
	AppKind = "App"

	// Category lists every kind of the API at once: `kubectl get xapp-all`. It must not be any
	// kind's singular or plural name, or it would shadow it (`kubectl get xapp shop` would fail
	// with "you must specify only one resource").
	Category = "xapp-all"
)

// SchemeGroupVersion is the group and version of the XApp API.
var SchemeGroupVersion = schema.GroupVersion{Group: Group, Version: Version}

// XAppGroupVersionKind is the GVK of the namespaced XApp.
var XAppGroupVersionKind = SchemeGroupVersion.WithKind(XAppKind)

// CompositeAppGroupVersionKind is the GVK of the legacy composite resource.
var CompositeAppGroupVersionKind = SchemeGroupVersion.WithKind(CompositeAppKind)
