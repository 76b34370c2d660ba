package fn

import (
	"fmt"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"

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
	st := v1alpha1.XAppStatus{URL: routeURL(a, observed[ResourceIngress].GetResource()), Image: a.spec.Image, Digest: a.digest, Replicas: replicaStatus(d), Deploy: deployStatus(a, d), Links: links(a),
		LoadBalancer: loadBalancerAddress(observed[ResourceLoadBalancer].GetResource()), PolicyWarnings: a.policyWarnings}
	if a.spec.CMDB != nil {
		st.CMDB = observedRecord(observed[ResourceCMDBItem].GetResource())
	}
	return st
}

// annotationRevision is the Deployment controller's rollout revision.
const annotationRevision = "deployment.kubernetes.io/revision"

// deployStatus is the app's latest rollout as its Deployment tells it: nil until the Deployment
// controller has given it a revision. Judged as readiness judges the Deployment, so status and
// AppReady never disagree.
func deployStatus(a *app, d *observedDeployment) *v1alpha1.DeployStatus {
	if d == nil {
		return nil
	}
	rev, err := strconv.ParseInt(d.Metadata.Annotations[annotationRevision], 10, 64)
	if err != nil || rev < 1 {
		return nil
	}
	ds := &v1alpha1.DeployStatus{Revision: rev, Outcome: v1alpha1.DeployInProgress}
	for i, c := range d.Spec.Template.Spec.Containers {
		if i == 0 || c.Name == a.name {
			ds.Image = c.Image
		}
	}
	switch h := deploymentHealth(a.name, a.generation, d); {
	case h.ready:
		ds.Outcome = v1alpha1.DeploySucceeded
	case h.failed:
		ds.Outcome = v1alpha1.DeployFailed
	}
	if c := progressing(d); c != nil && !c.LastUpdateTime.IsZero() {
		ds.Time = &c.LastUpdateTime
	}
	return ds
}

func progressing(d *observedDeployment) *appsv1.DeploymentCondition {
	for i := range d.Status.Conditions {
		if d.Status.Conditions[i].Type == appsv1.DeploymentProgressing {
			return &d.Status.Conditions[i]
		}
	}
	return nil
}

// links fills the platform's link templates in with the app's namespace and name; nil when the
// platform templates none.
func links(a *app) *v1alpha1.Links {
	l := a.in.Links
	if l == nil || (l.Dashboard == "" && l.Metrics == "") {
		return nil
	}
	r := strings.NewReplacer("{namespace}", a.namespace, "{name}", a.name)
	return &v1alpha1.Links{Dashboard: r.Replace(l.Dashboard), Metrics: r.Replace(l.Metrics)}
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
		switch {
		case st.Job != nil:
			msg = jobSummary(st.Job)
		case st.Replicas != nil && st.Replicas.Desired == 0:
			// Idle under KEDA, or replicas: 0: available for what it is asked, not serving.
			msg = "app scaled to zero"
		case st.Replicas != nil:
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
