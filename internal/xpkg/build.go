package xpkg

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// Package is one package to build from a folder of YAML.
type Package struct {
	// Root is the package root: crossplane.yaml and the CRDs, XRDs or compositions beside it.
	Root string
	// File is the .xpkg to write.
	File string
	// Runtime, when set, is embedded as the package's runtime image (Functions and Providers).
	Runtime *Runtime
}

// Build builds p with the Crossplane CLI, which checks the package's metadata and objects as it
// would for a push.
func Build(ctx context.Context, cli string, p Package) error {
	args := []string{"xpkg", "build", "--package-root=" + p.Root, "--package-file=" + p.File}
	if p.Runtime != nil {
		img, err := p.Runtime.Image()
		if err != nil {
			return err
		}
		tmp, err := os.MkdirTemp("", "xpkg")
		if err != nil {
			return errors.Wrap(err, errWrite)
		}
		defer os.RemoveAll(tmp) //nolint:errcheck // A leftover temp folder is harmless.
		tar := filepath.Join(tmp, "runtime.tar")
		if err := WriteTarball(img, "runtime:latest", tar); err != nil {
			return err
		}
		args = append(args, "--embed-runtime-image-tarball="+tar)
	}
	if err := os.MkdirAll(filepath.Dir(p.File), 0o750); err != nil {
		return errors.Wrap(err, "cannot create the package folder")
	}
	out, err := exec.CommandContext(ctx, cli, args...).CombinedOutput()
	return errors.Wrapf(err, "cannot build package %s: %s", p.Root, strings.TrimSpace(string(out)))
}

// ProviderRuntime is provider-cmdb's runtime image: the binary at /provider (no ports: it only
// talks to the API server and the CMDB).
func ProviderRuntime(binary string) *Runtime {
	return &Runtime{Binary: binary, Path: "/provider", OS: "linux", Architecture: runtime.GOARCH}
}

// FunctionRuntime is function-xapp's runtime image: the binary at /function, serving gRPC on 9443.
func FunctionRuntime(binary string) *Runtime {
	return &Runtime{Binary: binary, Path: "/function", Ports: []string{"9443/tcp"}, OS: "linux", Architecture: runtime.GOARCH}
}
