// Command package builds the xapp packages (function, provider and configuration) into a folder, without
// Docker: `make package` runs it. The Configuration depends on the function and provider published
// under -registry at -version or later, so installing it installs them.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/xapp-dev/xapp/internal/xpkg"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "package:", err)
		os.Exit(1)
	}
}

func run() error {
	cli := flag.String("crossplane", os.Getenv("XAPP_CROSSPLANE"), "the crossplane CLI")
	fn := flag.String("function-bin", os.Getenv("XAPP_FUNCTION_BIN"), "the static function-xapp binary to embed")
	provider := flag.String("provider-bin", os.Getenv("XAPP_PROVIDER_BIN"), "the static provider-cmdb binary to embed")
	registry := flag.String("registry", "", "where the packages will be pushed, e.g. registry.example.com/platform (required)")
	version := flag.String("version", "", "the packages' version, e.g. v0.1.0 (required)")
	out := flag.String("out", "_output", "folder for the .xpkg files")
	flag.Parse()
	if *registry == "" || *version == "" {
		return fmt.Errorf("-registry and -version are required: the Configuration's dependencies name them")
	}

	staged, err := os.MkdirTemp("", "xapp-configuration")
	if err != nil {
		return err
	}
	defer os.RemoveAll(staged) //nolint:errcheck // A leftover temp folder is harmless.
	if err := xpkg.StageConfiguration("package/configuration", staged, xpkg.Published{Registry: *registry, Version: *version}); err != nil {
		return err
	}
	pkgs := []xpkg.Package{
		{Root: "package/function", File: filepath.Join(*out, xpkg.FunctionRepository+".xpkg"), Runtime: xpkg.FunctionRuntime(*fn)},
		{Root: "package/provider", File: filepath.Join(*out, xpkg.ProviderRepository+".xpkg"), Runtime: xpkg.ProviderRuntime(*provider)},
		{Root: staged, File: filepath.Join(*out, xpkg.ConfigurationRepository+".xpkg")},
	}
	for _, p := range pkgs {
		if err := xpkg.Build(context.Background(), *cli, p); err != nil {
			return err
		}
		_, _ = fmt.Fprintln(os.Stdout, p.File)
	}
	return nil
}
