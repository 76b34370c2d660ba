package render

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// renderGroup is the API group of the pseudo-objects render prints with -r
// (kind Result) and -c (kind Context). They are output, not API objects: no
// schema exists for them anywhere.
const renderGroup = "render.crossplane.io"

// summaryRE matches the last line of `crossplane resource validate`'s text
// output, for example
// "Total 9 resources: 0 missing schemas, 9 success cases, 0 failure cases".
var summaryRE = regexp.MustCompile(`(?m)^Total (\d+) resources: (\d+) missing schemas, (\d+) success cases, (\d+) failure cases$`)

// Summary is the last line of `crossplane resource validate`'s output.
type Summary struct {
	Total, MissingSchemas, Success, Failures int
}

// Validate runs `crossplane resource validate` offline on manifests (a YAML
// stream, for example Render's output with IncludeFullXR), against the
// schemas in extensions: XRD and CRD files or directories, read recursively
// (for example package/configuration and ../shared/crds). cacheDir is
// required so that nothing is written to ~/.crossplane.
//
// It returns the CLI's report. It fails when the CLI fails, when a resource
// is invalid, and when a resource has no schema: the CLI only warns about
// that and exits 0, which would let a kind whose CRD was forgotten pass
// unchecked. Built-in Kubernetes kinds (Deployment, Service, ...) never count
// as missing: the CLI decodes them strictly into the client-go types, which
// catches unknown fields and wrong types but no value rules (a containerPort
// of 70000 passes), and it stops at the first type error of an object.
//
// Validate render output made with IncludeFullXR: without it the XR has no
// spec, and its XRD's required fields fail.
//
// Documents of the render.crossplane.io group (Result and Context from
// render -r and -c) are dropped before validating.
//
// An extension source that is a Provider, Function or Configuration package
// makes the CLI try to download it, which fails offline: pass CRDs and XRDs.
func Validate(ctx context.Context, cli string, extensions []string, manifests []byte, cacheDir string) (string, error) {
	if len(extensions) == 0 {
		return "", errors.New("cannot validate without extensions (XRDs, CRDs)")
	}
	for _, e := range extensions {
		// The CLI takes one comma-separated argument.
		if e == "" || strings.Contains(e, ",") {
			return "", errors.Errorf("cannot use extension source %q: it must be a non-empty path without commas", e)
		}
	}
	if cacheDir == "" {
		return "", errors.New("cannot validate without a cache directory (the CLI would use ~/.crossplane/cache)")
	}
	cacheDir, err := filepath.Abs(cacheDir)
	if err != nil {
		return "", errors.Wrap(err, "cannot resolve the cache directory")
	}

	in, n, err := validationInput(manifests)
	if err != nil {
		return "", err
	}
	if n == 0 {
		return "", errors.New("cannot validate: no resources in the manifests")
	}

	cmd := exec.CommandContext(ctx, cli, "resource", "validate", strings.Join(extensions, ","), "-",
		// An empty image keeps the CLI from pulling Crossplane's own CRDs
		// from a registry; pass ../shared/crds/crossplane instead.
		"--crossplane-image=",
		"--cache-dir="+cacheDir,
		"--error-on-missing-schemas",
		"--output=text",
	)
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	runErr := cmd.Run()
	report := stdout.String()

	s, ok := ParseSummary(report)
	var problems []string
	switch {
	case !ok:
		problems = append(problems, "no summary line in its output")
	case s.Total != n:
		problems = append(problems, fmt.Sprintf("it validated %d resources of %d", s.Total, n))
	}
	if s.Failures > 0 {
		problems = append(problems, fmt.Sprintf("%d invalid", s.Failures))
	}
	if s.MissingSchemas > 0 {
		problems = append(problems, fmt.Sprintf("%d without a schema (add its CRD or XRD to the extensions)", s.MissingSchemas))
	}
	if runErr != nil {
		problems = append(problems, runErr.Error())
	}
	if len(problems) == 0 {
		return report, nil
	}
	return report, errors.Errorf("validation failed: %s\n%s", strings.Join(problems, "; "), strings.TrimSpace(failureLines(report)+"\n"+stderr.String()))
}

// ParseSummary reads the counts from the summary line of `crossplane
// resource validate`'s text output.
func ParseSummary(report string) (Summary, bool) {
	m := summaryRE.FindStringSubmatch(report)
	if m == nil {
		return Summary{}, false
	}
	n := make([]int, 4)
	for i := range n {
		v, err := strconv.Atoi(m[i+1])
		if err != nil {
			return Summary{}, false
		}
		n[i] = v
	}
	return Summary{Total: n[0], MissingSchemas: n[1], Success: n[2], Failures: n[3]}, true
}

// validationInput drops the render pseudo-objects and empty documents and
// counts what is left, so that Validate can tell when the CLI skipped some.
func validationInput(manifests []byte) ([]byte, int, error) {
	docs, err := splitYAML(manifests)
	if err != nil {
		return nil, 0, err
	}
	var buf bytes.Buffer
	n := 0
	for _, doc := range docs {
		u := &unstructured.Unstructured{}
		if err := yaml.Unmarshal(doc, &u.Object); err != nil {
			return nil, 0, errors.Wrap(err, "cannot parse YAML document")
		}
		if len(u.Object) == 0 || u.GroupVersionKind().Group == renderGroup {
			continue
		}
		buf.WriteString("---\n")
		buf.Write(doc)
		if !bytes.HasSuffix(doc, []byte("\n")) {
			buf.WriteByte('\n')
		}
		n++
	}
	return buf.Bytes(), n, nil
}

// failureLines keeps what an error message needs from a report: everything
// but the per-resource success lines.
func failureLines(report string) string {
	var keep []string
	for l := range strings.SplitSeq(report, "\n") {
		if !strings.HasPrefix(l, "[✓]") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}
