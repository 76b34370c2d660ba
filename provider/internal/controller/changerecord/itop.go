package changerecord

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/xapp-dev/xapp/apis/cmdb/v1alpha1"
	"github.com/xapp-dev/xapp/provider/internal/clients/itop"
)

// iTop: a Change of the itop-change-mgmt module (the simple change management of iTop's
// standard data model), linked to the app's functional CI through functionalcis_list.
//
// Its lifecycle is new, assigned, planned, approved, closed, and only core/apply_stimulus moves
// it: ev_assign wants a team, an agent and a change manager, ev_plan start and end dates and a
// fallback plan, ev_approve nothing, ev_finish nothing. A planned change a person rejects goes
// to rejected, from which it could be reopened; provider-cmdb leaves that decision to the person.
// The simple Change has no outcome field: the outcome and close notes go into its private log
// with ev_finish, in the same request, so the change is never closed without them.
//
// iTop has no correlation field on tickets: the correlation id is a marker at the end of the
// description, found with an OQL LIKE and checked exactly (LIKE's _ matches any character).
// With the ITIL change management (itop-change-mgmt-itil) installed instead, Change is
// abstract and its subclasses have other lifecycles; that module is not supported.
const (
	itClass   = "Change"
	itComment = "provider-cmdb"
	itClosed  = "closed"
	itRefused = "rejected"
)

// itWalk is the way from new to closed: the stimulus that leaves each state.
var (
	itStates  = []string{"new", "assigned", "planned", "approved", itClosed}
	itStimuli = []string{"ev_assign", "ev_plan", "ev_approve", "ev_finish"}
)

const errITState = "change %s is in status %q, from which the change lifecycle does not lead to closed"

type itopBackend struct {
	c      itop.Client
	org    string
	people v1alpha1.ITopChangeConfig
}

func (b *itopBackend) name() string { return "iTop" }

// marker tags a change's description with its correlation id.
func marker(cr *v1alpha1.ChangeRecord) string {
	return "[xapp-change " + cr.Spec.ForProvider.CorrelationID + "]"
}

func (b *itopBackend) find(ctx context.Context, cr *v1alpha1.ChangeRecord) (string, error) {
	m := marker(cr)
	objs, err := b.c.Get(ctx, itClass, itop.Key{OQL: "SELECT Change WHERE description LIKE " + itop.Quote("%"+m+"%")})
	if err != nil {
		return "", err
	}
	for _, o := range objs {
		if strings.Contains(o.String("description"), m) {
			return o.Key, nil
		}
	}
	return "", nil
}

func (b *itopBackend) get(ctx context.Context, id string) (change, bool, error) {
	objs, err := b.c.Get(ctx, itClass, itop.Key{ID: id})
	if err != nil || len(objs) == 0 {
		return change{}, false, err
	}
	st := objs[0].String("status")
	return change{ID: id, Number: objs[0].String("ref"), URL: b.c.ObjectURL(itClass, id), State: st,
		Closed: st == itClosed, Refused: refused(st == itRefused, itRefused)}, true, nil
}

func (b *itopBackend) create(ctx context.Context, cr *v1alpha1.ChangeRecord, ci string) (string, error) {
	p := cr.Spec.ForProvider
	o, err := b.c.Create(ctx, itClass, itop.Fields{
		"org_id":      {Criteria: map[string]string{"name": b.org}},
		"caller_id":   person(b.people.CallerEmail),
		"title":       itop.S(p.Title),
		"description": itop.S(p.Description + "\n\n" + marker(cr)),
		"category":    itop.S("application"),
		// A deploy is a rolling update: the app stays up.
		"outage":             itop.S("no"),
		"functionalcis_list": {Links: []map[string]itop.Value{{"functionalci_id": itop.S(ci)}}},
	}, itComment)
	if err != nil {
		return "", err
	}
	return o.Key, nil
}

// close applies one stimulus per state from the change's status to closed, each with the
// attributes its target state makes mandatory.
func (b *itopBackend) close(ctx context.Context, cr *v1alpha1.ChangeRecord, c change) error {
	i := slices.Index(itStates, c.State)
	if i < 0 || c.Closed {
		return errors.Errorf(errITState, c.Number, c.State)
	}
	for _, stimulus := range itStimuli[i:] {
		if _, err := b.c.ApplyStimulus(ctx, itClass, c.ID, stimulus, b.fields(cr, stimulus), itComment); err != nil {
			return err
		}
	}
	return nil
}

func (b *itopBackend) fields(cr *v1alpha1.ChangeRecord, stimulus string) itop.Fields {
	p := cr.Spec.ForProvider
	switch stimulus {
	case "ev_assign":
		manager := b.people.ChangeManagerEmail
		if manager == "" {
			manager = b.people.AgentEmail
		}
		return itop.Fields{"team_id": {Criteria: map[string]string{"name": b.people.Team}},
			"agent_id": person(b.people.AgentEmail), "changemanager_id": person(manager)}
	case "ev_plan":
		// The rollout's times; a ChangeRecord without them was made when the rollout ended.
		start := cr.GetCreationTimestamp().Time
		if p.StartTime != nil {
			start = p.StartTime.Time
		}
		end := start
		if p.EndTime != nil {
			end = p.EndTime.Time
		}
		plan := b.people.FallbackPlan
		if plan == "" {
			plan = "Roll back to the previous revision."
		}
		return itop.Fields{"start_date": itop.S(itTime(start)), "end_date": itop.S(itTime(end)), "fallback_plan": itop.S(plan)}
	case "ev_finish":
		return itop.Fields{"private_log": itop.S("Outcome: " + outcomes[p.Outcome] + "\n" + p.CloseNotes)}
	}
	return nil
}

func person(email string) itop.Value { return itop.Value{Criteria: map[string]string{"email": email}} }

// itTime is a date and time as iTop takes it (Y-m-d H:i:s, in the iTop server's time zone,
// which provider-cmdb cannot know; UTC is what a container-run iTop defaults to).
func itTime(t time.Time) string { return t.UTC().Format(time.DateTime) }
