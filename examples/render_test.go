package examples

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"

	"github.com/xapp-dev/xapp/internal/render"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/ with the current render output")

// providerCRDs are provider-cmdb's CRDs: apps registered in the CMDB compose its ConfigurationItems.
const providerCRDs = "../package/provider/crds"

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
	extensions := append([]string{XRDXApp, XRDApp, XRDXAppPolicy, providerCRDs, env.CRDs()}, gatewayRouteCRDs(t)...)

	for name, tc := range Scenarios() {
		t.Run(name, func(t *testing.T) {
			args := render.Args{
				XR:                tc.XR,
				Composition:       or(tc.Composition, CompositionXApp),
				XRD:               or(tc.XRD, XRDXApp),
				Functions:         "functions.yaml",
				FunctionAddresses: map[string]string{"function-xapp": fn.Address()},
				Observed:          tc.Observed,
				Required:          tc.Required,
				IncludeFullXR:     true,
				IncludeResults:    true,
			}
			start := time.Now()
			out, err := env.Renderer().Render(ctx, args)
			switch {
			case tc.Refused && err == nil:
				t.Fatalf("%s\nrender succeeded; want the function to refuse the app", tc.Reason)
			case tc.Refused:
				// What a developer reads from an offline render: compared, not validated. Kept as a
				// render Result, since the function package's build parses every example file as
				// an object.
				y, merr := yaml.Marshal(map[string]string{"apiVersion": "render.crossplane.io/v1beta1", "kind": "Result", "severity": "SEVERITY_FATAL", "message": err.Error()})
				if merr != nil {
					t.Fatal(merr)
				}
				out = append([]byte("# crossplane render failed: the function refused the app.\n"), y...)
			case err != nil:
				t.Fatalf("%s\nrender: %v", tc.Reason, err)
			}
			t.Logf("rendered in %s", time.Since(start).Round(time.Millisecond))
			out = sortComposeResults(out)

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
				t.Errorf("%s\nrender output: -want, +got (go test ./examples -update if intended):\n%s", tc.Reason, diff)
			}

			if tc.Refused {
				return
			}
			report, err := render.Validate(ctx, env.CLI, extensions, out, cacheDir)
			if err != nil {
				t.Errorf("%s\nresource validate: %v", tc.Reason, err)
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
	for _, tc := range Scenarios() {
		rendered[filepath.Dir(tc.XR)] = true
	}
	var dirs []string
	for _, pattern := range []string{"*/xr.yaml", "peers/*/xr.yaml"} {
		d, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, d...)
	}
	for _, d := range dirs {
		if !rendered[filepath.Dir(d)] {
			t.Errorf("examples/%s is not rendered by any scenario in Scenarios()", d)
		}
	}
}

// sortComposeResults puts the render engine's "Composed resource %q is not yet ready" results in
// name order. The engine emits them while ranging over a map, so their order changes from run to
// run and would make every golden file flaky; their content is what the goldens check.
func sortComposeResults(out []byte) []byte {
	body, trailing := strings.CutSuffix(string(out), "\n")
	docs := strings.Split(body, "\n---\n")
	var idx []int
	var results []string
	for i, d := range docs {
		if strings.Contains(d, "kind: Result\n") && strings.Contains(d, "\nreason: ComposeResources\n") {
			idx = append(idx, i)
			results = append(results, d)
		}
	}
	sort.Strings(results)
	for j, i := range idx {
		docs[i] = results[j]
	}
	body = strings.Join(docs, "\n---\n")
	if trailing {
		body += "\n"
	}
	return []byte(body)
}

// gatewayRouteCRDs are GatewayRouteCRDs, or the test's end.
func gatewayRouteCRDs(t *testing.T) []string {
	t.Helper()
	crds, err := GatewayRouteCRDs(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return crds
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
