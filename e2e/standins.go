package e2e

import (
	"context"
	"fmt"
	"net"
	"time"

	corev1 "k8s.io/api/core/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// GatewayController is the controller name the gateway stand-in reports routes under.
const GatewayController = gatewayv1.GatewayController("xapp.dev/e2e-gateway")

// CNPGCluster is CloudNativePG's Cluster kind.
var CNPGCluster = schema.GroupVersionKind{Group: "postgresql.cnpg.io", Version: "v1", Kind: "Cluster"}

// standIns plays a gateway controller, an ingress controller, CloudNativePG, the External Secrets
// Operator and KEDA until ctx ends, checking twice a second: routes get the status a gateway writes,
// Ingresses the address a controller publishes, database Clusters the status and app Secret
// CloudNativePG writes, ExternalSecrets their Secret and status, ScaledObjects their status. Only
// what xapp reads is written, in the same form as the real controllers.
func (h *Harness) standIns(ctx context.Context) {
	for {
		for _, f := range []func(context.Context) error{h.acceptRoutes, h.publishIngresses, h.runDatabases, h.runExternalSecrets, h.runScaledObjects} {
			if err := f(ctx); err != nil && ctx.Err() == nil {
				h.Printf("stand-in: %v", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// acceptRoutes accepts every HTTPRoute on each of its parent Gateways, and reports its backend
// resolved once the Service it names exists, as a gateway does.
func (h *Harness) acceptRoutes(ctx context.Context) error {
	routes := &gatewayv1.HTTPRouteList{}
	if err := h.Client.List(ctx, routes); err != nil {
		return errors.Wrap(err, "cannot list HTTPRoutes")
	}
	for i := range routes.Items {
		r := &routes.Items[i]
		if r.DeletionTimestamp != nil {
			continue
		}
		resolved, reason, msg := metav1.ConditionTrue, string(gatewayv1.RouteReasonResolvedRefs), "backends resolved"
		for _, rule := range r.Spec.Rules {
			for _, b := range rule.BackendRefs {
				svc := &corev1.Service{}
				err := h.Client.Get(ctx, client.ObjectKey{Namespace: r.Namespace, Name: string(b.Name)}, svc)
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
					{Type: string(gatewayv1.RouteConditionAccepted), Status: metav1.ConditionTrue, Reason: string(gatewayv1.RouteReasonAccepted), Message: "Accepted", ObservedGeneration: r.Generation},
					{Type: string(gatewayv1.RouteConditionResolvedRefs), Status: resolved, Reason: reason, Message: msg, ObservedGeneration: r.Generation},
				},
			})
		}
		if sameRouteStatus(r.Status.Parents, want) {
			continue
		}
		now := metav1.Now()
		for j := range want {
			for k := range want[j].Conditions {
				want[j].Conditions[k].LastTransitionTime = now
			}
		}
		r.Status.Parents = want
		if err := h.Client.Status().Update(ctx, r); err != nil && !kerrors.IsConflict(err) && !kerrors.IsNotFound(err) {
			return errors.Wrapf(err, "cannot accept HTTPRoute %s/%s", r.Namespace, r.Name)
		}
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

// runDatabases does what CloudNativePG does for a new Cluster, in short: it writes the app Secret
// `<cluster>-app` (owned by the Cluster, so it goes with it) and reports the Cluster healthy with
// its read-write Service.
func (h *Harness) runDatabases(ctx context.Context) error {
	l, err := h.listKind(ctx, CNPGCluster)
	if err != nil {
		return err
	}
	for i := range l {
		c := &l[i]
		if c.GetDeletionTimestamp() != nil {
			continue
		}
		if phase, _, _ := unstructured.NestedString(c.Object, "status", "phase"); phase == "Cluster in healthy state" {
			continue
		}
		if err := h.databaseSecret(ctx, c); err != nil {
			return err
		}
		instances, _, _ := unstructured.NestedInt64(c.Object, "spec", "instances")
		status := map[string]any{
			"phase":          "Cluster in healthy state",
			"instances":      instances,
			"readyInstances": instances,
			"writeService":   c.GetName() + "-rw",
			"readService":    c.GetName() + "-r",
			"conditions": []any{map[string]any{
				"type": "Ready", "status": "True", "reason": "ClusterIsReady", "message": "Cluster is Ready",
				"lastTransitionTime": time.Now().UTC().Format(time.RFC3339), "observedGeneration": c.GetGeneration(),
			}},
		}
		if err := h.reportStatus(ctx, c, status); err != nil {
			return err
		}
	}
	return nil
}

func (h *Harness) databaseSecret(ctx context.Context, c *unstructured.Unstructured) error {
	db, _, _ := unstructured.NestedString(c.Object, "spec", "bootstrap", "initdb", "database")
	owner, _, _ := unstructured.NestedString(c.Object, "spec", "bootstrap", "initdb", "owner")
	host := c.GetName() + "-rw." + c.GetNamespace() + ".svc"
	s := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{
			Name: c.GetName() + "-app", Namespace: c.GetNamespace(),
			Labels: map[string]string{"cnpg.io/cluster": c.GetName(), "cnpg.io/reload": "true"},
			OwnerReferences: []metav1.OwnerReference{{
				APIVersion: CNPGCluster.GroupVersion().String(), Kind: CNPGCluster.Kind, Name: c.GetName(), UID: c.GetUID(),
				Controller: ptr.To(true),
			}},
		},
		Type: corev1.SecretTypeBasicAuth,
		StringData: map[string]string{
			"username": owner, "password": "e2e-password", "user": owner, "host": host, "port": "5432", "dbname": db,
			"uri": fmt.Sprintf("postgresql://%s:e2e-password@%s/%s", owner, net.JoinHostPort(host, "5432"), db),
		},
	}
	err := h.Client.Create(ctx, s)
	if kerrors.IsAlreadyExists(err) {
		return nil
	}
	return errors.Wrapf(err, "cannot create the app Secret of Cluster %s/%s", c.GetNamespace(), c.GetName())
}
