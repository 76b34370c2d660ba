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
