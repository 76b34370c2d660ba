package fn

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// TestComposePolicy checks what an XAppPolicy composes beyond the example's golden file: a policy
// without environments enforces nothing yet, and labels no selector can hold are refused by field.
func TestComposePolicy(t *testing.T) {
	cases := map[string]struct {
		reason        string
		xr            string
		wantResources []string
		wantFatal     string
	}{
		"NoEnvironments": {
			reason:        "The admission policy is composed, but without an environment nothing binds it to a namespace.",
			xr:            `{apiVersion: platform.xapp.dev/v1alpha1, kind: XAppPolicy, metadata: {name: p}, spec: {images: {pinning: Digest}}}`,
			wantResources: []string{ResourceAdmissionPolicy},
		},
		"OneBindingPerEnvironment": {
			reason: "Each environment gets a binding named after it.",
			xr: `{apiVersion: platform.xapp.dev/v1alpha1, kind: XAppPolicy, metadata: {name: p}, spec: {environments: [
				{name: prod, namespaceLabels: {env: prod}, action: Deny}, {name: dev, namespaceLabels: {env: dev}, action: Warn}]}}`,
			wantResources: []string{ResourceAdmissionBinding + "dev", ResourceAdmissionBinding + "prod", ResourceAdmissionPolicy},
		},
		"BadLabels": {
			reason: "A label key or value a namespace selector cannot hold is refused, naming the field.",
			xr: `{apiVersion: platform.xapp.dev/v1alpha1, kind: XAppPolicy, metadata: {name: p}, spec: {environments: [
				{name: prod, namespaceLabels: {"bad key": prod, env: "not ok!"}, action: Deny}]}}`,
			wantFatal: `invalid XAppPolicy: spec.environments[0].namespaceLabels[bad key]: Invalid value: "bad key": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]'); ` +
				`spec.environments[0].namespaceLabels[env]: Invalid value: "not ok!": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
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
