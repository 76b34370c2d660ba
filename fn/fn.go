// Package fn is function-xapp: a Crossplane composition function that turns one XApp into the
// Kubernetes objects that run it, with real readiness and a status a developer can act on.
//
// RunFunction only orchestrates: decode, validate, apply the platform's policy, compose, judge
// readiness, write status. Each concern lives in its own file as pure functions of an app, so each is
// tested on its own and the whole stays cheap enough to run on every reconcile of every app.
package fn

import (
	"context"
	"maps"
	"strings"

	"google.golang.org/protobuf/types/known/structpb"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/response"

	"github.com/xapp-dev/xapp/input/v1beta1"
	"github.com/xapp-dev/xapp/internal/pbjson"
)

const (
	errDecodeInput = "cannot decode the function's input"
	errInvalid     = "invalid app"
	errPolicy      = "the app breaks the platform's policy"
	errEncode      = "cannot encode composed resource"
	errStatus      = "cannot encode the app's status"
)

// Function is function-xapp's gRPC service.
type Function struct {
	fnv1.UnimplementedFunctionRunnerServiceServer

	log logging.Logger
}

// New returns the function, logging through log.
func New(log logging.Logger) *Function {
	return &Function{log: log}
}

// RunFunction composes the app described by the observed XR.
func (f *Function) RunFunction(_ context.Context, req *fnv1.RunFunctionRequest) (*fnv1.RunFunctionResponse, error) {
	rsp := response.To(req, response.DefaultTTL)

	in := &v1beta1.Input{}
	if s := req.GetInput(); s != nil {
		if err := pbjson.Decode(s, in); err != nil {
			fatal(rsp, errors.Wrap(err, errDecodeInput))
			return rsp, nil
		}
	}

	appName, namespace, spec, errs := decodeXR(req.GetObserved().GetComposite().GetResource())
	if len(errs) > 0 {
		fatal(rsp, fieldErrors(errInvalid, errs))
		return rsp, nil
	}
	image, errs := validate(appName, namespace, &spec)
	if len(errs) > 0 {
		fatal(rsp, fieldErrors(errInvalid, errs))
		return rsp, nil
	}
	a := newApp(appName, namespace, spec, in, image)
	warnings, errs := policy(a)
	if len(errs) > 0 {
		fatal(rsp, fieldErrors(errPolicy, errs))
		return rsp, nil
	}
	for _, w := range warnings {
		response.Warning(rsp, errors.New(w)).TargetCompositeAndClaim()
	}

	ds, stop := planDataServices(req, rsp, a)
	if stop {
		return rsp, nil
	}
	ds.bindPods(a)

	observed := req.GetObserved().GetResources()
	dep := decodeDeployment(observed[ResourceDeployment].GetResource())
	objs := compose(a, dep, ds)

	desired := make(map[string]*fnv1.Resource, len(objs))
	hs := make([]health, 0, len(objs))
	waitsUncomposed, composedReady := false, true
	for _, o := range objs {
		h := o.health(observed[o.name].GetResource())
		hs = append(hs, h)
		if o.obj == nil {
			// A wait for something the app does not compose (a data service's Secret).
			waitsUncomposed = waitsUncomposed || !h.ready
			continue
		}
		s, err := pbjson.Encode(o.obj)
		if err != nil {
			// Our own objects always encode; failing loudly beats composing half an app.
			fatal(rsp, errors.Wrapf(err, "%s %q", errEncode, o.name))
			return rsp, nil
		}
		r := &fnv1.Resource{Resource: s, Ready: fnv1.Ready_READY_FALSE}
		if h.ready {
			r.Ready = fnv1.Ready_READY_TRUE
		}
		composedReady = composedReady && h.ready
		desired[o.name] = r
	}
	if rsp.Desired == nil {
		rsp.Desired = &fnv1.State{}
	}
	if rsp.Desired.Resources == nil {
		rsp.Desired.Resources = desired
	} else {
		maps.Copy(rsp.Desired.Resources, desired)
	}

	st := appStatus(a, dep, observed)
	ds.setStatus(&st)
	if err := setStatus(rsp, st); err != nil {
		fatal(rsp, errors.Wrap(err, errStatus))
		return rsp, nil
	}
	setAppReady(rsp, st, hs)
	if waitsUncomposed && composedReady {
		// Crossplane derives the XR's readiness from composed resources only; the app is not
		// ready while its pods still wait for a data service's Secret, even if all of those are.
		// Only then is it said explicitly: that would also drop Crossplane's own list of
		// unready resources, which is worth keeping whenever there is one.
		rsp.Desired.Composite.Ready = fnv1.Ready_READY_FALSE
	}
	return rsp, nil
}

// fatal stops the composition with err. It targets the claim too: a developer who wrote an App claim
// must see why their app is not composed without looking for the cluster-scoped XR.
func fatal(rsp *fnv1.RunFunctionResponse, err error) {
	response.Fatal(rsp, err)
	rsp.Results[len(rsp.Results)-1].Target = fnv1.Target_TARGET_COMPOSITE_AND_CLAIM.Enum()
}

// setStatus merges the app's status into the desired XR, keeping what earlier pipeline steps set.
func setStatus(rsp *fnv1.RunFunctionResponse, st any) error {
	s, err := pbjson.Encode(st)
	if err != nil {
		return err
	}
	if rsp.Desired.Composite == nil {
		rsp.Desired.Composite = &fnv1.Resource{}
	}
	xr := rsp.Desired.Composite.Resource
	if xr == nil {
		xr = &structpb.Struct{Fields: map[string]*structpb.Value{}}
		rsp.Desired.Composite.Resource = xr
	}
	cur := xr.Fields["status"].GetStructValue()
	if cur == nil {
		xr.Fields["status"] = structpb.NewStructValue(s)
		return nil
	}
	maps.Copy(cur.Fields, s.Fields)
	return nil
}

// fieldErrors renders every field error on its own clause, so one Fatal result tells the developer
// everything to fix: `invalid app: spec.ports[1].port: Invalid value: 70000: must be between 1 and
// 65535`.
func fieldErrors(prefix string, errs field.ErrorList) error {
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
	}
	return errors.New(prefix + ": " + strings.Join(msgs, "; "))
}
