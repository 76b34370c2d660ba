package fn

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"

	cmdbv1alpha1 "github.com/xapp-dev/xapp/apis/cmdb/v1alpha1"
	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
	"github.com/xapp-dev/xapp/input/v1beta1"
	"github.com/xapp-dev/xapp/internal/pbjson"
)

func withChanges(keep int32) inputMod {
	return func(in *v1beta1.Input) {
		in.CMDB = &v1beta1.CMDB{ProviderConfigRef: v1beta1.ProviderConfigRef{Name: "servicenow"}, Changes: &v1beta1.CMDBChanges{Keep: keep}}
	}
}

// observedChange is a ChangeRecord as Crossplane observes it, with a title the function would
// not compose today: reading it back must keep it as it is.
func observedChange(t *testing.T, rev int64) *fnv1.Resource {
	t.Helper()
	c := changeRecord(testApp(t, []inputMod{withChanges(0)}, withOwner("shop-team")), fmt.Sprintf("shop-change-%d", rev), rev)
	c.Spec.ForProvider = cmdbv1alpha1.ChangeRecordParameters{CorrelationID: fmt.Sprintf("old-%d", rev), Title: fmt.Sprintf("recorded %d", rev),
		Description: "d", Outcome: cmdbv1alpha1.ChangeSuccessful, CloseNotes: "n"}
	s, err := pbjson.Encode(c)
	if err != nil {
		t.Fatal(err)
	}
	return &fnv1.Resource{Resource: s}
}

func TestChangeRecords(t *testing.T) {
	at := metav1.NewTime(time.Date(2026, 11, 29, 20, 0, 0, 0, time.UTC))
	done := &v1alpha1.DeployStatus{Revision: 6, Image: "ghcr.io/acme/shop:1.4.2", Outcome: v1alpha1.DeploySucceeded, Time: &at}
	failed := &v1alpha1.DeployStatus{Revision: 6, Image: "ghcr.io/acme/shop:1.4.2", Outcome: v1alpha1.DeployFailed, Time: &at}
	observed := map[string]*fnv1.Resource{}
	for rev := int64(1); rev <= 5; rev++ {
		observed[fmt.Sprintf("change-%d", rev)] = observedChange(t, rev)
	}
	registeredApp := []specMod{withOwner("shop-team")}
	cases := map[string]struct {
		reason   string
		in       []inputMod
		mods     []specMod
		d        *v1alpha1.DeployStatus
		observed map[string]*fnv1.Resource
		// want lists each composed resource as "<resource> <name> <revision> <outcome> <correlation id> <title>".
		want []string
	}{
		"NotAsked": {reason: "A platform without cmdb.changes records nothing.",
			in: []inputMod{withPlatformCMDB(&v1beta1.CMDB{})}, mods: registeredApp, d: done},
		"NotRegistered": {reason: "An app without a CMDB record has nothing to link a change to.",
			in: []inputMod{withChanges(0)}, d: done},
		"InProgress": {reason: "A rollout in progress is not recorded yet.",
			in: []inputMod{withChanges(0)}, mods: registeredApp, d: &v1alpha1.DeployStatus{Revision: 6, Outcome: v1alpha1.DeployInProgress}},
		"Succeeded": {reason: "A finished rollout is one successful change, correlated by app, revision and time.",
			in: []inputMod{withChanges(0)}, mods: registeredApp, d: done,
			want: []string{"change-6 shop-change-6 6 Successful xapp:team-shop/shop:6:1795982400 Deploy team-shop/shop revision 6"}},
		"Failed": {reason: "A failed rollout is an unsuccessful change of its own, so a later recovery is recorded too.",
			in: []inputMod{withChanges(0)}, mods: registeredApp, d: failed,
			want: []string{"change-6-failed shop-change-6-failed 6 Unsuccessful xapp:team-shop/shop:6:failed:1795982400 Deploy team-shop/shop revision 6"}},
		"KeepNewest": {reason: "Changes composed before are read back as observed; the newest keep revisions stay.",
			in: []inputMod{withChanges(3)}, mods: registeredApp, d: done, observed: observed,
			want: []string{
				"change-6 shop-change-6 6 Successful xapp:team-shop/shop:6:1795982400 Deploy team-shop/shop revision 6",
				"change-5 shop-change-5 5 Successful old-5 recorded 5",
				"change-4 shop-change-4 4 Successful old-4 recorded 4",
			}},
		"AlreadyComposed": {reason: "The latest rollout's change, once composed, is read back, never rebuilt.",
			in: []inputMod{withChanges(0)}, mods: registeredApp, d: &v1alpha1.DeployStatus{Revision: 5, Outcome: v1alpha1.DeploySucceeded},
			observed: map[string]*fnv1.Resource{"change-5": observed["change-5"]},
			want:     []string{"change-5 shop-change-5 5 Successful old-5 recorded 5"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var got []string
			for _, o := range changeRecords(testApp(t, tc.in, tc.mods...), tc.d, tc.observed) {
				c := o.obj.(*cmdbv1alpha1.ChangeRecord)
				p := c.Spec.ForProvider
				got = append(got, fmt.Sprintf("%s %s %s %s %s %s", o.name, c.Name, c.Labels[LabelRevision], p.Outcome, p.CorrelationID, p.Title))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nchangeRecords(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
