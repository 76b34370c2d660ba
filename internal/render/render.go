package render

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// Annotations of the CLI's function runtimes.
const (
	AnnotationRuntime           = "render.crossplane.io/runtime"
	AnnotationDevelopmentTarget = "render.crossplane.io/runtime-development-target"

	RuntimeDevelopment = "Development"
	runtimeInProcess   = "InProcess"

	// The CLI's Development runtime dials this when a Function has no
	// target annotation.
	defaultDevelopmentTarget = "localhost:9443"
)

const (
	// DefaultTimeout is the CLI's own default --timeout.
	DefaultTimeout = time.Minute

	// cliGrace is how long the CLI gets beyond its own --timeout to report
	// before it is killed: its report is more useful than ours.
	cliGrace = 10 * time.Second
)

// Renderer runs `crossplane composition render` with the given CLI binary and
// the given Crossplane core binary as the render engine (the CLI would
// otherwise try Docker).
type Renderer struct {
	// CLI is the crossplane CLI binary (github.com/crossplane/cli/v2).
	CLI string
	// Core is the crossplane core binary, passed as --crossplane-binary.
	Core string
}

// Args of one render. Paths may be relative to the working directory.
type Args struct {
	// XR is the composite resource to render.
	XR string
	// Composition is the Composition to render it with.
	Composition string
	// Functions is a YAML file (not a directory) of Functions.
	Functions string
	// FunctionAddresses maps a Function's name to the host:port it listens
	// on. Render runs with a copy of Functions in which each named Function
	// uses the Development runtime with that target; it is an error when a
	// name is not in Functions.
	FunctionAddresses map[string]string

	// Observed is a file or directory of observed composed resources (-o).
	Observed string
	// Required is a file or directory of required resources (-e), for
	// example EnvironmentConfigs.
	Required string
	// XRD is the XRD of the XR (--xrd). Legacy (v1, claim) XRDs need it, or
	// the CLI writes references in the v2 layout.
	XRD string

	// IncludeFullXR prints the XR's spec and metadata too (-x).
	IncludeFullXR bool
	// IncludeResults prints the functions' results as kind Result (-r).
	IncludeResults bool
	// IncludeContext prints the pipeline context as kind Context (-c).
	IncludeContext bool

	// Timeout is the CLI's --timeout; DefaultTimeout when zero.
	Timeout time.Duration
}

// Render renders a.XR and returns the CLI's output: a YAML stream with the XR
// first, then the composed resources. With a.XRD, the XR is first validated
// against it and not rendered when the API server would refuse it.
//
// Every Function that uses the Development runtime must accept TCP
// connections when Render starts: the CLI would otherwise wait for it until
// the timeout and say only "signal: killed". An error from the CLI includes
// its stderr.
func (r Renderer) Render(ctx context.Context, a Args) ([]byte, error) {
	if a.XR == "" || a.Composition == "" || a.Functions == "" {
		return nil, errors.New("cannot render: the XR, the Composition and the Functions file are all required")
	}
	if a.Timeout <= 0 {
		a.Timeout = DefaultTimeout
	}

	in, err := os.ReadFile(a.Functions)
	if err != nil {
		return nil, errors.Wrapf(err, "cannot read functions file %s", a.Functions)
	}
	fns, targets, err := RewriteFunctions(in, a.FunctionAddresses)
	if err != nil {
		return nil, errors.Wrapf(err, "cannot use functions file %s", a.Functions)
	}
	if err := checkListening(ctx, targets); err != nil {
		return nil, err
	}

	tmp, err := os.MkdirTemp("", "xapp-render-")
	if err != nil {
		return nil, errors.Wrap(err, "cannot create a temporary directory for the functions file")
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	if err := r.validateXR(ctx, a, filepath.Join(tmp, "validate-cache")); err != nil {
		return nil, err
	}
	fnFile := filepath.Join(tmp, "functions.yaml")
	if err := os.WriteFile(fnFile, fns, 0o600); err != nil {
		return nil, errors.Wrap(err, "cannot write the functions file")
	}

	args, err := r.cliArgs(a, fnFile)
	if err != nil {
		return nil, err
	}
	// A relative path would be taken relative to cmd.Dir.
	cli := r.CLI
	if strings.ContainsRune(cli, filepath.Separator) {
		if cli, err = filepath.Abs(cli); err != nil {
			return nil, errors.Wrap(err, "cannot resolve the crossplane CLI's path")
		}
	}

	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, a.Timeout+cliGrace)
	defer cancel()
	cmd := exec.CommandContext(ctx, cli, args...)
	// The CLI treats a crossplane-project.yaml in its working directory as a
	// project; an empty directory keeps the render what the arguments say.
	cmd.Dir = tmp
	cmd.SysProcAttr = cliProcAttr()
	cmd.Cancel = func() error { return killCLI(cmd) }
	cmd.WaitDelay = cliGrace
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr

	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		switch {
		case parent.Err() != nil:
			msg += "\n(stopped: " + context.Cause(parent).Error() + ")"
		case ctx.Err() != nil:
			msg += "\n(gave up waiting for the CLI after " + (a.Timeout + cliGrace).String() + ")"
		case strings.Contains(msg, "signal: killed"):
			// That is all the CLI says when its --timeout ends the engine.
			msg += "\n(the render engine was killed at --timeout=" + a.Timeout.String() + ": is a function listening but not answering gRPC, or very slow?)"
		}
		// A function that dies mid-render looks like a hang to the CLI.
		if lerr := checkListening(context.WithoutCancel(ctx), targets); lerr != nil {
			msg += "\n" + lerr.Error()
		}
		return nil, errors.Errorf("cannot render %s with %s (%w): %s", a.XR, a.Composition, err, strings.TrimSpace(msg))
	}
	if len(bytes.TrimSpace(stdout.Bytes())) == 0 {
		return nil, errors.Errorf("cannot render %s with %s: the CLI printed nothing: %s", a.XR, a.Composition, strings.TrimSpace(stderr.String()))
	}
	return stdout.Bytes(), nil
}

// validateXR checks the XR against its XRD as the API server would (schema, CEL rules, unknown
// fields) before rendering: the render engine prunes what the XRD does not have without a word, so a
// misspelt or unsupported field would otherwise vanish from a render that looks fine.
func (r Renderer) validateXR(ctx context.Context, a Args, cacheDir string) error {
	if a.XRD == "" {
		return nil
	}
	xr, err := os.ReadFile(a.XR)
	if err != nil {
		return errors.Wrapf(err, "cannot read the XR %s", a.XR)
	}
	if _, err := Validate(ctx, r.CLI, []string{a.XRD}, xr, cacheDir); err != nil {
		return errors.Errorf("cannot render %s: it does not match its XRD %s, so the API server would refuse it: %v", a.XR, a.XRD, err)
	}
	return nil
}

// cliArgs builds the CLI's arguments with absolute paths, because the CLI
// runs in a temporary directory.
func (r Renderer) cliArgs(a Args, functions string) ([]string, error) {
	if r.CLI == "" {
		return nil, errors.New("cannot render without the crossplane CLI binary (Renderer.CLI)")
	}
	if r.Core == "" {
		return nil, errors.New("cannot render without the crossplane core binary (Renderer.Core): the CLI would try Docker")
	}
	core, err := filepath.Abs(r.Core)
	if err != nil {
		return nil, errors.Wrap(err, "cannot resolve the crossplane core binary's path")
	}

	paths := make(map[string]string)
	for flag, p := range map[string]string{"xr": a.XR, "composition": a.Composition, "observed": a.Observed, "required": a.Required, "xrd": a.XRD} {
		if p == "" {
			continue
		}
		abs, err := filepath.Abs(p)
		if err != nil {
			return nil, errors.Wrapf(err, "cannot resolve %s path %s", flag, p)
		}
		paths[flag] = abs
	}

	args := []string{
		"composition", "render", paths["xr"], paths["composition"], functions,
		"--crossplane-binary=" + core,
		"--timeout=" + a.Timeout.String(),
	}
	if p := paths["xrd"]; p != "" {
		args = append(args, "--xrd="+p)
	}
	if p := paths["observed"]; p != "" {
		args = append(args, "--observed-resources="+p)
	}
	if p := paths["required"]; p != "" {
		args = append(args, "--required-resources="+p)
	}
	if a.IncludeFullXR {
		args = append(args, "--include-full-xr")
	}
	if a.IncludeResults {
		args = append(args, "--include-function-results")
	}
	if a.IncludeContext {
		args = append(args, "--include-context")
	}
	return args, nil
}

// RewriteFunctions returns the Functions YAML stream in with each Function
// named in addrs switched to the Development runtime at that address, and the
// address the CLI will dial for every Function that uses the Development
// runtime afterwards.
//
// It refuses Functions that would use the Docker runtime (the default when
// the runtime annotation is missing): there is no Docker engine here, and the
// CLI's error about that does not say which Function asked for it.
func RewriteFunctions(in []byte, addrs map[string]string) (out []byte, targets map[string]string, err error) {
	for name, addr := range addrs {
		if _, _, err := net.SplitHostPort(addr); err != nil {
			return nil, nil, errors.Wrapf(err, "cannot use address %q for function %q", addr, name)
		}
	}

	docs, err := splitYAML(in)
	if err != nil {
		return nil, nil, err
	}

	targets = make(map[string]string)
	var buf bytes.Buffer
	for _, doc := range docs {
		u := &unstructured.Unstructured{}
		if err := yaml.Unmarshal(doc, &u.Object); err != nil {
			return nil, nil, errors.Wrap(err, "cannot parse YAML document")
		}
		if len(u.Object) == 0 {
			continue
		}
		if gk := u.GroupVersionKind().GroupKind(); gk.Group != "pkg.crossplane.io" || gk.Kind != "Function" {
			return nil, nil, errors.Errorf("%s %q is not a pkg.crossplane.io Function", u.GetKind(), u.GetName())
		}
		name := u.GetName()
		if _, dup := targets[name]; dup {
			return nil, nil, errors.Errorf("function %q is defined twice", name)
		}

		ann := u.GetAnnotations()
		if ann == nil {
			ann = make(map[string]string)
		}
		if addr, ok := addrs[name]; ok {
			ann[AnnotationRuntime] = RuntimeDevelopment
			ann[AnnotationDevelopmentTarget] = addr
			u.SetAnnotations(ann)
		}

		switch rt := ann[AnnotationRuntime]; rt {
		case RuntimeDevelopment:
			t := ann[AnnotationDevelopmentTarget]
			if t == "" {
				t = defaultDevelopmentTarget
			}
			targets[name] = t
		case runtimeInProcess:
			targets[name] = ""
		default:
			if rt == "" {
				rt = "Docker (no " + AnnotationRuntime + " annotation)"
			}
			return nil, nil, errors.Errorf("function %q would run with the %s runtime, which needs Docker: set %s: %s or give Render its address", name, rt, AnnotationRuntime, RuntimeDevelopment)
		}

		y, err := yaml.Marshal(u.Object)
		if err != nil {
			return nil, nil, errors.Wrapf(err, "cannot serialise function %q", name)
		}
		buf.WriteString("---\n")
		buf.Write(y)
	}

	var unknown []string
	for name := range addrs {
		if _, ok := targets[name]; !ok {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		have := make([]string, 0, len(targets))
		for name := range targets {
			have = append(have, name)
		}
		slices.Sort(have)
		return nil, nil, errors.Errorf("no Function named %s (the file has %s)", strings.Join(unknown, ", "), strings.Join(have, ", "))
	}
	for name, t := range targets {
		if t == "" {
			delete(targets, name)
		}
	}
	return buf.Bytes(), targets, nil
}

// checkListening dials every function target, so that a function that is not
// running is reported by name rather than by a render that hangs.
func checkListening(ctx context.Context, targets map[string]string) error {
	names := make([]string, 0, len(targets))
	for name := range targets {
		names = append(names, name)
	}
	slices.Sort(names)

	var msgs []string
	for _, name := range names {
		addr, ok := dialAddress(targets[name])
		if !ok {
			// Not a plain TCP target (unix socket, resolver schemes):
			// leave it to the CLI.
			continue
		}
		if err := dial(ctx, addr); err != nil {
			msgs = append(msgs, fmt.Sprintf("function %q is not listening on %s (%v): start it with --insecure --address=%s", name, addr, err, addr))
		}
	}
	if len(msgs) > 0 {
		return errors.New(strings.Join(msgs, "\n"))
	}
	return nil
}

// dialAddress turns a gRPC target into host:port when it is a TCP target.
func dialAddress(target string) (string, bool) {
	for _, scheme := range []string{"dns:///", "passthrough:///"} {
		target = strings.TrimPrefix(target, scheme)
	}
	if _, _, err := net.SplitHostPort(target); err != nil {
		return "", false
	}
	return target, true
}

// splitYAML splits a YAML stream into documents with the reader the CLI uses,
// so that both see the same documents.
func splitYAML(in []byte) ([][]byte, error) {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(in)))
	var docs [][]byte
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, errors.Wrap(err, "cannot split YAML stream")
		}
		docs = append(docs, doc)
	}
}
