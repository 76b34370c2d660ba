package policy

import (
	"regexp"
	"testing"
)

// TestEveryRuleDependsOnThePolicy guards the split between the rule table and the XApp XRD's own
// x-kubernetes-validations: a rule that reads neither the XAppPolicy (`params`) nor the app's
// namespace (`namespaceObject`, through which environments are chosen) holds for every app on every
// platform, and belongs in the XRD as well, where the API server checks it even without a policy.
// Today every rule is a parameter of the policy, so none does; a new rule that is not fails here.
func TestEveryRuleDependsOnThePolicy(t *testing.T) {
	vars := map[string]string{}
	for _, v := range Variables {
		vars[v.Name] = v.Expression
	}
	used := regexp.MustCompile(`variables\.([A-Za-z]+)`)
	dependent := regexp.MustCompile(`\b(params|namespaceObject)\b`)
	// depends is true when the expression, or a variable it uses (transitively), reads the policy
	// or the namespace.
	var depends func(expr string, seen map[string]bool) bool
	depends = func(expr string, seen map[string]bool) bool {
		if dependent.MatchString(expr) {
			return true
		}
		for _, m := range used.FindAllStringSubmatch(expr, -1) {
			if !seen[m[1]] {
				seen[m[1]] = true
				if depends(vars[m[1]], seen) {
					return true
				}
			}
		}
		return false
	}
	for _, r := range Rules() {
		if !depends(r.Expression, map[string]bool{}) {
			t.Errorf("rule %s reads neither the XAppPolicy nor the namespace: add it to the XApp's x-kubernetes-validations (apis/xapp/v1alpha1) as well", r.Name)
		}
	}
}
