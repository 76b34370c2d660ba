package render

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"
)

// parseStream parses a YAML stream into objects, so that comparisons do not
// depend on formatting.
func parseStream(t *testing.T, in []byte) []map[string]any {
	t.Helper()
	docs, err := splitYAML(in)
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for _, d := range docs {
		var o map[string]any
		if err := yaml.Unmarshal(d, &o); err != nil {
			t.Fatalf("cannot parse %q: %v", d, err)
		}
		if len(o) > 0 {
			out = append(out, o)
		}
	}
	return out
}

func fn(name string, ann map[string]any) map[string]any {
	md := map[string]any{"name": name}
	if ann != nil {
		md["annotations"] = ann
	}
	return map[string]any{
		"apiVersion": "pkg.crossplane.io/v1",
		"kind":       "Function",
		"metadata":   md,
		"spec":       map[string]any{"package": "xapp.invalid/" + name + ":v0.0.0"},
	}
}

func dev(target string) map[string]any {
	ann := map[string]any{AnnotationRuntime: RuntimeDevelopment}
	if target != "" {
		ann[AnnotationDevelopmentTarget] = target
	}
	return ann
}

func TestRewriteFunctions(t *testing.T) {
	type want struct {
		out     []map[string]any
		targets map[string]string
		err     []string // substrings of the error; nil means no error
	}
	cases := map[string]struct {
		reason string
		in     string
		addrs  map[string]string
		want   want
	}{
		"RewritesTarget": {
			reason: "A named Development Function should get the given target.",
			in: `apiVersion: pkg.crossplane.io/v1
kind: Function
metadata:
  name: function-xapp
  annotations:
    render.crossplane.io/runtime: Development
    render.crossplane.io/runtime-development-target: 127.0.0.1:9443
spec:
  package: xapp.invalid/function-xapp:v0.0.0
`,
			addrs: map[string]string{"function-xapp": "127.0.0.1:40001"},
			want: want{
				out:     []map[string]any{fn("function-xapp", dev("127.0.0.1:40001"))},
				targets: map[string]string{"function-xapp": "127.0.0.1:40001"},
			},
		},
		"SetsDevelopmentRuntime": {
			reason: "A named Function without annotations would use Docker: it should be switched to Development.",
			in: `apiVersion: pkg.crossplane.io/v1
kind: Function
metadata:
  name: function-xapp
spec:
  package: xapp.invalid/function-xapp:v0.0.0
`,
			addrs: map[string]string{"function-xapp": "127.0.0.1:40001"},
			want: want{
				out:     []map[string]any{fn("function-xapp", dev("127.0.0.1:40001"))},
				targets: map[string]string{"function-xapp": "127.0.0.1:40001"},
			},
		},
		"KeepsOtherFunctions": {
			reason: "Functions not named should be kept as they are, and their targets (the CLI's default when unset) reported; comments and empty documents should not matter.",
			in: `# Functions for render.
---
apiVersion: pkg.crossplane.io/v1
kind: Function
metadata:
  name: function-auto-ready
  annotations:
    render.crossplane.io/runtime: Development
spec:
  package: xapp.invalid/function-auto-ready:v0.0.0
---
---
apiVersion: pkg.crossplane.io/v1
kind: Function
metadata:
  name: function-xapp
  annotations:
    render.crossplane.io/runtime: Development
    render.crossplane.io/runtime-development-target: 127.0.0.1:9443
    example.org/keep: "yes"
spec:
  package: xapp.invalid/function-xapp:v0.0.0
---
apiVersion: pkg.crossplane.io/v1beta1
kind: Function
metadata:
  name: function-other
  annotations:
    render.crossplane.io/runtime: Development
    render.crossplane.io/runtime-development-target: dns:///127.0.0.1:7000
spec:
  package: xapp.invalid/function-other:v0.0.0
`,
			addrs: map[string]string{"function-xapp": "127.0.0.1:40001"},
			want: want{
				out: []map[string]any{
					fn("function-auto-ready", dev("")),
					fn("function-xapp", map[string]any{
						AnnotationRuntime:           RuntimeDevelopment,
						AnnotationDevelopmentTarget: "127.0.0.1:40001",
						"example.org/keep":          "yes",
					}),
					func() map[string]any {
						f := fn("function-other", dev("dns:///127.0.0.1:7000"))
						f["apiVersion"] = "pkg.crossplane.io/v1beta1"
						return f
					}(),
				},
				targets: map[string]string{
					"function-auto-ready": "localhost:9443",
					"function-xapp":       "127.0.0.1:40001",
					"function-other":      "dns:///127.0.0.1:7000",
				},
			},
		},
		"InProcessNotDialled": {
			reason: "An InProcess Function is hosted by the CLI itself: it has no target to check.",
			in: `apiVersion: pkg.crossplane.io/v1
kind: Function
metadata:
  name: function-embedded
  annotations:
    render.crossplane.io/runtime: InProcess
spec:
  package: xapp.invalid/function-embedded:v0.0.0
`,
			want: want{
				out:     []map[string]any{fn("function-embedded", map[string]any{AnnotationRuntime: "InProcess"})},
				targets: map[string]string{},
			},
		},
		"UnknownName": {
			reason: "An address for a Function the file does not have is a mistake worth naming.",
			in: `apiVersion: pkg.crossplane.io/v1
kind: Function
metadata:
  name: function-xapp
  annotations:
    render.crossplane.io/runtime: Development
spec:
  package: xapp.invalid/function-xapp:v0.0.0
`,
			addrs: map[string]string{"function-xap": "127.0.0.1:40001"},
			want:  want{err: []string{`no Function named function-xap (the file has function-xapp)`}},
		},
		"DockerRuntime": {
			reason: "A Function left on the Docker runtime cannot run here, and the error should name it.",
			in: `apiVersion: pkg.crossplane.io/v1
kind: Function
metadata:
  name: function-patch-and-transform
spec:
  package: xapp.invalid/function-patch-and-transform:v0.0.0
`,
			want: want{err: []string{`function "function-patch-and-transform" would run with the Docker (no render.crossplane.io/runtime annotation) runtime`}},
		},
		"NotAFunction": {
			reason: "Anything but Functions in the file is an error, as it is for the CLI.",
			in: `apiVersion: pkg.crossplane.io/v1
kind: Provider
metadata:
  name: provider-cmdb
`,
			want: want{err: []string{`Provider "provider-cmdb" is not a pkg.crossplane.io Function`}},
		},
		"Duplicate": {
			reason: "Two Functions with one name would make the rewrite ambiguous.",
			in: `apiVersion: pkg.crossplane.io/v1
kind: Function
metadata:
  name: function-xapp
  annotations:
    render.crossplane.io/runtime: Development
---
apiVersion: pkg.crossplane.io/v1
kind: Function
metadata:
  name: function-xapp
  annotations:
    render.crossplane.io/runtime: Development
`,
			want: want{err: []string{`function "function-xapp" is defined twice`}},
		},
		"BadAddress": {
			reason: "An address must be host:port.",
			in: `apiVersion: pkg.crossplane.io/v1
kind: Function
metadata:
  name: function-xapp
`,
			addrs: map[string]string{"function-xapp": "9443"},
			want:  want{err: []string{`cannot use address "9443" for function "function-xapp"`}},
		},
		"InvalidYAML": {
			reason: "YAML that does not parse should be an error, not an empty file.",
			in:     "apiVersion: [pkg.crossplane.io/v1\n",
			want:   want{err: []string{"cannot parse YAML document"}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			out, targets, err := RewriteFunctions([]byte(tc.in), tc.addrs)
			if diff := cmp.Diff(tc.want.err != nil, err != nil); diff != "" {
				t.Fatalf("\n%s\nRewriteFunctions(...): -want error, +got error:\n%s\nerror: %v", tc.reason, diff, err)
			}
			for _, m := range tc.want.err {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("\n%s\nRewriteFunctions(...): error does not mention %q:\n%v", tc.reason, m, err)
				}
			}
			if err != nil {
				return
			}
			if diff := cmp.Diff(tc.want.out, parseStream(t, out)); diff != "" {
				t.Errorf("\n%s\nRewriteFunctions(...): -want functions, +got functions:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.targets, targets); diff != "" {
				t.Errorf("\n%s\nRewriteFunctions(...): -want targets, +got targets:\n%s", tc.reason, diff)
			}
		})
	}
}

// TestRenderErrors covers what Render must catch before it runs the CLI; the
// CLI path is bogus, so reaching it would fail differently.
func TestRenderErrors(t *testing.T) {
	port, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	deadAddr := "127.0.0.1:" + strconv.Itoa(port)

	dir := t.TempDir()
	deadFunctions := filepath.Join(dir, "functions.yaml")
	if err := os.WriteFile(deadFunctions, []byte(`apiVersion: pkg.crossplane.io/v1
kind: Function
metadata:
  name: function-greet
  annotations:
    render.crossplane.io/runtime: Development
    render.crossplane.io/runtime-development-target: `+deadAddr+`
`), 0o600); err != nil {
		t.Fatal(err)
	}

	bogus := Renderer{CLI: "/nonexistent/crossplane", Core: "/nonexistent/crossplane-core"}
	cases := map[string]struct {
		reason string
		r      Renderer
		args   Args
		want   []string
	}{
		"TargetFromFile": {
			reason: "A Function whose target in the file is not listening should be named instead of letting render hang.",
			r:      bogus,
			args:   Args{XR: "testdata/xr.yaml", Composition: "testdata/composition.yaml", Functions: deadFunctions},
			want:   []string{`function "function-greet" is not listening on ` + deadAddr},
		},
		"TargetFromAddresses": {
			reason: "A Function whose given address is not listening should be named.",
			r:      bogus,
			args: Args{
				XR: "testdata/xr.yaml", Composition: "testdata/composition.yaml", Functions: "testdata/functions.yaml",
				FunctionAddresses: map[string]string{"function-greet": deadAddr},
			},
			want: []string{`function "function-greet" is not listening on ` + deadAddr, "--insecure --address=" + deadAddr},
		},
		"MissingArgs": {
			reason: "The XR, Composition and Functions are required.",
			r:      bogus,
			args:   Args{XR: "testdata/xr.yaml"},
			want:   []string{"the XR, the Composition and the Functions file are all required"},
		},
		"MissingFunctionsFile": {
			reason: "A missing functions file should be named.",
			r:      bogus,
			args:   Args{XR: "testdata/xr.yaml", Composition: "testdata/composition.yaml", Functions: "testdata/nope.yaml"},
			want:   []string{"cannot read functions file testdata/nope.yaml"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			_, err := tc.r.Render(t.Context(), tc.args)
			if err == nil {
				t.Fatalf("\n%s\nRender(...): want error, got none", tc.reason)
			}
			t.Logf("error (as users see it): %v", err)
			for _, m := range tc.want {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("\n%s\nRender(...): error does not mention %q:\n%v", tc.reason, m, err)
				}
			}
			if elapsed := time.Since(start); elapsed > 5*time.Second {
				t.Errorf("\n%s\nRender(...): took %s to fail", tc.reason, elapsed)
			}
		})
	}
}

// TestRender renders with the real CLI and render engine against the helper
// function, then validates the output with the real CLI: the whole harness,
// independent of function-xapp.
func TestRender(t *testing.T) {
	env, err := Binaries()
	if err != nil {
		t.Fatal(err)
	}
	f, err := startHelper(t.Context(), t, helperServe)
	if err != nil {
		t.Fatal(err)
	}
	base := Args{
		XR:                "testdata/xr.yaml",
		Composition:       "testdata/composition.yaml",
		Functions:         "testdata/functions.yaml",
		XRD:               "testdata/xrd.yaml",
		FunctionAddresses: map[string]string{"function-greet": f.Address()},
		Timeout:           30 * time.Second,
	}

	// What the output says, without the fields the engine adds (conditions,
	// generated annotations), which are the CLI's business.
	type summary struct {
		Kind, Name string
		Fields     map[string]any
	}
	summarise := func(objs []map[string]any) []summary {
		out := make([]summary, 0, len(objs))
		for _, o := range objs {
			md, _ := o["metadata"].(map[string]any)
			kind, _ := o["kind"].(string)
			s := summary{Kind: kind, Fields: map[string]any{}}
			if md != nil {
				s.Name, _ = md["name"].(string)
			}
			for _, k := range []string{"spec", "data", "message", "status"} {
				if v, ok := o[k]; ok {
					// The engine adds spec.crossplane and conditions.
					if m, ok := v.(map[string]any); ok && k == "status" {
						v = map[string]any{"greeted": m["greeted"]}
					}
					if m, ok := v.(map[string]any); ok && k == "spec" {
						delete(m, "crossplane")
						if len(m) == 0 {
							continue
						}
					}
					s.Fields[k] = v
				}
			}
			out = append(out, s)
		}
		return out
	}
	configMap := summary{Kind: "ConfigMap", Name: "hello-greeting", Fields: map[string]any{"data": map[string]any{"message": "hi"}}}

	// Accepts connections and never answers: the CLI waits for its --timeout.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = silent.Close() })
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { _ = c.Close() })
		}
	}()

	cases := map[string]struct {
		reason string
		args   func(Args) Args
		want   []summary
		err    []string
	}{
		"Renders": {
			reason: "The XR and its composed ConfigMap should be rendered.",
			args:   func(a Args) Args { return a },
			want: []summary{
				{Kind: "XGreeting", Name: "hello", Fields: map[string]any{"status": map[string]any{"greeted": "nothing yet"}}},
				configMap,
			},
		},
		"ObservedAndFullXR": {
			reason: "Observed resources should reach the function (-o), and -x should print the XR's spec.",
			args: func(a Args) Args {
				a.Observed = "testdata/observed.yaml"
				a.IncludeFullXR = true
				return a
			},
			want: []summary{
				{Kind: "XGreeting", Name: "hello", Fields: map[string]any{"spec": map[string]any{"message": "hi"}, "status": map[string]any{"greeted": "hi from before"}}},
				configMap,
			},
		},
		"Results": {
			reason: "-r should print the engine's and the function's results, which Validate should skip.",
			args: func(a Args) Args {
				a.IncludeResults = true
				a.IncludeFullXR = true
				return a
			},
			want: []summary{
				{Kind: "XGreeting", Name: "hello", Fields: map[string]any{"spec": map[string]any{"message": "hi"}, "status": map[string]any{"greeted": "nothing yet"}}},
				configMap,
				{Kind: "Result", Fields: map[string]any{"message": "Successfully selected composition: xgreetings"}},
				{Kind: "Result", Fields: map[string]any{"message": `Pipeline step "greet": greeted hello`}},
				{Kind: "Result", Fields: map[string]any{"message": `Composed resource "greeting" is not yet ready`}},
			},
		},
		"SilentFunction": {
			reason: "A function that listens but never answers should end at the timeout with a hint, not only 'signal: killed'.",
			args: func(a Args) Args {
				a.FunctionAddresses = map[string]string{"function-greet": silent.Addr().String()}
				a.Timeout = 2 * time.Second
				return a
			},
			err: []string{"signal: killed", "the render engine was killed at --timeout=2s"},
		},
		"XRDoesNotMatchXRD": {
			reason: "An XR the API server would refuse should not be rendered (the engine would prune its unknown fields silently); the error names each field.",
			args: func(a Args) Args {
				a.XR = "testdata/xr-unknown-field.yaml"
				return a
			},
			err: []string{"cannot render testdata/xr-unknown-field.yaml: it does not match its XRD testdata/xrd.yaml", `spec.colour: Invalid value: "colour": unknown field: "colour"`},
		},
		"Fatal": {
			reason: "A Fatal result should fail the render with the CLI's message.",
			args: func(a Args) Args {
				a.XR = "testdata/xr-fatal.yaml"
				return a
			},
			err: []string{"cannot render testdata/xr-fatal.yaml", "spec.fatal is true"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			out, err := env.Renderer().Render(t.Context(), tc.args(base))
			t.Logf("render took %s", time.Since(start).Round(time.Millisecond))
			if diff := cmp.Diff(tc.err != nil, err != nil); diff != "" {
				t.Fatalf("\n%s\nRender(...): -want error, +got error:\n%s\nerror: %v", tc.reason, diff, err)
			}
			for _, m := range tc.err {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("\n%s\nRender(...): error does not mention %q:\n%v", tc.reason, m, err)
				}
			}
			if err != nil {
				t.Logf("error (as users see it): %v", err)
				return
			}
			if diff := cmp.Diff(tc.want, summarise(parseStream(t, out))); diff != "" {
				t.Errorf("\n%s\nRender(...): -want, +got:\n%s\noutput:\n%s", tc.reason, diff, out)
			}
			// Without -x the XR has no spec, which its XRD requires.
			if !tc.args(base).IncludeFullXR {
				return
			}
			if _, err := Validate(t.Context(), env.CLI, []string{"testdata/xrd.yaml"}, out, t.TempDir()); err != nil {
				t.Errorf("\n%s\nValidate(render output): %v", tc.reason, err)
			}
		})
	}

	if err := f.Stop(); err != nil {
		t.Errorf("the helper function did not survive the renders: %v", err)
	}
}
