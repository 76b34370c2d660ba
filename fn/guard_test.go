package fn

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// TestPanicBecomesFatal serves the function over gRPC on loopback, the way Crossplane calls it, with
// a composition that panics for one app: that app gets a Fatal result naming it, and the same server
// goes on composing the next app.
func TestPanicBecomesFatal(t *testing.T) {
	f := New(logging.NewNopLogger())
	f.compose = func(req *fnv1.RunFunctionRequest) *fnv1.RunFunctionResponse {
		if xrName(req) == "team-shop/boom" {
			panic(errors.New("assignment to entry in nil map")) // The kind of bug a guard exists for.
		}
		return runFunction(req)
	}

	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	fnv1.RegisterFunctionRunnerServiceServer(srv, Served(f))
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	client := fnv1.NewFunctionRunnerServiceClient(conn)

	call := func(name string) *fnv1.RunFunctionResponse {
		t.Helper()
		xr := mustStruct(t, `{apiVersion: platform.xapp.dev/v1alpha1, kind: XApp, metadata: {name: `+name+`, namespace: team-shop}, spec: {image: "ghcr.io/acme/shop:1"}}`)
		rsp, err := client.RunFunction(context.Background(), &fnv1.RunFunctionRequest{Observed: &fnv1.State{Composite: &fnv1.Resource{Resource: xr}}})
		if err != nil {
			t.Fatalf("RunFunction(%s) over gRPC: %v", name, err)
		}
		return rsp
	}

	cases := map[string]struct {
		reason    string
		app       string
		wantFatal string
		wantCount int
	}{
		"Panics": {
			reason:    "A panic while composing one app is that app's Fatal result, naming the app.",
			app:       "boom",
			wantFatal: "cannot compose app team-shop/boom: function-xapp failed while composing it (assignment to entry in nil map)",
		},
		"NextAppComposes": {
			reason:    "The same server composes the next app as if nothing happened.",
			app:       "shop",
			wantCount: 4,
		},
	}
	// Order matters: the panic first, then the app after it.
	for _, name := range []string{"Panics", "NextAppComposes"} {
		tc := cases[name]
		t.Run(name, func(t *testing.T) {
			rsp := call(tc.app)
			fatal := fatalMessage(rsp)
			if tc.wantFatal == "" && fatal != "" {
				t.Errorf("%s\nunexpected Fatal: %s", tc.reason, fatal)
			}
			if !strings.HasPrefix(fatal, tc.wantFatal) {
				t.Errorf("%s\nFatal = %q, want it to start with %q", tc.reason, fatal, tc.wantFatal)
			}
			if got := len(rsp.GetDesired().GetResources()); got != tc.wantCount {
				t.Errorf("%s\n%d desired resources, want %d", tc.reason, got, tc.wantCount)
			}
		})
	}
}
