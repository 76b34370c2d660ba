// Package changerecord records deploys in the CMDB through crossplane-runtime's managed
// reconciler: one ChangeRecord becomes one change (a ServiceNow change request, an iTop change)
// linked to the application's record and closed with its outcome.
//
// Exactly once: the record carries the ChangeRecord's correlation id, and Observe looks for it
// before anything is created, so a create whose answer was lost (a timeout, a 5xx after the
// write, a provider crash before the id was written down) is adopted, not repeated. The
// change's lifecycle is walked one allowed transition at a time, from whatever state the record
// is in, so an interrupted walk resumes where it stopped. Deleting a ChangeRecord leaves the
// record: a change record is history, and the CMDB's audit trail must not lose a deploy because
// the app that made it was deleted or an old revision stopped being composed.
package changerecord

import (
	"context"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/crossplane/crossplane-runtime/v2/pkg/controller"
	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/xapp-dev/xapp/apis/cmdb/v1alpha1"
	"github.com/xapp-dev/xapp/provider/internal/clients"
	"github.com/xapp-dev/xapp/provider/internal/controller/config"
)

const (
	errBackend  = "spec.providerConfigRef: ChangeRecords are recorded in ServiceNow and iTop; %s's change classes are not supported"
	errNoITop   = "spec.providerConfigRef: iTop records a change only with the people its lifecycle wants: set spec.iTop.changes (callerEmail, team, agentEmail) in the provider config"
	errNoCI     = "spec.forProvider.configurationItemId: no record to link the change to (set it, or configurationItemRef)"
	errTerminal = "the change %s was %s in the CMDB by hand; it cannot be closed with its outcome"

	reasonOpen xpv2.ConditionReason = "Open"
)

// change is a change record as provider-cmdb reads it back.
type change struct {
	ID     string
	Number string
	URL    string
	State  string
	// Closed: recorded with its outcome. Refused: how a person ended it ("canceled",
	// "rejected"), never to be closed by provider-cmdb.
	Closed  bool
	Refused string
}

// backend is one CMDB's way of recording a change.
type backend interface {
	name() string
	// find returns the id of the change carrying cr's correlation id, "" when there is none.
	find(ctx context.Context, cr *v1alpha1.ChangeRecord) (string, error)
	// get reads a change; found is false when it does not exist.
	get(ctx context.Context, id string) (c change, found bool, err error)
	// create makes the change, linked to the record ci, and returns its id.
	create(ctx context.Context, cr *v1alpha1.ChangeRecord, ci string) (string, error)
	// close walks the change from its state to closed with cr's outcome.
	close(ctx context.Context, cr *v1alpha1.ChangeRecord, c change) error
}

// Setup adds the ChangeRecord controller.
func Setup(mgr ctrl.Manager, o controller.Options) error {
	return config.SetupManaged(mgr, o, resource.ManagedKind(v1alpha1.ChangeRecordGroupVersionKind), Kind())
}

// Kind is how the managed reconciler reaches a CMDB for a ChangeRecord.
func Kind() config.Kind[*v1alpha1.ChangeRecord] {
	return config.Connected(&v1alpha1.ChangeRecord{}, func(_ *config.Connector, conn *config.Connection) (managed.TypedExternalClient[*v1alpha1.ChangeRecord], error) {
		switch {
		case conn.Backend == v1alpha1.BackendServiceNow:
			return &external{conn: conn, b: &snBackend{c: conn.ServiceNow}}, nil
		case conn.Backend == v1alpha1.BackendITop && conn.ITopChanges != nil:
			return &external{conn: conn, b: &itopBackend{c: conn.ITop, org: conn.Organization, people: *conn.ITopChanges}}, nil
		case conn.Backend == v1alpha1.BackendITop:
			return nil, errors.New(errNoITop)
		}
		return nil, errors.Errorf(errBackend, conn.Backend)
	})
}

type external struct {
	conn *config.Connection
	b    backend
}

// Observe implements managed.TypedExternalClient.
func (e *external) Observe(ctx context.Context, cr *v1alpha1.ChangeRecord) (managed.ExternalObservation, error) {
	if meta.WasDeleted(cr) {
		// The record stays (history); nothing is left to do for this object.
		return managed.ExternalObservation{ResourceExists: false}, nil
	}
	id, adopted := meta.GetExternalName(cr), false
	if id == "" {
		found, err := e.b.find(ctx, cr)
		if err != nil || found == "" {
			return managed.ExternalObservation{}, clients.Explain(e.b.name(), err)
		}
		meta.SetExternalName(cr, found)
		id, adopted = found, true
	}
	c, found, err := e.b.get(ctx, id)
	if err != nil {
		return managed.ExternalObservation{}, clients.Explain(e.b.name(), err)
	}
	if !found {
		return managed.ExternalObservation{ResourceExists: false}, nil
	}
	cr.Status.AtProvider = v1alpha1.ChangeRecordObservation{ID: c.ID, Number: c.Number, URL: c.URL, State: c.State, Closed: c.Closed}
	switch {
	case c.Closed:
		cr.SetConditions(xpv2.Available())
	case c.Refused != "":
		// The reason is how it ended: Canceled (ServiceNow), Rejected (iTop).
		reason := xpv2.ConditionReason(strings.ToUpper(c.Refused[:1]) + c.Refused[1:])
		cr.SetConditions(notReady(reason, errors.Errorf(errTerminal, c.Number, c.Refused).Error()))
	default:
		cr.SetConditions(notReady(reasonOpen, "the change "+c.Number+" is open (state "+c.State+")"))
	}
	return managed.ExternalObservation{
		ResourceExists:          true,
		ResourceUpToDate:        c.Closed || c.Refused != "",
		ResourceLateInitialized: adopted,
		ConnectionDetails:       managed.ConnectionDetails{"url": []byte(c.URL), "id": []byte(c.ID)},
	}, nil
}

func notReady(reason xpv2.ConditionReason, msg string) xpv2.Condition {
	return xpv2.Condition{Type: xpv2.TypeReady, Status: corev1.ConditionFalse, LastTransitionTime: metav1.Now(), Reason: reason, Message: msg}
}

// Create implements managed.TypedExternalClient.
func (e *external) Create(ctx context.Context, cr *v1alpha1.ChangeRecord) (managed.ExternalCreation, error) {
	ci := cr.Spec.ForProvider.ConfigurationItemID
	if ci == nil || *ci == "" {
		return managed.ExternalCreation{}, errors.New(errNoCI)
	}
	cr.SetConditions(xpv2.Creating())
	id, err := e.b.create(ctx, cr, *ci)
	if err != nil {
		return managed.ExternalCreation{}, clients.Explain(e.b.name(), err)
	}
	meta.SetExternalName(cr, id)
	return managed.ExternalCreation{}, nil
}

// Update implements managed.TypedExternalClient: the change is open, so it is closed.
func (e *external) Update(ctx context.Context, cr *v1alpha1.ChangeRecord) (managed.ExternalUpdate, error) {
	c, found, err := e.b.get(ctx, meta.GetExternalName(cr))
	if err != nil || !found {
		return managed.ExternalUpdate{}, clients.Explain(e.b.name(), err)
	}
	return managed.ExternalUpdate{}, clients.Explain(e.b.name(), e.b.close(ctx, cr, c))
}

// Delete implements managed.TypedExternalClient. It leaves the record: see the package comment.
func (e *external) Delete(_ context.Context, cr *v1alpha1.ChangeRecord) (managed.ExternalDelete, error) {
	cr.SetConditions(xpv2.Deleting())
	return managed.ExternalDelete{}, nil
}

// Disconnect implements managed.TypedExternalClient.
func (e *external) Disconnect(_ context.Context) error {
	e.conn.Close()
	return nil
}
