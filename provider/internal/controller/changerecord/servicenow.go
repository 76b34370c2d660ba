package changerecord

import (
	"context"
	"slices"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/xapp-dev/xapp/apis/cmdb/v1alpha1"
	"github.com/xapp-dev/xapp/provider/internal/clients"
	"github.com/xapp-dev/xapp/provider/internal/clients/servicenow"
)

// ServiceNow: a standard change request through the Table API.
//
// Why a standard change: a normal change needs its Assess and Authorize approvals from the
// approval engine (the state model refuses any other way past them), and an emergency change
// its authorisation; a deploy that already happened has nobody to ask. A standard change is
// pre-approved, and its state model (New, Scheduled, Implement, Review, Closed) can be walked
// by an integration one transition at a time. The model refuses a jump (New straight to
// Closed) and a change created in a later state, so the walk is what a real instance accepts.
// Why the Table API and not the Change Management API (/api/sn_chg_rest/change/standard/{id}):
// that one creates standard changes only from a published standard change template, which
// every platform would have to create and name first; the Table API needs the itil role the
// provider already has for CIs.
const (
	snTable         = "change_request"
	snType          = "standard"
	snClosed        = "3"
	snCanceled      = "4"
	snReview        = "0"
	snCorrelationBy = "xapp"
)

// snWalk is the standard change model's way from New to Closed.
var snWalk = []string{"-5", "-2", "-1", snReview, snClosed}

// outcomes are ServiceNow's close codes, and the words iTop's private log records.
var outcomes = map[v1alpha1.ChangeOutcome]string{
	v1alpha1.ChangeSuccessful:   "successful",
	v1alpha1.ChangeUnsuccessful: "unsuccessful",
}

const errState = "change request %s is in state %q, which the standard change model does not lead to Closed from"

type snBackend struct {
	c servicenow.Client
}

func (b *snBackend) name() string { return "ServiceNow" }

func (b *snBackend) find(ctx context.Context, cr *v1alpha1.ChangeRecord) (string, error) {
	rs, err := b.c.List(ctx, snTable, "correlation_id="+cr.Spec.ForProvider.CorrelationID, 1)
	if err != nil || len(rs) == 0 {
		return "", err
	}
	return rs[0].Get("sys_id"), nil
}

func (b *snBackend) get(ctx context.Context, id string) (change, bool, error) {
	r, err := b.c.Get(ctx, snTable, id)
	if clients.IsNotFound(err) {
		return change{}, false, nil
	}
	if err != nil {
		return change{}, false, err
	}
	st := r.Get("state")
	return change{ID: id, Number: r.Get("number"), URL: b.c.RecordURL(snTable, id), State: st,
		Closed: st == snClosed, Refused: refused(st == snCanceled, "canceled")}, true, nil
}

func (b *snBackend) create(ctx context.Context, cr *v1alpha1.ChangeRecord, ci string) (string, error) {
	p := cr.Spec.ForProvider
	f := map[string]string{
		"type": snType, "cmdb_ci": ci, "short_description": p.Title, "description": p.Description,
		"correlation_id": p.CorrelationID, "correlation_display": snCorrelationBy,
	}
	// Planned and actual times are the rollout's: the change is recorded after it happened.
	if p.StartTime != nil {
		f["start_date"], f["work_start"] = snTime(p.StartTime.Time), snTime(p.StartTime.Time)
	}
	if p.EndTime != nil {
		f["end_date"], f["work_end"] = snTime(p.EndTime.Time), snTime(p.EndTime.Time)
	}
	r, err := b.c.Create(ctx, snTable, f)
	if err != nil {
		return "", err
	}
	return r.Get("sys_id"), nil
}

// close moves the change one allowed transition at a time; the close information goes with the
// move to Review, from which on the instance wants it.
func (b *snBackend) close(ctx context.Context, cr *v1alpha1.ChangeRecord, c change) error {
	i := slices.Index(snWalk, c.State)
	if i < 0 {
		return errors.Errorf(errState, c.Number, c.State)
	}
	for _, st := range snWalk[i+1:] {
		f := map[string]string{"state": st}
		if st == snReview || st == snClosed {
			f["close_code"] = outcomes[cr.Spec.ForProvider.Outcome]
			f["close_notes"] = cr.Spec.ForProvider.CloseNotes
		}
		if _, err := b.c.Update(ctx, snTable, c.ID, f); err != nil {
			return err
		}
	}
	return nil
}

// refused is how a person ended a change, when they did.
func refused(is bool, how string) string {
	if is {
		return how
	}
	return ""
}

// snTime is a date-time as the Table API takes it (UTC, the integration user's time zone).
func snTime(t time.Time) string { return t.UTC().Format(time.DateTime) }
