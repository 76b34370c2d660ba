package fn

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// fatalNamesField is how every Fatal message must start: the field it is about, in the app or in the
// platform's settings.
var fatalNamesField = regexp.MustCompile(`^((invalid app|the app breaks the platform's policy): (spec|metadata|kind)[.\[:]` +
	`|the platform's data service settings are incomplete: dataServices\.` +
	`|cannot find EnvironmentConfig "[^"]*", which the function's Input names in dataServices\.environmentConfig$` +
	`|cannot read data\.dataServices of EnvironmentConfig "[^"]*": )`)

// platform is one platform the fuzzer draws: what the Input says, whether an EnvironmentConfig
// overrides it and is sent, what Crossplane observed, which Secrets exist, XR or claim.
type platform uint32

// Bits of a platform, lowest first.
func (p platform) pick(shift, n uint) uint { return uint(p>>shift) % n }

var (
	fuzzProviders = []string{"", "aws", "gcp", "azure", "in-cluster", "oracle"}
	fuzzFlavors   = []string{"Kubernetes", "Cilium", "None"}
	fuzzPinnings  = []string{"None", "Tag", "Digest"}
	fuzzRegs      = []string{"", "[ghcr.io]", "[ghcr.io/acme, index.docker.io]", "[registry.internal]"}
	fuzzObserved  = []string{"", "aws", "gcp", "azure", "incluster", "full"}
	// fuzzWorkload is the workload policy: none (every escape hatch shut), or every one open with
	// caps, so the fuzzer reaches what apps may only do where the platform allows it.
	fuzzWorkload = []string{"", `, loadBalancer: {sourceRanges: [198.51.100.0/24]},
podMetadata: {allowedLabelPrefixes: [""], allowedAnnotationPrefixes: [""]},
security: {allowRunAsUser: true, allowedCapabilities: [NET_BIND_SERVICE]}, serviceAccount: {allowExisting: true},
volumes: {allowPersistent: true, maxPersistentSize: 10Gi, maxScratchSize: 1Gi},
resources: {cpuLimit: Request, maxCPU: "4", maxMemory: 8Gi},
scaling: {allowScaleToZero: true, requestRate: {serverAddress: "http://prom:9090", query: "sum(rate(r{app=\"{name}\"}[1m]))"},
  queues: [{name: q, type: kafka, authentication: {name: k}}]},
secretStore: {name: vault, allowedStores: [other]}`}
	// fuzzGateways and fuzzRoutings are how routes go, picked together: Gateway API with nothing
	// else allowed, Gateway API carrying TLS and TCP routes and catch-all hosts, or Ingresses.
	fuzzGateways = []string{"", ", tlsListener: tls, allowTCPRoutes: true", ""}
	fuzzRoutings = []string{"", ", routing: {allowCatchAll: true}", `, routing: {kind: Ingress, allowCatchAll: true, ingress: {className: nginx,
tls: {clusterIssuer: le}, controller: {namespace: ingress, podLabels: {app: ingress}}}}`}
)

// settings are the provider's complete data service settings, or only its name.
func fuzzSettings(provider string, complete bool) string {
	if !complete {
		return `{provider: "` + provider + `"}`
	}
	return `{provider: "` + provider + `", namePrefix: acme, allowPublicBuckets: true,
aws: {region: eu-central-1, accountID: "123456789012", oidcIssuer: oidc.example/id/X},
gcp: {project: acme, region: europe-west3}, azure: {subscriptionID: s, resourceGroup: rg, location: westeurope, oidcIssuer: "https://oidc.example/"}}`
}

// yamlCache keeps each YAML text the fuzzer builds parsed: parsing it again on every execution would
// cost more than the function it feeds.
var yamlCache sync.Map

func cachedStruct(tb testing.TB, y string) *structpb.Struct {
	tb.Helper()
	if s, ok := yamlCache.Load(y); ok {
		return proto.Clone(s.(*structpb.Struct)).(*structpb.Struct)
	}
	s := mustStruct(tb, y)
	yamlCache.Store(y, s)
	return proto.Clone(s).(*structpb.Struct)
}

// request builds the request for spec on platform p, with the Crossplane-side answers already in
// it, as Crossplane sends them once it has fetched what the function asks for.
func (p platform) request(tb testing.TB, spec *structpb.Value, pool fuzzPool) *fnv1.RunFunctionRequest {
	tb.Helper()
	provider := fuzzProviders[p.pick(0, 6)]
	complete := p.pick(3, 2) == 0
	env := p.pick(4, 4) // 0: no EnvironmentConfig, 1: sent, 2: sent but missing, 3: not sent yet
	ds := fuzzSettings(provider, complete)
	if env > 0 {
		ds = `{provider: in-cluster, environmentConfig: xapp-data}`
	}
	input := fmt.Sprintf(`{apiVersion: fn.xapp.dev/v1beta1, kind: Input, domain: example.com, allowedDomains: [example.com],
gateway: {name: gw, namespace: gw, podLabels: {gw: "true"}%s}, networkPolicy: {flavor: %s, egressCIDRs: [10.0.0.0/8]},
images: {allowedRegistries: %s, pinning: %s, pullSecrets: [{registry: ghcr.io, secret: pull}]},
cmdb: {providerConfigRef: {name: sn}, required: %t}, dataServices: %s%s%s}`,
		fuzzGateways[p.pick(22, 3)], fuzzFlavors[p.pick(6, 3)], fuzzRegs[p.pick(8, 4)], fuzzPinnings[p.pick(10, 3)], p.pick(12, 2) == 1, ds,
		fuzzWorkload[p.pick(19, 2)], fuzzRoutings[p.pick(22, 3)])

	xr := cachedStruct(tb, `{apiVersion: platform.xapp.dev/v1alpha1, kind: XApp, metadata: {name: shop, namespace: team-shop}}`)
	if p.pick(13, 2) == 1 {
		xr = cachedStruct(tb, `{apiVersion: platform.xapp.dev/v1alpha1, kind: CompositeApp, metadata: {name: shop-x1, labels: {
crossplane.io/claim-name: shop, crossplane.io/claim-namespace: team-shop}}}`)
	}
	xr.Fields["spec"] = spec
	req := &fnv1.RunFunctionRequest{Input: cachedStruct(tb, input), Observed: &fnv1.State{Composite: &fnv1.Resource{Resource: xr}}}
	req.Observed.Resources = pool.observed[fuzzObserved[p.pick(14, 6)]]

	answers := map[string]*fnv1.Resources{}
	switch env {
	case 1:
		answers[requirementEnvironment] = &fnv1.Resources{Items: []*fnv1.Resource{{Resource: cachedStruct(tb,
			`{apiVersion: apiextensions.crossplane.io/v1beta1, kind: EnvironmentConfig, metadata: {name: xapp-data}, data: {dataServices: `+
				fuzzSettings(provider, complete)+`}}`)}}}
	case 2:
		answers[requirementEnvironment] = &fnv1.Resources{}
	}
	if p.pick(17, 2) == 1 {
		for name, s := range pool.secrets {
			answers["secret-"+name] = &fnv1.Resources{Items: []*fnv1.Resource{{Resource: s}}}
		}
	}
	// The platform's XAppPolicy, and the app's namespace in no environment, production or development.
	if env := p.pick(20, 4); env > 0 {
		answers[requiredPolicies] = &fnv1.Resources{Items: []*fnv1.Resource{{Resource: pool.policy}}}
		answers[requiredNamespace] = &fnv1.Resources{Items: []*fnv1.Resource{{Resource: cachedStruct(tb,
			`{apiVersion: v1, kind: Namespace, metadata: {name: team-shop, labels: {acme.com/environment: `+[]string{"", "test", "production", "development"}[env]+`}}}`)}}}
	}
	if p.pick(18, 2) == 1 {
		req.ExtraResources = answers //nolint:staticcheck // Crossplane v1 answers here.
	} else {
		req.RequiredResources = answers
	}
	return req
}

// fuzzPool is what Crossplane may have observed, per example, and every Secret the examples write.
type fuzzPool struct {
	observed map[string]map[string]*fnv1.Resource
	secrets  map[string]*structpb.Struct
	policy   *structpb.Struct
}

func readPool(tb testing.TB) fuzzPool {
	tb.Helper()
	p := fuzzPool{observed: map[string]map[string]*fnv1.Resource{}, secrets: map[string]*structpb.Struct{}, policy: readStruct(tb, "../examples/policy/xr.yaml")}
	for _, ex := range fuzzObserved[1:] {
		p.observed[ex] = request(tb, "../examples/minimal/xr.yaml", "", "../examples/"+ex+"/observed-ready.yaml").Observed.Resources
		for _, s := range readRequired(tb, "../examples/"+ex+"/required-ready") {
			if s.Fields["kind"].GetStringValue() == "Secret" {
				p.secrets[s.Fields["metadata"].GetStructValue().Fields["name"].GetStringValue()] = s
			}
		}
	}
	return p
}

// panicLog fails the fuzz run when the function's guard catches a panic: the guard keeps a platform
// up, but a panic is still a bug to find.
type panicLog struct {
	logging.Logger
	panicked *string
}

func (l panicLog) Info(msg string, kv ...any) {
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i] == "stack" {
			*l.panicked = msg + ": " + fmt.Sprint(kv...)
		}
	}
}

// FuzzRunFunction feeds random XApp specs on random platforms through the whole function: every data
// service provider, network policy flavour, pinning rule and registry list, EnvironmentConfig absent,
// sent, missing or not sent yet, observed state and Secrets present or not, answered the v1 or the v2
// way, XR or claim, judged by an XAppPolicy in no environment, one that denies or one that warns,
// routed by Gateway API (with TLS and TCP routes and catch-all hosts allowed or not) or by Ingress.
// It must never panic and never return an error; it must compose objects that have a kind and a
// name, or refuse with a Fatal that names a field and compose nothing; and the same request must
// give the same bytes.
func FuzzRunFunction(f *testing.F) {
	xrs, _ := filepath.Glob("../examples/*/xr.yaml")
	xrs = append(xrs, "testdata/bench/large-xr.yaml")
	for i, path := range xrs {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		spec, err := protojson.Marshal(mustStruct(f, string(b)).Fields["spec"])
		if err != nil {
			f.Fatal(err)
		}
		// Each example on a few platforms: plain, each cloud with its observed state and Secrets, one
		// that opens every workload escape hatch, and under an XAppPolicy that denies or warns.
		for _, p := range []platform{0, platform(1 + 1<<14 + 1<<17), platform(2 | 2<<14 | 1<<17 | 1<<18), platform(3 | 3<<14 | 1<<17 | 1<<4), platform(4 | 4<<14 | 1<<17 | 1<<13), platform(1<<19 | 4 | 4<<14 | 1<<17), platform(i * 7919),
			platform(2 << 20), platform(3<<20 | 1<<13), platform(1<<22 | 1<<19), platform(2<<22 | 1<<19)} {
			f.Add(spec, uint32(p))
		}
	}
	f.Add([]byte(`{"image":"a:1","ports":[{"name":"http","port":70000}],"autoscaling":{"min":3,"max":1}}`), uint32(0))
	f.Add([]byte(`{"image":"a:1","replicas":-1,"probes":{"readiness":{"http":{"path":"x","port":"nope"}}},"route":{"paths":["/"]}}`), uint32(5))
	f.Add([]byte(`{"image":"a","env":[{"name":"A","secretKeyRef":{}}],"files":[{"path":"/etc/a"},{"path":"/etc/a"}],"dependsOn":["x/y/z"]}`), uint32(9))
	f.Add([]byte(`{"image":"ghcr.io/a/b:1","cache":{}}`), uint32(1))
	f.Add([]byte(`{"image":"ghcr.io/a/b:1","database":{}}`), uint32(3))

	pool := readPool(f)
	f.Fuzz(func(t *testing.T, spec []byte, p uint32) {
		v := &structpb.Value{}
		if protojson.Unmarshal(spec, v) != nil {
			t.Skip("not JSON")
		}
		var panicked string
		fn := New(panicLog{Logger: logging.NewNopLogger(), panicked: &panicked})

		rsp, err := fn.RunFunction(context.Background(), platform(p).request(t, v, pool))
		if err != nil {
			t.Fatalf("RunFunction() returned an error instead of a result: %v", err)
		}
		if panicked != "" {
			t.Fatalf("RunFunction() panicked: %s", panicked)
		}
		again, _ := fn.RunFunction(context.Background(), platform(p).request(t, v, pool))
		opts := proto.MarshalOptions{Deterministic: true}
		b1, _ := opts.Marshal(rsp)
		b2, _ := opts.Marshal(again)
		if string(b1) != string(b2) {
			t.Fatalf("the same request gave different responses")
		}
		checkFuzzResponse(t, rsp)
	})
}

func checkFuzzResponse(t *testing.T, rsp *fnv1.RunFunctionResponse) {
	t.Helper()
	for _, r := range rsp.GetResults() {
		if r.GetSeverity() != fnv1.Severity_SEVERITY_FATAL {
			continue
		}
		if !fatalNamesField.MatchString(r.GetMessage()) {
			t.Fatalf("Fatal result does not name a field: %q", r.GetMessage())
		}
		if n := len(rsp.GetDesired().GetResources()); n > 0 {
			t.Fatalf("Fatal result with %d composed resources: half an app", n)
		}
		return
	}
	if len(rsp.GetDesired().GetResources()) == 0 {
		// Only while Crossplane has yet to send the EnvironmentConfig, and then never Ready.
		if rsp.GetDesired().GetComposite().GetReady() != fnv1.Ready_READY_FALSE || len(rsp.GetRequirements().GetResources()) == 0 {
			t.Fatalf("no Fatal result, no composed resources, and not waiting for a requirement: reads as a Ready app with nothing in it")
		}
		return
	}
	if len(rsp.GetDesired().GetResources()) < 2 {
		t.Fatalf("no Fatal result but only %d composed resources", len(rsp.GetDesired().GetResources()))
	}
	if rs := rsp.GetDesired().GetResources(); rs[ResourceAutoscaler] != nil && rs[ResourceScaledObject] != nil {
		t.Fatalf("an HorizontalPodAutoscaler and a ScaledObject: KEDA makes its own HPA, and two fight over the replicas")
	}
	for name, r := range rsp.GetDesired().GetResources() {
		f := r.GetResource().GetFields()
		if f["kind"].GetStringValue() == "" || f["metadata"].GetStructValue().GetFields()["name"].GetStringValue() == "" {
			t.Fatalf("composed resource %q has no kind or name: %v", name, r.GetResource())
		}
	}
}
