package notification

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/record"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/crossplane/crossplane-runtime/v2/pkg/controller"
	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/xapp-dev/xapp/apis/cmdb"
	"github.com/xapp-dev/xapp/apis/cmdb/v1alpha1"
	"github.com/xapp-dev/xapp/provider/internal/controller/config"
)

type fakeManager struct {
	manager.Manager

	kube   client.Client
	scheme *runtime.Scheme
}

func (m *fakeManager) GetClient() client.Client                        { return m.kube }
func (m *fakeManager) GetScheme() *runtime.Scheme                      { return m.scheme }
func (m *fakeManager) GetEventRecorderFor(string) record.EventRecorder { return &record.FakeRecorder{} }

// cluster is an in-memory API server where the provider can crash right after a delivery:
// the write recording it (external-create-succeeded) and every later write of that reconcile
// never arrive.
type cluster struct {
	t       *testing.T
	kube    client.Client
	mgr     *fakeManager
	crashOn map[string]bool
	crashed map[string]bool
	crashes int
}

func newCluster(t *testing.T, objs ...client.Object) *cluster {
	t.Helper()
	s := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	if err := cmdb.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	c := &cluster{t: t, crashOn: map[string]bool{}, crashed: map[string]bool{}}
	c.kube = fake.NewClientBuilder().WithScheme(s).WithObjects(objs...).
		WithStatusSubresource(&v1alpha1.Notification{}).
		WithInterceptorFuncs(interceptor.Funcs{
			Update: func(ctx context.Context, k client.WithWatch, o client.Object, opts ...client.UpdateOption) error {
				if c.crashOn[o.GetName()] && !meta.GetExternalCreateSucceeded(o).IsZero() {
					delete(c.crashOn, o.GetName())
					c.crashed[o.GetName()] = true
					c.crashes++
				}
				if c.crashed[o.GetName()] {
					return errors.New("provider crashed")
				}
				return k.Update(ctx, o, opts...)
			},
			SubResourceUpdate: func(ctx context.Context, k client.Client, sub string, o client.Object, opts ...client.SubResourceUpdateOption) error {
				if c.crashed[o.GetName()] {
					return errors.New("provider crashed")
				}
				return k.SubResource(sub).Update(ctx, o, opts...)
			},
		}).Build()
	c.mgr = &fakeManager{kube: c.kube, scheme: s}
	return c
}

// provider starts a provider process: a new managed reconciler with no memory of the last one.
func (c *cluster) provider(o Options) func(name string) error {
	r := config.NewReconciler(c.mgr, controller.Options{Logger: logging.NewNopLogger(), PollInterval: time.Minute},
		resource.ManagedKind(v1alpha1.NotificationGroupVersionKind), Kind(o), config.NewConnector(c.mgr))
	return func(name string) error {
		_, err := r.Reconcile(context.Background(), reconcile.Request{NamespacedName: types.NamespacedName{Namespace: "shop", Name: name}})
		delete(c.crashed, name)
		return err
	}
}

func (c *cluster) get(name string) *v1alpha1.Notification {
	c.t.Helper()
	n := &v1alpha1.Notification{}
	if err := c.kube.Get(context.Background(), types.NamespacedName{Namespace: "shop", Name: name}, n); err != nil {
		c.t.Fatal(err)
	}
	return n
}

func notificationFor(rev int, f v1alpha1.NotificationFormat, url string) *v1alpha1.Notification {
	return &v1alpha1.Notification{
		ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: fmt.Sprintf("cart-deploy-%d", rev), UID: types.UID(fmt.Sprintf("uid-%d", rev))},
		Spec: v1alpha1.NotificationSpec{
			ManagedResourceSpec: xpv2.ManagedResourceSpec{ManagementPolicies: xpv2.ManagementPolicies{xpv2.ManagementActionAll}},
			ForProvider: v1alpha1.NotificationParameters{
				URL:              ptr.To(url),
				Format:           f,
				SigningSecretRef: &xpv2.LocalSecretKeySelector{LocalSecretReference: xpv2.LocalSecretReference{Name: "hooks"}, Key: "key"},
				Event: v1alpha1.NotificationEvent{
					Type: "dev.xapp.deploy.succeeded", Source: "/namespaces/shop/xapps/cart", Subject: fmt.Sprintf("revision/%d", rev),
					Title: fmt.Sprintf("cart revision %d is live", rev), Facts: []v1alpha1.Fact{{Name: "revision", Value: fmt.Sprint(rev)}},
				},
			},
		},
	}
}

func isTrue(n *v1alpha1.Notification, t xpv2.ConditionType) bool {
	return n.GetCondition(t).Status == corev1.ConditionTrue
}

// TestDeliveryUnderFaults delivers notifications for 20 revisions to a receiver that fails
// half of all requests (503, 429 with Retry-After, hanging past the timeout), through the real
// managed reconciler, with a new provider process for every round of polls and one crash right
// after a delivery. Every revision must reach the receiver exactly once.
func TestDeliveryUnderFaults(t *testing.T) {
	const revisions = 20
	key := []byte("s3cret")
	rng := rand.New(rand.NewPCG(12, 2))
	rcv := newReceiver(t, key, func(int) fault {
		switch p := rng.IntN(100); {
		case p < 25:
			return unavailable
		case p < 35:
			return throttle
		case p < 50:
			return hang
		default:
			return accept
		}
	})
	hooks := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "hooks"}, Data: map[string][]byte{"key": key}}
	objs := []client.Object{hooks}
	formats := []v1alpha1.NotificationFormat{v1alpha1.FormatCloudEvents, v1alpha1.FormatSlack, v1alpha1.FormatTeams}
	for rev := 1; rev <= revisions; rev++ {
		objs = append(objs, notificationFor(rev, formats[rev%3], rcv.URL))
	}
	c := newCluster(t, objs...)
	c.crashOn["cart-deploy-7"] = true
	o := Options{Backoff: 10 * time.Millisecond, MaxWait: 2 * time.Second, Timeout: 100 * time.Millisecond}

	const rounds = 12
	for range rounds { // rounds of polls, each by a freshly started provider
		poll := c.provider(o)
		for rev := 1; rev <= revisions; rev++ {
			_ = poll(fmt.Sprintf("cart-deploy-%d", rev)) // failures show in the conditions checked below
		}
	}
	attempted, accepted, dups := rcv.counts()
	t.Logf("deliveries attempted %d (503 %d, 429 %d, hung past the timeout %d), accepted %d, duplicates %d; polls %d, provider crashes after a delivery %d, retries before Retry-After %d",
		attempted, rcv.faults[unavailable], rcv.faults[throttle], rcv.faults[hang], accepted, dups, rounds*revisions, c.crashes, rcv.early)

	if accepted != revisions || dups != 0 {
		t.Errorf("accepted %d deliveries with %d duplicates, want %d and 0", accepted, dups, revisions)
	}
	if rcv.early != 0 {
		t.Errorf("%d retries came before the receiver's Retry-After", rcv.early)
	}
	if attempted <= revisions {
		t.Errorf("the receiver failed no request (attempted %d): the faults were not exercised", attempted)
	}
	for rev := 1; rev <= revisions; rev++ {
		n := c.get(fmt.Sprintf("cart-deploy-%d", rev))
		if rev == 7 {
			// The crash lost the record of the delivery: the reconciler must stop, not resend.
			if s := n.GetCondition(xpv2.TypeSynced); s.Status != corev1.ConditionFalse || !strings.Contains(s.Message, "cannot determine creation result") {
				t.Errorf("%s after a crash: Synced %s %q, want False: cannot determine creation result", n.Name, s.Status, s.Message)
			}
			continue
		}
		if !isTrue(n, v1alpha1.ConditionDelivered) || n.Status.AtProvider.StatusCode != http.StatusAccepted || n.Status.AtProvider.DeliveryID != string(n.UID) {
			t.Errorf("%s: Delivered %+v, atProvider %+v; want Delivered True with 202 and the UID as id", n.Name, n.GetCondition(v1alpha1.ConditionDelivered), n.Status.AtProvider)
		}
	}
}
