package fn

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
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
