// Command package builds the xapp packages (function, provider and configuration) into a folder, without
// Docker: `make package` runs it.
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
	cli := flag.String("crossplane", os.Getenv("XAPP_CROSSPLANE"), "the crossplane CLI")
	fn := flag.String("function-bin", os.Getenv("XAPP_FUNCTION_BIN"), "the static function-xapp binary to embed")
	provider := flag.String("provider-bin", os.Getenv("XAPP_PROVIDER_BIN"), "the static provider-cmdb binary to embed")
	out := flag.String("out", "_output", "folder for the .xpkg files")
	flag.Parse()

	pkgs := []xpkg.Package{
		{Root: "package/function", File: filepath.Join(*out, "function-xapp.xpkg"), Runtime: xpkg.FunctionRuntime(*fn)},
		{Root: "package/provider", File: filepath.Join(*out, "provider-cmdb.xpkg"), Runtime: xpkg.ProviderRuntime(*provider)},
		{Root: "package/configuration", File: filepath.Join(*out, "xapp.xpkg")},
	}
	for _, p := range pkgs {
		if err := xpkg.Build(context.Background(), *cli, p); err != nil {
			fmt.Fprintln(os.Stderr, "package:", err)
			os.Exit(1)
		}
		_, _ = fmt.Fprintln(os.Stdout, p.File)
	}
}
