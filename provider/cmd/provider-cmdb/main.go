// Command provider-cmdb runs the Crossplane provider that registers applications in a CMDB
// (ServiceNow or iTop) as ConfigurationItem and Relationship managed resources.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/tools/leaderelection/resourcelock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/crossplane/crossplane-runtime/v2/pkg/controller"
	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/feature"
	"github.com/crossplane/crossplane-runtime/v2/pkg/gate"
	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	"github.com/crossplane/crossplane-runtime/v2/pkg/ratelimiter"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/customresourcesgate"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"

	"github.com/xapp-dev/xapp/apis/cmdb"
	cmdbcontroller "github.com/xapp-dev/xapp/provider/internal/controller"
)

const (
	errGetConfig    = "cannot get API server config"
	errNewManager   = "cannot create manager"
	errAddScheme    = "cannot add provider-cmdb APIs to scheme"
	errAddCRDScheme = "cannot add CRDs to scheme"
	errSetupGate    = "cannot set up the CRD gate"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "provider-cmdb:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("provider-cmdb", flag.ContinueOnError)
	var (
		debug          = fs.Bool("debug", false, "Log at debug level, including controller-runtime's own logs.")
		leaderElection = fs.Bool("leader-election", envBool("LEADER_ELECTION"), "Elect a leader among replicas (env LEADER_ELECTION).")
		pollInterval   = fs.Duration("poll", time.Minute, "How often each record is checked for drift, e.g. someone editing it in the CMDB.")
		syncInterval   = fs.Duration("sync", time.Hour, "How often the informer cache resyncs every resource.")
		maxRate        = fs.Int("max-reconcile-rate", 10, "Reconciles per second across all controllers; also the API client's QPS and the workers per controller.")
		safeStart      = fs.Bool("safe-start", true, "Start each controller only once its CRD is installed (Crossplane's safe-start capability).")
		metricsAddr    = fs.String("metrics-bind-address", ":8080", "Address of the Prometheus metrics endpoint; 0 turns it off (out of a cluster, two processes cannot share :8080).")
	)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}

	zl := zap.New(zap.UseDevMode(*debug))
	log := logging.NewLogrLogger(zl.WithName("provider-cmdb"))
	// controller-runtime is very chatty at info level: only let it speak in debug mode.
	ctrl.SetLogger(zap.New(zap.WriteTo(io.Discard)))
	if *debug {
		ctrl.SetLogger(zl)
	}

	cfg, err := ctrl.GetConfig()
	if err != nil {
		return errors.Wrap(err, errGetConfig)
	}
	mgr, err := ctrl.NewManager(ratelimiter.LimitRESTConfig(cfg, *maxRate), ctrl.Options{
		Cache:                      cache.Options{SyncPeriod: syncInterval},
		Metrics:                    metricsserver.Options{BindAddress: *metricsAddr},
		LeaderElection:             *leaderElection,
		LeaderElectionID:           "crossplane-leader-election-provider-cmdb",
		LeaderElectionResourceLock: resourcelock.LeasesResourceLock,
		// Longer than the defaults: losing the lease under load restarts every controller.
		LeaseDuration: new(60 * time.Second),
		RenewDeadline: new(50 * time.Second),
	})
	if err != nil {
		return errors.Wrap(err, errNewManager)
	}
	if err := cmdb.AddToScheme(mgr.GetScheme()); err != nil {
		return errors.Wrap(err, errAddScheme)
	}
	if err := apiextensionsv1.AddToScheme(mgr.GetScheme()); err != nil {
		return errors.Wrap(err, errAddCRDScheme)
	}

	mr := managed.NewMRMetricRecorder()
	metrics.Registry.MustRegister(mr)
	o := controller.Options{
		Logger:                  log,
		MaxConcurrentReconciles: *maxRate,
		PollInterval:            *pollInterval,
		GlobalRateLimiter:       ratelimiter.NewGlobal(*maxRate),
		Features:                &feature.Flags{},
		MetricOptions:           &controller.MetricOptions{MRMetrics: mr},
	}

	if *safeStart {
		o.Gate = new(gate.Gate[schema.GroupVersionKind])
		if err := customresourcesgate.Setup(mgr, o); err != nil {
			return errors.Wrap(err, errSetupGate)
		}
		err = cmdbcontroller.SetupGated(mgr, o)
	} else {
		err = cmdbcontroller.Setup(mgr, o)
	}
	if err != nil {
		return err
	}
	log.Info("Starting", "poll", *pollInterval, "max-reconcile-rate", *maxRate, "safe-start", *safeStart, "leader-election", *leaderElection)
	return mgr.Start(ctrl.SetupSignalHandler())
}

func envBool(name string) bool {
	v := os.Getenv(name)
	return v == "true" || v == "1"
}
