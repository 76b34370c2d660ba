package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/xapp-dev/xapp/internal/xpkg"
)

// Environment variables `make e2e` sets (see E2E_ENV in the Makefile).
const (
	// EnvRun says the end-to-end tests must run: set, a missing binary fails them; unset, they skip,
	// so `go test ./...` stays fast.
	EnvRun = "XAPP_E2E"

	EnvCLI        = "XAPP_CROSSPLANE"
	EnvEtcd       = "XAPP_ETCD"
	EnvKubeDir    = "XAPP_KUBE_DIR"
	EnvKwok       = "XAPP_KWOK"
	EnvCore       = "XAPP_CROSSPLANE_CORE"
	EnvCoreSource = "XAPP_CROSSPLANE_SOURCE"
	EnvPackages   = "XAPP_PACKAGES"
	EnvRegistry   = "XAPP_REGISTRY"
	EnvVersion    = "XAPP_VERSION"
	EnvFunction   = "XAPP_FUNCTION_BIN"
	EnvProvider   = "XAPP_PROVIDER_BIN"
	EnvShared     = "XAPP_SHARED"
	EnvRBAC       = "XAPP_RBAC"
)

// Package files `make package` writes into the packages folder.
const (
	FunctionPackage      = xpkg.FunctionRepository + ".xpkg"
	ProviderPackage      = xpkg.ProviderRepository + ".xpkg"
	ConfigurationPackage = xpkg.ConfigurationRepository + ".xpkg"
)

// Env is where everything the harness runs is.
type Env struct {
	CLI     string // the crossplane CLI (pushes the packages)
	Etcd    string // etcd binary
	KubeDir string // kube-apiserver, kube-controller-manager, kube-scheduler
	Kwok    string // kwok binary
	Core    string // crossplane core binary (core and rbac commands)
	// CoreSource is core's Go module folder: the CRDs, webhook configurations and Helm chart that
	// ship with the same version as the binary.
	CoreSource string
	// Packages is the folder `make package` wrote the three packages to.
	Packages string
	// Registry is the prefix the packages were built for (their dependencies name it).
	Registry string
	// Version the packages were built as.
	Version  string
	Function string // function-xapp binary, run as the function's package runtime would
	Provider string // provider-cmdb binary
	Shared   string // ../shared: CRDs of the gateway API and CloudNativePG
	// RBAC is the ClusterRole file xapp ships for Crossplane (the first install step).
	RBAC string
}

// Wanted says whether the end-to-end tests were asked for.
func Wanted() bool { return os.Getenv(EnvRun) != "" }

// FromEnvironment reads the paths. The error names every missing one and says how to get them.
func FromEnvironment() (Env, error) {
	e := Env{
		CLI: os.Getenv(EnvCLI), Etcd: os.Getenv(EnvEtcd), KubeDir: os.Getenv(EnvKubeDir), Kwok: os.Getenv(EnvKwok),
		Core: os.Getenv(EnvCore), CoreSource: os.Getenv(EnvCoreSource), Packages: os.Getenv(EnvPackages),
		Registry: os.Getenv(EnvRegistry), Version: os.Getenv(EnvVersion), Function: os.Getenv(EnvFunction), Provider: os.Getenv(EnvProvider),
		Shared: os.Getenv(EnvShared), RBAC: os.Getenv(EnvRBAC),
	}
	checks := []struct {
		env, value, sub string
		kind            pathKind
	}{
		{EnvCLI, e.CLI, "", executable},
		{EnvEtcd, e.Etcd, "", executable},
		{EnvKubeDir, e.KubeDir, "kube-apiserver", executable},
		{EnvKubeDir, e.KubeDir, "kube-controller-manager", executable},
		{EnvKubeDir, e.KubeDir, "kube-scheduler", executable},
		{EnvKwok, e.Kwok, "", executable},
		{EnvCore, e.Core, "", executable},
		{EnvCoreSource, e.CoreSource, "cluster/crds", directory},
		{EnvPackages, e.Packages, ConfigurationPackage, file},
		{EnvPackages, e.Packages, FunctionPackage, file},
		{EnvPackages, e.Packages, ProviderPackage, file},
		{EnvFunction, e.Function, "", executable},
		{EnvProvider, e.Provider, "", executable},
		{EnvShared, e.Shared, "crds", directory},
		{EnvRBAC, e.RBAC, "", file},
	}
	var problems []string
	seen := map[string]bool{}
	for _, c := range checks {
		p := checkPath(c.env, c.value, c.sub, c.kind)
		if p != "" && !seen[p] {
			seen[p] = true
			problems = append(problems, p)
		}
	}
	for env, v := range map[string]string{EnvRegistry: e.Registry, EnvVersion: e.Version} {
		if v == "" {
			problems = append(problems, env+" is not set")
		}
	}
	if len(problems) > 0 {
		return Env{}, errors.Errorf("%s: run the end-to-end tests with `make e2e` (or `make test`), which builds the control plane's binaries and the packages once and sets these variables", strings.Join(problems, "; "))
	}
	return e, nil
}

type pathKind int

const (
	file pathKind = iota
	executable
	directory
)

func checkPath(env, value, sub string, kind pathKind) string {
	if value == "" {
		return env + " is not set"
	}
	path := filepath.Join(value, sub)
	fi, err := os.Stat(path)
	switch {
	case err != nil:
		return fmt.Sprintf("%s: %v", env, err)
	case kind == directory && !fi.IsDir():
		return fmt.Sprintf("%s: %s is not a directory", env, path)
	case kind == executable && (fi.IsDir() || fi.Mode().Perm()&0o111 == 0):
		return fmt.Sprintf("%s: %s is not an executable file", env, path)
	case kind == file && fi.IsDir():
		return fmt.Sprintf("%s: %s is a directory", env, path)
	}
	return ""
}
