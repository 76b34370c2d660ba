package e2e

import (
	"context"
	"strconv"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// Kinds of KEDA and the External Secrets Operator, which the platform runs and xapp composes.
var (
	ScaledObjectKind   = schema.GroupVersionKind{Group: "keda.sh", Version: "v1alpha1", Kind: "ScaledObject"}
	ExternalSecretKind = schema.GroupVersionKind{Group: "external-secrets.io", Version: "v1", Kind: "ExternalSecret"}
)

// StoreValue is what the secret store stand-in answers for every key: the tests only check that
// Secrets exist and hold the keys asked for, never a value the function could have read.
const StoreValue = "e2e-store-value"

// AnnotationWorkloadBefore on a Secret the stand-in writes says whether the app's Deployment already
// existed then ("true" or "false"): creation timestamps have whole seconds, too coarse to order the
// two.
const AnnotationWorkloadBefore = "xapp.dev/e2e-workload-before"

// runExternalSecrets does what the External Secrets Operator does for a new ExternalSecret, in
// short: it writes the target Secret (owned by the ExternalSecret, creationPolicy Owner) with every
// key the spec names (a dataFrom extract gets one key, `value`), then reports it Ready with the
// operator's reason and message.
func (h *Harness) runExternalSecrets(ctx context.Context) error {
	l, err := h.listKind(ctx, ExternalSecretKind)
	if err != nil {
		return err
	}
	for i := range l {
		es := &l[i]
		if es.GetDeletionTimestamp() != nil || readyTrue(es) {
			continue
		}
		target, _, _ := unstructured.NestedString(es.Object, "spec", "target", "name")
		if err := h.storeSecret(ctx, es, target); err != nil {
			return err
		}
		status := map[string]any{
			"binding":               map[string]any{"name": target},
			"refreshTime":           time.Now().UTC().Format(time.RFC3339),
			"syncedResourceVersion": "1-e2e",
			"conditions": []any{map[string]any{
				"type": "Ready", "status": "True", "reason": "SecretSynced", "message": "secret synced",
				"lastTransitionTime": time.Now().UTC().Format(time.RFC3339),
			}},
		}
		if err := h.reportStatus(ctx, es, status); err != nil {
			return err
		}
	}
	return nil
}

func (h *Harness) storeSecret(ctx context.Context, es *unstructured.Unstructured, name string) error {
	data := map[string]string{}
	entries, _, _ := unstructured.NestedSlice(es.Object, "spec", "data")
	for _, e := range entries {
		if k, _, _ := unstructured.NestedString(e.(map[string]any), "secretKey"); k != "" {
			data[k] = StoreValue
		}
	}
	if from, _, _ := unstructured.NestedSlice(es.Object, "spec", "dataFrom"); len(from) > 0 {
		data["value"] = StoreValue
	}
	app := es.GetLabels()["app.kubernetes.io/name"]
	err := h.Client.Get(ctx, client.ObjectKey{Namespace: es.GetNamespace(), Name: app}, &appsv1.Deployment{})
	if err != nil && !kerrors.IsNotFound(err) {
		return errors.Wrapf(err, "cannot look for Deployment %s/%s", es.GetNamespace(), app)
	}
	s := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{
			Name: name, Namespace: es.GetNamespace(),
			Annotations: map[string]string{AnnotationWorkloadBefore: strconv.FormatBool(err == nil)},
			OwnerReferences: []metav1.OwnerReference{{
				APIVersion: ExternalSecretKind.GroupVersion().String(), Kind: ExternalSecretKind.Kind, Name: es.GetName(), UID: es.GetUID(),
				Controller: ptr.To(true), BlockOwnerDeletion: ptr.To(true),
			}},
		},
		Type:       corev1.SecretTypeOpaque,
		StringData: data,
	}
	err = h.Client.Create(ctx, s)
	if kerrors.IsAlreadyExists(err) {
		return nil
	}
	return errors.Wrapf(err, "cannot write the Secret of ExternalSecret %s/%s", es.GetNamespace(), es.GetName())
}

// runScaledObjects does what KEDA does for a ScaledObject whose target and triggers check out: it
// reports it Ready and, with no requests or messages in this cluster, not Active. It scales
// nothing: the Deployment keeps the replica it starts with.
func (h *Harness) runScaledObjects(ctx context.Context) error {
	l, err := h.listKind(ctx, ScaledObjectKind)
	if err != nil {
		return err
	}
	for i := range l {
		so := &l[i]
		if so.GetDeletionTimestamp() != nil || readyTrue(so) {
			continue
		}
		status := map[string]any{
			"hpaName":         "keda-hpa-" + so.GetName(),
			"scaleTargetKind": "apps/v1.Deployment",
			"conditions": []any{
				map[string]any{"type": "Ready", "status": "True", "reason": "ScaledObjectReady", "message": "ScaledObject is defined correctly and is ready for scaling"},
				map[string]any{"type": "Active", "status": "False", "reason": "ScalerNotActive", "message": "Scaling is not performed because triggers are not active"},
			},
		}
		if err := h.reportStatus(ctx, so, status); err != nil {
			return err
		}
	}
	return nil
}

// listKind lists every object of a kind, in every namespace.
func (h *Harness) listKind(ctx context.Context, gvk schema.GroupVersionKind) ([]unstructured.Unstructured, error) {
	l := &unstructured.UnstructuredList{}
	l.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
	if err := h.Client.List(ctx, l); err != nil {
		return nil, errors.Wrapf(err, "cannot list %s", gvk.Kind)
	}
	return l.Items, nil
}

// reportStatus writes an object's status as its controller would; a conflict is retried on the
// next round.
func (h *Harness) reportStatus(ctx context.Context, u *unstructured.Unstructured, status map[string]any) error {
	if err := unstructured.SetNestedField(u.Object, status, "status"); err != nil {
		return errors.Wrapf(err, "cannot set the status of %s %s", u.GetKind(), u.GetName())
	}
	if err := h.Client.Status().Update(ctx, u); err != nil && !kerrors.IsConflict(err) && !kerrors.IsNotFound(err) {
		return errors.Wrapf(err, "cannot report %s %s/%s Ready", u.GetKind(), u.GetNamespace(), u.GetName())
	}
	return nil
}

// readyTrue says whether an object's Ready condition is True already.
func readyTrue(u *unstructured.Unstructured) bool {
	cs, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range cs {
		m, _ := c.(map[string]any)
		if m["type"] == "Ready" {
			return m["status"] == "True"
		}
	}
	return false
}
