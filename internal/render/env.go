package render

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// Environment variables `make test` and `make render` set (see TEST_ENV in
// the Makefile).
const (
	EnvCLI      = "XAPP_CROSSPLANE"
	EnvCore     = "XAPP_CROSSPLANE_CORE"
	EnvFunction = "XAPP_FUNCTION_BIN"
	EnvShared   = "XAPP_SHARED"
)

// Env is where the real binaries and ../shared are.
type Env struct {
	// CLI is the crossplane CLI binary.
	CLI string
	// Core is the crossplane core binary, the render engine.
	Core string
	// Function is the function-xapp binary.
	Function string
	// Shared is ../shared (CRDs for validate, fnbench).
	Shared string
}

// Renderer returns a Renderer that uses e's CLI and render engine.
func (e Env) Renderer() Renderer { return Renderer{CLI: e.CLI, Core: e.Core} }

// CRDs is the directory of upstream CRD schemas for Validate.
func (e Env) CRDs() string { return filepath.Join(e.Shared, "crds") }

// Binaries reads the binaries' paths from the environment. Tests that need
// them must fail, not skip, when one is missing: a skipped render test looks
// like a passing one. The error says how to get them.
func Binaries() (Env, error) {
	e := Env{
		CLI:      os.Getenv(EnvCLI),
		Core:     os.Getenv(EnvCore),
		Function: os.Getenv(EnvFunction),
		Shared:   os.Getenv(EnvShared),
	}
	var problems []string
	for _, c := range []struct {
		env, path string
		dir       bool
	}{
		{EnvCLI, e.CLI, false},
		{EnvCore, e.Core, false},
		{EnvFunction, e.Function, false},
		{EnvShared, e.Shared, true},
	} {
		if p := checkPath(c.env, c.path, c.dir); p != "" {
			problems = append(problems, p)
		}
	}
	if len(problems) > 0 {
		return Env{}, errors.Errorf("%s: run the tests with `make test`, which builds the Crossplane CLI, the render engine and the function once and sets these variables", strings.Join(problems, "; "))
	}
	return e, nil
}

func checkPath(env, path string, dir bool) string {
	if path == "" {
		return env + " is not set"
	}
	fi, err := os.Stat(path)
	switch {
	case err != nil:
		return fmt.Sprintf("%s=%s: %v", env, path, err)
	case dir && !fi.IsDir():
		return fmt.Sprintf("%s=%s is not a directory", env, path)
	case !dir && (fi.IsDir() || fi.Mode().Perm()&0o111 == 0):
		return fmt.Sprintf("%s=%s is not an executable file", env, path)
	}
	return ""
}
