package e2e

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"
)

// h is the harness every test shares: bringing up a control plane costs tens of seconds, so it is
// brought up once for the package.
var h *Harness

func TestMain(m *testing.M) {
	if !Wanted() {
		// Plain `go test ./...`: every test skips (see live).
		os.Exit(m.Run())
	}
	env, err := FromEnvironment()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	h, err = Up(context.Background(), env, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		if h != nil {
			h.Stop(true)
		}
		os.Exit(1)
	}
	code := m.Run()
	h.Stop(code != 0)
	os.Exit(code)
}

// live skips the test when the end-to-end tests were not asked for; otherwise h is up.
func live(t *testing.T) {
	t.Helper()
	if h == nil {
		t.Skipf("the end-to-end tests run under `make e2e` (or `make test`), which sets %s and the binaries' paths", EnvRun)
	}
}

// scenario runs one scenario as a subtest and prints its time, passed or not.
func scenario(t *testing.T, name string, fn func(t *testing.T, ctx context.Context)) bool {
	t.Helper()
	start := time.Now()
	ok := t.Run(name, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		fn(t, ctx)
	})
	result := "ok"
	if !ok {
		result = "FAILED"
	}
	h.Printf("scenario: %-70s %6.1fs %s", name, time.Since(start).Seconds(), result)
	return ok
}

// TestLive runs the scenarios in order: later ones work on the apps earlier ones made.
func TestLive(t *testing.T) {
	live(t)
	scenario(t, "packages Healthy, XRDs Established", testPackages)
	scenario(t, "minimal app Ready", testMinimalApp)
	scenario(t, "app routed by Ingress Ready with its URL", testIngressApp)
	scenario(t, "TLS and TCP ports through the gateway: TLSRoute and TCPRoute accepted, app Ready", testGatewayRoutes)
	scenario(t, "KEDA and store secrets: Ready once Secrets written, Deployment after them", testEventsApp)
	scenario(t, "job Ready once its Job completes; cronjob Ready when scheduled", testJobs)
	if !scenario(t, "full app Ready with url, replicas, image, database, cmdb", testFullApp) {
		t.Fatal("the scenarios after this one work on the full app")
	}
	scenario(t, "kubectl get xapp shop", testKubectlGet)
	scenario(t, "legacy claim Ready", testClaim)
	scenario(t, "bad input shown on the claim", testClaimBadInput)
	scenario(t, "bad input on an XApp: schema refusal, Fatal naming the field", testXAppBadInput)
	scenario(t, "image update: rollout in AppReady, then Ready", testImageUpdate)
	scenario(t, "business service changed: the app recovers", testBusinessService)
	scenario(t, "CMDB record edited by hand is corrected", testHandEdit)
	scenario(t, "a record in iTop, created and retired", testITop)
	scenario(t, "a rollout announced once and recorded once in the CMDB, not again on a reconcile", testDayTwo)
	// The deletion waits on Crossplane's 30 s Usage poll; the load scenario runs meanwhile.
	scenario(t, "delete the full app (checked after the next scenario)", testDeleteStart)
	scenario(t, "100 apps at once all Ready (while the full app is deleted)", testHundredApps)
	scenario(t, "delete: database outlives pods, CMDB retired, nothing left", testDeleteCheck)
	if cb, err := h.CircuitBreaker(context.Background()); err == nil {
		h.Printf("core's XR circuit breaker: %s", cb)
	}
}
