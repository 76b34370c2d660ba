package e2e

import (
	"context"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/xapp-dev/xapp/internal/xpkg"
)

// Registry is an OCI registry in the test process, on a loopback port (pulled over plain HTTP, as
// registries on loopback are).
type Registry struct {
	// Host is 127.0.0.1:PORT.
	Host string
	srv  *http.Server
}

// Repositories of the three packages, as `make package` names them under its registry prefix.
var packageRepositories = map[string]string{
	FunctionPackage:      xpkg.FunctionRepository,
	ProviderPackage:      xpkg.ProviderRepository,
	ConfigurationPackage: xpkg.ConfigurationRepository,
}

// StartRegistry serves an empty registry; its requests are logged to logFile.
func StartRegistry(logFile string) (*Registry, error) {
	l, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, errors.Wrap(err, "cannot listen for the registry")
	}
	f, err := os.Create(logFile)
	if err != nil {
		return nil, errors.Wrap(err, "cannot create the registry's log")
	}
	srv := &http.Server{
		Handler:           registry.New(registry.Logger(log.New(f, "", log.LstdFlags))),
		ReadHeaderTimeout: 10 * time.Second,
	}
	go func() { _ = srv.Serve(l) }()
	return &Registry{Host: l.Addr().String(), srv: srv}, nil
}

// Stop stops serving.
func (r *Registry) Stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = r.srv.Shutdown(ctx)
}

// Push pushes an .xpkg file as ref with the Crossplane CLI, as a platform team publishes packages:
// the CLI moves the package's annotations from the image config onto its layers, where Crossplane
// looks for them (an image read back from the tarball and written as is would not parse).
func (r *Registry) Push(ctx context.Context, cli, file, ref string) error {
	out, err := exec.CommandContext(ctx, cli, "xpkg", "push", "-f", file, ref).CombinedOutput()
	return errors.Wrapf(err, "cannot push %s: %s", ref, strings.TrimSpace(string(out)))
}

// Mirror is where the registry holds what the packages call prefix: the prefix's path (what follows
// its host) under this registry's host, as a platform team's mirror would.
func (r *Registry) Mirror(prefix string) string {
	path := ""
	if i := strings.IndexByte(prefix, '/'); i >= 0 {
		path = prefix[i:]
	}
	return r.Host + path
}

// registry starts the loopback registry and pushes the three packages under their version, at the
// mirror of the prefix they were built for.
func (h *Harness) registry(ctx context.Context) error {
	r, err := StartRegistry(filepath.Join(h.Logs, "registry.log"))
	if err != nil {
		return err
	}
	h.Registry = r
	h.cleanup = append(h.cleanup, r.Stop)
	for file, repo := range packageRepositories {
		ref := r.Mirror(h.Env.Registry) + "/" + repo + ":" + h.Env.Version
		if err := r.Push(ctx, h.Env.CLI, filepath.Join(h.Env.Packages, file), ref); err != nil {
			return err
		}
	}
	return nil
}
