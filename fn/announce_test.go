package fn

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"

	cmdbv1alpha1 "github.com/xapp-dev/xapp/apis/cmdb/v1alpha1"
	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
	"github.com/xapp-dev/xapp/input/v1beta1"
	"github.com/xapp-dev/xapp/internal/pbjson"
)

func withNotifications(keep int32, ts ...v1beta1.NotificationTarget) inputMod {
	return func(in *v1beta1.Input) { in.Notifications = &v1beta1.Notifications{Targets: ts, Keep: keep} }
}

func withOwner(team string) specMod {
	return func(s *v1alpha1.XAppSpec) { s.CMDB = &v1alpha1.CMDB{OwnerTeam: team} }
}

// observedNotification is a Notification as Crossplane observes it, with a title that the
// function would not compose today: reading it back must keep it as it is.
func observedNotification(t *testing.T, resource string, rev int64) (string, *fnv1.Resource) {
	t.Helper()
	n := notification(testApp(t, nil), fmt.Sprintf("shop-deploy-%d-chat", rev), rev)
	n.Spec.ForProvider = cmdbv1alpha1.NotificationParameters{URL: ptr.To("https://hooks.example.com/old"),
		Event: cmdbv1alpha1.NotificationEvent{Type: EventDeploySucceeded, Source: "/namespaces/team-shop/xapps/shop", Title: fmt.Sprintf("announced %d", rev)}}
	n.Status.SetConditions(xpv2.Available())
	s, err := pbjson.Encode(n)
	if err != nil {
		t.Fatal(err)
	}
	return resource, &fnv1.Resource{Resource: s}
}

func TestAnnouncements(t *testing.T) {
	chat := v1beta1.NotificationTarget{Name: "chat", Format: "Slack", URLSecretRef: &v1beta1.SecretKeyRef{Name: "hooks", Key: "slack"}}
	bus := v1beta1.NotificationTarget{Name: "bus", Namespaces: []string{"team-shop"}, URL: "https://events.example.com/in"}
	payments := v1beta1.NotificationTarget{Name: "pay", Teams: []string{"payments"}, URL: "https://hooks.example.com/pay"}
	at := metav1.NewTime(time.Date(2026, 11, 29, 20, 0, 0, 0, time.UTC))
	done := &v1alpha1.DeployStatus{Revision: 6, Image: "ghcr.io/acme/shop:1.4.2", Outcome: v1alpha1.DeploySucceeded, Time: &at}
	observed := map[string]*fnv1.Resource{}
	for rev := int64(1); rev <= 5; rev++ {
		name, r := observedNotification(t, fmt.Sprintf("notify-chat-%d", rev), rev)
		observed[name] = r
	}
	cases := map[string]struct {
		reason   string
		in       []inputMod
		mods     []specMod
		d        *v1alpha1.DeployStatus
		observed map[string]*fnv1.Resource
		// want lists each composed resource as "<resource> <object name> <revision> <title>".
		want []string
	}{
		"NoTargets": {
			reason: "Without targets nothing is announced.",
			d:      done,
		},
		"InProgress": {
			reason: "A rollout in progress is not announced yet.",
			in:     []inputMod{withNotifications(0, chat)},
			d:      &v1alpha1.DeployStatus{Revision: 6, Outcome: v1alpha1.DeployInProgress},
		},
		"Succeeded": {
			reason: "A finished rollout is announced to every target that applies: all apps, and the app's namespace.",
			in:     []inputMod{withNotifications(0, chat, bus, payments)},
			d:      done,
			want: []string{
				"notify-bus-6 shop-deploy-6-bus 6 team-shop/shop revision 6 is live",
				"notify-chat-6 shop-deploy-6-chat 6 team-shop/shop revision 6 is live",
			},
		},
		"ByTeam": {
			reason: "A target naming teams announces the apps the team owns.",
			in:     []inputMod{withNotifications(0, payments)},
			mods:   []specMod{withOwner("payments")},
			d:      done,
			want:   []string{"notify-pay-6 shop-deploy-6-pay 6 team-shop/shop revision 6 is live"},
		},
		"Failed": {
			reason: "A failed rollout is its own announcement, so a later recovery of the same revision is announced too.",
			in:     []inputMod{withNotifications(0, bus)},
			d:      &v1alpha1.DeployStatus{Revision: 6, Image: "ghcr.io/acme/shop:1.4.2", Outcome: v1alpha1.DeployFailed},
			want:   []string{"notify-bus-6-failed shop-deploy-6-failed-bus 6 team-shop/shop revision 6 failed to roll out"},
		},
		"KeepNewest": {
			reason:   "Announcements composed before stay as they were observed; beyond Keep revisions the oldest goes.",
			in:       []inputMod{withNotifications(5, chat)},
			d:        done,
			observed: observed,
			want: []string{
				"notify-chat-6 shop-deploy-6-chat 6 team-shop/shop revision 6 is live",
				"notify-chat-5 shop-deploy-5-chat 5 announced 5",
				"notify-chat-4 shop-deploy-4-chat 4 announced 4",
				"notify-chat-3 shop-deploy-3-chat 3 announced 3",
				"notify-chat-2 shop-deploy-2-chat 2 announced 2",
			},
		},
		"AlreadyComposed": {
			reason:   "The latest rollout's announcement, once composed, is read back, never rebuilt.",
			in:       []inputMod{withNotifications(0, chat)},
			d:        &v1alpha1.DeployStatus{Revision: 5, Outcome: v1alpha1.DeploySucceeded},
			observed: map[string]*fnv1.Resource{"notify-chat-5": observed["notify-chat-5"]},
			want:     []string{"notify-chat-5 shop-deploy-5-chat 5 announced 5"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var got []string
			for _, o := range announcements(testApp(t, tc.in, tc.mods...), tc.d, tc.observed) {
				n := o.obj.(*cmdbv1alpha1.Notification)
				got = append(got, fmt.Sprintf("%s %s %s %s", o.name, n.Name, n.Labels[LabelRevision], n.Spec.ForProvider.Event.Title))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nannouncements(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestAnnounceRollout(t *testing.T) {
	result := func(s fnv1.Severity, msg string) []*fnv1.Result {
		return []*fnv1.Result{{Severity: s, Message: msg, Target: fnv1.Target_TARGET_COMPOSITE_AND_CLAIM.Enum()}}
	}
	cases := map[string]struct {
		reason string
		xr     string
		d      *v1alpha1.DeployStatus
		want   []*fnv1.Result
	}{
		"Finished": {
			reason: "The XApp's status did not say the rollout finished: tell the developer.",
			xr:     `{status: {deploy: {revision: 3, image: "shop:1", outcome: InProgress}}}`,
			d:      &v1alpha1.DeployStatus{Revision: 3, Image: "shop:1", Outcome: v1alpha1.DeploySucceeded},
			want:   result(fnv1.Severity_SEVERITY_NORMAL, "rollout of revision 3 (image shop:1) succeeded"),
		},
		"Told": {
			reason: "The status already says so: a later reconcile says nothing again.",
			xr:     `{status: {deploy: {revision: 3, image: "shop:1", outcome: Succeeded}}}`,
			d:      &v1alpha1.DeployStatus{Revision: 3, Image: "shop:1", Outcome: v1alpha1.DeploySucceeded},
		},
		"Failed": {
			reason: "A failed rollout is a warning.",
			xr:     `{}`,
			d:      &v1alpha1.DeployStatus{Revision: 4, Image: "shop:2", Outcome: v1alpha1.DeployFailed},
			want:   result(fnv1.Severity_SEVERITY_WARNING, "rollout of revision 4 (image shop:2) failed"),
		},
		"InProgress": {
			reason: "Nothing to say while rolling out.",
			xr:     `{}`,
			d:      &v1alpha1.DeployStatus{Revision: 4, Outcome: v1alpha1.DeployInProgress},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			rsp := &fnv1.RunFunctionResponse{}
			announceRollout(rsp, mustStruct(t, tc.xr), tc.d)
			if diff := cmp.Diff(tc.want, rsp.GetResults(), protocmp.Transform()); diff != "" {
				t.Errorf("%s\nannounceRollout(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
