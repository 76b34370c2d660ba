package config

import (
	"context"

	"k8s.io/apimachinery/pkg/runtime/schema"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/controller"
	"github.com/crossplane/crossplane-runtime/v2/pkg/event"
	"github.com/crossplane/crossplane-runtime/v2/pkg/ratelimiter"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"

	"github.com/xapp-dev/xapp/apis/cmdb/v1alpha1"
	"github.com/xapp-dev/xapp/provider/internal/clients"
)

// Kind is a managed resource kind of provider-cmdb.
type Kind[T resource.Managed] struct {
	// Object is an empty object of the kind, for the controller to watch.
	Object client.Object
	// Connector makes an external client for a resource of the kind, from a Connection.
	Connector func(*Connector) managed.TypedExternalConnector[T]
	// CreateNotIdempotent kinds make a create that cannot be found again and must not be
	// repeated (a webhook POST). Their reconciler stops, instead of creating again, when a
	// create's result was never recorded (crossplane-runtime's external-create-pending).
	CreateNotIdempotent bool
}

// NewConnector returns the Connector a controller gets its clients from.
func NewConnector(mgr ctrl.Manager) *Connector {
	return &Connector{
		Kube:          mgr.GetClient(),
		Usage:         resource.NewProviderConfigUsageTracker(mgr.GetClient(), &v1alpha1.ProviderConfigUsage{}),
		NewHTTPClient: clients.NewHTTPClient,
	}
}

// SetupManaged adds the managed reconciler for a kind, with the options every provider-cmdb kind
// shares. Records and links get their backend id only when created, and both CMDBs read their own
// writes; so:
//   - no initializers: the default one would set the external name to metadata.name, and Observe
//     would look that up;
//   - deterministic external names (except for CreateNotIdempotent kinds): Observe finds the record
//     by identity when the external name is missing, so a create whose id was never written (a
//     crash, a lost answer) is adopted, not repeated;
//   - no creation grace period: a record missing right after create really is missing, and the
//     default 30s would also hold up deleting a young resource.
func SetupManaged[T resource.Managed](mgr ctrl.Manager, o controller.Options, gvk resource.ManagedKind, k Kind[T]) error {
	name := managed.ControllerName(schema.GroupVersionKind(gvk).GroupKind().String())
	r := NewReconciler(mgr, o, gvk, k, NewConnector(mgr))
	return ctrl.NewControllerManagedBy(mgr).
		Named(name).
		WithOptions(o.ForControllerRuntime()).
		WithEventFilter(resource.DesiredStateChanged()).
		For(k.Object).
		Complete(ratelimiter.NewReconciler(name, r, o.GlobalRateLimiter))
}

// NewReconciler is the managed reconciler SetupManaged runs, connecting through c. Tests drive it
// directly to reconcile exactly as the provider does, one call at a time.
func NewReconciler[T resource.Managed](mgr ctrl.Manager, o controller.Options, gvk resource.ManagedKind, k Kind[T], c *Connector) *managed.Reconciler {
	name := managed.ControllerName(schema.GroupVersionKind(gvk).GroupKind().String())
	opts := []managed.ReconcilerOption{
		managed.WithTypedExternalConnector[T](k.Connector(c)),
		managed.WithInitializers(),
		managed.WithDeterministicExternalName(!k.CreateNotIdempotent),
		managed.WithCreationGracePeriod(0),
		managed.WithLogger(o.Logger.WithValues("controller", name)),
		managed.WithRecorder(event.NewAPIRecorder(mgr.GetEventRecorderFor(name))),
		managed.WithPollInterval(o.PollInterval),
		managed.WithManagementPolicies(),
	}
	if o.MetricOptions != nil && o.MetricOptions.MRMetrics != nil {
		opts = append(opts, managed.WithMetricRecorder(o.MetricOptions.MRMetrics))
	}
	return managed.NewReconciler(mgr, gvk, opts...)
}

// Connected is a Kind whose external client is made from the Connection to the CMDB that a
// resource's config names; newClient also gets the Connector, for kinds that read the API server.
// A Connection newClient refuses is closed here: the client that would close it is never made.
func Connected[T resource.ModernManaged](obj client.Object, newClient func(*Connector, *Connection) (managed.TypedExternalClient[T], error)) Kind[T] {
	return Kind[T]{Object: obj, Connector: func(c *Connector) managed.TypedExternalConnector[T] {
		return managed.TypedExternalConnectorFn[T](func(ctx context.Context, mg T) (managed.TypedExternalClient[T], error) {
			conn, err := c.Connect(ctx, mg)
			if err != nil {
				return nil, err
			}
			ec, err := newClient(c, conn)
			if err != nil {
				conn.Close()
				return nil, err
			}
			return ec, nil
		})
	}}
}
