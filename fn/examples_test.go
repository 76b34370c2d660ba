package fn

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"

	"github.com/xapp-dev/xapp/examples"
)

// TestExamples runs every scenario of package examples through RunFunction in-process, the way
// Crossplane calls a function (again with what it asks for, until its requirements settle), and
// compares the whole response with testdata/examples/<scenario>.yaml. The CLI render test renders
// the same table through the real engine; this one needs no toolchain, so `go test ./fn` checks every
// example's full output.
func TestExamples(t *testing.T) {
	for name, sc := range examples.Scenarios() {
		t.Run(name, func(t *testing.T) {
			rsp, err := runScenario(t, sc)
			if err != nil {
				t.Fatalf("%s\nRunFunction(): %v", sc.Reason, err)
			}
			golden(t, filepath.Join("examples", name+".yaml"), responseYAML(t, rsp))
		})
	}
}

// runScenario calls the function with a scenario's XR, Input, observed and required resources.
func runScenario(tb testing.TB, sc examples.Scenario) (*fnv1.RunFunctionResponse, error) {
	tb.Helper()
	path := func(p string) string {
		if p == "" {
			return ""
		}
		return filepath.Join("..", "examples", p)
	}
	composition := sc.Composition
	if composition == "" {
		composition = examples.CompositionXApp
	}
	req := request(tb, path(sc.XR), path(composition), path(sc.Observed))
	if sc.Required != "" {
		return runWithRequirements(tb, req, path(sc.Required))
	}
	return New(logging.NewNopLogger()).RunFunction(context.Background(), req)
}
