// Package config reconciles ProviderConfigs and ClusterProviderConfigs (counting the
// managed resources that use them, so one in use cannot be deleted) and turns the config a
// managed resource names into a connected CMDB client.
package config

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/controller"
	"github.com/crossplane/crossplane-runtime/v2/pkg/event"
	"github.com/crossplane/crossplane-runtime/v2/pkg/ratelimiter"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/providerconfig"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"

	"github.com/xapp-dev/xapp/apis/cmdb/v1alpha1"
)

// Setup adds the ProviderConfig and ClusterProviderConfig usage controllers.
func Setup(mgr ctrl.Manager, o controller.Options) error {
	if err := setup(mgr, o, v1alpha1.ProviderConfigGroupKind, v1alpha1.ProviderConfigGroupVersionKind, &v1alpha1.ProviderConfig{}, v1alpha1.ProviderConfigKind); err != nil {
		return err
	}
	return setup(mgr, o, v1alpha1.ClusterProviderConfigGroupKind, v1alpha1.ClusterProviderConfigGroupVersionKind, &v1alpha1.ClusterProviderConfig{}, v1alpha1.ClusterProviderConfigKind)
}

// Both kinds count the same namespaced ProviderConfigUsage: the runtime's tracker writes
// it in the managed resource's namespace with the config's kind as a label, and the
// reconciler lists it across namespaces for a cluster-scoped config.
func setup(mgr ctrl.Manager, o controller.Options, groupKind string, gvk schema.GroupVersionKind, pc client.Object, kind string) error {
	name := providerconfig.ControllerName(groupKind)
	r := providerconfig.NewReconciler(mgr, resource.ProviderConfigKinds{
		Config:    gvk,
		Usage:     v1alpha1.ProviderConfigUsageGroupVersionKind,
		UsageList: v1alpha1.ProviderConfigUsageListGroupVersionKind,
	},
		providerconfig.WithLogger(o.Logger.WithValues("controller", name)),
		providerconfig.WithRecorder(event.NewAPIRecorder(mgr.GetEventRecorderFor(name))),
	)
	return ctrl.NewControllerManagedBy(mgr).
		Named(name).
		WithOptions(o.ForControllerRuntime()).
		For(pc).
		Watches(&v1alpha1.ProviderConfigUsage{}, &resource.EnqueueRequestForProviderConfig{Kind: kind}).
		Complete(ratelimiter.NewReconciler(name, r, o.GlobalRateLimiter))
}
