// Package examples holds the example apps and the test that renders every one of them through the
// real Crossplane CLI and render engine against the real function binary, compares the output with
// golden files, and validates it against the XRDs, provider-cmdb's CRDs and the real CRDs of Gateway
// API, Cilium and the rest in ../shared/crds.
package examples

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/xapp-dev/xapp/internal/render"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/ with the current render output")

const (
	compositionXApp = "../package/configuration/composition-xapp.yaml"
	compositionApp  = "../package/configuration/composition-app.yaml"
	xrdXApp         = "../package/configuration/xrd-xapp.yaml"
	xrdApp          = "../package/configuration/xrd-app.yaml"
	// provider-cmdb's CRDs: apps registered in the CMDB compose its ConfigurationItems.
	providerCRDs = "../package/provider/crds"
)

// renderCase is one example rendered one way.
type renderCase struct {
	reason               string
	xr, composition, xrd string
	observed, required   string
}

func cases() map[string]renderCase {
	return map[string]renderCase{
		"minimal":        {reason: "The smallest app.", xr: "minimal/xr.yaml"},
		"full":           {reason: "The full app before anything exists: 8 resources, none ready.", xr: "full/xr.yaml"},
		"full-not-ready": {reason: "Mid-rollout: the status names the Deployment and what it waits for.", xr: "full/xr.yaml", observed: "full/observed-not-ready.yaml"},
		"full-ready":     {reason: "Everything up: every resource ready, the XR Ready, the status says where.", xr: "full/xr.yaml", observed: "full/observed-ready.yaml"},
		"claim":          {reason: "A legacy claim's XR composes into the claim's namespace under the claim's name.", xr: "claim/xr.yaml", composition: compositionApp, xrd: xrdApp},
		"grpc":           {reason: "A gRPC app gets a GRPCRoute and a gRPC readiness probe.", xr: "grpc/xr.yaml"},
		"cilium":         {reason: "A Cilium platform gets a CiliumNetworkPolicy and ClusterMesh annotations.", xr: "cilium/xr.yaml", composition: "cilium/composition.yaml"},
	}
}

func TestRenderExamples(t *testing.T) {
	env, err := render.Binaries()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	fn, err := render.StartFunction(ctx, env.Function, "--metrics-address=")
	if err != nil {
		t.Fatalf("cannot start function-xapp: %v", err)
	}
	t.Cleanup(func() {
		if err := fn.Stop(); err != nil {
			t.Errorf("function-xapp: %v\n%s", err, fn.Output())
		}
	})
	cacheDir := t.TempDir()
	extensions := []string{xrdXApp, xrdApp, providerCRDs, env.CRDs()}

	for name, tc := range cases() {
		t.Run(name, func(t *testing.T) {
			args := render.Args{
				XR:                tc.xr,
				Composition:       or(tc.composition, compositionXApp),
				XRD:               or(tc.xrd, xrdXApp),
				Functions:         "functions.yaml",
				FunctionAddresses: map[string]string{"function-xapp": fn.Address()},
				Observed:          tc.observed,
				Required:          tc.required,
				IncludeFullXR:     true,
				IncludeResults:    true,
			}
			start := time.Now()
			out, err := env.Renderer().Render(ctx, args)
			if err != nil {
				t.Fatalf("%s\nrender: %v", tc.reason, err)
			}
			t.Logf("rendered in %s", time.Since(start).Round(time.Millisecond))

			golden := filepath.Join("testdata", name+".yaml")
			if *update {
				if err := os.WriteFile(golden, out, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("read golden file (go test ./examples -update creates it): %v", err)
			}
			if diff := cmp.Diff(string(want), string(out)); diff != "" {
				t.Errorf("%s\nrender output: -want, +got (go test ./examples -update if intended):\n%s", tc.reason, diff)
			}

			report, err := render.Validate(ctx, env.CLI, extensions, out, cacheDir)
			if err != nil {
				t.Errorf("%s\nresource validate: %v", tc.reason, err)
			}
			if s, ok := render.ParseSummary(report); ok {
				t.Logf("validate: %+v", s)
			}
		})
	}
}

// TestEveryExampleIsRendered keeps the table honest: an example folder that no case renders is an
// example nobody checks.
func TestEveryExampleIsRendered(t *testing.T) {
	rendered := map[string]bool{}
	for _, tc := range cases() {
		rendered[filepath.Dir(tc.xr)] = true
	}
	dirs, err := filepath.Glob("*/xr.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if !rendered[filepath.Dir(d)] {
			t.Errorf("examples/%s is not rendered by any case in cases()", d)
		}
	}
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
