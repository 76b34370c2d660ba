package e2e

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// Route kinds the gateway stand-in accepts: the HTTP and gRPC routes of the standard channel, the
// TLSRoute (v1 since gateway API 1.5) and the experimental TCPRoute.
var (
	HTTPRouteKind = schema.GroupVersionKind{Group: gatewayv1.GroupName, Version: "v1", Kind: "HTTPRoute"}
	GRPCRouteKind = schema.GroupVersionKind{Group: gatewayv1.GroupName, Version: "v1", Kind: "GRPCRoute"}
	TLSRouteKind  = schema.GroupVersionKind{Group: gatewayv1.GroupName, Version: "v1", Kind: "TLSRoute"}
	TCPRouteKind  = schema.GroupVersionKind{Group: gatewayv1.GroupName, Version: "v1alpha2", Kind: "TCPRoute"}
	routeKinds    = []schema.GroupVersionKind{HTTPRouteKind, GRPCRouteKind, TLSRouteKind, TCPRouteKind}
)

// gatewayRoute is what the stand-in reads of any route kind: they share parentRefs, backendRefs in
// rules and the route status.
type gatewayRoute struct {
	Spec struct {
		ParentRefs []gatewayv1.ParentReference `json:"parentRefs"`
		Rules      []struct {
			BackendRefs []struct {
				Name string `json:"name"`
			} `json:"backendRefs"`
		} `json:"rules"`
	} `json:"spec"`
	Status gatewayv1.RouteStatus `json:"status"`
}

// acceptRoutes accepts every route on each of its parent Gateways, and reports its backends
// resolved once the Services they name exist, as a gateway does.
func (h *Harness) acceptRoutes(ctx context.Context) error {
	for _, gvk := range routeKinds {
		l := &unstructured.UnstructuredList{}
		l.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
		if err := h.Client.List(ctx, l); err != nil {
			return errors.Wrapf(err, "cannot list %ss", gvk.Kind)
		}
		for i := range l.Items {
			if err := h.acceptRoute(ctx, &l.Items[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

func (h *Harness) acceptRoute(ctx context.Context, u *unstructured.Unstructured) error {
	if u.GetDeletionTimestamp() != nil {
		return nil
	}
	r := &gatewayRoute{}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, r); err != nil {
		return errors.Wrapf(err, "cannot read %s %s/%s", u.GetKind(), u.GetNamespace(), u.GetName())
	}
	resolved, reason, msg := metav1.ConditionTrue, string(gatewayv1.RouteReasonResolvedRefs), "backends resolved"
	for _, rule := range r.Spec.Rules {
		for _, b := range rule.BackendRefs {
			err := h.Client.Get(ctx, client.ObjectKey{Namespace: u.GetNamespace(), Name: b.Name}, &corev1.Service{})
			if kerrors.IsNotFound(err) {
				resolved, reason, msg = metav1.ConditionFalse, string(gatewayv1.RouteReasonBackendNotFound), fmt.Sprintf("Service %s not found", b.Name)
			}
		}
	}
	want := make([]gatewayv1.RouteParentStatus, 0, len(r.Spec.ParentRefs))
	for _, p := range r.Spec.ParentRefs {
		want = append(want, gatewayv1.RouteParentStatus{
			ParentRef:      p,
			ControllerName: GatewayController,
			Conditions: []metav1.Condition{
				{Type: string(gatewayv1.RouteConditionAccepted), Status: metav1.ConditionTrue, Reason: string(gatewayv1.RouteReasonAccepted), Message: "Accepted", ObservedGeneration: u.GetGeneration()},
				{Type: string(gatewayv1.RouteConditionResolvedRefs), Status: resolved, Reason: reason, Message: msg, ObservedGeneration: u.GetGeneration()},
			},
		})
	}
	if sameRouteStatus(r.Status.Parents, want) {
		return nil
	}
	now := metav1.Now()
	for j := range want {
		for k := range want[j].Conditions {
			want[j].Conditions[k].LastTransitionTime = now
		}
	}
	st, err := runtime.DefaultUnstructuredConverter.ToUnstructured(&gatewayv1.RouteStatus{Parents: want})
	if err != nil {
		return errors.Wrap(err, "cannot write a route status")
	}
	u.Object["status"] = st
	if err := h.Client.Status().Update(ctx, u); err != nil && !kerrors.IsConflict(err) && !kerrors.IsNotFound(err) {
		return errors.Wrapf(err, "cannot accept %s %s/%s", u.GetKind(), u.GetNamespace(), u.GetName())
	}
	return nil
}

// sameRouteStatus compares what the stand-in writes, ignoring transition times, so an unchanged
// route is not written again.
func sameRouteStatus(got, want []gatewayv1.RouteParentStatus) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i].ControllerName != want[i].ControllerName || got[i].ParentRef.Name != want[i].ParentRef.Name || len(got[i].Conditions) != len(want[i].Conditions) {
			return false
		}
		for j, c := range want[i].Conditions {
			g := got[i].Conditions[j]
			if g.Type != c.Type || g.Status != c.Status || g.Reason != c.Reason || g.ObservedGeneration != c.ObservedGeneration {
				return false
			}
		}
	}
	return true
}
