package fn

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"k8s.io/apimachinery/pkg/util/validation/field"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
	"github.com/xapp-dev/xapp/input/v1beta1"
)

// TestJudgeByPolicies checks when an XAppPolicy judges an app at composition and what it says; the
// messages themselves are the rule table's, checked against the API server in internal/policy.
func TestJudgeByPolicies(t *testing.T) {
	const (
		xr = `{apiVersion: platform.xapp.dev/v1alpha1, kind: XApp, metadata: {name: shop, namespace: team-shop},
			spec: {image: "docker.io/shop:1.0", replicas: 1, ports: [{name: http, port: 8080}]}}`
		pol = `{apiVersion: platform.xapp.dev/v1alpha1, kind: XAppPolicy, metadata: {name: platform}, spec: {
			images: {allowedRegistries: [ghcr.io/acme]},
			environments: [{name: prod, namespaceLabels: {env: prod}, action: Deny, minReplicas: 2}, {name: dev, namespaceLabels: {env: dev}, action: Warn}]}}`
		registry = "spec.image: docker.io/shop:1.0 is not from a registry the platform allows (ghcr.io/acme)"
		// Two environments select env: prod: one enforces signatures, one only warns.
		signed = `{apiVersion: platform.xapp.dev/v1alpha1, kind: XAppPolicy, metadata: {name: signed}, spec: {
			supplyChain: {signers: [{name: ci, keyless: {issuer: "https://issuer", subject: ci}}]},
			environments: [{name: audit, namespaceLabels: {env: prod}, action: Warn, signatures: Warn}, {name: prod, namespaceLabels: {env: prod}, action: Deny, signatures: Enforce}]}}`
		unpinned = "spec.image: docker.io/shop:1.0 is not pinned by digest (image@sha256:...); environment "
	)
	ns := func(labels string) *fnv1.Resource {
		return &fnv1.Resource{Resource: mustStruct(t, `{apiVersion: v1, kind: Namespace, metadata: {name: team-shop, labels: `+labels+`}}`)}
	}
	policies := &fnv1.Resources{Items: []*fnv1.Resource{{Resource: mustStruct(t, pol)}}}
	cases := map[string]struct {
		reason   string
		required map[string]*fnv1.Resources
		want     policyVerdict
	}{
		"NotSentYet": {
			reason: "Before Crossplane sends the policies and the namespace, the Input's rules apply alone.",
		},
		"NoPolicy": {
			reason:   "A platform without an XAppPolicy keeps the Input's rules.",
			required: map[string]*fnv1.Resources{requiredPolicies: {}, requiredNamespace: {Items: []*fnv1.Resource{ns("{env: prod}")}}},
		},
		"NoEnvironment": {
			reason:   "A namespace no environment selects is not judged by the policy, as admission has no binding for it.",
			required: map[string]*fnv1.Resources{requiredPolicies: policies, requiredNamespace: {Items: []*fnv1.Resource{ns("{env: test}")}}},
		},
		"Deny": {
			reason:   "Production denies: every failed rule's message, in table order.",
			required: map[string]*fnv1.Resources{requiredPolicies: policies, requiredNamespace: {Items: []*fnv1.Resource{ns("{env: prod}")}}},
			want:     policyVerdict{governed: true, denied: []string{registry, "spec.replicas: 1 is below the minimum of 2 replicas in environment prod"}},
		},
		"Warn": {
			reason:   "Development warns, and has no replica minimum.",
			required: map[string]*fnv1.Resources{requiredPolicies: policies, requiredNamespace: {Items: []*fnv1.Resource{ns("{env: dev}")}}},
			want:     policyVerdict{governed: true, warned: []string{registry}},
		},
		"SignaturesEnforced": {
			reason: "An environment that enforces signatures wins over one that warns; the namespace's opt-in to policy-controller is read.",
			required: map[string]*fnv1.Resources{requiredPolicies: {Items: []*fnv1.Resource{{Resource: mustStruct(t, signed)}}},
				requiredNamespace: {Items: []*fnv1.Resource{ns(`{env: prod, policy.sigstore.dev/include: "true"}`)}}},
			// Both bindings give the same message: it names the first environment that asks for
			// signatures, as admission's does.
			want: policyVerdict{governed: true, denied: []string{unpinned + "audit requires signed images, verified by digest"},
				warned:     []string{unpinned + "audit requires signed images, verified by digest"},
				signatures: v1alpha1.SignaturesEnforce, signedBy: "xapppolicy-signed-prod", sigstoreIncluded: true},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			reqs := newRequirements(&fnv1.RunFunctionRequest{RequiredResources: tc.required})
			got, err := judgeByPolicies(reqs, mustStruct(t, xr), "team-shop")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(policyVerdict{})); diff != "" {
				t.Errorf("%s\njudgeByPolicies(): -want, +got:\n%s", tc.reason, diff)
			}
			if len(reqs.asked) != 2 {
				t.Errorf("%s\nasked for %d resources, want the XAppPolicies and the namespace", tc.reason, len(reqs.asked))
			}
		})
	}
}

// TestGovernedInput checks that where an XAppPolicy governs, the Input's overlapping rules step
// aside and its own stay: pod keys under any prefix pass, the platform's own keys are still refused.
func TestGovernedInput(t *testing.T) {
	governed := func(in *v1beta1.Input) { *in = *governedInput(in) }
	cases := map[string]struct {
		reason string
		mods   []specMod
		want   []string
	}{
		"AnyPrefix": {
			reason: "The Input allows no pod labels, but the policy decides: any key passes here.",
			mods:   []specMod{withPodMetadata(map[string]string{"team": "shop"}, map[string]string{"example.com/note": "hi"})},
		},
		"PlatformKeys": {
			reason: "Keys only the function writes stay refused whatever the policy allows.",
			mods:   []specMod{withPodMetadata(map[string]string{"xapp.dev/rolled": "now"}, nil)},
			want:   []string{"spec.podMetadata.labels[xapp.dev/rolled]: Forbidden: the platform sets this label on every pod; an app cannot"},
		},
		"NoCaps": {
			reason: "The Input's caps step aside for the policy's.",
			mods:   []specMod{withResources(v1alpha1.Resources{CPU: q("64")})},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			in := []inputMod{withPodMetadataPolicy(nil, nil), withResourcePolicy(v1beta1.ResourcePolicy{MaxCPU: q("4"), MaxMemory: q("8Gi")}), governed}
			a := testApp(t, in, tc.mods...)
			var got []string
			for _, e := range append(podMetadataPolicy(a), resourcesPolicy(a, field.NewPath("spec", "resources"), a.spec.Resources)...) {
				got = append(got, e.Error())
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\n-want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// TestPolicyWarningsInStatus checks that an app its environment only warns about keeps admission's
// warnings in its status, where they outlive the events, and that other apps show none.
func TestPolicyWarningsInStatus(t *testing.T) {
	const (
		xr = `{apiVersion: platform.xapp.dev/v1alpha1, kind: XApp, metadata: {name: shop, namespace: team-shop},
			spec: {image: "docker.io/shop:1.0", ports: [{name: http, port: 8080}]}}`
		pol = `{apiVersion: platform.xapp.dev/v1alpha1, kind: XAppPolicy, metadata: {name: platform}, spec: {
			images: {allowedRegistries: [ghcr.io/acme]}, environments: [{name: dev, namespaceLabels: {env: dev}, action: Warn}]}}`
	)
	required := func(labels string) map[string]*fnv1.Resources {
		return map[string]*fnv1.Resources{
			requiredPolicies:  {Items: []*fnv1.Resource{{Resource: mustStruct(t, pol)}}},
			requiredNamespace: {Items: []*fnv1.Resource{{Resource: mustStruct(t, `{apiVersion: v1, kind: Namespace, metadata: {name: team-shop, labels: `+labels+`}}`)}}},
		}
	}
	cases := map[string]struct {
		reason   string
		required map[string]*fnv1.Resources
		want     []any
	}{
		"Warned": {
			reason:   "In development the app composes and its status says what admission warned.",
			required: required("{env: dev}"),
			want:     []any{"spec.image: docker.io/shop:1.0 is not from a registry the platform allows (ghcr.io/acme)"},
		},
		"NoEnvironment": {
			reason:   "A namespace no environment selects gets no policy warnings.",
			required: required("{env: test}"),
		},
		"NotSentYet": {
			reason: "Before Crossplane sends the policy, there is nothing to show.",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			rsp := runFunction(&fnv1.RunFunctionRequest{
				Observed:          &fnv1.State{Composite: &fnv1.Resource{Resource: mustStruct(t, xr)}},
				RequiredResources: tc.required,
			})
			for _, r := range rsp.GetResults() {
				if r.GetSeverity() == fnv1.Severity_SEVERITY_FATAL {
					t.Fatalf("%s\nthe app was refused: %s", tc.reason, r.GetMessage())
				}
			}
			st := rsp.GetDesired().GetComposite().GetResource().AsMap()["status"].(map[string]any)
			got, _ := st["policyWarnings"].([]any)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nstatus.policyWarnings: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
