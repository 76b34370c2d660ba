package policy_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/xapp-dev/xapp/internal/policy"
)

// TestCorpus judges every app of the corpus by the Go path: the rule table evaluated by the API
// server's CEL compiler in process, under each policy whose environments select the app's namespace.
func TestCorpus(t *testing.T) {
	e, err := policy.NewEvaluator()
	if err != nil {
		t.Fatal(err)
	}
	c := loadCorpus(t)
	for _, cc := range c.cases {
		t.Run(cc.Name, func(t *testing.T) {
			got := judge(t, e, c, cc)
			if diff := cmp.Diff(cc.Want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("messages in namespace %s: -want, +got:\n%s", cc.Namespace, diff)
			}
		})
	}
	t.Logf("corpus: %d apps", len(c.cases))
}

// judge is every failure message the environments of every policy give the case's app.
func judge(t *testing.T, e *policy.Evaluator, c corpus, cc corpusCase) []string {
	t.Helper()
	ns, ok := c.namespaces[cc.Namespace]
	if !ok {
		t.Fatalf("namespace %q is not in testdata/namespaces.yaml", cc.Namespace)
	}
	var msgs []string
	for _, p := range c.policies {
		vs, err := e.Judge(context.Background(), cc.xapp(t), p, ns)
		if err != nil {
			t.Fatalf("Judge(): %v", err)
		}
		for _, v := range vs {
			for _, f := range v.Failures {
				msgs = append(msgs, f.Message)
			}
		}
	}
	return msgs
}
