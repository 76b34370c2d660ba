// Package controllertest runs provider-cmdb's controllers in tests the way the binary does, so that
// each controller's tests can start, kill and restart a provider without repeating how.
package controllertest

import (
	"context"
	"testing"

	"sigs.k8s.io/controller-runtime/pkg/manager"
)

// Start runs mgr until the returned stop function is called or the test ends. stop waits for the
// manager to exit, which is how a test kills the provider at a chosen moment; calling it twice is
// harmless.
func Start(tb testing.TB, mgr manager.Manager) (stop func()) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := mgr.Start(ctx); err != nil {
			tb.Errorf("manager: %v", err)
		}
	}()
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			cancel()
			<-done
		}
	}
	tb.Cleanup(stop)
	return stop
}
