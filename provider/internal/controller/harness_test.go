package controller

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr/testr"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apimachinery/pkg/types"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	clienttesting "k8s.io/client-go/testing"
	"k8s.io/client-go/tools/record"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/crossplane/crossplane-runtime/v2/pkg/controller"
	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/xapp-dev/xapp/apis/cmdb"
	"github.com/xapp-dev/xapp/apis/cmdb/v1alpha1"
	"github.com/xapp-dev/xapp/provider/internal/clients"
	"github.com/xapp-dev/xapp/provider/internal/controller/changerecord"
	"github.com/xapp-dev/xapp/provider/internal/controller/config"
	"github.com/xapp-dev/xapp/provider/internal/controller/configurationitem"
	"github.com/xapp-dev/xapp/provider/internal/controller/relationship"
)

// errCrashed is what the API server "answers" once the simulated provider process has died:
// nothing it writes after that point arrives.
var errCrashed = errors.New("provider crashed: the write never reached the API server")

// fakeManager is the part of a controller-runtime manager the managed reconciler reads.
type fakeManager struct {
	manager.Manager

	kube   client.Client
	scheme *runtime.Scheme
}

func (m *fakeManager) GetClient() client.Client   { return m.kube }
func (m *fakeManager) GetScheme() *runtime.Scheme { return m.scheme }
func (m *fakeManager) GetEventRecorderFor(string) record.EventRecorder {
	return &record.FakeRecorder{} // no channel: events are dropped
}

// harness drives provider-cmdb's own managed reconcilers, one Reconcile call at a time,
// against an in-memory API server (controller-runtime's fake client) and a CMDB test server.
// A call is one poll of one object, exactly as the controller would make it.
type harness struct {
	t    *testing.T
	ns   string
	kube client.Client
	ci   *managed.Reconciler
	rel  *managed.Reconciler
	chg  *managed.Reconciler

	// timeout is the HTTP client's timeout, read at each connect, so a soak can make the
	// timeouts it injects cheap while a fault-free poll keeps a generous one.
	mu      sync.Mutex
	timeout time.Duration
	// crashAfterCreate names objects whose next successful CMDB create is followed by a
	// crash: the external name is never written to the API server.
	crashAfterCreate map[string]bool
	crashed          map[string]bool
	reconciles       int
	crashes          int // crashes that happened
	uids             int
}

func newHarness(t *testing.T, backend v1alpha1.Backend, endpoint string) *harness {
	t.Helper()
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{clientgoscheme.AddToScheme, cmdb.AddToScheme} {
		if err := add(s); err != nil {
			t.Fatal(err)
		}
	}
	h := &harness{t: t, ns: "soak", timeout: 10 * time.Second, crashAfterCreate: map[string]bool{}, crashed: map[string]bool{}}
	// A plain object tracker: the default one rebuilds a REST mapper on every write, which would
	// make the soak's thousands of reconciles crawl. Apply patches are made merge patches below.
	tracker := clienttesting.NewObjectTracker(s, serializer.NewCodecFactory(s).UniversalDecoder())
	h.kube = fake.NewClientBuilder().WithScheme(s).WithObjectTracker(tracker).
		WithStatusSubresource(&v1alpha1.ConfigurationItem{}, &v1alpha1.Relationship{}, &v1alpha1.ChangeRecord{}, &v1alpha1.ProviderConfig{}).
		WithInterceptorFuncs(interceptor.Funcs{
			Update:            h.interceptUpdate,
			SubResourceUpdate: h.interceptStatus,
			Patch: func(ctx context.Context, c client.WithWatch, obj client.Object, p client.Patch, opts ...client.PatchOption) error {
				// The managed reconciler writes resolved references with a server-side apply of
				// just those fields. A real API server keeps every other field; the fake client's
				// apply, with no schema for these CRDs, drops them (spec.forProvider.type). The
				// same fields as a merge patch are what the API server ends up with.
				if p.Type() != types.ApplyPatchType {
					return c.Patch(ctx, obj, p, opts...)
				}
				data, err := p.Data(obj)
				if err != nil {
					return err
				}
				return c.Patch(ctx, obj, client.RawPatch(types.MergePatchType, data))
			},
			Get: func(ctx context.Context, c client.WithWatch, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
				// A real API server's answer names the object's kind, and the managed reconciler's
				// server-side apply of resolved references relies on it; the fake client drops it.
				err := c.Get(ctx, key, obj, opts...)
				if gvk, gerr := apiutil.GVKForObject(obj, s); err == nil && gerr == nil {
					obj.GetObjectKind().SetGroupVersionKind(gvk)
				}
				return err
			},
		}).Build()
	mgr := &fakeManager{kube: h.kube, scheme: s}
	conn := config.NewConnector(mgr)
	conn.NewHTTPClient = h.httpClient
	o := controller.Options{Logger: logging.NewNopLogger(), PollInterval: time.Second}
	if os.Getenv("XAPP_DEBUG") != "" {
		o.Logger = logging.NewLogrLogger(testr.NewWithOptions(t, testr.Options{Verbosity: 1}))
	}
	h.ci = config.NewReconciler(mgr, o, resource.ManagedKind(v1alpha1.ConfigurationItemGroupVersionKind), configurationitem.Kind(), conn)
	h.rel = config.NewReconciler(mgr, o, resource.ManagedKind(v1alpha1.RelationshipGroupVersionKind), relationship.Kind(), conn)
	h.chg = config.NewReconciler(mgr, o, resource.ManagedKind(v1alpha1.ChangeRecordGroupVersionKind), changerecord.Kind(), conn)
	h.create(
		adminSecret(h.ns, "cmdb-creds", "admin"),
		providerConfig(h.ns, "cmdb", endpoint, backend, "cmdb-creds"),
	)
	return h
}

// httpClient is the provider's own client (Retry-After honoured, TLS as configured) with the
// harness's timeout and a short cap on Retry-After waits, so throttling costs milliseconds.
func (h *harness) httpClient(ca []byte) (*http.Client, error) {
	hc, err := clients.NewHTTPClient(ca)
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	hc.Timeout = h.timeout
	if rt, ok := hc.Transport.(*clients.RetryTransport); ok {
		rt.MaxWait = 5 * time.Millisecond
	}
	return hc, nil
}

func (h *harness) setTimeout(d time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.timeout = d
}

// crashNextCreate makes the provider die right after the CMDB created name's record.
func (h *harness) crashNextCreate(name string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.crashAfterCreate[name] = true
}

// interceptUpdate lets a planned crash happen: the first update that would record a
// successful create fails, and so does every later write of that reconcile.
func (h *harness) interceptUpdate(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.UpdateOption) error {
	h.mu.Lock()
	name := obj.GetName()
	if h.crashAfterCreate[name] && !meta.GetExternalCreateSucceeded(obj).IsZero() {
		delete(h.crashAfterCreate, name)
		h.crashed[name] = true
		h.crashes++
	}
	crashed := h.crashed[name]
	h.mu.Unlock()
	if crashed {
		return errCrashed
	}
	return c.Update(ctx, obj, opts...)
}

func (h *harness) interceptStatus(ctx context.Context, c client.Client, sub string, obj client.Object, opts ...client.SubResourceUpdateOption) error {
	h.mu.Lock()
	crashed := h.crashed[obj.GetName()]
	h.mu.Unlock()
	if crashed {
		return errCrashed
	}
	return c.SubResource(sub).Update(ctx, obj, opts...)
}

// create stores objects as the API server would, with the defaults the CRDs declare.
func (h *harness) create(objs ...client.Object) {
	h.t.Helper()
	for _, o := range objs {
		if o.GetUID() == "" { // the API server gives every object one; the fake client does not
			h.uids++
			o.SetUID(types.UID(fmt.Sprintf("uid-%d", h.uids)))
		}
		if ts := o.GetCreationTimestamp(); ts.IsZero() {
			o.SetCreationTimestamp(metav1.Now())
		}
		if mg, ok := o.(resource.Managed); ok && len(mg.GetManagementPolicies()) == 0 {
			mg.SetManagementPolicies(xpv2.ManagementPolicies{xpv2.ManagementActionAll})
		}
		if err := h.kube.Create(context.Background(), o); err != nil {
			h.t.Fatalf("cannot create %T %s: %v", o, o.GetName(), err)
		}
	}
}

// reconcile runs one poll of o (a ConfigurationItem, Relationship or ChangeRecord) and returns the
// reconciler's error. A crash planned for o ends with this call: the next one is a restart.
func (h *harness) reconcile(o client.Object) error {
	r := h.ci
	switch o.(type) {
	case *v1alpha1.Relationship:
		r = h.rel
	case *v1alpha1.ChangeRecord:
		r = h.chg
	}
	h.mu.Lock()
	h.reconciles++
	h.mu.Unlock()
	_, err := r.Reconcile(context.Background(), reconcile.Request{NamespacedName: types.NamespacedName{Namespace: o.GetNamespace(), Name: o.GetName()}})
	h.mu.Lock()
	delete(h.crashed, o.GetName())
	h.mu.Unlock()
	return err
}

// get refreshes o from the API server; false when it is gone.
func (h *harness) get(o client.Object) bool {
	h.t.Helper()
	err := h.kube.Get(context.Background(), client.ObjectKeyFromObject(o), o)
	if kerrors.IsNotFound(err) {
		return false
	}
	if err != nil {
		h.t.Fatal(err)
	}
	return true
}

func (h *harness) delete(o client.Object) {
	h.t.Helper()
	if err := h.kube.Delete(context.Background(), o); err != nil && !kerrors.IsNotFound(err) {
		h.t.Fatal(err)
	}
}

// settle reconciles o until it is Ready and Synced (or gone, when deleted), failing after n polls.
func (h *harness) settle(o client.Object, n int) {
	h.t.Helper()
	why := ""
	for range n {
		err := h.reconcile(o)
		if !h.get(o) {
			return
		}
		if why = readyOrWhy(context.Background(), h.kube, o); why == "" && err == nil && o.GetDeletionTimestamp() == nil {
			return
		}
		if err != nil {
			why += "; reconcile: " + err.Error()
		}
	}
	h.t.Fatalf("%s not settled after %d polls: %s", o.GetName(), n, why)
}

// link is a Relationship between two ConfigurationItems of the harness's namespace.
func (h *harness) link(name, parent, child string, typ v1alpha1.RelationshipType) *v1alpha1.Relationship {
	r := &v1alpha1.Relationship{
		ObjectMeta: metav1.ObjectMeta{Namespace: h.ns, Name: name},
		Spec: v1alpha1.RelationshipSpec{
			ForProvider: v1alpha1.RelationshipParameters{
				ParentRef: refTo(parent), ChildRef: refTo(child), Type: typ,
			},
		},
	}
	r.Spec.ProviderConfigReference = ci(h.ns, name).Spec.ProviderConfigReference
	return r
}

func refTo(name string) *xpv2.NamespacedReference { return &xpv2.NamespacedReference{Name: name} }
