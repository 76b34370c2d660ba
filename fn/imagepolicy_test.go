package fn

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// TestSupplyChain checks the ClusterImagePolicies an XAppPolicy's supply chain composes, and that
// what policy-controller would refuse is refused here first, naming the field.
func TestSupplyChain(t *testing.T) {
	const (
		keyless = `{name: ci, keyless: {issuer: "https://token.actions.githubusercontent.com", subject: "https://github.com/acme/shop/.github/workflows/release.yaml@refs/heads/main"}}`
		enforce = `{name: prod, namespaceLabels: {env: prod}, action: Deny, signatures: Enforce}`
		warn    = `{name: dev, namespaceLabels: {env: dev}, action: Warn, signatures: Warn}`
	)
	policy := func(spec string) string {
		return `{apiVersion: platform.xapp.dev/v1alpha1, kind: XAppPolicy, metadata: {name: p}, spec: ` + spec + `}`
	}
	cases := map[string]struct {
		reason        string
		xr            string
		wantResources []string
		wantFatal     string
	}{
		"NoEnvironmentChecksSignatures": {
			reason:        "A supply chain no environment asks for composes no ClusterImagePolicy: it would check every opted-in namespace.",
			xr:            policy(`{supplyChain: {signers: [` + keyless + `]}, environments: [{name: prod, namespaceLabels: {env: prod}, action: Deny}]}`),
			wantResources: []string{ResourceAdmissionBinding + "prod", ResourceAdmissionPolicy},
		},
		"EnforceAndWarn": {
			reason: "One ClusterImagePolicy per action the environments take.",
			xr:     policy(`{supplyChain: {signers: [` + keyless + `]}, environments: [` + enforce + `, ` + warn + `]}`),
			wantResources: []string{ResourceAdmissionBinding + "dev", ResourceAdmissionBinding + "prod", ResourceAdmissionPolicy,
				ResourceImagePolicy + "enforce", ResourceImagePolicy + "warn"},
		},
		"SignaturesWithoutSupplyChain": {
			reason:    "An environment cannot require signatures no one is trusted to make.",
			xr:        policy(`{environments: [` + enforce + `]}`),
			wantFatal: "invalid XAppPolicy: spec.supplyChain: Required value: environment prod sets signatures",
		},
		"NotAPublicKey": {
			reason:    "Key data must be a PEM public key, as policy-controller requires.",
			xr:        policy(`{supplyChain: {signers: [{name: k, key: {data: "ssh-ed25519 AAAA"}}]}, environments: [` + enforce + `]}`),
			wantFatal: "invalid XAppPolicy: spec.supplyChain.signers[0].key.data: Invalid value: not PEM: expected -----BEGIN PUBLIC KEY-----",
		},
		"PEMButNoKey": {
			reason:    "PEM that does not hold a public key is refused too.",
			xr:        policy(`{supplyChain: {signers: [{name: k, key: {data: "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"}}]}, environments: [` + enforce + `]}`),
			wantFatal: "invalid XAppPolicy: spec.supplyChain.signers[0].key.data: Invalid value: the PEM block (PUBLIC KEY) holds no PKIX public key, such as cosign.pub",
		},
		"BadSubjectRegExp": {
			reason:    "A subject pattern must compile as policy-controller compiles it (Go regexp).",
			xr:        policy(`{supplyChain: {signers: [{name: ci, keyless: {issuer: "https://issuer", subjectRegExp: "(unclosed"}}]}, environments: [` + enforce + `]}`),
			wantFatal: "invalid XAppPolicy: spec.supplyChain.signers[0].keyless.subjectRegExp: Invalid value: \"(unclosed\": error parsing regexp: missing closing ): `(unclosed`",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			rsp := runFunction(&fnv1.RunFunctionRequest{Observed: &fnv1.State{Composite: &fnv1.Resource{Resource: mustStruct(t, tc.xr)}}})
			if diff := cmp.Diff(tc.wantFatal, fatalMessage(rsp)); diff != "" {
				t.Errorf("%s\nFatal result: -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.wantResources, composedNames(rsp), cmpopts.SortSlices(func(a, b string) bool { return a < b }), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\ncomposed resources: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// TestImageGlobs checks that the globs cover the allowed registries as policy-controller names
// images: Docker Hub as index.docker.io, ports kept, `**` to cross into repositories.
func TestImageGlobs(t *testing.T) {
	cases := map[string]struct {
		reason     string
		registries []string
		want       []cipImage
	}{
		"AnyRegistry": {
			reason: "A policy allowing any registry checks every image.",
			want:   []cipImage{{Glob: "**"}},
		},
		"PathPrefix": {
			reason:     "A host/path prefix covers the repositories under it.",
			registries: []string{"ghcr.io/acme"},
			want:       []cipImage{{Glob: "ghcr.io/acme/**"}},
		},
		"DockerHub": {
			reason:     "policy-controller matches Docker Hub images as index.docker.io/...: docker.io would match nothing.",
			registries: []string{"docker.io/library", "docker.io"},
			want:       []cipImage{{Glob: "index.docker.io/library/**"}, {Glob: "index.docker.io/**"}},
		},
		"HostWithPort": {
			reason:     "A registry's port is part of its name.",
			registries: []string{"registry.acme.com:5000"},
			want:       []cipImage{{Glob: "registry.acme.com:5000/**"}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, imageGlobs(tc.registries)); diff != "" {
				t.Errorf("%s\nimageGlobs(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
