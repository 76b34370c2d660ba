package controller

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/xapp-dev/xapp/apis/cmdb/v1alpha1"
	"github.com/xapp-dev/xapp/provider/internal/clients/cmdbtest"
)

// changeRecord is a ChangeRecord of the harness's namespace for the ConfigurationItem shop.
func (h *harness) changeRecord(name string, outcome v1alpha1.ChangeOutcome) *v1alpha1.ChangeRecord {
	at := metav1.NewTime(time.Date(2026, 11, 29, 21, 0, 0, 0, time.UTC))
	c := &v1alpha1.ChangeRecord{
		ObjectMeta: metav1.ObjectMeta{Namespace: h.ns, Name: name},
		Spec: v1alpha1.ChangeRecordSpec{
			ForProvider: v1alpha1.ChangeRecordParameters{
				ConfigurationItemRef: refTo("shop"), CorrelationID: h.ns + "/" + name,
				Title: "deploy " + name, Description: "image shop:2", Outcome: outcome,
				CloseNotes: "rollout " + string(outcome), StartTime: &at, EndTime: &at,
			},
		},
	}
	c.Spec.ProviderConfigReference = ci(h.ns, name).Spec.ProviderConfigReference
	return c
}

// changeView is what a change request holds that the test cares about.
type changeView struct {
	Count     int
	State     string
	CloseCode string
	Notes     string
	LinkedCI  bool
	Type      string
}

func viewChanges(srv *cmdbtest.ServiceNow, correlation, ciID string) changeView {
	rs := srv.Find("change_request", "correlation_id", correlation)
	if len(rs) == 0 {
		return changeView{}
	}
	r := rs[0]
	return changeView{Count: len(rs), State: r["state"], CloseCode: r["close_code"], Notes: r["close_notes"],
		LinkedCI: r["cmdb_ci"] == ciID, Type: r["type"]}
}

// shopOn is a harness against endpoint with the app shop registered.
func shopOn(t *testing.T, backend v1alpha1.Backend, endpoint string) (*harness, *v1alpha1.ConfigurationItem) {
	t.Helper()
	h := newHarness(t, backend, endpoint)
	app := ci(h.ns, "shop")
	h.create(app)
	h.settle(app, 5)
	return h, app
}

func TestChangeRecordServiceNow(t *testing.T) {
	type args struct {
		outcome v1alpha1.ChangeOutcome
		// existing is the state of a change request carrying the correlation id before the
		// ChangeRecord exists ("" for none): a create whose answer was lost, or a hand edit.
		existing string
	}
	type want struct {
		view  changeView
		ready xpv2.ConditionReason
	}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"Successful": {reason: "A successful deploy is a standard change walked to Closed, successful, linked to the app.",
			args: args{outcome: v1alpha1.ChangeSuccessful},
			want: want{view: changeView{Count: 1, State: "3", CloseCode: "successful", Notes: "rollout Successful", LinkedCI: true, Type: "standard"}, ready: xpv2.ReasonAvailable}},
		"Unsuccessful": {reason: "A failed deploy is closed unsuccessful.",
			args: args{outcome: v1alpha1.ChangeUnsuccessful},
			want: want{view: changeView{Count: 1, State: "3", CloseCode: "unsuccessful", Notes: "rollout Unsuccessful", LinkedCI: true, Type: "standard"}, ready: xpv2.ReasonAvailable}},
		"AdoptsAnOpenChange": {reason: "A change left in Implement by an interrupted walk is adopted by correlation id and closed, not made twice.",
			args: args{outcome: v1alpha1.ChangeSuccessful, existing: "-1"},
			want: want{view: changeView{Count: 1, State: "3", CloseCode: "successful", Notes: "rollout Successful", LinkedCI: true, Type: "standard"}, ready: xpv2.ReasonAvailable}},
		"CanceledByHandStays": {reason: "A change a person canceled stays canceled: the model has no way from Canceled to Closed.",
			args: args{outcome: v1alpha1.ChangeSuccessful, existing: "4"},
			want: want{view: changeView{Count: 1, State: "4", LinkedCI: true, Type: "standard"}, ready: "Canceled"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			srv := cmdbtest.NewServiceNow()
			defer srv.Close()
			h, app := shopOn(t, v1alpha1.BackendServiceNow, srv.URL)
			chg := h.changeRecord("shop-change-2", tc.args.outcome)
			if tc.args.existing != "" {
				srv.Insert("change_request", map[string]string{"type": "standard", "state": tc.args.existing,
					"correlation_id": chg.Spec.ForProvider.CorrelationID, "cmdb_ci": meta.GetExternalName(app)})
			}
			h.create(chg)
			for range 5 {
				_ = h.reconcile(chg)
			}
			h.get(chg)
			got := want{view: viewChanges(srv, chg.Spec.ForProvider.CorrelationID, meta.GetExternalName(app)),
				ready: chg.GetCondition(xpv2.TypeReady).Reason}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\n-want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestChangeRecordDeleteLeavesTheRecord(t *testing.T) {
	// A change record is history: deleting the ChangeRecord (an old revision no longer kept,
	// the app deleted) must not delete or cancel the change request.
	srv := cmdbtest.NewServiceNow()
	defer srv.Close()
	h, app := shopOn(t, v1alpha1.BackendServiceNow, srv.URL)
	chg := h.changeRecord("shop-change-2", v1alpha1.ChangeSuccessful)
	h.create(chg)
	h.settle(chg, 5)
	h.delete(chg)
	h.settle(chg, 3)
	if h.get(chg) {
		t.Errorf("the ChangeRecord is still there: %v", chg.GetFinalizers())
	}
	if got := viewChanges(srv, chg.Spec.ForProvider.CorrelationID, meta.GetExternalName(app)); got.Count != 1 || got.State != "3" {
		t.Errorf("the change request after deleting its ChangeRecord: %+v, want one, closed", got)
	}
}

// TestChangeRecordExactlyOnceUnderFaults records deploys through a proxy that fails a share of
// the calls (5xx bursts, 429 Retry-After, timeouts and resets before and after ServiceNow applied
// the call), with a third of the creates followed by a provider crash before the id is written:
// every deploy must end as exactly one closed change request.
func TestChangeRecordExactlyOnceUnderFaults(t *testing.T) {
	srv := cmdbtest.NewServiceNow()
	defer srv.Close()
	deploys := recordUnderFaults(t, v1alpha1.BackendServiceNow, srv.URL, func(c *v1alpha1.ChangeRecord, ciID string) string {
		if got := viewChanges(srv, c.Spec.ForProvider.CorrelationID, ciID); got.Count != 1 || got.State != "3" {
			return fmt.Sprintf("%+v, want exactly one closed change request", got)
		}
		return ""
	})
	if n := len(srv.Find("change_request", "type", "standard")); n != deploys {
		t.Errorf("ServiceNow holds %d change requests for %d deploys", n, deploys)
	}
}

// recordUnderFaults records 15 deploys of shop through a fault proxy before endpoint, a third
// of them crashing the provider right after the create, then lets every one settle without
// faults; check says what is wrong with a deploy's record ("" when nothing is).
func recordUnderFaults(t *testing.T, backend v1alpha1.Backend, endpoint string, check func(c *v1alpha1.ChangeRecord, ciID string) string) int {
	t.Helper()
	p := newFaultProxy(endpoint, 12)
	defer p.Close()
	h, app := shopOn(t, backend, p.URL)
	const deploys = 15
	chgs := make([]*v1alpha1.ChangeRecord, 0, deploys)
	for i := range deploys {
		c := h.changeRecord(fmt.Sprintf("shop-change-%d", i+1), v1alpha1.ChangeSuccessful)
		h.create(c)
		if i%3 == 0 {
			h.crashNextCreate(c.Name)
		}
		chgs = append(chgs, c)
	}
	p.setRate(0.3)
	h.setTimeout(50 * time.Millisecond)
	for range 12 {
		for _, c := range chgs {
			_ = h.reconcile(c)
		}
	}
	calls, faults := p.stats()
	p.setRate(0)
	h.setTimeout(10 * time.Second)
	for _, c := range chgs {
		h.settle(c, 10)
		if msg := check(c, meta.GetExternalName(app)); msg != "" {
			t.Errorf("%s: %s", c.Name, msg)
		}
	}
	t.Logf("%s: %d deploys, %d calls, faults %v, %d crashes after create", backend, deploys, calls, faults, h.crashes)
	if h.crashes == 0 {
		t.Errorf("%s: no deploy crashed after its create: nothing tested finding a change made by an earlier run", backend)
	}
	return deploys
}
