package controllertest

import (
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	kruntime "k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	ctrlconfig "sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/crossplane/crossplane-runtime/v2/pkg/controller"
	"github.com/crossplane/crossplane-runtime/v2/pkg/feature"
	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	"github.com/crossplane/crossplane-runtime/v2/pkg/ratelimiter"

	"github.com/xapp-dev/xapp/apis/cmdb"
)

// crdDir is the provider package's CRDs, found from this file so that every controller's tests,
// at whatever depth, load the same ones.
func crdDir() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		panic("cannot locate controllertest's source, which the CRDs are found from")
	}
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "..", "package", "provider", "crds")
}

// ControlPlane runs a real kube-apiserver and etcd (envtest, from KUBEBUILDER_ASSETS) with the
// provider's CRDs until the test ends, and returns its config and a scheme of Kubernetes' and the
// provider's kinds.
func ControlPlane(tb testing.TB) (*rest.Config, *kruntime.Scheme) {
	tb.Helper()
	assets := os.Getenv("KUBEBUILDER_ASSETS")
	if assets == "" {
		tb.Fatal("KUBEBUILDER_ASSETS is not set: run `make envtest` and export KUBEBUILDER_ASSETS=$(make -s envtest), or run `make test`")
	}
	// controller-runtime takes the first logger it is given and logs every controller start and
	// stop; only show them when debugging.
	if os.Getenv("XAPP_DEBUG") != "" {
		ctrl.SetLogger(zap.New(zap.WriteTo(os.Stderr), zap.UseDevMode(true)))
	} else {
		ctrl.SetLogger(zap.New(zap.WriteTo(io.Discard)))
	}
	env := &envtest.Environment{BinaryAssetsDirectory: assets, CRDDirectoryPaths: []string{crdDir()}, ErrorIfCRDPathMissing: true}
	start := time.Now()
	cfg, err := env.Start()
	if err != nil {
		tb.Fatalf("cannot start kube-apiserver and etcd from %s: %v", assets, err)
	}
	tb.Logf("control plane started in %s", time.Since(start).Round(time.Millisecond))
	tb.Cleanup(func() {
		if err := env.Stop(); err != nil {
			tb.Errorf("cannot stop control plane: %v", err)
		}
	})
	s := kruntime.NewScheme()
	for _, add := range []func(*kruntime.Scheme) error{clientgoscheme.AddToScheme, cmdb.AddToScheme} {
		if err := add(s); err != nil {
			tb.Fatal(err)
		}
	}
	return cfg, s
}

// Manager is a manager as provider-cmdb's, without metrics or probes. Two managers in one process
// (before and after a simulated crash) register the same controller names, which controller-runtime
// refuses unless told it is deliberate.
func Manager(tb testing.TB, cfg *rest.Config, s *kruntime.Scheme) manager.Manager {
	tb.Helper()
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                  s,
		Metrics:                 metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress:  "0",
		GracefulShutdownTimeout: new(10 * time.Second),
		Controller:              ctrlconfig.Controller{SkipNameValidation: new(true)},
	})
	if err != nil {
		tb.Fatal(err)
	}
	return mgr
}

// Options are the controllers' options as provider-cmdb's, polling every pollInterval; the
// controllers log only when XAPP_DEBUG is set.
func Options(concurrency int, pollInterval time.Duration) controller.Options {
	log := logging.NewNopLogger()
	if os.Getenv("XAPP_DEBUG") != "" {
		log = logging.NewLogrLogger(ctrl.Log.WithName("provider-cmdb"))
	}
	return controller.Options{
		Logger:                  log,
		MaxConcurrentReconciles: concurrency,
		PollInterval:            pollInterval,
		GlobalRateLimiter:       ratelimiter.NewGlobal(100),
		Features:                &feature.Flags{},
	}
}
