// Package fn is function-xapp: a Crossplane composition function that turns one XApp into the
// Kubernetes objects that run it, with real readiness and a status a developer can act on.
//
// RunFunction only orchestrates: decode, validate, apply the platform's policy, compose, judge
// readiness, write status. Each concern lives in its own file as pure functions of an app, so each is
// tested on its own and the whole stays cheap enough to run on every reconcile of every app.
package fn

import (
	"context"
	"fmt"
	"maps"
	"runtime/debug"
	"strings"

	"google.golang.org/protobuf/types/known/structpb"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/response"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
	"github.com/xapp-dev/xapp/input/v1beta1"
	"github.com/xapp-dev/xapp/internal/pbjson"
)

const (
	errDecodeInput = "cannot decode the function's input"
	errInvalid     = "invalid app"
	errPolicy      = "the app breaks the platform's policy"
	errEncode      = "cannot encode composed resource"
	errStatus      = "cannot encode the app's status"
	errPanic       = "cannot compose app %s: function-xapp failed while composing it (%v); this is a bug in function-xapp, please report it with the app's spec"

	msgWaitEnvironment = "waiting for EnvironmentConfig %q, which the function's Input names in dataServices.environmentConfig: Crossplane has not sent it yet; the app's data services compose once it does"
)

// Function is function-xapp's gRPC service.
type Function struct {
	fnv1.UnimplementedFunctionRunnerServiceServer

	log logging.Logger
	// compose answers one request; RunFunction guards it. Tests replace it to prove the guard.
	compose func(*fnv1.RunFunctionRequest) *fnv1.RunFunctionResponse
}

// New returns the function, logging through log.
func New(log logging.Logger) *Function {
	return &Function{log: log, compose: runFunction}
}

// RunFunction composes the app described by the observed XR. A panic while composing one app
// becomes that app's Fatal result: one bad app never takes the function down for all the others.
func (f *Function) RunFunction(_ context.Context, req *fnv1.RunFunctionRequest) (rsp *fnv1.RunFunctionResponse, err error) {
	xr := xrName(req)
	defer func() {
		if p := recover(); p != nil {
			f.log.Info("panic while composing the app; answering with a Fatal result", "xr", xr, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			rsp = response.To(req, response.DefaultTTL)
			fatal(rsp, errors.Errorf(errPanic, xr, p))
			err = nil
		}
	}()
	rsp = f.compose(req)
	f.logResult(xr, rsp)
	return rsp, nil
}

// logResult logs one line per request at debug, and every Fatal at info: a platform team must see
// why an app does not compose without turning on debug logs.
func (f *Function) logResult(xr string, rsp *fnv1.RunFunctionResponse) {
	for _, r := range rsp.GetResults() {
		if r.GetSeverity() == fnv1.Severity_SEVERITY_FATAL {
			f.log.Info("cannot compose the app", "xr", xr, "error", r.GetMessage())
			return
		}
	}
	appReady := ""
	for _, c := range rsp.GetConditions() {
		if c.GetType() == ConditionAppReady {
			appReady = c.GetStatus().String() + " " + c.GetReason() + ": " + c.GetMessage()
		}
	}
	// The verdict the function gave, so a stale condition Crossplane shows can be told from ours.
	f.log.Debug("composed the app", "xr", xr, "resources", len(rsp.GetDesired().GetResources()), "results", len(rsp.GetResults()), "appReady", appReady)
}

// runFunction orchestrates one request: decode, validate, apply the platform's policy, plan data
// services, compose, judge readiness, write status. It is the only code that writes results,
// requirements and conditions to the response.
func runFunction(req *fnv1.RunFunctionRequest) *fnv1.RunFunctionResponse {
	if xrKind(req) == v1alpha1.XAppPolicyKind {
		return composePolicy(req)
	}
	rsp := response.To(req, response.DefaultTTL)

	in := &v1beta1.Input{}
	if s := req.GetInput(); s != nil {
		if err := pbjson.Decode(s, in); err != nil {
			fatal(rsp, errors.Wrap(err, errDecodeInput))
			return rsp
		}
	}

	appName, namespace, spec, errs := decodeXR(req.GetObserved().GetComposite().GetResource())
	if len(errs) > 0 {
		fatal(rsp, fieldErrors(errInvalid, errs))
		return rsp
	}
	image, errs := validate(appName, namespace, &spec)
	if len(errs) > 0 {
		fatal(rsp, fieldErrors(errInvalid, errs))
		return rsp
	}
	reqs := newRequirements(req)
	defer reqs.writeTo(rsp)
	verdict, err := judgeByPolicies(reqs, req.GetObserved().GetComposite().GetResource(), namespace)
	switch {
	case err != nil:
		fatal(rsp, err)
		return rsp
	case len(verdict.denied) > 0:
		fatal(rsp, errors.New(errPolicy+": "+strings.Join(verdict.denied, "; ")))
		return rsp
	case verdict.governed:
		in = governedInput(in)
	}
	a := newApp(appName, namespace, spec, in, image)
	a.generation = xrGeneration(req.GetObserved().GetComposite().GetResource())
	a.governed, a.policyWarnings = verdict.governed, verdict.warned
	a.digest = runningDigest(a, reqs, req.GetObserved().GetComposite().GetResource())
	warnings, errs := policy(a)
	if len(errs) > 0 {
		fatal(rsp, fieldErrors(errPolicy, errs))
		return rsp
	}
	warnings = append(append(verdict.warned, requireSignatures(a, verdict)...), warnings...)

	observed := req.GetObserved().GetResources()
	ds, wait, err := planData(a, req.GetInput(), observed, reqs)
	switch {
	case err != nil:
		fatal(rsp, err)
		return rsp
	case wait != "":
		waitForRequired(rsp, wait)
		return rsp
	case ds != nil:
		ds.bindPods(a)
		warnings = append(warnings, ds.warnings...)
	}
	for _, w := range warnings {
		response.Warning(rsp, errors.New(w)).TargetCompositeAndClaim()
	}

	dep := decodeDeployment(observed[ResourceDeployment].GetResource())
	stores := externalSecrets(a)
	a.pendingSecret = pendingStoreSecret(a, stores, observed)
	st := appStatus(a, dep, observed)
	var jp *jobPlan
	if a.isJob() {
		if jp, err = planJob(a, ds, observed); err != nil {
			fatal(rsp, err)
			return rsp
		}
		st.Job = jp.status
	}
	objs := append(compose(a, dep, ds, jp, stores), announcements(a, st.Deploy, observed)...)
	objs = append(objs, changeRecords(a, st.Deploy, observed)...)
	if err := composeInto(rsp, objs, observed, st, ds); err != nil {
		fatal(rsp, err)
		return rsp
	}
	announceRollout(rsp, req.GetObserved().GetComposite().GetResource(), st.Deploy)
	return rsp
}

// planData plans the app's data services, asking through reqs for what it needs: nil for an app
// without any; wait says what the app waits for when Crossplane has yet to send it.
func planData(a *app, input *structpb.Struct, observed map[string]*fnv1.Resource, reqs *requirements) (ds *dataPlan, wait string, err error) {
	if !hasDataServices(a) {
		return nil, "", nil
	}
	s, answered, err := dataSettings(a.in, input, reqs)
	if err != nil {
		return nil, "", err
	}
	if !answered {
		return nil, fmt.Sprintf(msgWaitEnvironment, a.in.DataServices.EnvironmentConfig), nil
	}
	secretExists := func(name string) bool { return reqs.exists("secret-"+name, secretSelector(a.namespace, name)) }
	if ds, err = planDataServices(a, s, observed, secretExists); err != nil {
		return nil, "", err
	}
	if errs := ds.envErrors(a); len(errs) > 0 {
		return nil, "", fieldErrors(errInvalid, errs)
	}
	return ds, "", nil
}

// composeInto writes the composed objects, their readiness, the app's status and its AppReady
// condition into the response.
func composeInto(rsp *fnv1.RunFunctionResponse, objs []object, observed map[string]*fnv1.Resource, st v1alpha1.XAppStatus, ds *dataPlan) error {
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
			return errors.Wrapf(err, "%s %q", errEncode, o.name)
		}
		r := &fnv1.Resource{Resource: s, Ready: fnv1.Ready_READY_FALSE}
		if h.ready {
			r.Ready = fnv1.Ready_READY_TRUE
		}
		composedReady = composedReady && h.ready
		desired[o.name] = r
	}
	ensureDesired(rsp)
	if rsp.Desired.Resources == nil {
		rsp.Desired.Resources = desired
	} else {
		maps.Copy(rsp.Desired.Resources, desired)
	}

	ds.setStatus(&st)
	if err := setStatus(rsp, st); err != nil {
		return errors.Wrap(err, errStatus)
	}
	setAppReady(rsp, st, hs)
	if waitsUncomposed && composedReady {
		// Crossplane derives the XR's readiness from composed resources only; the app is not
		// ready while its pods still wait for a data service's Secret, even if all of those are.
		// Only then is it said explicitly: that would also drop Crossplane's own list of
		// unready resources, which is worth keeping whenever there is one.
		rsp.Desired.Composite.Ready = fnv1.Ready_READY_FALSE
	}
	return nil
}

// waitForRequired answers a request whose app cannot be composed before Crossplane sends a resource
// the function asked for. Crossplane calls again once it has fetched it and keeps only that answer;
// a caller that never sends it (one that knows neither requirements field) leaves this one, which
// must not read as a Ready app with nothing in it.
func waitForRequired(rsp *fnv1.RunFunctionResponse, msg string) {
	response.Warning(rsp, errors.New(msg)).TargetCompositeAndClaim()
	response.ConditionFalse(rsp, ConditionAppReady, ReasonWaiting).WithMessage(msg).TargetCompositeAndClaim()
	ensureDesired(rsp)
	rsp.Desired.Composite.Ready = fnv1.Ready_READY_FALSE
}

func ensureDesired(rsp *fnv1.RunFunctionResponse) {
	if rsp.Desired == nil {
		rsp.Desired = &fnv1.State{}
	}
	if rsp.Desired.Composite == nil {
		rsp.Desired.Composite = &fnv1.Resource{}
	}
}

// fatal stops the composition with err. Crossplane puts a Fatal result's event and Synced=False on
// the XR only, so a developer who wrote an App claim would see nothing: the same words also go to
// the claim as a Warning and as the AppReady condition.
//
// The Warning comes first: Crossplane stops reading results at a Fatal one, so a Warning after it
// never becomes an event.
func fatal(rsp *fnv1.RunFunctionResponse, err error) {
	response.Warning(rsp, err).TargetCompositeAndClaim()
	response.Fatal(rsp, err)
	rsp.Results[len(rsp.Results)-1].Target = fnv1.Target_TARGET_COMPOSITE_AND_CLAIM.Enum()
	response.ConditionFalse(rsp, ConditionAppReady, ReasonFailed).WithMessage(err.Error()).TargetCompositeAndClaim()
}

// xrName names the observed XR for logs and panics: namespace/name, or the name of a cluster-scoped
// legacy XR. It reads only metadata, so it works on any input.
func xrName(req *fnv1.RunFunctionRequest) string {
	md := req.GetObserved().GetComposite().GetResource().GetFields()["metadata"].GetStructValue().GetFields()
	name := md["name"].GetStringValue()
	if ns := md["namespace"].GetStringValue(); ns != "" {
		return ns + "/" + name
	}
	return name
}

// xrKind is the observed XR's kind: function-xapp composes apps and the platform's policy.
func xrKind(req *fnv1.RunFunctionRequest) string {
	return req.GetObserved().GetComposite().GetResource().GetFields()["kind"].GetStringValue()
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
