// Package relationship reconciles Relationships with relationship records: cmdb_rel_ci rows
// in ServiceNow, lnkApplicationSolutionToFunctionalCI links in iTop.
package relationship

import (
	"context"
	"fmt"

	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/crossplane/crossplane-runtime/v2/pkg/controller"
	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/xapp-dev/xapp/apis/cmdb/v1alpha1"
	"github.com/xapp-dev/xapp/provider/internal/clients"
	"github.com/xapp-dev/xapp/provider/internal/clients/itop"
	"github.com/xapp-dev/xapp/provider/internal/clients/servicenow"
	"github.com/xapp-dev/xapp/provider/internal/controller/config"
)

const (
	errNoEnds    = "parent and child are not resolved yet: set parentId/childId or reference ConfigurationItems that exist in the CMDB"
	errNoRelType = "ServiceNow has no cmdb_rel_type named %q"

	relTable     = "cmdb_rel_ci"
	relTypeTable = "cmdb_rel_type"
	comment      = "provider-cmdb"
)

// Setup adds the Relationship controller.
func Setup(mgr ctrl.Manager, o controller.Options) error {
	return config.SetupManaged(mgr, o, resource.ManagedKind(v1alpha1.RelationshipGroupVersionKind), Kind())
}

// Kind is how the managed reconciler reaches a CMDB for a Relationship.
func Kind() config.Kind[*v1alpha1.Relationship] {
	return config.Connected(&v1alpha1.Relationship{}, func(c *config.Connector, conn *config.Connection) (managed.TypedExternalClient[*v1alpha1.Relationship], error) {
		if conn.Backend == v1alpha1.BackendITop {
			return &external{backend: conn.Backend, conn: conn, name: "iTop", b: &itopLinks{c: conn.ITop}, owners: &linkOwners{kube: c.Kube}}, nil
		}
		return &external{backend: conn.Backend, conn: conn, name: "ServiceNow", b: &snLinks{c: conn.ServiceNow}}, nil
	})
}

// links is one CMDB's way of keeping relationship records.
type links interface {
	// find returns the link joining want's parent and child with its type; found is false
	// if there is none.
	find(ctx context.Context, want link) (l link, found bool, err error)
	// get reads a link by id; found is false when it does not exist.
	get(ctx context.Context, id string) (l link, found bool, err error)
	create(ctx context.Context, want link) (string, error)
	update(ctx context.Context, id string, want link) error
	remove(ctx context.Context, id string) error
}

type external struct {
	backend v1alpha1.Backend
	conn    *config.Connection
	name    string
	b       links
	// owners is set when the backend keeps one link per pair of records (iTop).
	owners *linkOwners
}

func (e *external) want(cr *v1alpha1.Relationship) (link, error) {
	p, c := cr.Spec.ForProvider.ParentID, cr.Spec.ForProvider.ChildID
	if p == nil || c == nil || *p == "" || *c == "" {
		return link{}, errors.New(errNoEnds)
	}
	return link{Parent: *p, Child: *c, Type: BackendType(e.backend, cr.Spec.ForProvider.Type)}, nil
}

// Observe implements managed.TypedExternalClient.
func (e *external) Observe(ctx context.Context, cr *v1alpha1.Relationship) (managed.ExternalObservation, error) {
	want, err := e.want(cr)
	if err != nil {
		return managed.ExternalObservation{}, err
	}
	if e.owners != nil {
		owner, err := e.owners.owner(ctx, cr)
		if err != nil {
			return managed.ExternalObservation{}, err
		}
		if owner != "" && meta.WasDeleted(cr) {
			return managed.ExternalObservation{ResourceExists: false}, nil // the link is owner's
		}
		if owner != "" {
			return managed.ExternalObservation{}, errors.Errorf(errSharedLink, owner, want.Parent, want.Child)
		}
	}
	id := meta.GetExternalName(cr)
	adopted := false
	var (
		got   link
		found bool
	)
	if id == "" {
		if got, found, err = e.b.find(ctx, want); err != nil {
			return managed.ExternalObservation{}, clients.Explain(e.name, err)
		}
		if found {
			meta.SetExternalName(cr, got.ID)
			adopted = true
		}
	} else if got, found, err = e.b.get(ctx, id); err != nil {
		return managed.ExternalObservation{}, clients.Explain(e.name, err)
	}
	if !found {
		return managed.ExternalObservation{ResourceExists: false}, nil
	}
	cr.Status.AtProvider = Observation(got)
	cr.SetConditions(xpv2.Available())
	diff := ""
	if !UpToDate(want, got) {
		diff = fmt.Sprintf("want %+v, got %+v", want, got)
	}
	return managed.ExternalObservation{
		ResourceExists:          true,
		ResourceUpToDate:        diff == "",
		ResourceLateInitialized: adopted,
		Diff:                    diff,
	}, nil
}

// Create implements managed.TypedExternalClient.
func (e *external) Create(ctx context.Context, cr *v1alpha1.Relationship) (managed.ExternalCreation, error) {
	want, err := e.want(cr)
	if err != nil {
		return managed.ExternalCreation{}, err
	}
	// Look first: a link created by an earlier attempt must be adopted, and iTop refuses
	// a duplicate link anyway.
	got, found, err := e.b.find(ctx, want)
	if err != nil {
		return managed.ExternalCreation{}, clients.Explain(e.name, err)
	}
	if !found {
		if got.ID, err = e.b.create(ctx, want); err != nil {
			return managed.ExternalCreation{}, clients.Explain(e.name, err)
		}
	}
	meta.SetExternalName(cr, got.ID)
	return managed.ExternalCreation{}, nil
}

// Update implements managed.TypedExternalClient.
func (e *external) Update(ctx context.Context, cr *v1alpha1.Relationship) (managed.ExternalUpdate, error) {
	want, err := e.want(cr)
	if err != nil {
		return managed.ExternalUpdate{}, err
	}
	return managed.ExternalUpdate{}, clients.Explain(e.name, e.b.update(ctx, meta.GetExternalName(cr), want))
}

// Delete implements managed.TypedExternalClient. Relationships are deleted, not retired:
// a retired application's links would otherwise keep showing in impact analysis.
func (e *external) Delete(ctx context.Context, cr *v1alpha1.Relationship) (managed.ExternalDelete, error) {
	cr.SetConditions(xpv2.Deleting())
	return managed.ExternalDelete{}, clients.Explain(e.name, e.b.remove(ctx, meta.GetExternalName(cr)))
}

// Disconnect implements managed.TypedExternalClient.
func (e *external) Disconnect(_ context.Context) error {
	e.conn.Close()
	return nil
}

// snLinks keeps cmdb_rel_ci rows; the type is a reference to cmdb_rel_type, so rows are
// compared by the type's name.
type snLinks struct {
	c servicenow.Client
}

func (s *snLinks) typeID(ctx context.Context, name string) (string, error) {
	types, err := s.c.List(ctx, relTypeTable, "name="+name, 1)
	if err != nil {
		return "", err
	}
	if len(types) == 0 {
		return "", errors.Errorf(errNoRelType, name)
	}
	return types[0].Get("sys_id"), nil
}

func toLink(r servicenow.Record) link {
	return link{ID: r.Get("sys_id"), Parent: r.Get("parent"), Child: r.Get("child"), Type: r["type"].Display}
}

func (s *snLinks) find(ctx context.Context, want link) (link, bool, error) {
	t, err := s.typeID(ctx, want.Type)
	if err != nil {
		return link{}, false, err
	}
	rows, err := s.c.List(ctx, relTable, "parent="+want.Parent+"^child="+want.Child+"^type="+t, 1)
	if err != nil || len(rows) == 0 {
		return link{}, false, err
	}
	return toLink(rows[0]), true, nil
}

func (s *snLinks) get(ctx context.Context, id string) (link, bool, error) {
	r, err := s.c.Get(ctx, relTable, id)
	if clients.IsNotFound(err) {
		return link{}, false, nil
	}
	if err != nil {
		return link{}, false, err
	}
	return toLink(r), true, nil
}

func (s *snLinks) fields(ctx context.Context, want link) (map[string]string, error) {
	t, err := s.typeID(ctx, want.Type)
	if err != nil {
		return nil, err
	}
	return map[string]string{"parent": want.Parent, "child": want.Child, "type": t}, nil
}

func (s *snLinks) create(ctx context.Context, want link) (string, error) {
	f, err := s.fields(ctx, want)
	if err != nil {
		return "", err
	}
	r, err := s.c.Create(ctx, relTable, f)
	if err != nil {
		return "", err
	}
	return r.Get("sys_id"), nil
}

func (s *snLinks) update(ctx context.Context, id string, want link) error {
	f, err := s.fields(ctx, want)
	if err != nil {
		return err
	}
	_, err = s.c.Update(ctx, relTable, id, f)
	return err
}

func (s *snLinks) remove(ctx context.Context, id string) error {
	return s.c.Delete(ctx, relTable, id)
}

// itopLinks keeps lnkApplicationSolutionToFunctionalCI links.
type itopLinks struct {
	c itop.Client
}

func itopLink(o itop.Object) link {
	return link{ID: o.Key, Parent: o.String("applicationsolution_id"), Child: o.String("functionalci_id"), Type: ITopLinkClass}
}

// find looks the link up with OQL: criteria naming an end that no longer exists are an error
// in iTop, which would keep a Relationship to a deleted app from ever being deleted.
func (s *itopLinks) find(ctx context.Context, want link) (link, bool, error) {
	objs, err := s.c.Get(ctx, ITopLinkClass, itop.Key{OQL: "SELECT " + ITopLinkClass + " WHERE applicationsolution_id = " + itop.Quote(want.Parent) +
		" AND functionalci_id = " + itop.Quote(want.Child)})
	if err != nil || len(objs) == 0 {
		return link{}, false, err
	}
	return itopLink(objs[0]), true, nil
}

func (s *itopLinks) get(ctx context.Context, id string) (link, bool, error) {
	objs, err := s.c.Get(ctx, ITopLinkClass, itop.Key{ID: id})
	if err != nil || len(objs) == 0 {
		return link{}, false, err
	}
	return itopLink(objs[0]), true, nil
}

func (s *itopLinks) fields(want link) itop.Fields {
	return itop.Fields{"applicationsolution_id": itop.S(want.Parent), "functionalci_id": itop.S(want.Child)}
}

func (s *itopLinks) create(ctx context.Context, want link) (string, error) {
	o, err := s.c.Create(ctx, ITopLinkClass, s.fields(want), comment)
	if err != nil {
		return "", err
	}
	return o.Key, nil
}

func (s *itopLinks) update(ctx context.Context, id string, want link) error {
	_, err := s.c.Update(ctx, ITopLinkClass, id, s.fields(want), comment)
	return err
}

func (s *itopLinks) remove(ctx context.Context, id string) error {
	return s.c.Delete(ctx, ITopLinkClass, id, comment)
}
