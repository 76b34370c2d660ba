package main

import (
	"os"
	"testing"

	extv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"

	xpv1 "github.com/crossplane/crossplane/apis/v2/apiextensions/v1"
	xpv2 "github.com/crossplane/crossplane/apis/v2/apiextensions/v2"
)

// TestCategoriesShadowNoName reads the generated XRDs: kubectl resolves a category before a
// resource's singular name, so a category named like a kind makes `kubectl get xapp shop` fail.
func TestCategoriesShadowNoName(t *testing.T) {
	var x2 xpv2.CompositeResourceDefinition
	var x1 xpv1.CompositeResourceDefinition
	var pol xpv2.CompositeResourceDefinition
	for path, into := range map[string]any{
		"../../package/configuration/xrd-xapp.yaml": &x2, "../../package/configuration/xrd-app.yaml": &x1,
		"../../package/configuration/xrd-xapppolicy.yaml": &pol,
	} {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := yaml.Unmarshal(b, into); err != nil {
			t.Fatal(err)
		}
	}
	cases := map[string]struct {
		reason string
		names  extv1.CustomResourceDefinitionNames
	}{
		"XApp":         {reason: "The namespaced XApp.", names: x2.Spec.Names},
		"CompositeApp": {reason: "The legacy composite.", names: x1.Spec.Names},
		"App":          {reason: "The legacy claim.", names: *x1.Spec.ClaimNames},
		"XAppPolicy":   {reason: "The platform's policy.", names: pol.Spec.Names},
	}
	all := map[string]bool{}
	for _, tc := range cases {
		all[tc.names.Singular], all[tc.names.Plural] = true, true
		for _, s := range tc.names.ShortNames {
			all[s] = true
		}
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if len(tc.names.Categories) == 0 {
				t.Errorf("%s\nno categories", tc.reason)
			}
			for _, c := range tc.names.Categories {
				if all[c] {
					t.Errorf("%s\ncategory %q is also a kind's name: it would shadow it in kubectl", tc.reason, c)
				}
			}
		})
	}
}
