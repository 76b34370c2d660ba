package fn

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
)

func TestDeploymentHealth(t *testing.T) {
	deploy := func(status string) *observedDeployment {
		return decodeDeployment(mustStruct(t, `
apiVersion: apps/v1
kind: Deployment
metadata: {name: shop, generation: 4, annotations: {xapp.dev/app-generation: "7"}}
spec: {replicas: 3}
status: `+status))
	}
	cases := map[string]struct {
		reason        string
		d             *observedDeployment
		appGeneration string
		want          health
	}{
		"Missing":  {reason: "A Deployment that does not exist yet is not ready.", want: health{why: "Deployment shop: not created yet"}},
		"OldSpec":  {reason: "A status for an older generation says nothing about this one.", d: deploy(`{observedGeneration: 3, replicas: 3, updatedReplicas: 3, availableReplicas: 3}`), want: health{why: "Deployment shop: waiting for the controller to see the new spec"}},
		"Updating": {reason: "Not every replica runs the new template yet.", d: deploy(`{observedGeneration: 4, replicas: 4, updatedReplicas: 1, availableReplicas: 3}`), want: health{why: "Deployment shop: rolling out: 1 of 3 replicas updated"}},
		"OldLeft":  {reason: "Old replicas are still terminating.", d: deploy(`{observedGeneration: 4, replicas: 5, updatedReplicas: 3, availableReplicas: 3}`), want: health{why: "Deployment shop: rolling out: 2 old replicas pending termination"}},
		"Unavailable": {
			reason: "New replicas are not available yet; the Available condition's message says why.",
			d:      deploy(`{observedGeneration: 4, replicas: 3, updatedReplicas: 3, availableReplicas: 1, conditions: [{type: Available, status: "False", reason: MinimumReplicasUnavailable, message: "Deployment does not have minimum availability."}]}`),
			want:   health{why: "Deployment shop: 1 of 3 updated replicas available (Deployment does not have minimum availability.)"},
		},
		"Stalled": {
			reason: "A rollout past its deadline is a failure, with the controller's message.",
			d:      deploy(`{observedGeneration: 4, replicas: 4, updatedReplicas: 1, conditions: [{type: Progressing, status: "False", reason: ProgressDeadlineExceeded, message: "ReplicaSet \"shop-7d\" has timed out progressing."}]}`),
			want:   health{failed: true, why: `Deployment shop: rollout stalled: ReplicaSet "shop-7d" has timed out progressing.`},
		},
		"ReplicaFailure": {
			reason: "A ReplicaSet that cannot create pods (quota, admission) is a failure.",
			d:      deploy(`{observedGeneration: 4, conditions: [{type: ReplicaFailure, status: "True", reason: FailedCreate, message: "pods \"shop-1\" is forbidden: exceeded quota"}]}`),
			want:   health{failed: true, why: `Deployment shop: FailedCreate: pods "shop-1" is forbidden: exceeded quota`},
		},
		"RolledOut": {reason: "Every replica updated and available.", d: deploy(`{observedGeneration: 4, replicas: 3, updatedReplicas: 3, availableReplicas: 3}`), want: ready()},
		"NewAppSpec": {
			reason:        "The app's spec changed (generation 8) and the observed Deployment is still the one composed for generation 7: its rollout says nothing yet.",
			d:             deploy(`{observedGeneration: 4, replicas: 3, updatedReplicas: 3, availableReplicas: 3}`),
			appGeneration: "8",
			want:          health{why: "Deployment shop: applying the app's new spec"},
		},
		"CurrentAppSpec": {
			reason:        "A Deployment composed for the current generation is judged on its rollout.",
			d:             deploy(`{observedGeneration: 4, replicas: 3, updatedReplicas: 3, availableReplicas: 3}`),
			appGeneration: "7",
			want:          ready(),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, deploymentHealth("shop", tc.appGeneration, tc.d), cmp.AllowUnexported(health{})); diff != "" {
				t.Errorf("%s\ndeploymentHealth(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestRouteHealth(t *testing.T) {
	a := testApp(t, []inputMod{withGateway()}, withPorts(exposedPort(http("http", 8080))), withRoute(&v1alpha1.Route{}))
	route := func(parents string) *structpb.Struct {
		return mustStruct(t, `{apiVersion: gateway.networking.k8s.io/v1, kind: HTTPRoute, metadata: {name: shop}, status: {parents: `+parents+`}}`)
	}
	cases := map[string]struct {
		reason string
		obs    *structpb.Struct
		want   health
	}{
		"Missing":   {reason: "Not created yet.", want: health{why: "HTTPRoute shop: not created yet"}},
		"NoStatus":  {reason: "The gateway has not looked at the route yet.", obs: route(`[]`), want: health{why: "HTTPRoute shop: waiting for Gateway gateway-system/platform to accept it"}},
		"OtherGate": {reason: "Status from another gateway does not count.", obs: route(`[{parentRef: {name: other, namespace: gateway-system}, controllerName: x, conditions: [{type: Accepted, status: "True"}]}]`), want: health{why: "HTTPRoute shop: waiting for Gateway gateway-system/platform to accept it"}},
		"Rejected": {
			reason: "A gateway that refuses the route says why.",
			obs:    route(`[{parentRef: {name: platform, namespace: gateway-system}, controllerName: x, conditions: [{type: Accepted, status: "False", reason: NotAllowedByListeners, message: "no listener allows routes from team-shop"}]}]`),
			want:   health{failed: true, why: "HTTPRoute shop: not accepted by Gateway gateway-system/platform: NotAllowedByListeners: no listener allows routes from team-shop"},
		},
		"Unresolved": {
			reason: "An accepted route whose backend does not resolve yet is waiting: the Service may be on its way.",
			obs:    route(`[{parentRef: {name: platform, namespace: gateway-system}, controllerName: x, conditions: [{type: Accepted, status: "True"}, {type: ResolvedRefs, status: "False", reason: BackendNotFound, message: "service shop not found"}]}]`),
			want:   health{why: "HTTPRoute shop: Gateway gateway-system/platform cannot resolve its backend yet: BackendNotFound: service shop not found"},
		},
		"AcceptedOnly": {
			reason: "Accepted without a ResolvedRefs report is still waiting.",
			obs:    route(`[{parentRef: {name: platform, namespace: gateway-system}, controllerName: x, conditions: [{type: Accepted, status: "True"}]}]`),
			want:   health{why: "HTTPRoute shop: waiting for Gateway gateway-system/platform to report ResolvedRefs"},
		},
		"Ready": {
			reason: "Accepted with resolved refs.",
			obs:    route(`[{parentRef: {name: platform, namespace: gateway-system, sectionName: https}, controllerName: x, conditions: [{type: Accepted, status: "True"}, {type: ResolvedRefs, status: "True"}]}]`),
			want:   ready(),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, routeHealth(a, "HTTPRoute", "shop")(tc.obs), cmp.AllowUnexported(health{})); diff != "" {
				t.Errorf("%s\nrouteHealth(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestAutoscalerHealth(t *testing.T) {
	hpa := func(conditions string) *structpb.Struct {
		return mustStruct(t, `{apiVersion: autoscaling/v2, kind: HorizontalPodAutoscaler, status: {conditions: `+conditions+`}}`)
	}
	cases := map[string]struct {
		reason string
		obs    *structpb.Struct
		want   health
	}{
		"Missing":    {reason: "Not created yet.", want: health{why: "HorizontalPodAutoscaler shop: not created yet"}},
		"NotChecked": {reason: "No conditions before the first check.", obs: hpa(`[]`), want: health{why: "HorizontalPodAutoscaler shop: waiting for the autoscaler's first check"}},
		"CannotScale": {
			reason: "An autoscaler that cannot scale says why.",
			obs:    hpa(`[{type: AbleToScale, status: "False", reason: FailedGetScale, message: "deployments/scale.apps \"shop\" not found"}]`),
			want:   health{why: `HorizontalPodAutoscaler shop: cannot scale: FailedGetScale: deployments/scale.apps "shop" not found`},
		},
		"AbleToScale": {reason: "Able to scale is ready.", obs: hpa(`[{type: AbleToScale, status: "True", reason: ReadyForNewScale}]`), want: ready()},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, autoscalerHealth("shop")(tc.obs), cmp.AllowUnexported(health{})); diff != "" {
				t.Errorf("%s\nautoscalerHealth(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
