// Command render renders an example through the real Crossplane CLI and
// render engine against the real function binary, and prints the resources.
// It is what `make render` runs; the Makefile sets the binaries' paths.
//
//	go run ./hack/render [flags] [EXAMPLE_DIR_OR_XR]   (default examples/full)
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/xapp-dev/xapp/internal/render"
)

const (
	module       = "github.com/xapp-dev/xapp"
	functionName = "function-xapp"
	defaultXR    = "examples/full"
	noFile       = "none"
)

// layout says which Composition and XRD render an XR kind, relative to the
// repository root.
var layout = map[string]files{
	"XApp":         {"package/configuration/composition-xapp.yaml", "package/configuration/xrd-xapp.yaml"},
	"CompositeApp": {"package/configuration/composition-app.yaml", "package/configuration/xrd-app.yaml"},
}

type files struct{ composition, xrd string }

type options struct {
	target      string
	observed    string
	environment string
	results     bool
	fullXR      bool
	context     bool
	debug       bool
	timeout     time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.observed, "observed", "", "observed composed resources (-o), for example examples/full/observed-ready.yaml; default none")
	flag.StringVar(&o.environment, "environment", "", `required resources (-e); default DIR/environment.yaml when it exists, "`+noFile+`" for none`)
	flag.BoolVar(&o.results, "results", false, "print the functions' results too (-r)")
	flag.BoolVar(&o.fullXR, "x", false, "print the XR's spec and metadata too (-x)")
	flag.BoolVar(&o.context, "context", false, "print the pipeline context too (-c)")
	flag.BoolVar(&o.debug, "debug", false, "run the function with --debug and print its log to stderr")
	flag.DurationVar(&o.timeout, "timeout", render.DefaultTimeout, "render timeout")
	flag.Usage = func() {
		_, _ = fmt.Fprintf(flag.CommandLine.Output(), "usage: go run ./hack/render [flags] [EXAMPLE_DIR_OR_XR] (default %s)\n", defaultXR)
		flag.PrintDefaults()
	}
	flag.Parse()
	switch flag.NArg() {
	case 0:
		o.target = defaultXR
	case 1:
		o.target = flag.Arg(0)
	default:
		flag.Usage()
		os.Exit(2)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, o)
	interrupted := ctx.Err() != nil
	stop()
	if err != nil {
		if interrupted {
			err = errors.New("interrupted")
		}
		fmt.Fprintf(os.Stderr, "render: %v\n", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	root, err := repoRoot()
	if err != nil {
		return err
	}
	cli, core := os.Getenv(render.EnvCLI), os.Getenv(render.EnvCore)
	if cli == "" || core == "" {
		return errors.Errorf("cannot find the Crossplane CLI and render engine: %s and %s must be set; use `make render`, which builds them once", render.EnvCLI, render.EnvCore)
	}

	xr, dir, err := findXR(root, o.target)
	if err != nil {
		return err
	}
	l, err := pickLayout(xr)
	if err != nil {
		return err
	}
	args := render.Args{
		XR:             xr,
		Composition:    filepath.Join(root, l.composition),
		XRD:            filepath.Join(root, l.xrd),
		Functions:      filepath.Join(root, "examples", "functions.yaml"),
		Observed:       o.observed,
		IncludeFullXR:  o.fullXR,
		IncludeResults: o.results,
		IncludeContext: o.context,
		Timeout:        o.timeout,
	}
	switch env := filepath.Join(dir, "environment.yaml"); o.environment {
	case "":
		if _, err := os.Stat(env); err == nil {
			args.Required = env
		}
	case noFile:
	default:
		args.Required = o.environment
	}
	for _, p := range []string{args.Composition, args.XRD, args.Functions, args.Observed, args.Required} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err != nil {
			return errors.Wrap(err, "cannot find an input")
		}
	}

	bin := os.Getenv(render.EnvFunction)
	if bin == "" {
		tmp, err := os.MkdirTemp("", "xapp-render-fn-")
		if err != nil {
			return errors.Wrap(err, "cannot build the function")
		}
		defer func() { _ = os.RemoveAll(tmp) }()
		if bin, err = buildFunction(ctx, root, tmp); err != nil {
			return err
		}
	}

	var extra []string
	if o.debug {
		extra = append(extra, "--debug")
	}
	fn, err := render.StartFunction(ctx, bin, extra...)
	if err != nil {
		return errors.Wrap(err, "cannot start the function")
	}
	defer func() {
		_ = fn.Stop()
		if o.debug {
			fmt.Fprintf(os.Stderr, "# function log:\n%s", fn.Output())
		}
	}()
	args.FunctionAddresses = map[string]string{functionName: fn.Address()}

	start := time.Now()
	out, err := render.Renderer{CLI: cli, Core: core}.Render(ctx, args)
	if err != nil {
		if serr := fn.Stop(); serr != nil {
			return errors.Errorf("%v\nand the function died: %v", err, serr)
		}
		return err
	}
	fmt.Fprintf(os.Stderr, "# rendered in %.2fs\n", time.Since(start).Seconds())
	_, err = os.Stdout.Write(out)
	return errors.Wrap(err, "cannot write the output")
}

// findXR accepts an example directory (its xr.yaml) or an XR file, relative
// to the working directory or else to the repository root, and returns the XR
// and the directory its siblings (environment.yaml) are in.
func findXR(root, target string) (xr, dir string, err error) {
	fi, err := os.Stat(target)
	if err != nil && !filepath.IsAbs(target) {
		if rfi, rerr := os.Stat(filepath.Join(root, target)); rerr == nil {
			target, fi, err = filepath.Join(root, target), rfi, nil
		}
	}
	if err != nil {
		return "", "", errors.Wrap(err, "cannot find the example")
	}
	if fi.IsDir() {
		xr = filepath.Join(target, "xr.yaml")
		if _, err := os.Stat(xr); err != nil {
			return "", "", errors.Wrapf(err, "cannot find the example's XR")
		}
		return xr, target, nil
	}
	return target, filepath.Dir(target), nil
}

func pickLayout(xr string) (files, error) {
	b, err := os.ReadFile(xr)
	if err != nil {
		return files{}, errors.Wrap(err, "cannot read the XR")
	}
	var meta struct {
		Kind string `json:"kind"`
	}
	if err := yaml.Unmarshal(b, &meta); err != nil {
		return files{}, errors.Wrapf(err, "cannot parse the XR %s", xr)
	}
	l, ok := layout[meta.Kind]
	switch {
	case ok:
		return l, nil
	case meta.Kind == "App":
		return l, errors.Errorf("%s is an App claim: render takes the composite resource, so give it a CompositeApp", xr)
	default:
		return l, errors.Errorf("%s has kind %q: want XApp or CompositeApp", xr, meta.Kind)
	}
}

// buildFunction builds the function when no binary was given, so that
// `go run ./hack/render` works without make.
func buildFunction(ctx context.Context, root, dir string) (string, error) {
	bin := filepath.Join(dir, functionName)
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./fn/cmd/function-xapp")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", errors.Errorf("cannot build the function (%v): %s", err, strings.TrimSpace(string(out)))
	}
	return bin, nil
}

// repoRoot finds the module root from the working directory, so the command
// works from any folder of the repository.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", errors.Wrap(err, "cannot find the repository root")
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && strings.Contains(string(b), "module "+module+"\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.Errorf("cannot find the repository root: no go.mod of %s above the working directory", module)
		}
		dir = parent
	}
}
