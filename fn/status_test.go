package fn

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
	"github.com/xapp-dev/xapp/input/v1beta1"
)

func TestSetAppReady(t *testing.T) {
	cond := func(s fnv1.Status, reason, msg string) []*fnv1.Condition {
		return []*fnv1.Condition{{Type: ConditionAppReady, Status: s, Reason: reason, Message: ptr.To(msg), Target: fnv1.Target_TARGET_COMPOSITE_AND_CLAIM.Enum()}}
	}
	available := v1alpha1.XAppStatus{URL: "https://shop.example.com", Replicas: &v1alpha1.ReplicaStatus{Desired: 3, Updated: 3, Available: 3}}
	cases := map[string]struct {
		reason string
		st     v1alpha1.XAppStatus
		hs     []health
		want   []*fnv1.Condition
	}{
		"Available": {
			reason: "All ready: say how many replicas serve and where.",
			st:     available,
			hs:     []health{ready(), ready()},
			want:   cond(fnv1.Status_STATUS_CONDITION_TRUE, ReasonAvailable, "3 of 3 replicas available at https://shop.example.com"),
		},
		"AvailableWithLoadBalancer": {
			reason: "A load balancer's address is where clients outside the cluster connect, so it is said too.",
			st:     v1alpha1.XAppStatus{Replicas: &v1alpha1.ReplicaStatus{Desired: 1, Updated: 1, Available: 1}, LoadBalancer: "203.0.113.7"},
			hs:     []health{ready()},
			want:   cond(fnv1.Status_STATUS_CONDITION_TRUE, ReasonAvailable, "1 of 1 replicas available, load balancer at 203.0.113.7"),
		},
		"AvailableNoRoute": {
			reason: "Without a URL or replicas there is less to say.",
			hs:     []health{ready()},
			want:   cond(fnv1.Status_STATUS_CONDITION_TRUE, ReasonAvailable, "app is available"),
		},
		"FirstWaiting": {
			reason: "The first child not ready is named, with a count of the others.",
			hs:     []health{ready(), waiting("Deployment", "shop", "rolling out"), waiting("HTTPRoute", "shop", "not created yet")},
			want:   cond(fnv1.Status_STATUS_CONDITION_FALSE, ReasonWaiting, "Deployment shop: rolling out (1 more not ready)"),
		},
		"FailureFirst": {
			reason: "A failure beats waiting: it will not fix itself.",
			hs:     []health{waiting("Deployment", "shop", "rolling out"), failing("HTTPRoute", "shop", "not accepted")},
			want:   cond(fnv1.Status_STATUS_CONDITION_FALSE, ReasonFailed, "HTTPRoute shop: not accepted (1 more not ready)"),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			rsp := &fnv1.RunFunctionResponse{}
			setAppReady(rsp, tc.st, tc.hs)
			if diff := cmp.Diff(tc.want, rsp.GetConditions(), protocmp.Transform()); diff != "" {
				t.Errorf("%s\nsetAppReady(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestDeployStatus(t *testing.T) {
	deploy := func(annotations, status string) *observedDeployment {
		return decodeDeployment(mustStruct(t, `
apiVersion: apps/v1
kind: Deployment
metadata: {name: shop, generation: 4, annotations: `+annotations+`}
spec: {replicas: 2, template: {spec: {containers: [{name: log-shipper, image: "ghcr.io/acme/shipper:2"}, {name: shop, image: "ghcr.io/acme/shop:1.5.0"}]}}}
status: `+status))
	}
	at := metav1.NewTime(time.Date(2026, 11, 20, 10, 2, 41, 0, time.UTC))
	cases := map[string]struct {
		reason string
		d      *observedDeployment
		want   *v1alpha1.DeployStatus
	}{
		"NoDeployment": {reason: "Nothing deployed yet."},
		"NoRevision": {
			reason: "The Deployment controller has not given it a revision yet.",
			d:      deploy(`{}`, `{}`),
		},
		"Succeeded": {
			reason: "Every replica of the revision updated and available: it succeeded, at the time it last progressed; the image is the app's own container's.",
			d: deploy(`{deployment.kubernetes.io/revision: "7"}`, `{observedGeneration: 4, replicas: 2, updatedReplicas: 2, availableReplicas: 2,
conditions: [{type: Progressing, status: "True", reason: NewReplicaSetAvailable, lastUpdateTime: "2026-11-20T10:02:41Z"}]}`),
			want: &v1alpha1.DeployStatus{Revision: 7, Image: "ghcr.io/acme/shop:1.5.0", Outcome: v1alpha1.DeploySucceeded, Time: &at},
		},
		"InProgress": {
			reason: "A rollout halfway is in progress.",
			d:      deploy(`{deployment.kubernetes.io/revision: "8"}`, `{observedGeneration: 4, replicas: 3, updatedReplicas: 1, availableReplicas: 2}`),
			want:   &v1alpha1.DeployStatus{Revision: 8, Image: "ghcr.io/acme/shop:1.5.0", Outcome: v1alpha1.DeployInProgress},
		},
		"Failed": {
			reason: "A rollout past its deadline failed.",
			d: deploy(`{deployment.kubernetes.io/revision: "9"}`, `{observedGeneration: 4, replicas: 3, updatedReplicas: 1,
conditions: [{type: Progressing, status: "False", reason: ProgressDeadlineExceeded, lastUpdateTime: "2026-11-20T10:02:41Z"}]}`),
			want: &v1alpha1.DeployStatus{Revision: 9, Image: "ghcr.io/acme/shop:1.5.0", Outcome: v1alpha1.DeployFailed, Time: &at},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, deployStatus(testApp(t, nil), tc.d)); diff != "" {
				t.Errorf("%s\ndeployStatus(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestLinks(t *testing.T) {
	cases := map[string]struct {
		reason string
		links  *v1beta1.Links
		want   *v1alpha1.Links
	}{
		"None": {reason: "A platform without link templates shows none."},
		"Templated": {
			reason: "The app's namespace and name fill the platform's templates.",
			links:  &v1beta1.Links{Dashboard: "https://grafana.example.com/d/x?var-namespace={namespace}&var-app={name}"},
			want:   &v1alpha1.Links{Dashboard: "https://grafana.example.com/d/x?var-namespace=team-shop&var-app=shop"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			a := testApp(t, []inputMod{func(in *v1beta1.Input) { in.Links = tc.links }})
			if diff := cmp.Diff(tc.want, links(a)); diff != "" {
				t.Errorf("%s\nlinks(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
