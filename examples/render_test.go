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
	"sort"
	"strings"
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
		"minimal":         {reason: "The smallest app.", xr: "minimal/xr.yaml"},
		"full":            {reason: "The full app before anything exists: its resources and an in-cluster database, none ready.", xr: "full/xr.yaml", required: "full/environment.yaml"},
		"full-not-ready":  {reason: "Mid-rollout: the status names what the app waits for.", xr: "full/xr.yaml", observed: "full/observed-not-ready.yaml", required: "full/environment.yaml"},
		"full-ready":      {reason: "Everything up: every resource ready, the database's Secret exists, the XR Ready, the status says where.", xr: "full/xr.yaml", observed: "full/observed-ready.yaml", required: "full/required-ready"},
		"claim":           {reason: "A legacy claim's XR composes into the claim's namespace under the claim's name.", xr: "claim/xr.yaml", composition: compositionApp, xrd: xrdApp},
		"grpc":            {reason: "A gRPC app gets a GRPCRoute and a gRPC readiness probe.", xr: "grpc/xr.yaml"},
		"cilium":          {reason: "A Cilium platform gets a CiliumNetworkPolicy and ClusterMesh annotations.", xr: "cilium/xr.yaml", composition: "cilium/composition.yaml"},
		"aws":             {reason: "Data services on AWS before anything exists: RDS, ElastiCache, S3, an IRSA role, Usages; the app waits for its Secrets.", xr: "aws/xr.yaml", required: "aws/environment.yaml"},
		"aws-ready":       {reason: "Data services on AWS up: the Deployment gets its database and cache variables from the Secrets.", xr: "aws/xr.yaml", observed: "aws/observed-ready.yaml", required: "aws/required-ready"},
		"gcp":             {reason: "Data services on GCP before anything exists: Cloud SQL with an IAM user, Memorystore, Cloud Storage, Workload Identity.", xr: "gcp/xr.yaml", required: "gcp/environment.yaml"},
		"gcp-ready":       {reason: "Data services on GCP up.", xr: "gcp/xr.yaml", observed: "gcp/observed-ready.yaml", required: "gcp/required-ready"},
		"azure":           {reason: "Data services on Azure before anything exists: Flexible Server, Azure Cache for Redis, a Storage Account and Container, a federated identity.", xr: "azure/xr.yaml", required: "azure/environment.yaml"},
		"azure-ready":     {reason: "Data services on Azure up: the identity's ids let the role assignment and the ServiceAccount annotation follow.", xr: "azure/xr.yaml", observed: "azure/observed-ready.yaml", required: "azure/required-ready"},
		"incluster":       {reason: "A database in the cluster before it exists: a CloudNativePG Cluster; the app waits for its Secret.", xr: "incluster/xr.yaml", required: "incluster/environment.yaml"},
		"incluster-ready": {reason: "The CloudNativePG Cluster healthy and its app Secret written: the app gets DATABASE_URL.", xr: "incluster/xr.yaml", observed: "incluster/observed-ready.yaml", required: "incluster/required-ready"},
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

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
