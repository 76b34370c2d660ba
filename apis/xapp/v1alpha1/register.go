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
)

// SchemeGroupVersion is the group and version of the XApp API.
var SchemeGroupVersion = schema.GroupVersion{Group: Group, Version: Version}

// XAppGroupVersionKind is the GVK of the namespaced XApp.
var XAppGroupVersionKind = SchemeGroupVersion.WithKind(XAppKind)

// CompositeAppGroupVersionKind is the GVK of the legacy composite resource.
var CompositeAppGroupVersionKind = SchemeGroupVersion.WithKind(CompositeAppKind)
