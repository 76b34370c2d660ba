package e2e

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// The app kinds xapp serves.
var (
	XAppKind         = schema.GroupVersionKind{Group: "platform.xapp.dev", Version: "v1alpha1", Kind: "XApp"}
	AppClaimKind     = schema.GroupVersionKind{Group: "platform.xapp.dev", Version: "v1alpha1", Kind: "App"}
	CompositeAppKind = schema.GroupVersionKind{Group: "platform.xapp.dev", Version: "v1alpha1", Kind: "CompositeApp"}
)

// ReadyHold is how long an app's Ready must hold before it counts: Crossplane core v2.4.0 writes
// stale cached conditions back under load, so Ready can flip True, False, True for a moment.
const ReadyHold = 3 * time.Second

// ReadFile reads a YAML file's objects (an example of this repository, say).
func ReadFile(file string) ([]*unstructured.Unstructured, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, errors.Wrapf(err, "cannot read %s", file)
	}
	return Objects(b)
}

// CreateNamespace creates a namespace unless it exists.
func (h *Harness) CreateNamespace(ctx context.Context, name string) error {
	err := h.Client.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}})
	if kerrors.IsAlreadyExists(err) {
		return nil
	}
	return errors.Wrapf(err, "cannot create namespace %s", name)
}

// ApplyObject server-side applies one object.
func (h *Harness) ApplyObject(ctx context.Context, u *unstructured.Unstructured) error {
	u = u.DeepCopy()
	u.SetResourceVersion("")
	u.SetManagedFields(nil)
	//nolint:staticcheck // client.Apply with unstructured objects is what `kubectl apply --server-side` does.
	return errors.Wrapf(h.Client.Patch(ctx, u, client.Apply, FieldOwner, client.ForceOwnership), "cannot apply %s %s", u.GetKind(), u.GetName())
}

// AppState is what a developer reads off an app: its conditions and status.
type AppState struct {
	Exists     bool
	Ready      Condition
	AppReady   Condition
	Synced     Condition
	Image      string
	URL        string
	Status     map[string]any
	Generation int64
}

// App reads the state of an XApp, App claim or CompositeApp.
func (h *Harness) App(ctx context.Context, gvk schema.GroupVersionKind, namespace, name string) (AppState, error) {
	u, err := h.Get(ctx, gvk, namespace, name)
	if err != nil || u == nil {
		return AppState{}, err
	}
	cs := Conditions(u)
	st, _, _ := unstructured.NestedMap(u.Object, "status")
	img, _, _ := unstructured.NestedString(u.Object, "status", "image")
	url, _, _ := unstructured.NestedString(u.Object, "status", "url")
	return AppState{
		Exists: true, Ready: cs["Ready"], AppReady: cs["AppReady"], Synced: cs["Synced"],
		Image: img, URL: url, Status: st, Generation: u.GetGeneration(),
	}, nil
}

// Up says whether the app is Ready and its AppReady agrees.
func (s AppState) Up() bool {
	return s.Ready.Status == ConditionTrue && s.AppReady.Status == ConditionTrue
}

func (s AppState) String() string {
	if !s.Exists {
		return "does not exist"
	}
	return fmt.Sprintf("%s; %s; %s", s.Ready, s.AppReady, s.Synced)
}

// WaitAppReady waits until the app is Ready with AppReady True, and stays so for ReadyHold.
func (h *Harness) WaitAppReady(ctx context.Context, timeout time.Duration, gvk schema.GroupVersionKind, namespace, name string) (AppState, error) {
	var since time.Time
	var last AppState
	err := Eventually(ctx, timeout, 100*time.Millisecond, func() (bool, string, error) {
		s, err := h.App(ctx, gvk, namespace, name)
		if err != nil {
			return false, "", err
		}
		last = s
		if !s.Up() {
			since = time.Time{}
			return false, fmt.Sprintf("%s %s/%s: %s", gvk.Kind, namespace, name, s), nil
		}
		if since.IsZero() {
			since = time.Now()
		}
		return time.Since(since) >= ReadyHold, fmt.Sprintf("%s %s/%s Ready for only %s", gvk.Kind, namespace, name, time.Since(since)), nil
	})
	return last, err
}

// Events lists the events about an object, as `kubectl describe` shows them.
func (h *Harness) Events(ctx context.Context, namespace, kind, name string) ([]corev1.Event, error) {
	l := &corev1.EventList{}
	if err := h.Client.List(ctx, l, client.InNamespace(namespace)); err != nil {
		return nil, errors.Wrap(err, "cannot list events")
	}
	var out []corev1.Event
	for _, e := range l.Items {
		if e.InvolvedObject.Kind == kind && e.InvolvedObject.Name == name {
			out = append(out, e)
		}
	}
	return out, nil
}

// WarningAbout finds a Warning event about the object whose message holds text.
func (h *Harness) WarningAbout(ctx context.Context, namespace, kind, name, text string) (bool, []string, error) {
	evs, err := h.Events(ctx, namespace, kind, name)
	if err != nil {
		return false, nil, err
	}
	seen := make([]string, 0, len(evs))
	for _, e := range evs {
		seen = append(seen, e.Type+" "+e.Reason+": "+e.Message)
		if e.Type == corev1.EventTypeWarning && strings.Contains(e.Message, text) {
			return true, seen, nil
		}
	}
	return false, seen, nil
}

// What an app can leave in its namespace: its own kinds, what it composes, and what those make.
var leftovers = []schema.GroupVersionKind{
	XAppKind, AppClaimKind,
	{Version: "v1", Kind: "Pod"}, {Version: "v1", Kind: "Service"}, {Version: "v1", Kind: "ConfigMap"},
	{Version: "v1", Kind: "ServiceAccount"}, {Version: "v1", Kind: "Secret"},
	{Group: "apps", Version: "v1", Kind: "Deployment"}, {Group: "apps", Version: "v1", Kind: "ReplicaSet"},
	{Group: "autoscaling", Version: "v2", Kind: "HorizontalPodAutoscaler"},
	{Group: "policy", Version: "v1", Kind: "PodDisruptionBudget"},
	{Group: "networking.k8s.io", Version: "v1", Kind: "NetworkPolicy"},
	{Group: "networking.k8s.io", Version: "v1", Kind: "Ingress"},
	{Group: "batch", Version: "v1", Kind: "Job"}, {Group: "batch", Version: "v1", Kind: "CronJob"},
	HTTPRouteKind, GRPCRouteKind, TLSRouteKind, TCPRouteKind,
	{Group: "monitoring.coreos.com", Version: "v1", Kind: "ServiceMonitor"},
	{Group: "monitoring.coreos.com", Version: "v1", Kind: "PrometheusRule"},
	{Group: "protection.crossplane.io", Version: "v1beta1", Kind: "Usage"},
	{Group: "cmdb.m.xapp.dev", Version: "v1alpha1", Kind: "ConfigurationItem"},
	{Group: "cmdb.m.xapp.dev", Version: "v1alpha1", Kind: "Relationship"},
	{Group: "cmdb.m.xapp.dev", Version: "v1alpha1", Kind: "Notification"},
	{Group: "cmdb.m.xapp.dev", Version: "v1alpha1", Kind: "ChangeRecord"},
	CNPGCluster, ScaledObjectKind, ExternalSecretKind,
}

// Kubernetes' own objects in every namespace.
var namespaceDefaults = map[string]bool{"ConfigMap/kube-root-ca.crt": true, "ServiceAccount/default": true}

// WaitGone waits until nothing an app made is left in the namespace (so no finalizer holds
// anything), then deletes the namespace and waits until it is gone too.
func (h *Harness) WaitGone(ctx context.Context, timeout time.Duration, namespace string) error {
	err := Eventually(ctx, timeout, 250*time.Millisecond, func() (bool, string, error) {
		var left []string
		for _, gvk := range leftovers {
			l := &unstructured.UnstructuredList{}
			l.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
			if err := h.Client.List(ctx, l, client.InNamespace(namespace)); err != nil {
				return false, "", errors.Wrapf(err, "cannot list %s", gvk.Kind)
			}
			for _, o := range l.Items {
				if id := gvk.Kind + "/" + o.GetName(); !namespaceDefaults[id] {
					left = append(left, fmt.Sprintf("%s (finalizers %v)", id, o.GetFinalizers()))
				}
			}
		}
		return len(left) == 0, "left in " + namespace + ": " + strings.Join(left, ", "), nil
	})
	if err != nil {
		return err
	}
	ns := &corev1.Namespace{}
	ns.SetName(namespace)
	if err := h.Client.Delete(ctx, ns); err != nil {
		return errors.Wrapf(err, "cannot delete namespace %s", namespace)
	}
	return Eventually(ctx, timeout, 250*time.Millisecond, func() (bool, string, error) {
		err := h.Client.Get(ctx, client.ObjectKey{Name: namespace}, ns)
		if kerrors.IsNotFound(err) {
			return true, "", nil
		}
		return false, fmt.Sprintf("namespace %s is still there: %v", namespace, ns.Status.Conditions), client.IgnoreNotFound(err)
	})
}

// Describe summarises an app's Deployment, ReplicaSets and pods, for failure messages.
func (h *Harness) Describe(ctx context.Context, namespace, app string) string {
	var b strings.Builder
	sel := client.MatchingLabels{"app.kubernetes.io/name": app}
	d := &appsv1.Deployment{}
	if err := h.Client.Get(ctx, client.ObjectKey{Namespace: namespace, Name: app}, d); err == nil {
		fmt.Fprintf(&b, "\nDeployment %s: generation %d observed %d, replicas %d updated %d available %d, finalizers %v, conditions:",
			app, d.Generation, d.Status.ObservedGeneration, d.Status.Replicas, d.Status.UpdatedReplicas, d.Status.AvailableReplicas, d.Finalizers)
		for _, c := range d.Status.Conditions {
			fmt.Fprintf(&b, " %s=%s (%s)", c.Type, c.Status, c.Message)
		}
	}
	rss := &appsv1.ReplicaSetList{}
	if err := h.Client.List(ctx, rss, client.InNamespace(namespace), sel); err == nil {
		for _, r := range rss.Items {
			fmt.Fprintf(&b, "\nReplicaSet %s: spec %d, replicas %d ready %d, image %s, conditions %v",
				r.Name, ptrOr(r.Spec.Replicas), r.Status.Replicas, r.Status.ReadyReplicas, r.Spec.Template.Spec.Containers[0].Image, r.Status.Conditions)
		}
	}
	pods := &corev1.PodList{}
	if err := h.Client.List(ctx, pods, client.InNamespace(namespace), sel); err == nil {
		for _, p := range pods.Items {
			fmt.Fprintf(&b, "\nPod %s: %s on %q, deleting %v, image %s", p.Name, p.Status.Phase, p.Spec.NodeName, p.DeletionTimestamp != nil, p.Spec.Containers[0].Image)
		}
	}
	return b.String()
}

func ptrOr(p *int32) int32 {
	if p == nil {
		return 0
	}
	return *p
}

// Touch makes the object's controllers reconcile it again without changing what it asks for: it
// adds an annotation, keeping every other one (the provider's external-name among them). It
// returns the time of the touch, and the object as it was before.
func (h *Harness) Touch(ctx context.Context, gvk schema.GroupVersionKind, namespace, name string) (time.Time, *unstructured.Unstructured, error) {
	u, err := h.Get(ctx, gvk, namespace, name)
	if err != nil {
		return time.Time{}, nil, err
	}
	if u == nil {
		return time.Time{}, nil, errors.Errorf("%s %s/%s does not exist", gvk.Kind, namespace, name)
	}
	orig := u.DeepCopy()
	a := u.GetAnnotations()
	if a == nil {
		a = map[string]string{}
	}
	now := time.Now()
	a["xapp.dev/e2e-touch"] = now.Format(time.RFC3339Nano)
	u.SetAnnotations(a)
	return now, orig, errors.Wrapf(h.Client.Patch(ctx, u, client.MergeFrom(orig)), "cannot touch %s %s/%s", gvk.Kind, namespace, name)
}
