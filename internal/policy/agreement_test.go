package policy_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	extv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apiserver/pkg/admission/plugin/policy/validating"
	"k8s.io/apiserver/pkg/cel/openapi/resolver"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/yaml"

	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	xpv1 "github.com/crossplane/crossplane/apis/v2/apiextensions/v1"
	xpv2 "github.com/crossplane/crossplane/apis/v2/apiextensions/v2"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
	"github.com/xapp-dev/xapp/fn"
	"github.com/xapp-dev/xapp/internal/policy"
)

const (
	xrdDir         = "../../package/configuration"
	enforceTimeout = time.Minute
)

var (
	xappsGVR    = v1alpha1.SchemeGroupVersion.WithResource("xapps")
	claimsGVR   = v1alpha1.SchemeGroupVersion.WithResource("apps")
	policiesGVR = v1alpha1.SchemeGroupVersion.WithResource("xapppolicies")
)

// TestAgreement judges the corpus twice: by the Go path (the rule table evaluated in process, as
// function-xapp does) and by a real kube-apiserver enforcing what function-xapp composes from each
// XAppPolicy, with the XApp's CRD built from its XRD. Every app must get the same verdict and the
// same messages from both: refused with the first failure's message where its environment denies,
// admitted with every failure as a warning where it warns, admitted silently elsewhere.
func TestAgreement(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a kube-apiserver: run without -short (make test)")
	}
	c := loadCorpus(t)
	cfg, warnings := startAPIServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	dyn := dynamic.NewForConfigOrDie(cfg)
	kube := kubernetes.NewForConfigOrDie(cfg)

	for _, ns := range c.namespaces {
		if _, err := kube.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil {
			t.Fatalf("cannot create namespace %s: %v", ns.Name, err)
		}
	}
	for _, p := range c.policies {
		if _, err := dyn.Resource(policiesGVR).Create(ctx, p, metav1.CreateOptions{}); err != nil {
			t.Fatalf("cannot create XAppPolicy %s: %v", p.GetName(), err)
		}
		for _, o := range composeAdmission(ctx, t, p) {
			// The sigstore ClusterImagePolicies act on Pods, not apps: the examples' render test
			// validates them against policy-controller's CRD.
			if o.GetKind() == "ClusterImagePolicy" {
				continue
			}
			if _, err := dyn.Resource(admissionGVR(t, o.GetKind())).Create(ctx, o, metav1.CreateOptions{}); err != nil {
				t.Fatalf("cannot create the composed %s %s: %v", o.GetKind(), o.GetName(), err)
			}
		}
		typeCheck(ctx, t, cfg, policy.AdmissionPolicyName(p.GetName()))
	}

	e, err := policy.NewEvaluator()
	if err != nil {
		t.Fatal(err)
	}
	waitEnforced(ctx, t, e, c, dyn, warnings)
	judged, agree := 0, 0
	for _, cc := range c.cases {
		// Production refuses with the first message only: the same app in preview, which has
		// production's rules but warns, shows every message.
		for _, in := range asClaimsToo(inPreview(cc)) {
			judged++
			want := expected(t, e, c, in)
			got := admit(ctx, t, dyn, warnings, in)
			if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s in %s: the API server and the Go path disagree: -go, +apiserver:\n%s", in.Name, in.Namespace, diff)
				continue
			}
			agree++
		}
	}
	t.Logf("corpus: %d apps, judged %d times (as XApps and App claims; production's also in preview); the API server and the Go path agree on %d",
		len(c.cases), judged, agree)
	checkPolicyChange(ctx, t, e, c, dyn, warnings)
}

// checkPolicyChange tightens a rule in the XAppPolicy of a running app: admission follows without a
// new admission policy, still agreeing with the Go path; the running app is not refused while only
// its metadata changes (as when Crossplane records its composed resources), and is refused on its
// next change.
func checkPolicyChange(ctx context.Context, t *testing.T, e *policy.Evaluator, c corpus, dyn dynamic.Interface, w *warningLog) {
	t.Helper()
	running := corpusCase{Name: "running", Namespace: "prod", Spec: json.RawMessage(
		`{"image":"ghcr.io/acme/shop:1.4.2","ports":[{"name":"http","port":8080}],"replicas":2,"cmdb":{"ownerTeam":"shop"},"resources":{"cpu":"3"}}`)}
	if _, err := dyn.Resource(xappsGVR).Namespace(running.Namespace).Create(ctx, running.xapp(t), metav1.CreateOptions{}); err != nil {
		t.Fatalf("cannot create a valid app: %v", err)
	}
	vapGVR := admissionGVR(t, "ValidatingAdmissionPolicy")
	vapName := policy.AdmissionPolicyName("platform")
	before, err := dyn.Resource(vapGVR).Get(ctx, vapName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tightened, err := dyn.Resource(policiesGVR).Patch(ctx, "platform", types.MergePatchType, []byte(`{"spec":{"resources":{"maxCPU":"2"}}}`), metav1.PatchOptions{})
	if err != nil {
		t.Fatalf("cannot tighten the XAppPolicy: %v", err)
	}
	c.policies = []*unstructured.Unstructured{tightened}
	newApp := running
	newApp.Name = "running-copy"
	want := expected(t, e, c, newApp)
	if want.Refused == "" {
		t.Fatal("the Go path admits an app above the tightened cap")
	}
	deadline := time.Now().Add(enforceTimeout)
	for got := admit(ctx, t, dyn, w, newApp); got.Refused != want.Refused; got = admit(ctx, t, dyn, w, newApp) {
		if time.Now().After(deadline) {
			t.Fatalf("admission does not follow the tightened XAppPolicy after %s: got %+v, want %+v", enforceTimeout, got, want)
		}
		time.Sleep(200 * time.Millisecond)
	}
	after, err := dyn.Resource(vapGVR).Get(ctx, vapName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if before.GetGeneration() != after.GetGeneration() {
		t.Errorf("the ValidatingAdmissionPolicy changed (generation %d to %d); a rule change must only change its parameters", before.GetGeneration(), after.GetGeneration())
	}

	app := dyn.Resource(xappsGVR).Namespace(running.Namespace)
	if _, err := app.Patch(ctx, running.Name, types.MergePatchType, []byte(`{"metadata":{"annotations":{"crossplane.io/composition-resource-name":"x"}}}`), metav1.PatchOptions{}); err != nil {
		t.Errorf("an admitted app is refused when only its metadata changes: %v", err)
	}
	_, err = app.Patch(ctx, running.Name, types.MergePatchType, []byte(`{"spec":{"replicas":3}}`), metav1.PatchOptions{})
	wantUpdate := strings.Replace(want.Refused, `"running-copy"`, `"running"`, 1)
	if err == nil || err.Error() != wantUpdate {
		t.Errorf("a change to the app's spec: got error %v, want %q", err, wantUpdate)
	}
}

// inPreview is the case, and for a production case the same app in preview too.
func inPreview(cc corpusCase) []corpusCase {
	if cc.Namespace != "prod" {
		return []corpusCase{cc}
	}
	p := cc
	p.Namespace = "preview"
	return []corpusCase{cc, p}
}

// asClaimsToo is each case as an XApp and as an App claim, which admission checks alike.
func asClaimsToo(cs []corpusCase) []corpusCase {
	out := make([]corpusCase, 0, 2*len(cs))
	for _, cc := range cs {
		claim := cc
		claim.Kind = v1alpha1.AppKind
		out = append(out, cc, claim)
	}
	return out
}

// resourceOf is the resource of the case's kind.
func resourceOf(cc corpusCase) schema.GroupVersionResource {
	if cc.Kind == v1alpha1.AppKind {
		return claimsGVR
	}
	return xappsGVR
}

// outcome is what creating an app gets: the error that refused it, and the warnings.
type outcome struct {
	Refused  string
	Warnings []string
}

// expected is the outcome the Go path's verdicts predict, in the API server's words
// (k8s.io/apiserver's validating policy dispatcher).
func expected(t *testing.T, e *policy.Evaluator, c corpus, cc corpusCase) outcome {
	t.Helper()
	var o outcome
	for _, p := range c.policies {
		vs, err := e.Judge(context.Background(), cc.xapp(t), p, c.namespaces[cc.Namespace])
		if err != nil {
			t.Fatalf("%s: Judge(): %v", cc.Name, err)
		}
		vap := policy.AdmissionPolicyName(p.GetName())
		for _, v := range vs {
			for i, f := range v.Failures {
				switch {
				case v.Action == v1alpha1.PolicyActionWarn:
					o.Warnings = append(o.Warnings, fmt.Sprintf("Validation failed for ValidatingAdmissionPolicy '%s' with binding '%s': %s", vap, v.Binding, f.Message))
				case i == 0 && o.Refused == "":
					o.Refused = fmt.Sprintf("%s.%s %q is forbidden: ValidatingAdmissionPolicy '%s' with binding '%s' denied request: %s",
						resourceOf(cc).Resource, resourceOf(cc).Group, cc.Name, vap, v.Binding, f.Message)
				}
			}
		}
	}
	return o
}

// admit creates the case's app with dry-run and returns what the API server answered.
func admit(ctx context.Context, t *testing.T, dyn dynamic.Interface, w *warningLog, cc corpusCase) outcome {
	t.Helper()
	w.reset()
	_, err := dyn.Resource(resourceOf(cc)).Namespace(cc.Namespace).Create(ctx, cc.xapp(t), metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
	o := outcome{Warnings: w.take()}
	if err != nil {
		o.Refused = err.Error()
	}
	return o
}

// waitEnforced waits until the API server's admission plugin has loaded every binding: the first
// case of each namespace the Go path finds a failure in is created until the API server reacts at
// all (refuses or warns), whatever it says. What it says is the test's to compare afterwards.
func waitEnforced(ctx context.Context, t *testing.T, e *policy.Evaluator, c corpus, dyn dynamic.Interface, w *warningLog) {
	t.Helper()
	waited := map[string]bool{}
	for _, cc := range c.cases {
		if waited[cc.Namespace] || len(cc.Want) == 0 {
			continue
		}
		waited[cc.Namespace] = true
		deadline := time.Now().Add(enforceTimeout)
		for {
			o := admit(ctx, t, dyn, w, cc)
			if o.Refused != "" || len(o.Warnings) > 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("admission does not enforce any policy in namespace %s after %s (Go path: %+v)", cc.Namespace, enforceTimeout, expected(t, e, c, cc))
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
}

// typeCheck type-checks the admission policy against the XApp and XAppPolicy schemas the API
// server serves, as kube-controller-manager's policy status controller would (envtest runs none),
// and fails on any warning: an expression that reads a field the schemas do not have is a rule that
// never fires.
func typeCheck(ctx context.Context, t *testing.T, cfg *rest.Config, name string) {
	t.Helper()
	kube := kubernetes.NewForConfigOrDie(cfg)
	vap, err := kube.AdmissionregistrationV1().ValidatingAdmissionPolicies().Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("cannot get ValidatingAdmissionPolicy %s: %v", name, err)
	}
	disc := memory.NewMemCacheClient(kube.Discovery())
	schemas := &resolver.ClientDiscoveryResolver{Discovery: kube.Discovery()}
	for _, gvk := range []schema.GroupVersionKind{v1alpha1.XAppGroupVersionKind, v1alpha1.XAppPolicyGroupVersionKind} {
		if _, err := schemas.ResolveSchema(gvk); err != nil {
			t.Fatalf("cannot resolve the schema of %s to type-check against: %v", gvk.Kind, err)
		}
	}
	tc := &validating.TypeChecker{SchemaResolver: schemas, RestMapper: restmapper.NewDeferredDiscoveryRESTMapper(disc)}
	for _, w := range tc.Check(vap) {
		t.Errorf("ValidatingAdmissionPolicy %s: %s: %s", name, w.FieldRef, w.Warning)
	}
}

// composeAdmission runs function-xapp on the XAppPolicy, as Crossplane would, and returns what it
// composes.
func composeAdmission(ctx context.Context, t *testing.T, p *unstructured.Unstructured) []*unstructured.Unstructured {
	t.Helper()
	xr, err := structpb.NewStruct(p.Object)
	if err != nil {
		t.Fatal(err)
	}
	rsp, err := fn.New(logging.NewNopLogger()).RunFunction(ctx, &fnv1.RunFunctionRequest{Observed: &fnv1.State{Composite: &fnv1.Resource{Resource: xr}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rsp.GetResults() {
		if r.GetSeverity() == fnv1.Severity_SEVERITY_FATAL {
			t.Fatalf("function-xapp refused XAppPolicy %s: %s", p.GetName(), r.GetMessage())
		}
	}
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range rsp.GetDesired().GetResources() {
			if !yield(n) {
				return
			}
		}
	})
	objs := make([]*unstructured.Unstructured, 0, len(names))
	for _, n := range names {
		j, err := protojson.Marshal(rsp.GetDesired().GetResources()[n].GetResource())
		if err != nil {
			t.Fatal(err)
		}
		objs = append(objs, decode(t, j))
	}
	return objs
}

// admissionGVR is the resource of a kind function-xapp composes from an XAppPolicy.
func admissionGVR(t *testing.T, kind string) schema.GroupVersionResource {
	t.Helper()
	gv := admissionregistrationv1.SchemeGroupVersion
	switch kind {
	case "ValidatingAdmissionPolicy":
		return gv.WithResource("validatingadmissionpolicies")
	case "ValidatingAdmissionPolicyBinding":
		return gv.WithResource("validatingadmissionpolicybindings")
	}
	t.Fatalf("function-xapp composed a %s from an XAppPolicy", kind)
	return schema.GroupVersionResource{}
}

// warningLog keeps the warnings the API server sends, as kubectl would print them.
type warningLog struct {
	mu   sync.Mutex
	msgs []string
}

func (w *warningLog) HandleWarningHeader(_ int, _ string, msg string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.msgs = append(w.msgs, msg)
}

func (w *warningLog) reset() { w.take() }

func (w *warningLog) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	m := w.msgs
	w.msgs = nil
	return m
}

// startAPIServer runs kube-apiserver and etcd with CRDs for XApp and XAppPolicy built from their XRDs.
func startAPIServer(t *testing.T) (*rest.Config, *warningLog) {
	t.Helper()
	assets := os.Getenv("KUBEBUILDER_ASSETS")
	if assets == "" {
		t.Fatal("KUBEBUILDER_ASSETS is not set: run `make envtest` and export KUBEBUILDER_ASSETS=$(make -s envtest), or run `make test`")
	}
	env := &envtest.Environment{
		BinaryAssetsDirectory: assets,
		CRDs:                  []*extv1.CustomResourceDefinition{crdFromXRD(t, "xrd-xapp.yaml"), crdFromXRD(t, "xrd-xapppolicy.yaml"), claimCRD(t)},
	}
	start := time.Now()
	cfg, err := env.Start()
	if err != nil {
		t.Fatalf("cannot start kube-apiserver and etcd from %s: %v", assets, err)
	}
	t.Logf("control plane started in %s", time.Since(start).Round(time.Millisecond))
	t.Cleanup(func() {
		if err := env.Stop(); err != nil {
			t.Errorf("cannot stop control plane: %v", err)
		}
	})
	w := &warningLog{}
	cfg = rest.CopyConfig(cfg)
	cfg.WarningHandler = w
	return cfg, w
}

// crdFromXRD is the CRD Crossplane would serve for an XRD, as far as admission can tell: the same
// names, scope and schema. Crossplane's own spec fields (composition selection, resource refs) are
// left out; no rule reads them.
func crdFromXRD(t *testing.T, file string) *extv1.CustomResourceDefinition {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(xrdDir, file))
	if err != nil {
		t.Fatal(err)
	}
	xrd := &xpv2.CompositeResourceDefinition{}
	if err := yaml.Unmarshal(b, xrd); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	scope := extv1.NamespaceScoped
	if xrd.Spec.Scope == xpv2.CompositeResourceScopeCluster {
		scope = extv1.ClusterScoped
	}
	crd := &extv1.CustomResourceDefinition{
		ObjectMeta: metav1.ObjectMeta{Name: xrd.Name},
		Spec:       extv1.CustomResourceDefinitionSpec{Group: xrd.Spec.Group, Names: xrd.Spec.Names, Scope: scope},
	}
	for _, v := range xrd.Spec.Versions {
		crd.Spec.Versions = append(crd.Spec.Versions, crdVersion(t, v.Name, v.Served, v.Referenceable, v.Schema.OpenAPIV3Schema.Raw))
	}
	return crd
}

// claimCRD is the CRD Crossplane would serve for the App claim of the legacy XRD: the claim's names,
// namespaced, the XRD's schema.
func claimCRD(t *testing.T) *extv1.CustomResourceDefinition {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(xrdDir, "xrd-app.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	xrd := &xpv1.CompositeResourceDefinition{}
	if err := yaml.Unmarshal(b, xrd); err != nil {
		t.Fatalf("xrd-app.yaml: %v", err)
	}
	crd := &extv1.CustomResourceDefinition{
		ObjectMeta: metav1.ObjectMeta{Name: xrd.Spec.ClaimNames.Plural + "." + xrd.Spec.Group},
		Spec:       extv1.CustomResourceDefinitionSpec{Group: xrd.Spec.Group, Names: *xrd.Spec.ClaimNames, Scope: extv1.NamespaceScoped},
	}
	for _, v := range xrd.Spec.Versions {
		crd.Spec.Versions = append(crd.Spec.Versions, crdVersion(t, v.Name, v.Served, v.Referenceable, v.Schema.OpenAPIV3Schema.Raw))
	}
	return crd
}

// crdVersion is one served version with an XRD version's schema and a status subresource.
func crdVersion(t *testing.T, name string, served, storage bool, schema []byte) extv1.CustomResourceDefinitionVersion {
	t.Helper()
	s := &extv1.JSONSchemaProps{}
	if err := json.Unmarshal(schema, s); err != nil {
		t.Fatalf("version %s: %v", name, err)
	}
	return extv1.CustomResourceDefinitionVersion{
		Name: name, Served: served, Storage: storage,
		Schema:       &extv1.CustomResourceValidation{OpenAPIV3Schema: s},
		Subresources: &extv1.CustomResourceSubresources{Status: &extv1.CustomResourceSubresourceStatus{}},
	}
}
