package fn

import (
	"fmt"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/response"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
)

// ConditionAppReady summarises the app for a developer. Crossplane's own Ready condition lists which
// composed resources are not ready; this one says why, in the words of the object that waits.
const ConditionAppReady = "AppReady"

// Reasons of the AppReady condition.
const (
	ReasonAvailable = "Available"
	ReasonWaiting   = "Waiting"
	ReasonFailed    = "Failed"
)

// appStatus is what the XApp's status says: where the app is, what runs and how many pods serve.
func appStatus(a *app, d *observedDeployment, observed map[string]*fnv1.Resource) v1alpha1.XAppStatus {
	st := v1alpha1.XAppStatus{URL: a.url(), Image: a.spec.Image, Replicas: replicaStatus(d),
		LoadBalancer: loadBalancerAddress(observed[ResourceLoadBalancer].GetResource())}
	if a.spec.CMDB != nil {
		st.CMDB = observedRecord(observed[ResourceCMDBItem].GetResource())
	}
	return st
}

// setAppReady writes the AppReady condition from the composed resources' health, in composition
// order: the first one that is not ready is the one to talk about.
func setAppReady(rsp *fnv1.RunFunctionResponse, st v1alpha1.XAppStatus, hs []health) {
	var first *health
	notReady := 0
	for i := range hs {
		if hs[i].ready {
			continue
		}
		notReady++
		if first == nil || (hs[i].failed && !first.failed) {
			first = &hs[i]
		}
	}
	if first == nil {
		msg := "app is available"
		if st.Replicas != nil {
			msg = fmt.Sprintf("%d of %d replicas available", st.Replicas.Available, st.Replicas.Desired)
		}
		if st.URL != "" {
			msg += " at " + st.URL
		}
		if st.LoadBalancer != "" {
			msg += ", load balancer at " + st.LoadBalancer
		}
		response.ConditionTrue(rsp, ConditionAppReady, ReasonAvailable).WithMessage(msg).TargetCompositeAndClaim()
		return
	}
	msg := first.why
	if notReady > 1 {
		msg += fmt.Sprintf(" (%d more not ready)", notReady-1)
	}
	reason := ReasonWaiting
	if first.failed {
		reason = ReasonFailed
	}
	response.ConditionFalse(rsp, ConditionAppReady, reason).WithMessage(msg).TargetCompositeAndClaim()
}
