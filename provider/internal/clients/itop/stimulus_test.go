package itop_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xapp-dev/xapp/provider/internal/clients"
	"github.com/xapp-dev/xapp/provider/internal/clients/cmdbtest"
	"github.com/xapp-dev/xapp/provider/internal/clients/itop"
)

// changeFixture is an iTop with a person, a team and an application, and a new change
// (C-000001) linked to the application.
func changeFixture(t *testing.T) (*cmdbtest.ITop, *itop.HTTPClient, string) {
	t.Helper()
	srv := cmdbtest.NewITop("Platform")
	srv.Insert("Person", map[string]string{"name": "Lovelace", "first_name": "Ada", "email": "ada@example.com", "org_id": "1"})
	app := srv.Insert("ApplicationSolution", map[string]string{"name": "shop", "org_id": "1"})
	c := newClient(t, srv, "", admin)
	o, err := c.Create(context.Background(), "Change", itop.Fields{
		"org_id": {Criteria: map[string]string{"name": "Demo"}}, "caller_id": {Criteria: map[string]string{"email": "ada@example.com"}},
		"title": itop.S("deploy shop"), "description": itop.S("image shop:2"),
		"functionalcis_list": {Links: []map[string]itop.Value{{"functionalci_id": itop.S(strconv.Itoa(app))}}},
	}, "test")
	if err != nil {
		t.Fatal(err)
	}
	return srv, c, o.Key
}

var (
	person = map[string]string{"email": "ada@example.com"}
	assign = itop.Fields{"team_id": {Criteria: map[string]string{"name": "Platform"}}, "agent_id": {Criteria: person},
		"changemanager_id": {Criteria: person}}
	plan = itop.Fields{"start_date": itop.S("2026-11-29 21:00:00"), "end_date": itop.S("2026-11-29 21:05:00"),
		"fallback_plan": itop.S("redeploy the previous revision")}
)

func TestApplyStimulus(t *testing.T) {
	type step struct {
		stimulus string
		fields   itop.Fields
	}
	type want struct {
		status string
		err    *apiErr
	}
	cases := map[string]struct {
		reason string
		steps  []step
		want   want
	}{
		"WalkToClosed": {reason: "Each stimulus with the attributes its target state makes mandatory walks a change from new to closed.",
			steps: []step{{"ev_assign", assign}, {"ev_plan", plan}, {"ev_approve", nil}, {"ev_finish", itop.Fields{"private_log": itop.S("Outcome: successful")}}},
			want:  want{status: "closed"}},
		"MissingMandatory": {reason: "ev_assign without team, agent and change manager is refused, naming them in the model's order; nothing is written.",
			steps: []step{{"ev_assign", itop.Fields{"team_id": {Criteria: map[string]string{"name": "Platform"}}}}},
			want: want{status: "new", err: &apiErr{Kind: clients.KindInvalid, Code: 100,
				Message: "Missing mandatory attribute(s) for applying the stimulus: agent_id, changemanager_id."}}},
		"NotFromThisState": {reason: "A stimulus the current state has no transition for is refused with the object's name and state.",
			steps: []step{{"ev_finish", nil}},
			want: want{status: "new", err: &apiErr{Kind: clients.KindInvalid, Code: 100,
				Message: "Invalid stimulus: 'ev_finish' on the object C-000001 in state 'new'"}}},
		"PlanNeedsDates": {reason: "ev_plan wants start and end dates and a fallback plan.",
			steps: []step{{"ev_assign", assign}, {"ev_plan", nil}},
			want: want{status: "assigned", err: &apiErr{Kind: clients.KindInvalid, Code: 100,
				Message: "Missing mandatory attribute(s) for applying the stimulus: start_date, end_date, fallback_plan."}}},
		"BadDateTime": {reason: "Dates and times are Y-m-d H:i:s.",
			steps: []step{{"ev_assign", assign}, {"ev_plan", itop.Fields{"start_date": itop.S("2026-11-29T21:00:00Z")}}},
			want: want{status: "assigned", err: &apiErr{Kind: clients.KindInvalid, Code: 100,
				Message: `Error: start_date: Wrong format for date attribute start_date, expecting "Y-m-d H:i:s" and got "2026-11-29T21:00:00Z"`}}},
		"UnknownAgent": {reason: "An agent criteria matching nobody is refused by iTop's key lookup.",
			steps: []step{{"ev_assign", itop.Fields{"agent_id": {Criteria: map[string]string{"email": "nobody@example.com"}}}}},
			want: want{status: "new", err: &apiErr{Kind: clients.KindInvalid, Code: 100,
				Message: "Error: agent_id: No item found with criteria: email: nobody@example.com (nobody@example.com)"}}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			srv, c, id := changeFixture(t)
			defer srv.Close()
			var err error
			for _, s := range tc.steps {
				if _, err = c.ApplyStimulus(context.Background(), "Change", id, s.stimulus, s.fields, "test"); err != nil {
					break
				}
			}
			n, _ := strconv.Atoi(id)
			got := want{status: srv.Object(n)["status"], err: asAPIErr(err)}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\n-want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestChangeCreateAndRead(t *testing.T) {
	srv, c, id := changeFixture(t)
	defer srv.Close()
	ctx := context.Background()
	objs, err := c.Get(ctx, "Change", itop.Key{OQL: `SELECT Change WHERE description LIKE "%shop:_%"`})
	if err != nil || len(objs) != 1 {
		t.Fatalf("LIKE query: %v, %d objects", err, len(objs))
	}
	got := map[string]string{"ref": objs[0].String("ref"), "status": objs[0].String("status"), "caller": objs[0].String("caller_id_friendlyname"),
		"outage": objs[0].String("outage"), "key": objs[0].Key}
	if links := objs[0].LinkSet("functionalcis_list"); len(links) == 1 {
		got["ci"], got["impact"] = links[0]["functionalci_name"], links[0]["impact_code"]
	}
	want := map[string]string{"ref": "C-000001", "status": "new", "caller": "Ada Lovelace", "outage": "no", "key": id, "ci": "shop", "impact": "manual"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("a new change read back -want +got:\n%s", diff)
	}
	_, err = c.Create(ctx, "Change", itop.Fields{"org_id": itop.S("1"), "title": itop.S("t"), "description": itop.S("d")}, "test")
	wantErr := &apiErr{Kind: clients.KindInvalid, Code: 100, Message: "Error: Unexpected value for attribute 'Caller' (caller_id) : Null not allowed: " +
		"issues = {0=>Unexpected value for attribute 'Caller' (caller_id) : Null not allowed}, class = Change, id = -1"}
	if diff := cmp.Diff(wantErr, asAPIErr(err)); diff != "" {
		t.Errorf("a change without its caller -want +got:\n%s", diff)
	}
	_, err = c.ApplyStimulus(ctx, "Change", "999", "ev_assign", assign, "test")
	if diff := cmp.Diff(&apiErr{Kind: clients.KindNotFound, Code: 100, Message: "Error: Invalid object Change::999"}, asAPIErr(err)); diff != "" {
		t.Errorf("a stimulus on a missing change -want +got:\n%s", diff)
	}
}
