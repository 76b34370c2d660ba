// Package v1alpha1 is the v1alpha1 API of provider-cmdb: namespaced Crossplane v2 managed
// resources that register applications and their relationships in a CMDB (ServiceNow or
// iTop), and the configs that say which CMDB to talk to and how to authenticate.
// +kubebuilder:object:generate=true
// +groupName=cmdb.m.xapp.dev
// +versionName=v1alpha1
package v1alpha1
