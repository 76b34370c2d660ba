package servicenow_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xapp-dev/xapp/provider/internal/clients"
	"github.com/xapp-dev/xapp/provider/internal/clients/cmdbtest"
)

// The change state model's abort, as the Table API answers it.
const stateModelAbort = "Operation Failed: Operation against file 'change_request' was aborted by Business Rule " +
	"'State model - Can change state?^2ea8b7e9c0a80164006a6a5ab8b3d42c'. Business Rule Stack:State model - Can change state?"

func TestChangeRequestStateModel(t *testing.T) {
	type step struct {
		fields map[string]string
		want   *apiErr
	}
	closeInfo := func(state string) map[string]string {
		return map[string]string{"state": state, "close_code": "successful", "close_notes": "deployed"}
	}
	cases := map[string]struct {
		reason string
		create map[string]string
		steps  []step
		state  string
	}{
		"StandardWalk": {reason: "A standard change walks New, Scheduled, Implement, Review, Closed.",
			create: map[string]string{"type": "standard"},
			steps:  []step{{fields: map[string]string{"state": "-2"}}, {fields: map[string]string{"state": "-1"}}, {fields: closeInfo("0")}, {fields: map[string]string{"state": "3"}}},
			state:  "3"},
		"StandardJump": {reason: "The state model refuses New straight to Closed, even with the close information.",
			create: map[string]string{"type": "standard"},
			steps:  []step{{fields: closeInfo("3"), want: &apiErr{Kind: clients.KindInvalid, Status: http.StatusForbidden, Message: stateModelAbort}}},
			state:  "-5"},
		"ReviewNeedsCloseInfo": {reason: "From Review on, the close code and notes are mandatory (data policy, by label).",
			create: map[string]string{"type": "standard", "state": "-5"},
			steps: []step{{fields: map[string]string{"state": "-2"}}, {fields: map[string]string{"state": "-1"}},
				{fields: map[string]string{"state": "0"}, want: &apiErr{Kind: clients.KindInvalid, Status: http.StatusForbidden,
					Message: "Operation Failed: Data Policy Exception: \n The following fields are mandatory: Close code, Close notes"}}},
			state: "-1"},
		"NormalNeedsApproval": {reason: "A normal change (the default type) cannot leave Assess without the approval engine's verdict.",
			create: map[string]string{},
			steps: []step{{fields: map[string]string{"state": "-4"}},
				{fields: map[string]string{"state": "-3"}, want: &apiErr{Kind: clients.KindInvalid, Status: http.StatusForbidden, Message: stateModelAbort}}},
			state: "-4"},
		"CanceledIsFinal": {reason: "A canceled change cannot be closed.",
			create: map[string]string{"type": "standard"},
			steps: []step{{fields: map[string]string{"state": "4"}},
				{fields: closeInfo("3"), want: &apiErr{Kind: clients.KindInvalid, Status: http.StatusForbidden, Message: stateModelAbort}}},
			state: "4"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			srv := cmdbtest.NewServiceNow()
			defer srv.Close()
			c := newClient(t, srv, admin)
			ctx := context.Background()
			r, err := c.Create(ctx, "change_request", tc.create)
			if err != nil {
				t.Fatal(err)
			}
			id := r.Get("sys_id")
			for i, s := range tc.steps {
				_, err := c.Update(ctx, "change_request", id, s.fields)
				if diff := cmp.Diff(s.want, asAPIErr(err)); diff != "" {
					t.Errorf("%s\nstep %d %v: -want +got:\n%s", tc.reason, i, s.fields, diff)
				}
			}
			if got := srv.Record(id)["state"]; got != tc.state {
				t.Errorf("%s\nstate: want %s, got %s", tc.reason, tc.state, got)
			}
		})
	}
}

func TestChangeRequestCreate(t *testing.T) {
	// A new change request gets its number, state New and type normal; a standard change is
	// pre-approved; none is born in a later state.
	srv := cmdbtest.NewServiceNow()
	defer srv.Close()
	c := newClient(t, srv, admin)
	ctx := context.Background()
	r, err := c.Create(ctx, "change_request", map[string]string{"type": "standard", "short_description": "deploy"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, k := range []string{"number", "state", "type", "approval"} {
		got[k] = r[k].Display
	}
	want := map[string]string{"number": "CHG0030001", "state": "New", "type": "standard", "approval": "approved"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("display values of a new standard change -want +got:\n%s", diff)
	}
	_, err = c.Create(ctx, "change_request", map[string]string{"type": "standard", "state": "3", "close_code": "successful", "close_notes": "x"})
	if diff := cmp.Diff(&apiErr{Kind: clients.KindInvalid, Status: http.StatusForbidden, Message: stateModelAbort}, asAPIErr(err)); diff != "" {
		t.Errorf("a change created Closed -want +got:\n%s", diff)
	}
	_, err = c.Create(ctx, "change_request", map[string]string{"cmdb_ci": "0123456789abcdef0123456789abcdef"})
	want2 := &apiErr{Kind: clients.KindInvalid, Status: http.StatusForbidden, Message: "Operation Failed: Data Policy Exception: \n Invalid reference cmdb_ci: 0123456789abcdef0123456789abcdef"}
	if diff := cmp.Diff(want2, asAPIErr(err)); diff != "" {
		t.Errorf("a change of a CI that does not exist -want +got:\n%s", diff)
	}
}
