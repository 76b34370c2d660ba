// Package configurationitem reconciles ConfigurationItems with records in ServiceNow or
// iTop through crossplane-runtime's managed reconciler.
package configurationitem

import (
	"context"
	"maps"

	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/crossplane/crossplane-runtime/v2/pkg/controller"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/xapp-dev/xapp/apis/cmdb/v1alpha1"
	"github.com/xapp-dev/xapp/provider/internal/clients"
	"github.com/xapp-dev/xapp/provider/internal/controller/config"
)

// Connection details published for a ConfigurationItem.
const (
	ConnectionURL = "url"
	ConnectionID  = "id"
)

// A record is a CMDB record in the form provider-cmdb compares: backend field names, the
// owner team by name.
type record struct {
	ID     string
	Class  string
	URL    string
	Fields map[string]string
}

// backend is one CMDB's way of doing what a ConfigurationItem needs.
type backend interface {
	name() string
	class(cr *v1alpha1.ConfigurationItem) string
	// enforced are fields every record must have whatever the spec says (iTop's organisation).
	enforced() map[string]string
	// find returns the id of the record cr stands for without changing anything; "" when
	// the CMDB has none. It is what makes a retried or crashed create adopt, not duplicate.
	find(ctx context.Context, cr *v1alpha1.ConfigurationItem) (string, error)
	// get reads a record; found is false when it does not exist.
	get(ctx context.Context, cr *v1alpha1.ConfigurationItem, id string) (rec record, found bool, err error)
	// create makes the record, or updates the one find would return, and returns its id.
	create(ctx context.Context, cr *v1alpha1.ConfigurationItem, fields map[string]string) (string, error)
	update(ctx context.Context, cr *v1alpha1.ConfigurationItem, id string, fields map[string]string) error
	remove(ctx context.Context, cr *v1alpha1.ConfigurationItem, id string) error
}

// Setup adds the ConfigurationItem controller.
func Setup(mgr ctrl.Manager, o controller.Options) error {
	return config.SetupManaged(mgr, o, resource.ManagedKind(v1alpha1.ConfigurationItemGroupVersionKind), Kind())
}

// Kind is how the managed reconciler reaches a CMDB for a ConfigurationItem.
func Kind() config.Kind[*v1alpha1.ConfigurationItem] {
	return config.Connected(&v1alpha1.ConfigurationItem{}, func(_ *config.Connector, conn *config.Connection) (managed.TypedExternalClient[*v1alpha1.ConfigurationItem], error) {
		return newExternal(conn), nil
	})
}

func newExternal(conn *config.Connection) *external {
	if conn.Backend == v1alpha1.BackendITop {
		return &external{backend: conn.Backend, conn: conn, b: &itopBackend{c: conn.ITop, org: conn.Organization}}
	}
	return &external{backend: conn.Backend, conn: conn, b: &snBackend{c: conn.ServiceNow, source: conn.DataSource}}
}

type external struct {
	backend v1alpha1.Backend
	conn    *config.Connection
	b       backend
}

// Observe implements managed.TypedExternalClient.
func (e *external) Observe(ctx context.Context, cr *v1alpha1.ConfigurationItem) (managed.ExternalObservation, error) {
	id := meta.GetExternalName(cr)
	adopted := false
	if id == "" {
		found, err := e.b.find(ctx, cr)
		if err != nil {
			return managed.ExternalObservation{}, clients.Explain(e.b.name(), err)
		}
		if found == "" {
			return managed.ExternalObservation{ResourceExists: false}, nil
		}
		// Persisted by the reconciler's late-init update (not under an Observe-only
		// policy, where the record is found again on every poll instead).
		meta.SetExternalName(cr, found)
		id, adopted = found, true
	}
	rec, found, err := e.b.get(ctx, cr, id)
	if err != nil {
		return managed.ExternalObservation{}, clients.Explain(e.b.name(), err)
	}
	if !found {
		return managed.ExternalObservation{ResourceExists: false}, nil
	}
	if meta.WasDeleted(cr) && deletionMode(cr) == v1alpha1.DeletionRetire && Retired(e.backend, rec.Fields) {
		// Retired is what deleting leaves behind: the record is gone as far as this
		// managed resource is concerned, so the finalizer can go.
		return managed.ExternalObservation{ResourceExists: false}, nil
	}
	if adopted && cr.Spec.ForProvider.LifecycleStatus == nil && Retired(e.backend, rec.Fields) {
		// Found by identity while this object lives: the app is registered again (its
		// record was retired when it was deleted), so the record is in use again.
		cr.Spec.ForProvider.LifecycleStatus = ptr.To(v1alpha1.LifecycleOperational)
	}
	cr.Status.AtProvider = Observation(e.backend, rec.ID, rec.URL, rec.Class, rec.Fields)
	lateInit := LateInitialize(&cr.Spec.ForProvider, cr.Status.AtProvider, IdentityKey(cr))
	cr.SetConditions(xpv2.Available())
	diff := Diff(e.desired(cr), rec.Fields)
	return managed.ExternalObservation{
		ResourceExists:          true,
		ResourceUpToDate:        diff == "",
		ResourceLateInitialized: lateInit || adopted,
		ConnectionDetails:       managed.ConnectionDetails{ConnectionURL: []byte(rec.URL), ConnectionID: []byte(rec.ID)},
		Diff:                    diff,
	}, nil
}

// Create implements managed.TypedExternalClient.
func (e *external) Create(ctx context.Context, cr *v1alpha1.ConfigurationItem) (managed.ExternalCreation, error) {
	cr.SetConditions(xpv2.Creating())
	if cr.Spec.ForProvider.LifecycleStatus == nil {
		// A record registered now is in use. Saying so in the spec (persisted with the
		// external name) makes a hand edit before the next poll drift, not the lifecycle
		// late initialisation would copy.
		cr.Spec.ForProvider.LifecycleStatus = ptr.To(v1alpha1.LifecycleOperational)
	}
	fields := e.desired(cr)
	id, err := e.b.create(ctx, cr, fields)
	if err != nil {
		return managed.ExternalCreation{}, clients.Explain(e.b.name(), err)
	}
	meta.SetExternalName(cr, id)
	return managed.ExternalCreation{}, nil
}

// Update implements managed.TypedExternalClient.
func (e *external) Update(ctx context.Context, cr *v1alpha1.ConfigurationItem) (managed.ExternalUpdate, error) {
	err := e.b.update(ctx, cr, meta.GetExternalName(cr), e.desired(cr))
	return managed.ExternalUpdate{}, clients.Explain(e.b.name(), err)
}

// Delete implements managed.TypedExternalClient.
func (e *external) Delete(ctx context.Context, cr *v1alpha1.ConfigurationItem) (managed.ExternalDelete, error) {
	cr.SetConditions(xpv2.Deleting())
	return managed.ExternalDelete{}, clients.Explain(e.b.name(), e.b.remove(ctx, cr, meta.GetExternalName(cr)))
}

// desired are the fields the record must have: the spec's and the backend's enforced ones.
func (e *external) desired(cr *v1alpha1.ConfigurationItem) map[string]string {
	d := Desired(e.backend, cr.Spec.ForProvider)
	maps.Copy(d, e.b.enforced())
	return d
}

// Disconnect implements managed.TypedExternalClient.
func (e *external) Disconnect(_ context.Context) error {
	e.conn.Close()
	return nil
}

func deletionMode(cr *v1alpha1.ConfigurationItem) v1alpha1.DeletionMode {
	if m := cr.Spec.ForProvider.DeletionMode; m != nil {
		return *m
	}
	return v1alpha1.DeletionRetire
}
