package notification

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/xapp-dev/xapp/apis/cmdb/v1alpha1"
	"github.com/xapp-dev/xapp/provider/internal/controller/config"
	"github.com/xapp-dev/xapp/provider/internal/controller/controllertest"
)

// TestAgainstRealAPIServer runs the Notification controller in a manager against a real
// kube-apiserver with the generated CRD: the CRD's rules hold, a notification the receiver
// first refuses is delivered once, a restarted provider sends nothing, and deleting it sends
// nothing either.
func TestAgainstRealAPIServer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts kube-apiserver and etcd")
	}
	cfg, s := controllertest.ControlPlane(t)
	ctx := context.Background()
	kube, err := client.New(cfg, client.Options{Scheme: s})
	if err != nil {
		t.Fatal(err)
	}
	rcv := newReceiver(t, []byte("s3cret"), func(n int) fault { return []fault{unavailable, throttle, accept}[min(n, 3)-1] })
	for _, o := range []client.Object{
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "shop"}},
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "hooks"}, Data: map[string][]byte{"key": []byte("s3cret"), "url": []byte(rcv.URL)}},
	} {
		if err := kube.Create(ctx, o); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("CRDRules", func(t *testing.T) {
		both := notificationFor(99, v1alpha1.FormatCloudEvents, rcv.URL)
		both.UID = ""
		both.Spec.ForProvider.URLSecretRef = &xpv2.LocalSecretKeySelector{LocalSecretReference: xpv2.LocalSecretReference{Name: "hooks"}, Key: "url"}
		if err := kube.Create(ctx, both); err == nil || !strings.Contains(err.Error(), "set exactly one of url and urlSecretRef") {
			t.Errorf("create with url and urlSecretRef: got %v, want the CRD to refuse it", err)
		}
	})

	n := notificationFor(1, v1alpha1.FormatTeams, rcv.URL)
	n.UID = ""
	n.Spec.ForProvider.URL = nil
	n.Spec.ForProvider.URLSecretRef = &xpv2.LocalSecretKeySelector{LocalSecretReference: xpv2.LocalSecretReference{Name: "hooks"}, Key: "url"}
	if err := kube.Create(ctx, n); err != nil {
		t.Fatal(err)
	}
	stop := startManager(t, cfg, s)
	waitFor(t, 30*time.Second, "Delivered", func() string {
		if err := kube.Get(ctx, client.ObjectKeyFromObject(n), n); err != nil {
			return err.Error()
		}
		if c := n.GetCondition(v1alpha1.ConditionDelivered); c.Status != corev1.ConditionTrue {
			return "Delivered " + string(c.Status) + ": " + c.Message + "; Synced: " + n.GetCondition(xpv2.TypeSynced).Message
		}
		return ""
	})
	t.Logf("Delivered: %s (atProvider %+v)", n.GetCondition(v1alpha1.ConditionDelivered).Message, n.Status.AtProvider)

	stop()
	startManager(t, cfg, s) // a restarted provider
	time.Sleep(3 * time.Second)

	n.Spec.ForProvider.Event.Title = "something else"
	if err := kube.Update(ctx, n); err == nil || !strings.Contains(err.Error(), "forProvider is immutable") {
		t.Errorf("changing a notification: got %v, want the CRD to refuse it", err)
	}
	if err := kube.Delete(ctx, n); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "deleted", func() string {
		if err := kube.Get(ctx, client.ObjectKeyFromObject(n), n); !kerrors.IsNotFound(err) {
			return "still there: " + strings.Join(n.GetFinalizers(), ",")
		}
		return ""
	})
	attempted, accepted, dups := rcv.counts()
	t.Logf("deliveries attempted %d, accepted %d, duplicates %d", attempted, accepted, dups)
	if attempted != 3 || accepted != 1 || dups != 0 {
		t.Errorf("attempted %d, accepted %d, duplicates %d; want 3 (503, 429, 202), 1 and 0", attempted, accepted, dups)
	}
}

// startManager runs the Notification controller, as provider-cmdb does but with short
// backoffs, until the returned function is called or the test ends.
func startManager(t *testing.T, cfg *rest.Config, s *runtime.Scheme) (stop func()) {
	t.Helper()
	mgr := controllertest.Manager(t, cfg, s)
	o := controllertest.Options(1, time.Second)
	k := Kind(Options{Backoff: 20 * time.Millisecond, MaxWait: 2 * time.Second})
	if err := config.SetupManaged(mgr, o, resource.ManagedKind(v1alpha1.NotificationGroupVersionKind), k); err != nil {
		t.Fatal(err)
	}
	return controllertest.Start(t, mgr)
}

func waitFor(t *testing.T, timeout time.Duration, what string, fn func() string) {
	t.Helper()
	last := ""
	for start := time.Now(); time.Since(start) < timeout; time.Sleep(50 * time.Millisecond) {
		if last = fn(); last == "" {
			return
		}
	}
	t.Fatalf("%s: still not true after %s: %s", what, timeout, last)
}
