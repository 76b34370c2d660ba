package controller

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/xapp-dev/xapp/apis/cmdb/v1alpha1"
	"github.com/xapp-dev/xapp/provider/internal/clients/cmdbtest"
)

// itopChangeView is what an iTop change holds that the tests care about.
type itopChangeView struct {
	Count    int
	Status   string
	Log      []string
	LinkedCI bool
	Assigned bool
	Planned  bool
}

// newITopWithPeople is an iTop with team Platform (id 2) and the people the harness's provider
// config names: caller Ada (3) and agent Grace (4), a member of nothing iTop checks here.
func newITopWithPeople() *cmdbtest.ITop {
	srv := cmdbtest.NewITop("Platform")
	srv.Insert("Person", map[string]string{"name": "Lovelace", "first_name": "Ada", "email": "ada@example.com", "org_id": "1"})
	srv.Insert("Person", map[string]string{"name": "Hopper", "first_name": "Grace", "email": "grace@example.com", "org_id": "1"})
	return srv
}

// itopDescription is the description provider-cmdb writes for a harness ChangeRecord.
func itopDescription(c *v1alpha1.ChangeRecord) string {
	return c.Spec.ForProvider.Description + "\n\n[xapp-change " + c.Spec.ForProvider.CorrelationID + "]"
}

func viewITopChanges(srv *cmdbtest.ITop, c *v1alpha1.ChangeRecord, ciID string) itopChangeView {
	ids := srv.Find("Change", "description", itopDescription(c))
	if len(ids) == 0 {
		return itopChangeView{}
	}
	o := srv.Object(ids[0])
	var entries []struct{ Message string }
	_ = json.Unmarshal([]byte(o["private_log"]), &entries)
	v := itopChangeView{Count: len(ids), Status: o["status"], Assigned: o["team_id"] == "2" && o["agent_id"] == "4" && o["changemanager_id"] == "4",
		Planned: o["start_date"] == "2026-11-29 21:00:00" && o["fallback_plan"] != ""}
	for _, e := range entries {
		v.Log = append(v.Log, e.Message)
	}
	for _, l := range srv.Find("lnkFunctionalCIToTicket", "ticket_id", strconv.Itoa(ids[0])) {
		v.LinkedCI = v.LinkedCI || srv.Object(l)["functionalci_id"] == ciID
	}
	return v
}

func TestChangeRecordITop(t *testing.T) {
	type args struct {
		outcome v1alpha1.ChangeOutcome
		// existing is the status of a change carrying the marker before the ChangeRecord exists
		// ("" for none): a walk interrupted before its id was written down, or a hand edit.
		existing string
	}
	type want struct {
		view  itopChangeView
		ready xpv2.ConditionReason
	}
	closed := func(log string) itopChangeView {
		return itopChangeView{Count: 1, Status: "closed", Log: []string{log}, LinkedCI: true, Assigned: true, Planned: true}
	}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"Successful": {reason: "A successful deploy is a Change linked to the app, walked to closed with its outcome in the private log.",
			args: args{outcome: v1alpha1.ChangeSuccessful},
			want: want{view: closed("Outcome: successful\nrollout Successful"), ready: xpv2.ReasonAvailable}},
		"Unsuccessful": {reason: "A failed deploy is closed too (the change happened), its outcome unsuccessful.",
			args: args{outcome: v1alpha1.ChangeUnsuccessful},
			want: want{view: closed("Outcome: unsuccessful\nrollout Unsuccessful"), ready: xpv2.ReasonAvailable}},
		"ResumesAHalfWalkedChange": {reason: "A change left assigned is adopted by its marker and walked on from there, not made twice.",
			args: args{outcome: v1alpha1.ChangeSuccessful, existing: "assigned"},
			want: want{view: closed("Outcome: successful\nrollout Successful"), ready: xpv2.ReasonAvailable}},
		"RejectedByHandStays": {reason: "A change a person rejected stays rejected: provider-cmdb does not reopen it.",
			args: args{outcome: v1alpha1.ChangeSuccessful, existing: "rejected"},
			want: want{view: itopChangeView{Count: 1, Status: "rejected", LinkedCI: true, Assigned: true}, ready: "Rejected"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			srv := newITopWithPeople()
			defer srv.Close()
			h, app := shopOn(t, v1alpha1.BackendITop, srv.URL)
			chg := h.changeRecord("shop-change-2", tc.args.outcome)
			if tc.args.existing != "" {
				id := srv.Insert("Change", map[string]string{"status": tc.args.existing, "org_id": "1", "caller_id": "3",
					"team_id": "2", "agent_id": "4", "changemanager_id": "4", "title": "deploy", "description": itopDescription(chg),
					"outage": "no", "reject_reason": "not now"})
				srv.Insert("lnkFunctionalCIToTicket", map[string]string{"ticket_id": strconv.Itoa(id),
					"functionalci_id": meta.GetExternalName(app), "impact_code": "manual"})
			}
			h.create(chg)
			for range 5 {
				_ = h.reconcile(chg)
			}
			h.get(chg)
			got := want{view: viewITopChanges(srv, chg, meta.GetExternalName(app)), ready: chg.GetCondition(xpv2.TypeReady).Reason}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\n-want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestChangeRecordITopNeedsPeople(t *testing.T) {
	// Without spec.iTop.changes iTop's lifecycle cannot be walked; the config's field is named.
	srv := newITopWithPeople()
	defer srv.Close()
	h, _ := shopOn(t, v1alpha1.BackendITop, srv.URL)
	pc := &v1alpha1.ProviderConfig{}
	pc.SetNamespace(h.ns)
	pc.SetName("cmdb")
	h.get(pc)
	pc.Spec.ITop.Changes = nil
	if err := h.kube.Update(context.Background(), pc); err != nil {
		t.Fatal(err)
	}
	chg := h.changeRecord("shop-change-2", v1alpha1.ChangeSuccessful)
	h.create(chg)
	_ = h.reconcile(chg)
	h.get(chg)
	if msg := chg.GetCondition(xpv2.TypeSynced).Message; !strings.Contains(msg, "set spec.iTop.changes") {
		t.Errorf("Synced message without the people configured: %q", msg)
	}
	if n := len(srv.Find("Change", "org_id", "1")); n != 0 {
		t.Errorf("iTop holds %d changes, want none", n)
	}
}

// TestChangeRecordITopExactlyOnceUnderFaults is the ServiceNow fault test against iTop: every
// deploy must end as exactly one closed change with one outcome entry, its walk resumed
// wherever a fault stopped it.
func TestChangeRecordITopExactlyOnceUnderFaults(t *testing.T) {
	srv := newITopWithPeople()
	defer srv.Close()
	deploys := recordUnderFaults(t, v1alpha1.BackendITop, srv.URL, func(c *v1alpha1.ChangeRecord, ciID string) string {
		if got := viewITopChanges(srv, c, ciID); got.Count != 1 || got.Status != "closed" || len(got.Log) != 1 || !got.LinkedCI {
			return fmt.Sprintf("%+v, want exactly one closed change, linked, with one outcome entry", got)
		}
		return ""
	})
	if n := len(srv.Find("Change", "org_id", "1")); n != deploys {
		t.Errorf("iTop holds %d changes for %d deploys", n, deploys)
	}
}
