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
	// CompositionXAppIngress is the shipped composition that routes XApps by Ingress.
	CompositionXAppIngress = "../package/configuration/composition-xapp-ingress.yaml"
	XRDXApp                = "../package/configuration/xrd-xapp.yaml"
	XRDApp                 = "../package/configuration/xrd-app.yaml"

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
		"minimal":                    {Reason: "The smallest app.", XR: "minimal/xr.yaml"},
		"full":                       {Reason: "The full app before anything exists: its resources and an in-cluster database, none ready.", XR: "full/xr.yaml", Required: "full/environment.yaml"},
		"full-not-ready":             {Reason: "Mid-rollout: the status names what the app waits for.", XR: "full/xr.yaml", Observed: "full/observed-not-ready.yaml", Required: "full/environment.yaml"},
		"full-ready":                 {Reason: "Everything up: every resource ready, the database's Secret exists, the XR Ready, the status says where.", XR: "full/xr.yaml", Observed: "full/observed-ready.yaml", Required: "full/required-ready"},
		"claim":                      {Reason: "A legacy claim's XR composes into the claim's namespace under the claim's name.", XR: "claim/xr.yaml", Composition: CompositionApp, XRD: XRDApp},
		"grpc":                       {Reason: "A gRPC app gets a GRPCRoute and a gRPC readiness probe.", XR: "grpc/xr.yaml"},
		"cilium":                     {Reason: "A Cilium platform gets a CiliumNetworkPolicy and ClusterMesh annotations.", XR: "cilium/xr.yaml", Composition: "cilium/composition.yaml"},
		"aws":                        {Reason: "Data services on AWS before anything exists: RDS, ElastiCache, S3, an IRSA role, Usages; the app waits for its Secrets.", XR: "aws/xr.yaml", Required: "aws/environment.yaml"},
		"aws-ready":                  {Reason: "Data services on AWS up: the Deployment gets its database and cache variables from the Secrets.", XR: "aws/xr.yaml", Observed: "aws/observed-ready.yaml", Required: "aws/required-ready"},
		"gcp":                        {Reason: "Data services on GCP before anything exists: Cloud SQL with an IAM user, Memorystore, Cloud Storage, Workload Identity.", XR: "gcp/xr.yaml", Required: "gcp/environment.yaml"},
		"gcp-ready":                  {Reason: "Data services on GCP up.", XR: "gcp/xr.yaml", Observed: "gcp/observed-ready.yaml", Required: "gcp/required-ready"},
		"azure":                      {Reason: "Data services on Azure before anything exists: Flexible Server, Azure Cache for Redis, a Storage Account and Container, a federated identity.", XR: "azure/xr.yaml", Required: "azure/environment.yaml"},
		"azure-ready":                {Reason: "Data services on Azure up: the identity's ids let the role assignment and the ServiceAccount annotation follow.", XR: "azure/xr.yaml", Observed: "azure/observed-ready.yaml", Required: "azure/required-ready"},
		"incluster":                  {Reason: "A database in the cluster before it exists: a CloudNativePG Cluster; the app waits for its Secret.", XR: "incluster/xr.yaml", Required: "incluster/environment.yaml"},
		"incluster-ready":            {Reason: "The CloudNativePG Cluster healthy and its app Secret written: the app gets DATABASE_URL.", XR: "incluster/xr.yaml", Observed: "incluster/observed-ready.yaml", Required: "incluster/required-ready"},
		"egress":                     {Reason: "Egress to a host and a range on a Kubernetes NetworkPolicy platform: the range is allowed, the host cannot be and the app is warned.", XR: "egress/xr.yaml"},
		"egress-cilium":              {Reason: "The same egress on a Cilium platform: the host becomes toFQDNs, resolved through Cilium's DNS proxy.", XR: "egress/xr.yaml", Composition: "cilium/composition.yaml"},
		"resources":                  {Reason: "Requests and limits apart: a memory request below its limit and a CPU limit, within the platform's caps.", XR: "resources/xr.yaml"},
		"ports":                      {Reason: "A Service port apart from the container's, and a UDP port: Service, route, probes and policy each use the right one.", XR: "ports/xr.yaml"},
		"loadbalancer":               {Reason: "A TCP port on a load balancer where the platform allows one: a Service of its own, clients admitted from the platform's ranges.", XR: "loadbalancer/xr.yaml", Composition: "cilium/composition.yaml"},
		"loadbalancer-address":       {Reason: "The load balancer has its address: the status says where clients connect.", XR: "loadbalancer/xr.yaml", Composition: "cilium/composition.yaml", Observed: "loadbalancer/observed-ready.yaml"},
		"podmetadata":                {Reason: "Pod labels and annotations under the prefixes the platform allows: mesh injection and scraping.", XR: "podmetadata/xr.yaml"},
		"private":                    {Reason: "An image from a private registry gets the platform's pull secret and the app's own; an existing ServiceAccount replaces the app's own.", XR: "private/xr.yaml"},
		"runasuser":                  {Reason: "An image built with a named user runs as its UID, with a capability the platform allows added back; never root.", XR: "runasuser/xr.yaml"},
		"nginx":                      {Reason: "The stock nginx image made to run: its own non-root user, a high port behind Service port 80, scratch space where it writes.", XR: "nginx/xr.yaml"},
		"busybox":                    {Reason: "The stock busybox image, built to run as root, runs as nobody; a worker without ports gets no probes.", XR: "busybox/xr.yaml"},
		"persistent":                 {Reason: "Persistent storage: a claim of the app's own, one pod recreated rather than rolled; a Secret mounted as files.", XR: "persistent/xr.yaml"},
		"sidecars":                   {Reason: "A migration init container and a native log-shipper sidecar sharing a scratch volume, under the app's secure defaults.", XR: "sidecars/xr.yaml"},
		"spring":                     {Reason: "Data-service variables under the app's own names, and a JDBC URL built from them by Kubernetes: the function never reads a credential.", XR: "spring/xr.yaml", Observed: "incluster/observed-ready.yaml", Required: "incluster/required-ready"},
		"cache-only-aws":             {Reason: "Only a cache on AWS: an ElastiCache ReplicationGroup and no IAM role, since nothing needs one.", XR: "cache-only/xr.yaml", Required: "aws/environment.yaml"},
		"cache-only-gcp":             {Reason: "Only a cache on GCP: a Memorystore Instance and no service account.", XR: "cache-only/xr.yaml", Required: "gcp/environment.yaml"},
		"cache-only-azure":           {Reason: "Only a cache on Azure: an Azure Cache for Redis and no identity.", XR: "cache-only/xr.yaml", Required: "azure/environment.yaml"},
		"deploy-finished":            {Reason: "A rollout finished: one Notification per target for the new revision, the one announced before kept as observed, and a Normal result.", XR: "deploy/xr.yaml", Composition: "deploy/composition.yaml", Observed: "deploy/observed-finished.yaml"},
		"deploy-failed":              {Reason: "A rollout stalled past its deadline: a failure Notification per target and a Warning result, once, since the status still said InProgress.", XR: "deploy/xr-rolling-out.yaml", Composition: "deploy/composition.yaml", Observed: "deploy/observed-failed.yaml"},
		"policy":                     {Reason: "The platform's XAppPolicy: a ValidatingAdmissionPolicy with the rule table and the policy as its parameters, a binding per environment.", XR: "policy/xr.yaml", Composition: CompositionXAppPolicy, XRD: XRDXAppPolicy},
		"policy-app-production":      {Reason: "An app in a production namespace that breaks the XAppPolicy is refused with admission's messages, all of them.", XR: "policy-app/xr.yaml", Required: "policy-app/production", Refused: true},
		"policy-app-development":     {Reason: "The same app in a development namespace composes, warned with admission's messages; the Input's overlapping rules step aside.", XR: "policy-app/xr.yaml", Required: "policy-app/development"},
		"supplychain":                {Reason: "A supply chain: besides the admission policy, a sigstore ClusterImagePolicy per action on unsigned images, covering the allowed registries.", XR: "supplychain/xr.yaml", Composition: CompositionXAppPolicy, XRD: XRDXAppPolicy},
		"supplychain-app-production": {Reason: "An app pinned by digest where signatures are enforced: its status shows the digest, its CMDB record the repository, digest and tag; policy-controller checks its pods.", XR: "supplychain-app/xr.yaml", Composition: "supplychain-app/composition.yaml", Required: "supplychain-app/production"},
		"supplychain-app-staging":    {Reason: "The same app where signatures only warn: its workload is labelled for the warning ClusterImagePolicy, and it is warned that its namespace is not opted in to policy-controller.", XR: "supplychain-app/xr.yaml", Required: "supplychain-app/staging"},
		"policy-ready":               {Reason: "The admission policy and its bindings exist: the XAppPolicy is ready.", XR: "policy/xr.yaml", Composition: CompositionXAppPolicy, XRD: XRDXAppPolicy, Observed: "policy/observed-ready.yaml"},

		// The peers' own example apps as XApps (examples/peers/README.md): the same app, and what
		// it takes to run it under the platform's rules.
		"peer-dot-backend":         {Reason: "DOT's backend AppClaim with a database and scaling: silly-demo run as nobody, its database in the cluster, an autoscaler from 1 to 10.", XR: "peers/dot-backend/xr.yaml", Required: "peers/dot-backend/required/environment.yaml"},
		"peer-dot-backend-secret":  {Reason: "The database's Secret exists: silly-demo gets DB_ENDPOINT, DB_PORT, DB_USERNAME, DB_PASSWORD and DB_NAME by reference.", XR: "peers/dot-backend/xr.yaml", Required: "peers/dot-backend/required"},
		"peer-score-store-front":   {Reason: "score-k8s's store-front: nginx as its own user with scratch space, /health probes, requests and limits apart, egress to the two services it proxies to.", XR: "peers/score-store-front/xr.yaml"},
		"peer-score-postgres":      {Reason: "score-k8s's postgres example: busybox as nobody, the database's variables under the POSTGRES_* names it reads.", XR: "peers/score-postgres/xr.yaml", Required: "peers/score-postgres/required"},
		"peer-score-cart":          {Reason: "score-k8s's onlineboutique cart before its cache exists: gRPC on 7070, an ElastiCache on AWS, the app waits for the cache's Secrets.", XR: "peers/score-cart/xr.yaml", Required: "peers/score-cart/required/environment.yaml"},
		"peer-score-cart-secret":   {Reason: "The cache's Secrets exist: REDIS_ADDR is built by Kubernetes from REDIS_HOST, REDIS_PORT and REDIS_PASSWORD.", XR: "peers/score-cart/xr.yaml", Required: "peers/score-cart/required"},
		"peer-kro-webapp":          {Reason: "kro's WebApp instance: stock nginx as its own user on 8080 behind Service port 80, routed.", XR: "peers/kro-webapp/xr.yaml"},
		"peer-kubevela-webservice": {Reason: "KubeVela's webservice with gateway and cpuscaler: hello-world as nobody on 8000, routed under the platform's domain, an autoscaler at 60% CPU; warned for its untagged image.", XR: "peers/kubevela-webservice/xr.yaml"},
		"peer-kubevela-sidecar":    {Reason: "KubeVela's sidecar trait: a busybox worker and a native sidecar tailing its log on a shared scratch volume.", XR: "peers/kubevela-sidecar/xr.yaml"},
		"changes-finished":         {Reason: "A registered app's rollout finished: one ChangeRecord for the new revision, linked to the app's record; the one recorded before kept as observed.", XR: "changes/xr.yaml", Composition: "changes/composition.yaml", Observed: "changes/observed-finished.yaml"},
		"ingress":                  {Reason: "Routing by Ingress where the platform chooses it: each path to its port, a cert-manager certificate, the ingress controller admitted by the policy.", XR: "ingress/xr.yaml", Composition: "ingress/composition.yaml"},
		"ingress-shipped":          {Reason: "The shipped Ingress composition: the app that selects it gets an Ingress of class nginx with a cert-manager certificate.", XR: "ingress/xr.yaml", Composition: CompositionXAppIngress},
		"ingress-ready":            {Reason: "The ingress controller published the Ingress's address: the app is ready at its URL.", XR: "ingress/xr.yaml", Composition: "ingress/composition.yaml", Observed: "ingress/observed-ready.yaml"},
		"ingress-catch-all":        {Reason: "A catch-all route where the platform allows one: a rule without host; the URL is the controller's address.", XR: "ingress/xr-catch-all.yaml", Composition: "ingress/composition.yaml", Observed: "ingress/observed-ready.yaml"},
		"catch-all-refused":        {Reason: "A catch-all route on a platform that does not allow one is refused by its field.", XR: "ingress/xr-catch-all.yaml", Refused: true},
		"gateway-routes":           {Reason: "TCP ports through the gateway where the platform allows it: a TLSRoute by host name to a TLS port, a TCPRoute to a plain one.", XR: "gatewayroutes/xr.yaml", Composition: "gatewayroutes/composition.yaml"},
		"events":                   {Reason: "Scaling on requests and a queue, to zero, and secrets from the platform's store, before anything exists: ExternalSecrets and a ScaledObject, no HPA; the Deployment waits until its Secrets are written.", XR: "events/xr.yaml"},
		"events-ready":             {Reason: "The ExternalSecrets have written their Secrets, KEDA has scaled the idle app to zero: the Deployment is composed, the app Ready at zero replicas.", XR: "events/xr.yaml", Observed: "events/observed-ready.yaml"},
		"events-refused":           {Reason: "The same app on a platform that offers neither KEDA scaling nor a secret store: refused, every field that asks for them named.", XR: "events/xr.yaml", Composition: "cilium/composition.yaml", Refused: true},
		"job":                      {Reason: "A one-shot job with a database before its Secret exists: the Job waits, so its one run gets the database's variables.", XR: "job/xr.yaml", Required: "incluster/environment.yaml"},
		"job-complete":             {Reason: "The database up and the Job complete: the app is Ready, and its status says when the run finished.", XR: "job/xr.yaml", Observed: "job/observed-complete.yaml", Required: "job/required-ready"},
		"job-serving":              {Reason: "A job that asks for ports, replicas and a TTL is refused, each field by name.", XR: "job/xr-serving.yaml", Refused: true},
		"cronjob":                  {Reason: "A scheduled job: a CronJob in a time zone that never overlaps its runs, no Service, no ingress, no disruption budget.", XR: "cronjob/xr.yaml"},
		"cronjob-failed":           {Reason: "The CronJob's last run failed: the app is not Ready until a later run succeeds, and says since when.", XR: "cronjob/xr.yaml", Observed: "cronjob/observed-failed.yaml"},
	}
}
