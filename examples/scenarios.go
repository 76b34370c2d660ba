// Package examples holds the example apps and the table of scenarios they are rendered in. Two tests
// drive the same table: this package's renders every scenario through the real Crossplane CLI and
// render engine against the real function binary and validates the output against the XRDs,
// provider-cmdb's CRDs and the real CRDs in ../shared/crds; package fn's runs every scenario through
// RunFunction in-process, so `go test ./fn` checks every example's full output without the toolchain.
package examples

// Paths of the package's compositions and XRDs, relative to this folder.
const (
	CompositionXApp = "../package/configuration/composition-xapp.yaml"
	CompositionApp  = "../package/configuration/composition-app.yaml"
	XRDXApp         = "../package/configuration/xrd-xapp.yaml"
	XRDApp          = "../package/configuration/xrd-app.yaml"

	CompositionXAppPolicy = "../package/configuration/composition-xapppolicy.yaml"
	XRDXAppPolicy         = "../package/configuration/xrd-xapppolicy.yaml"
)

// A Scenario is one example rendered one way. Paths are relative to this folder; an empty
// Composition or XRD means the XApp ones.
type Scenario struct {
	Reason               string
	XR, Composition, XRD string
	// Observed holds the observed composed resources; Required is a file or folder of the objects
	// Crossplane may send when the function asks (EnvironmentConfig, Secrets).
	Observed, Required string
	// Refused is true when the function refuses the app: `crossplane render` then fails, and its
	// error is the golden file.
	Refused bool
}

// Scenarios are every example in every state worth checking, by name; the golden files of both
// tests are named after them.
func Scenarios() map[string]Scenario {
	return map[string]Scenario{
		"minimal":                {Reason: "The smallest app.", XR: "minimal/xr.yaml"},
		"full":                   {Reason: "The full app before anything exists: its resources and an in-cluster database, none ready.", XR: "full/xr.yaml", Required: "full/environment.yaml"},
		"full-not-ready":         {Reason: "Mid-rollout: the status names what the app waits for.", XR: "full/xr.yaml", Observed: "full/observed-not-ready.yaml", Required: "full/environment.yaml"},
		"full-ready":             {Reason: "Everything up: every resource ready, the database's Secret exists, the XR Ready, the status says where.", XR: "full/xr.yaml", Observed: "full/observed-ready.yaml", Required: "full/required-ready"},
		"claim":                  {Reason: "A legacy claim's XR composes into the claim's namespace under the claim's name.", XR: "claim/xr.yaml", Composition: CompositionApp, XRD: XRDApp},
		"grpc":                   {Reason: "A gRPC app gets a GRPCRoute and a gRPC readiness probe.", XR: "grpc/xr.yaml"},
		"cilium":                 {Reason: "A Cilium platform gets a CiliumNetworkPolicy and ClusterMesh annotations.", XR: "cilium/xr.yaml", Composition: "cilium/composition.yaml"},
		"aws":                    {Reason: "Data services on AWS before anything exists: RDS, ElastiCache, S3, an IRSA role, Usages; the app waits for its Secrets.", XR: "aws/xr.yaml", Required: "aws/environment.yaml"},
		"aws-ready":              {Reason: "Data services on AWS up: the Deployment gets its database and cache variables from the Secrets.", XR: "aws/xr.yaml", Observed: "aws/observed-ready.yaml", Required: "aws/required-ready"},
		"gcp":                    {Reason: "Data services on GCP before anything exists: Cloud SQL with an IAM user, Memorystore, Cloud Storage, Workload Identity.", XR: "gcp/xr.yaml", Required: "gcp/environment.yaml"},
		"gcp-ready":              {Reason: "Data services on GCP up.", XR: "gcp/xr.yaml", Observed: "gcp/observed-ready.yaml", Required: "gcp/required-ready"},
		"azure":                  {Reason: "Data services on Azure before anything exists: Flexible Server, Azure Cache for Redis, a Storage Account and Container, a federated identity.", XR: "azure/xr.yaml", Required: "azure/environment.yaml"},
		"azure-ready":            {Reason: "Data services on Azure up: the identity's ids let the role assignment and the ServiceAccount annotation follow.", XR: "azure/xr.yaml", Observed: "azure/observed-ready.yaml", Required: "azure/required-ready"},
		"incluster":              {Reason: "A database in the cluster before it exists: a CloudNativePG Cluster; the app waits for its Secret.", XR: "incluster/xr.yaml", Required: "incluster/environment.yaml"},
		"incluster-ready":        {Reason: "The CloudNativePG Cluster healthy and its app Secret written: the app gets DATABASE_URL.", XR: "incluster/xr.yaml", Observed: "incluster/observed-ready.yaml", Required: "incluster/required-ready"},
		"egress":                 {Reason: "Egress to a host and a range on a Kubernetes NetworkPolicy platform: the range is allowed, the host cannot be and the app is warned.", XR: "egress/xr.yaml"},
		"egress-cilium":          {Reason: "The same egress on a Cilium platform: the host becomes toFQDNs, resolved through Cilium's DNS proxy.", XR: "egress/xr.yaml", Composition: "cilium/composition.yaml"},
		"resources":              {Reason: "Requests and limits apart: a memory request below its limit and a CPU limit, within the platform's caps.", XR: "resources/xr.yaml"},
		"ports":                  {Reason: "A Service port apart from the container's, and a UDP port: Service, route, probes and policy each use the right one.", XR: "ports/xr.yaml"},
		"loadbalancer":           {Reason: "A TCP port on a load balancer where the platform allows one: a Service of its own, clients admitted from the platform's ranges.", XR: "loadbalancer/xr.yaml", Composition: "cilium/composition.yaml"},
		"loadbalancer-address":   {Reason: "The load balancer has its address: the status says where clients connect.", XR: "loadbalancer/xr.yaml", Composition: "cilium/composition.yaml", Observed: "loadbalancer/observed-ready.yaml"},
		"podmetadata":            {Reason: "Pod labels and annotations under the prefixes the platform allows: mesh injection and scraping.", XR: "podmetadata/xr.yaml"},
		"private":                {Reason: "An image from a private registry gets the platform's pull secret and the app's own; an existing ServiceAccount replaces the app's own.", XR: "private/xr.yaml"},
		"runasuser":              {Reason: "An image built with a named user runs as its UID, with a capability the platform allows added back; never root.", XR: "runasuser/xr.yaml"},
		"nginx":                  {Reason: "The stock nginx image made to run: its own non-root user, a high port behind Service port 80, scratch space where it writes.", XR: "nginx/xr.yaml"},
		"busybox":                {Reason: "The stock busybox image, built to run as root, runs as nobody; a worker without ports gets no probes.", XR: "busybox/xr.yaml"},
		"persistent":             {Reason: "Persistent storage: a claim of the app's own, one pod recreated rather than rolled; a Secret mounted as files.", XR: "persistent/xr.yaml"},
		"sidecars":               {Reason: "A migration init container and a native log-shipper sidecar sharing a scratch volume, under the app's secure defaults.", XR: "sidecars/xr.yaml"},
		"spring":                 {Reason: "Data-service variables under the app's own names, and a JDBC URL built from them by Kubernetes: the function never reads a credential.", XR: "spring/xr.yaml", Observed: "incluster/observed-ready.yaml", Required: "incluster/required-ready"},
		"cache-only-aws":         {Reason: "Only a cache on AWS: an ElastiCache ReplicationGroup and no IAM role, since nothing needs one.", XR: "cache-only/xr.yaml", Required: "aws/environment.yaml"},
		"cache-only-gcp":         {Reason: "Only a cache on GCP: a Memorystore Instance and no service account.", XR: "cache-only/xr.yaml", Required: "gcp/environment.yaml"},
		"cache-only-azure":       {Reason: "Only a cache on Azure: an Azure Cache for Redis and no identity.", XR: "cache-only/xr.yaml", Required: "azure/environment.yaml"},
		"job":                    {Reason: "A one-shot job with a database before its Secret exists: the Job waits, so its one run gets the database's variables.", XR: "job/xr.yaml", Required: "incluster/environment.yaml"},
		"job-complete":           {Reason: "The database up and the Job complete: the app is Ready, and its status says when the run finished.", XR: "job/xr.yaml", Observed: "job/observed-complete.yaml", Required: "job/required-ready"},
		"job-serving":            {Reason: "A job that asks for ports, replicas and a TTL is refused, each field by name.", XR: "job/xr-serving.yaml", Refused: true},
		"cronjob":                {Reason: "A scheduled job: a CronJob in a time zone that never overlaps its runs, no Service, no ingress, no disruption budget.", XR: "cronjob/xr.yaml"},
		"cronjob-failed":         {Reason: "The CronJob's last run failed: the app is not Ready until a later run succeeds, and says since when.", XR: "cronjob/xr.yaml", Observed: "cronjob/observed-failed.yaml"},
		"deploy-finished":        {Reason: "A rollout finished: one Notification per target for the new revision, the one announced before kept as observed, and a Normal result.", XR: "deploy/xr.yaml", Composition: "deploy/composition.yaml", Observed: "deploy/observed-finished.yaml"},
		"deploy-failed":          {Reason: "A rollout stalled past its deadline: a failure Notification per target and a Warning result, once, since the status still said InProgress.", XR: "deploy/xr-rolling-out.yaml", Composition: "deploy/composition.yaml", Observed: "deploy/observed-failed.yaml"},
		"policy":                 {Reason: "The platform's XAppPolicy: a ValidatingAdmissionPolicy with the rule table and the policy as its parameters, a binding per environment.", XR: "policy/xr.yaml", Composition: CompositionXAppPolicy, XRD: XRDXAppPolicy},
		"policy-app-production":  {Reason: "An app in a production namespace that breaks the XAppPolicy is refused with admission's messages, all of them.", XR: "policy-app/xr.yaml", Required: "policy-app/production", Refused: true},
		"policy-app-development": {Reason: "The same app in a development namespace composes, warned with admission's messages; the Input's overlapping rules step aside.", XR: "policy-app/xr.yaml", Required: "policy-app/development"},
		"policy-ready":           {Reason: "The admission policy and its bindings exist: the XAppPolicy is ready.", XR: "policy/xr.yaml", Composition: CompositionXAppPolicy, XRD: XRDXAppPolicy, Observed: "policy/observed-ready.yaml"},
	}
}
