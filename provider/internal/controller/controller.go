// Package controller wires every provider-cmdb controller into a manager, either at once or,
// under Crossplane's safe-start, each when the CRD it serves has been installed.
package controller

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/crossplane/crossplane-runtime/v2/pkg/controller"
	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/xapp-dev/xapp/apis/cmdb/v1alpha1"
	"github.com/xapp-dev/xapp/provider/internal/controller/changerecord"
	"github.com/xapp-dev/xapp/provider/internal/controller/config"
	"github.com/xapp-dev/xapp/provider/internal/controller/configurationitem"
	"github.com/xapp-dev/xapp/provider/internal/controller/notification"
	"github.com/xapp-dev/xapp/provider/internal/controller/relationship"
)

const errSetup = "cannot set up controller for "

type setupFn func(ctrl.Manager, controller.Options) error

// gated lists each controller with the kinds whose CRDs must exist before it can start.
var gated = []struct {
	name  string
	setup setupFn
	gvks  []schema.GroupVersionKind
}{
	{"provider configs", config.Setup, []schema.GroupVersionKind{
		v1alpha1.ProviderConfigGroupVersionKind, v1alpha1.ClusterProviderConfigGroupVersionKind, v1alpha1.ProviderConfigUsageGroupVersionKind}},
	{"ConfigurationItem", configurationitem.Setup, []schema.GroupVersionKind{v1alpha1.ConfigurationItemGroupVersionKind}},
	{"Relationship", relationship.Setup, []schema.GroupVersionKind{v1alpha1.RelationshipGroupVersionKind}},
	{"Notification", notification.Setup, []schema.GroupVersionKind{v1alpha1.NotificationGroupVersionKind}},
	{"ChangeRecord", changerecord.Setup, []schema.GroupVersionKind{v1alpha1.ChangeRecordGroupVersionKind}},
}

// Setup adds every controller now.
func Setup(mgr ctrl.Manager, o controller.Options) error {
	for _, g := range gated {
		if err := g.setup(mgr, o); err != nil {
			return errors.Wrap(err, errSetup+g.name)
		}
	}
	return nil
}

// SetupGated registers every controller with o.Gate, which starts it once the CRDs of its
// kinds are established. With safe-start Crossplane installs a CRD only when a
// ManagedResourceActivationPolicy activates it, and a controller watching a missing CRD
// would fail.
func SetupGated(mgr ctrl.Manager, o controller.Options) error {
	for _, g := range gated {
		o.Gate.Register(func() {
			if err := g.setup(mgr, o); err != nil {
				mgr.GetLogger().Error(err, errSetup+g.name)
			}
		}, g.gvks...)
	}
	return nil
}
