package fn

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"

	"github.com/xapp-dev/xapp/examples"
)

// TestExamples runs every scenario of package examples through RunFunction in-process, the way
// Crossplane calls a function (again with what it asks for, until its requirements settle), and
// compares the whole response with testdata/examples/<scenario>.yaml. The CLI render test renders
// the same table through the real engine; this one needs no toolchain, so `go test ./fn` checks every
// example's full output.
func TestExamples(t *testing.T) {
	path := func(p string) string {
		if p == "" {
			return ""
		}
		return filepath.Join("..", "examples", p)
	}
	for name, sc := range examples.Scenarios() {
		t.Run(name, func(t *testing.T) {
			composition := sc.Composition
			if composition == "" {
				composition = examples.CompositionXApp
			}
			req := request(t, path(sc.XR), path(composition), path(sc.Observed))
			rsp, err := New(logging.NewNopLogger()).RunFunction(context.Background(), req)
			if sc.Required != "" {
				rsp, err = runWithRequirements(t, req, path(sc.Required))
			}
			if err != nil {
				t.Fatalf("%s\nRunFunction(): %v", sc.Reason, err)
			}
			golden(t, filepath.Join("examples", name+".yaml"), responseYAML(t, rsp))
		})
	}
}
