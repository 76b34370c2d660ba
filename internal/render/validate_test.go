package render

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseSummary(t *testing.T) {
	type want struct {
		s  Summary
		ok bool
	}
	cases := map[string]struct {
		reason string
		report string
		want   want
	}{
		"Success": {
			reason: "The summary after success lines should be read.",
			report: "[✓] apps/v1, Kind=Deployment, shop validated successfully\nTotal 1 resources: 0 missing schemas, 1 success cases, 0 failure cases\n",
			want:   want{s: Summary{Total: 1, Success: 1}, ok: true},
		},
		"Mixed": {
			reason: "Every count should be read.",
			report: "[!] could not find CRD/XRD for: cmdb.xapp.dev/v1alpha1, Kind=ConfigurationItem\nTotal 12 resources: 1 missing schemas, 9 success cases, 2 failure cases\n",
			want:   want{s: Summary{Total: 12, MissingSchemas: 1, Success: 9, Failures: 2}, ok: true},
		},
		"NoSummary": {
			reason: "Output without a summary (the CLI failed early, or changed its format) should not read as zero failures.",
			report: "crossplane: error: cannot load extensions\n",
			want:   want{ok: false},
		},
		"SummaryMidLine": {
			reason: "Only a whole line is the summary.",
			report: "note: Total 1 resources: 0 missing schemas, 1 success cases, 0 failure cases\n",
			want:   want{ok: false},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s, ok := ParseSummary(tc.report)
			if diff := cmp.Diff(tc.want, want{s: s, ok: ok}, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("\n%s\nParseSummary(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

const (
	validXR = `apiVersion: render.test.xapp.dev/v1alpha1
kind: XGreeting
metadata:
  name: hello
  namespace: default
spec:
  message: hi
`
	validDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: hello
  namespace: default
spec:
  selector:
    matchLabels: {app: hello}
  template:
    metadata:
      labels: {app: hello}
    spec:
      containers:
        - name: app
          image: nginx:1.27
`
	validRoute = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: hello
  namespace: default
spec:
  parentRefs:
    - name: gateway
`
)

// TestValidate runs the real CLI.
func TestValidate(t *testing.T) {
	env, err := Binaries()
	if err != nil {
		t.Fatal(err)
	}
	xrd := "testdata/xrd.yaml"
	gateway := env.CRDs() + "/gateway-api"

	type want struct {
		err    []string // substrings of the error; nil means no error
		report []string // substrings of the report
	}
	cases := map[string]struct {
		reason     string
		extensions []string
		manifests  string
		cacheDir   string
		want       want
	}{
		"Valid": {
			reason:     "An XR, a built-in kind and a CRD-backed kind that match their schemas should pass.",
			extensions: []string{xrd, gateway},
			manifests:  validXR + "---\n" + validDeployment + "---\n" + validRoute,
			want:       want{report: []string{"Total 3 resources: 0 missing schemas, 3 success cases, 0 failure cases"}},
		},
		"SkipsRenderResults": {
			reason:     "Result and Context documents from render -r/-c have no schema and should be skipped, as should empty documents.",
			extensions: []string{xrd},
			manifests: validXR + `---
# nothing here
---
apiVersion: render.crossplane.io/v1beta1
kind: Result
message: hello
severity: Normal
`,
			want: want{report: []string{"Total 1 resources: 0 missing schemas, 1 success cases, 0 failure cases"}},
		},
		"XRUnknownField": {
			reason:     "An XR field the XRD does not have should fail.",
			extensions: []string{xrd},
			manifests:  strings.Replace(validXR, "message: hi", "message: hi\n  colour: blue", 1),
			want:       want{err: []string{"validation failed: 1 invalid", `unknown field: "colour"`}},
		},
		"BuiltInUnknownField": {
			reason:     "A built-in kind is decoded strictly: an unknown field should fail.",
			extensions: []string{xrd},
			manifests:  strings.Replace(validDeployment, "spec:\n  selector", "spec:\n  replica: 2\n  selector", 1),
			want:       want{err: []string{"validation failed: 1 invalid", `unknown field "spec.replica"`}},
		},
		"MissingSchema": {
			reason:     "A kind without a CRD passes the CLI with exit code 0 by default; it must fail here.",
			extensions: []string{xrd},
			manifests:  validXR + "---\n" + validRoute,
			want: want{
				err:    []string{"1 without a schema", "could not find CRD/XRD for: gateway.networking.k8s.io/v1, Kind=HTTPRoute"},
				report: []string{"Total 2 resources: 1 missing schemas, 1 success cases, 0 failure cases"},
			},
		},
		"NothingToValidate": {
			reason:     "Validating nothing (say, an empty render) is not a pass.",
			extensions: []string{xrd},
			manifests:  "# empty\n---\n",
			want:       want{err: []string{"no resources in the manifests"}},
		},
		"BadExtension": {
			reason:     "An extension source that does not exist should fail with the CLI's message.",
			extensions: []string{"testdata/nope"},
			manifests:  validXR,
			want:       want{err: []string{"no summary line", `cannot load extensions from "testdata/nope"`}},
		},
		"CommaInPath": {
			reason:     "The CLI splits its argument on commas, so a path with one cannot be passed.",
			extensions: []string{"a,b"},
			manifests:  validXR,
			want:       want{err: []string{`cannot use extension source "a,b"`}},
		},
		"NoCacheDir": {
			reason:     "Without a cache dir the CLI would write to the home directory.",
			extensions: []string{xrd},
			manifests:  validXR,
			cacheDir:   "-",
			want:       want{err: []string{"cannot validate without a cache directory"}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cache := t.TempDir()
			if tc.cacheDir == "-" {
				cache = ""
			}
			report, err := Validate(t.Context(), env.CLI, tc.extensions, []byte(tc.manifests), cache)
			if diff := cmp.Diff(tc.want.err != nil, err != nil); diff != "" {
				t.Fatalf("\n%s\nValidate(...): -want error, +got error:\n%s\nerror: %v\nreport:\n%s", tc.reason, diff, err, report)
			}
			if err != nil {
				t.Logf("error (as users see it): %v", err)
			}
			for _, m := range tc.want.err {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("\n%s\nValidate(...): error does not mention %q:\n%v", tc.reason, m, err)
				}
			}
			for _, m := range tc.want.report {
				if !strings.Contains(report, m) {
					t.Errorf("\n%s\nValidate(...): report does not contain %q:\n%s", tc.reason, m, report)
				}
			}
		})
	}
}
