package examples

import (
	"os"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	xpextv1 "github.com/crossplane/crossplane/apis/v2/apiextensions/v1"

	"github.com/xapp-dev/xapp/input/v1beta1"
)

// TestShippedCompositionsLimitHosts checks that every composition xapp ships limits the hosts an
// app may route: an empty allowedDomains lets any team claim any host.
func TestShippedCompositionsLimitHosts(t *testing.T) {
	for _, f := range []string{CompositionXApp, CompositionApp, CompositionXAppIngress, "cilium/composition.yaml", "ingress/composition.yaml", "gatewayroutes/composition.yaml"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		c := &xpextv1.Composition{}
		if err := yaml.Unmarshal(b, c); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, step := range c.Spec.Pipeline {
			in := &v1beta1.Input{}
			if step.Input == nil || yaml.Unmarshal(step.Input.Raw, in) != nil {
				t.Fatalf("%s: step %s has no readable Input", f, step.Step)
			}
			if len(in.AllowedDomains) == 0 {
				t.Errorf("%s: step %s allows any host (allowedDomains is empty)", f, step.Step)
			}
			under := false
			for _, d := range in.AllowedDomains {
				under = under || in.Domain == d || strings.HasSuffix(in.Domain, "."+d)
			}
			if !under {
				t.Errorf("%s: step %s: the default domain %s is outside allowedDomains %v", f, step.Step, in.Domain, in.AllowedDomains)
			}
		}
	}
}
