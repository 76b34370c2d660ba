package fn

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"
	"k8s.io/utils/ptr"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
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
