package fn

import (
	"slices"

	"google.golang.org/protobuf/types/known/structpb"

	"github.com/xapp-dev/xapp/input/v1beta1"
)

// Composition resource names: how Crossplane tells the composed resources apart across reconciles.
// They never change for the life of an app.
const (
	ResourceServiceAccount = "serviceaccount"
	ResourceConfigMap      = "configmap"
	ResourceDeployment     = "deployment"
	ResourceService        = "service"
	ResourceLoadBalancer   = "load-balancer"
	// ResourceVolumePrefix starts the resource name of each persistent volume's claim:
	// volume-<volume name>.
	ResourceVolumePrefix = "volume-"
	// ResourceRoute, ResourceGRPCRoute and ResourceIngress are the route of each kind: a resource
	// name that changed kind would leave the old object composed by nobody and still routing the
	// host, since Crossplane deletes only what is no longer desired by name.
	ResourceRoute         = "route"
	ResourceGRPCRoute     = "route-grpc"
	ResourceIngress       = "ingress"
	ResourceAutoscaler    = "autoscaler"
	ResourceDisruption    = "disruption-budget"
	ResourceNetworkPolicy = "network-policy"
	ResourceCMDBItem      = "cmdb-item"
	// ResourceCMDBService is followed by a hash of the business service's id: see businessServiceLink.
	ResourceCMDBService = "cmdb-business-service"
)

// object is one composed resource: its composition resource name, the typed object, and how to tell
// from its observed state whether it is ready. An object without obj composes nothing and only
// reports what the app waits for (a Secret a provider has yet to write).
type object struct {
	name   string
	obj    any
	health func(observed *structpb.Struct) health
}

// compose returns the app's objects in a fixed order; readiness reports the first one not ready, so
// the order is also the order a developer hears about problems: the data services the workload
// waits for (ds, nil when the app has none), the ExternalSecrets its pods read (stores, built once
// by the caller, which checks them first: see pendingStoreSecret), then the workload: a
// Deployment, or a job app's Job or CronJob (jp).
func compose(a *app, dep *observedDeployment, ds *dataPlan, jp *jobPlan, stores []object) []object {
	var workload []object
	switch {
	case jp != nil:
		workload = jp.objects
	case a.pendingSecret != "":
		workload = []object{heldWorkload("Deployment", a.name, ResourceDeployment, a.pendingSecret)}
	default:
		workload = []object{{name: ResourceDeployment, obj: deployment(a, ds.extraEnv()), health: func(*structpb.Struct) health { return deploymentHealth(a.name, a.generation, dep) }}}
	}
	if !slices.ContainsFunc(workload, func(o object) bool { return o.obj != nil }) {
		// Crossplane's Usage controller fails on a user that does not exist, and there is no
		// workload to protect the data services from yet: the Usages come with it.
		ds.dropUsages()
	}
	objs := make([]object, 0, 8)
	if ds != nil {
		objs = append(objs, ds.objects...)
	}
	add := func(name string, obj any, h func(*structpb.Struct) health) {
		objs = append(objs, object{name: name, obj: obj, health: h})
	}
	// The Secrets the pods read come before them: a missing one is what a developer must hear of.
	objs = append(objs, stores...)
	objs = append(objs, workload...)
	if name, r, h := publishedRoute(a); r != nil {
		add(name, r, h)
	}
	objs = append(objs, gatewayRoutes(a)...)
	if hpa := autoscaler(a); hpa != nil {
		add(ResourceAutoscaler, hpa, autoscalerHealth(a.name))
	}
	if so := scaledObjectFor(a); so != nil {
		add(ResourceScaledObject, so, scaledObjectHealth(a.name))
	}
	if a.ownServiceAccount() {
		sa := serviceAccount(a)
		ds.bindServiceAccount(sa)
		add(ResourceServiceAccount, sa, existing("ServiceAccount", a.name))
	}
	if cm := configMap(a); cm != nil {
		add(ResourceConfigMap, cm, existing("ConfigMap", cm.Name))
	}
	objs = append(objs, claims(a)...)
	if svc := service(a); svc != nil {
		add(ResourceService, svc, existing("Service", a.name))
	}
	if lb := loadBalancer(a); lb != nil {
		add(ResourceLoadBalancer, lb, loadBalancerHealth(lb.Name))
	}
	if pdb := disruptionBudget(a); pdb != nil {
		add(ResourceDisruption, pdb, existing("PodDisruptionBudget", a.name))
	}
	if ci := configurationItem(a); ci != nil {
		add(ResourceCMDBItem, ci, managedHealth("ConfigurationItem", ci.Name))
	}
	if name, rel := businessServiceLink(a); rel != nil {
		add(name, rel, managedHealth("Relationship", rel.Name))
	}
	objs = append(objs, dataServiceRecords(a, ds)...)
	objs = append(objs, egressRecords(a)...)
	if sm := scrapeConfig(a); sm != nil {
		add(ResourceServiceMonitor, sm, existing("ServiceMonitor", sm.Name))
	}
	if pr := prometheusRules(a); pr != nil {
		add(ResourcePrometheusRule, pr, existing("PrometheusRule", pr.Name))
	}
	switch a.networkPolicyFlavor() {
	case v1beta1.NetworkPolicyKubernetes:
		add(ResourceNetworkPolicy, networkPolicy(a, policyRules(a, ds.egress())), existing("NetworkPolicy", a.name))
	case v1beta1.NetworkPolicyCilium:
		add(ResourceNetworkPolicy, ciliumPolicy(a, policyRules(a, ds.egress())), existing("CiliumNetworkPolicy", a.name))
	case v1beta1.NetworkPolicyNone:
	}
	return objs
}
