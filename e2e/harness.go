package e2e

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	xpextv1 "github.com/crossplane/crossplane/apis/v2/apiextensions/v1"
	pkgv1 "github.com/crossplane/crossplane/apis/v2/pkg/v1"
	pkgv1beta1 "github.com/crossplane/crossplane/apis/v2/pkg/v1beta1"

	"github.com/xapp-dev/xapp/apis/cmdb"
	"github.com/xapp-dev/xapp/internal/xpkg"
	"github.com/xapp-dev/xapp/provider/cmdbtest"
)

// Harness is a running control plane with xapp installed.
type Harness struct {
	Env Env
	// Dir holds certificates, etcd's data, kubeconfigs and Logs.
	Dir  string
	Logs string

	CA              *CA
	AdminKubeconfig string
	Config          *rest.Config
	// Client is an admin client that knows the Kubernetes, Crossplane and xapp types.
	Client client.Client

	// The processes tests look at (CPU time, logs).
	APIServer, Core, Function, Provider *Proc

	Registry   *Registry
	ServiceNow *cmdbtest.ServiceNow
	ITop       *cmdbtest.ITop

	out     io.Writer
	admin   KeyPair
	apiURL  string
	procs   []*Proc
	cancel  context.CancelFunc
	cleanup []func()
	coreCA  *CA
	// coreMetrics is core's Prometheus endpoint.
	coreMetrics string
	// functionAddr is where the function the harness runs for Crossplane listens.
	functionAddr string
}

// Up brings up the control plane and installs xapp the way the README says, printing each step's
// time to out. On error the harness is returned too, so its logs can be kept and it can be stopped.
func Up(ctx context.Context, env Env, out io.Writer) (*Harness, error) {
	dir, err := os.MkdirTemp("", "xapp-e2e-")
	if err != nil {
		return nil, errors.Wrap(err, "cannot create the harness's folder")
	}
	h := &Harness{Env: env, Dir: dir, Logs: filepath.Join(dir, "logs"), out: out}
	if err := os.MkdirAll(h.Logs, 0o750); err != nil {
		return h, errors.Wrap(err, "cannot create the log folder")
	}
	ctx, h.cancel = context.WithCancel(ctx)
	start := time.Now()
	for _, s := range []struct {
		name string
		fn   func(context.Context) error
	}{
		{"control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok + 1 Node)", h.controlPlane},
		{"CRDs of the gateway API, CloudNativePG, the Prometheus operator, KEDA and External Secrets", h.thirdPartyCRDs},
		{"Crossplane core init + start with webhooks, RBAC manager", h.crossplane},
		{"loopback OCI registry with the three packages", h.registry},
		{"CMDB test servers, stand-ins for a gateway controller, CloudNativePG, ESO and KEDA", h.outsideWorld},
		{"xapp installed (ClusterRole, Configuration; function and provider resolved and served)", h.install},
	} {
		t := time.Now()
		if err := s.fn(ctx); err != nil {
			return h, errors.Wrapf(err, "bring-up: %s", s.name)
		}
		h.Printf("bring-up: %-95s %5.1fs", s.name, time.Since(t).Seconds())
	}
	h.Printf("bring-up: %-95s %5.1fs", "total", time.Since(start).Seconds())
	return h, nil
}

// Printf prints a line of the harness's report.
func (h *Harness) Printf(format string, args ...any) {
	_, _ = fmt.Fprintf(h.out, format+"\n", args...)
}

// Stop stops every process by its PID, newest first, and removes the harness's folder unless
// keepLogs, in which case it says where the logs are.
func (h *Harness) Stop(keepLogs bool) {
	if h.cancel != nil {
		h.cancel()
	}
	for i := len(h.procs) - 1; i >= 0; i-- {
		h.procs[i].Stop(10 * time.Second)
	}
	for i := len(h.cleanup) - 1; i >= 0; i-- {
		h.cleanup[i]()
	}
	if keepLogs {
		h.Printf("e2e: logs kept in %s", h.Logs)
		return
	}
	_ = os.RemoveAll(h.Dir)
}

func (h *Harness) path(name string) string { return filepath.Join(h.Dir, name) }

// start runs a process whose log goes to the harness's log folder, and stops it with the harness.
func (h *Harness) start(name, bin string, args ...string) (*Proc, error) {
	return h.startEnv(name, bin, nil, args...)
}

func (h *Harness) startEnv(name, bin string, env []string, args ...string) (*Proc, error) {
	p, err := start(h.Logs, name, bin, args, env)
	if err != nil {
		return nil, err
	}
	h.procs = append(h.procs, p)
	return p, nil
}

// Scheme knows every type the harness and tests read and write.
func Scheme() (*runtime.Scheme, error) {
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		clientgoscheme.AddToScheme, apiextensionsv1.AddToScheme, pkgv1.AddToScheme, pkgv1beta1.AddToScheme,
		xpextv1.AddToScheme, cmdb.AddToScheme, gatewayv1.Install,
	} {
		if err := add(s); err != nil {
			return nil, errors.Wrap(err, "cannot build the scheme")
		}
	}
	return s, nil
}

func (h *Harness) connect() error {
	s, err := Scheme()
	if err != nil {
		return err
	}
	cfg := rest.CopyConfig(h.Config)
	// The tests create a hundred apps at once; the client's default 5 QPS would measure itself.
	cfg.QPS, cfg.Burst = 500, 1000
	// The API server's warnings (finalizer names, an XAppPolicy's Warn bindings) are what tests
	// read from kubectl; through this client they would only print controller-runtime's
	// "log.SetLogger was never called" stack.
	cfg.WarningHandlerWithContext = rest.NoWarnings{}
	h.Config = cfg
	c, err := client.New(cfg, client.Options{Scheme: s})
	if err != nil {
		return errors.Wrap(err, "cannot make a client")
	}
	h.Client = c
	return nil
}

// PackageName is the name Crossplane gave the package it installed from file's dependency.
func (h *Harness) PackageName(file string) string {
	n, _ := xpkg.PackageName(h.Env.Registry + "/" + packageRepositories[file])
	return n
}
