package render

import (
	"context"
	"flag"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/function-sdk-go"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/request"
	"github.com/crossplane/function-sdk-go/resource"
	"github.com/crossplane/function-sdk-go/resource/composed"
	"github.com/crossplane/function-sdk-go/response"
)

// helperEnv makes the test binary act as a function binary when StartFunction
// re-executes it (see startHelper), so the harness is tested against real
// processes and a real gRPC server without depending on function-xapp.
const helperEnv = "XAPP_RENDER_TEST_HELPER"

// Helper modes.
const (
	helperServe = "serve" // a working function (greetFunction)
	helperExit  = "exit"  // exits at once, like a binary given a bad flag
	helperDeaf  = "deaf"  // runs but never listens
	helperCrash = "crash" // listens, then dies
)

func TestMain(m *testing.M) {
	mode := os.Getenv(helperEnv)
	if mode == "" {
		os.Exit(m.Run())
	}
	os.Exit(runHelper(mode, os.Args[1:]))
}

func runHelper(mode string, args []string) int {
	fs := flag.NewFlagSet("helper", flag.ContinueOnError)
	insecure := fs.Bool("insecure", false, "")
	address := fs.String("address", "", "")
	_ = fs.Bool("debug", false, "")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	serve := func() error {
		return function.Serve(&greetFunction{},
			function.Listen("tcp", *address),
			function.Insecure(*insecure),
			// The default :8080 would clash between helpers.
			function.WithMetricsServer(""))
	}
	switch mode {
	case helperServe:
		if err := serve(); err != nil {
			fmt.Fprintln(os.Stderr, "helper:", err)
			return 1
		}
	case helperExit:
		fmt.Fprintln(os.Stderr, "helper: refusing to serve on", *address)
		return 3
	case helperDeaf:
		fmt.Fprintln(os.Stderr, "helper: deaf on purpose")
		time.Sleep(time.Minute)
	case helperCrash:
		go func() {
			time.Sleep(200 * time.Millisecond)
			fmt.Fprintln(os.Stderr, "helper: crashing")
			os.Exit(4)
		}()
		_ = serve()
	}
	return 0
}

// startHelper starts the test binary as a function in the given mode.
func startHelper(ctx context.Context, t *testing.T, mode string) (*Function, error) {
	t.Helper()
	t.Setenv(helperEnv, mode)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	f, err := StartFunction(ctx, self, "--debug")
	if f != nil {
		t.Cleanup(func() { _ = f.Stop() })
	}
	return f, err
}

// greetFunction composes a ConfigMap holding the XR's spec.message, reports
// in the XR's status what it observed, and returns a Fatal result when
// spec.fatal is true.
type greetFunction struct {
	fnv1.UnimplementedFunctionRunnerServiceServer
}

func (greetFunction) RunFunction(_ context.Context, req *fnv1.RunFunctionRequest) (*fnv1.RunFunctionResponse, error) {
	rsp := response.To(req, response.DefaultTTL)

	oxr, err := request.GetObservedCompositeResource(req)
	if err != nil {
		response.Fatal(rsp, errors.Wrap(err, "cannot get observed XR"))
		return rsp, nil
	}
	if fatal, _ := oxr.Resource.GetBool("spec.fatal"); fatal {
		response.Fatal(rsp, errors.New("spec.fatal is true"))
		return rsp, nil
	}
	msg, _ := oxr.Resource.GetString("spec.message")

	cm := composed.New()
	cm.Object = map[string]any{
		"apiVersion": "v1",
		"kind":       "ConfigMap",
		"metadata":   map[string]any{"name": oxr.Resource.GetName() + "-greeting", "namespace": oxr.Resource.GetNamespace()},
		"data":       map[string]any{"message": msg},
	}
	if err := response.SetDesiredComposedResources(rsp, map[resource.Name]*resource.DesiredComposed{"greeting": {Resource: cm}}); err != nil {
		response.Fatal(rsp, errors.Wrap(err, "cannot set desired resources"))
		return rsp, nil
	}

	greeted := "nothing yet"
	observed, err := request.GetObservedComposedResources(req)
	if err != nil {
		response.Fatal(rsp, errors.Wrap(err, "cannot get observed resources"))
		return rsp, nil
	}
	if o, ok := observed["greeting"]; ok {
		greeted, _ = o.Resource.GetString("data.message")
	}
	dxr, err := request.GetDesiredCompositeResource(req)
	if err != nil {
		response.Fatal(rsp, errors.Wrap(err, "cannot get desired XR"))
		return rsp, nil
	}
	_ = dxr.Resource.SetString("status.greeted", greeted)
	if err := response.SetDesiredCompositeResource(rsp, dxr); err != nil {
		response.Fatal(rsp, errors.Wrap(err, "cannot set desired XR"))
		return rsp, nil
	}
	response.Normalf(rsp, "greeted %s", oxr.Resource.GetName())
	return rsp, nil
}
