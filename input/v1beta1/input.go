// Package v1beta1 is function-xapp's Input: the platform team's defaults and rules, set once in the
// Composition and applied to every app. Developers never see it; it is how a platform says "our
// gateway is this, our domain is that, only images from our registry, Cilium policies".
//
// +kubebuilder:object:generate=true
// +groupName=fn.xapp.dev
// +versionName=v1beta1
package v1beta1

import (
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Group, version and kind of the Input.
const (
	Group   = "fn.xapp.dev"
	Version = "v1beta1"
	Kind    = "Input"
)

// GroupVersionKind of the Input.
var GroupVersionKind = schema.GroupVersionKind{Group: Group, Version: Version, Kind: Kind}

// Input configures function-xapp for a platform. Every field is optional; the defaults give a
// secure, working app on a cluster with a Gateway API implementation.
//
// +kubebuilder:object:root=true
// +kubebuilder:storageversion
// +kubebuilder:resource:categories=crossplane
type Input struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Gateway that routes are attached to.
	// +optional
	Gateway *Gateway `json:"gateway,omitempty"`

	// Routing chooses Gateway API routes (default) or Ingresses for apps' routes.
	// +optional
	Routing *Routing `json:"routing,omitempty"`

	// Domain under which apps get a default host: `<app>.<namespace>.<domain>`.
	// +optional
	Domain string `json:"domain,omitempty"`

	// AllowedDomains limits route hosts to these domains and their subdomains. Empty allows hosts
	// under Domain only; with neither set, any host (a platform for one team only).
	// +optional
	AllowedDomains []string `json:"allowedDomains,omitempty"`

	// Defaults for what an app leaves unset.
	// +optional
	Defaults *Defaults `json:"defaults,omitempty"`

	// Labels stamped on every composed object and pod (team, cost centre, ...). App labels win over
	// nothing: these are the platform's and cannot be overridden by an app.
	// +optional
	Labels map[string]string `json:"labels,omitempty"`

	// Annotations stamped on every composed object.
	// +optional
	Annotations map[string]string `json:"annotations,omitempty"`

	// Monitoring is how apps are scraped and alerted on: the labels the platform's Prometheus
	// selects, alert thresholds, and the SLIs that turn an app's SLO into alerts.
	// +optional
	Monitoring *Monitoring `json:"monitoring,omitempty"`

	// Links the XApp's status shows, as templates: `{namespace}` and `{name}` are the app's, e.g.
	// `https://grafana.example.com/d/apps?var-namespace={namespace}&var-app={name}`.
	// +optional
	Links *Links `json:"links,omitempty"`

	// Resources bounds what apps request and limit, and sets the CPU limit of apps that set none.
	// +optional
	Resources *ResourcePolicy `json:"resources,omitempty"`

	// PodMetadata bounds the labels and annotations apps put on their pods (`podMetadata`).
	// Unset, apps may put none.
	// +optional
	PodMetadata *PodMetadataPolicy `json:"podMetadata,omitempty"`

	// Volumes bounds the volumes apps mount (`volumes`).
	// +optional
	Volumes *VolumePolicy `json:"volumes,omitempty"`

	// Security bounds how far apps may loosen the secure defaults (`security`). Unset, not at all.
	// +optional
	Security *SecurityPolicy `json:"security,omitempty"`

	// Scaling lets apps scale on requests and queues, and to zero, through KEDA. Unset, apps scale
	// on CPU and memory only.
	// +optional
	Scaling *Scaling `json:"scaling,omitempty"`

	// SecretStore lets apps take secrets from the platform's store through the External Secrets
	// Operator. Unset, apps may not.
	// +optional
	SecretStore *SecretStore `json:"secretStore,omitempty"`

	// ServiceAccount says whether apps may run under an existing ServiceAccount
	// (`serviceAccountName`) instead of their own.
	// +optional
	ServiceAccount *ServiceAccountPolicy `json:"serviceAccount,omitempty"`

	// Notifications announce each finished or failed rollout of an app to webhooks.
	// +optional
	Notifications *Notifications `json:"notifications,omitempty"`

	// Images is the image policy.
	// +optional
	Images *ImagePolicy `json:"images,omitempty"`

	// LoadBalancer lets apps offer ports outside the cluster on a Service of type LoadBalancer
	// (`ports[].loadBalancer`). Unset, apps may not.
	// +optional
	LoadBalancer *LoadBalancer `json:"loadBalancer,omitempty"`

	// NetworkPolicy chooses how app traffic is restricted.
	// +optional
	NetworkPolicy *NetworkPolicy `json:"networkPolicy,omitempty"`

	// MultiCluster chooses the cluster-mesh mechanism apps with `multiCluster` use.
	// +optional
	MultiCluster *MultiCluster `json:"multiCluster,omitempty"`

	// DataServices chooses where apps' databases, caches and buckets run and how. Developers never
	// choose: an app asks for a database, the platform decides it is an RDS instance.
	// +optional
	DataServices *DataServices `json:"dataServices,omitempty"`

	// CMDB is where apps are registered, through provider-cmdb.
	// +optional
	CMDB *CMDB `json:"cmdb,omitempty"`
}

// CMDB configures app registration through provider-cmdb.
type CMDB struct {
	// ProviderConfigRef names provider-cmdb's config: a ClusterProviderConfig (the default kind) or
	// a ProviderConfig in the app's namespace.
	ProviderConfigRef ProviderConfigRef `json:"providerConfigRef"`
	// Environment recorded on every app, e.g. Production.
	// +optional
	Environment string `json:"environment,omitempty"`
	// Class of the apps' records: Application (default), ApplicationInstance, or a backend class.
	// +optional
	Class string `json:"class,omitempty"`
	// DataServiceClass is the class of the records of apps' databases, caches and buckets:
	// ApplicationInstance (default; a database instance is one in ServiceNow's model) or a backend
	// class.
	// +optional
	DataServiceClass string `json:"dataServiceClass,omitempty"`
	// EgressClass is the class of the records of what apps reach outside the cluster (each host or
	// range in an app's `egress`): Application (default; a third-party API is an application the
	// company relies on) or a backend class.
	// +optional
	EgressClass string `json:"egressClass,omitempty"`
	// Required refuses apps without `spec.cmdb`: every app must name its owner.
	// +optional
	Required bool `json:"required,omitempty"`
	// ImageFields are the backend fields of the apps' records that hold what each app runs. Neither
	// CMDB's standard application classes have fields for an image or its digest, so the platform
	// names its own (ServiceNow u_ fields, an iTop datamodel extension); ServiceNow's
	// cmdb_ci_appl (class ApplicationInstance) has `version` for the tag. Unset, none is recorded.
	// +optional
	ImageFields *CMDBImageFields `json:"imageFields,omitempty"`
	// Changes records each finished (and each failed) rollout of a registered app as a change in
	// the CMDB, linked to the app's record: `changes: {}` turns it on.
	// +optional
	Changes *CMDBChanges `json:"changes,omitempty"`
}

// CMDBImageFields name the backend fields that record an app's image. Each is written on every
// reconcile, empty when unknown (a digest for an image named by tag), so a stale value never stays.
type CMDBImageFields struct {
	// Image is the field for the image's repository, e.g. ghcr.io/acme/shop.
	// +optional
	// +kubebuilder:validation:Pattern=`^[A-Za-z][A-Za-z0-9_]*$`
	// +kubebuilder:validation:MaxLength=80
	Image string `json:"image,omitempty"`
	// Digest is the field for the digest the app's reference pins, sha256:....
	// +optional
	// +kubebuilder:validation:Pattern=`^[A-Za-z][A-Za-z0-9_]*$`
	// +kubebuilder:validation:MaxLength=80
	Digest string `json:"digest,omitempty"`
	// Version is the field for the image's tag, e.g. version on ServiceNow's cmdb_ci_appl.
	// +optional
	// +kubebuilder:validation:Pattern=`^[A-Za-z][A-Za-z0-9_]*$`
	// +kubebuilder:validation:MaxLength=80
	Version string `json:"version,omitempty"`
}

// CMDBChanges records rollouts in the CMDB through provider-cmdb's ChangeRecord: one per rollout,
// recorded once.
type CMDBChanges struct {
	// Keep is how many of an app's latest recorded revisions stay composed. An older ChangeRecord
	// is deleted, which leaves its change in the CMDB (a change record is history); keeping it
	// composed is what stops it being recorded again.
	// +kubebuilder:default=5
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=50
	// +optional
	Keep int32 `json:"keep,omitempty"`
}

// Gateway is a Gateway API Gateway routes attach to.
type Gateway struct {
	// Name of the Gateway.
	Name string `json:"name"`
	// Namespace of the Gateway.
	Namespace string `json:"namespace"`
	// HTTPSListener is the Gateway listener (sectionName) for TLS routes. Empty attaches to every
	// listener that accepts the route.
	// +optional
	HTTPSListener string `json:"httpsListener,omitempty"`
	// HTTPListener is the listener for plain HTTP routes (`route.tls: false`).
	// +optional
	HTTPListener string `json:"httpListener,omitempty"`
	// PodLabels select the gateway's proxy pods in its namespace; network policies admit traffic
	// from them to exposed ports. Empty admits every pod of the gateway's namespace.
	// +optional
	PodLabels map[string]string `json:"podLabels,omitempty"`
	// TLSListener is the Gateway's TLS passthrough listener (sectionName). Apps may publish tcp
	// ports with TLSRoutes (`ports[].gatewayRoute: TLS`) only when it is set.
	// +optional
	TLSListener string `json:"tlsListener,omitempty"`
	// AllowTCPRoutes lets apps publish tcp ports with TCPRoutes (`ports[].gatewayRoute: TCP`),
	// attached to the Gateway's listener on the port's Service port: the platform opens a TCP
	// listener on each port number it offers. TCPRoute is in Gateway API's experimental channel.
	// +optional
	AllowTCPRoutes bool `json:"allowTCPRoutes,omitempty"`
}

// Defaults for what an app leaves unset.
type Defaults struct {
	// Replicas when an app sets neither replicas nor autoscaling. Defaults to 2.
	// +optional
	// +kubebuilder:validation:Minimum=0
	Replicas *int32 `json:"replicas,omitempty"`
	// CPU request. Defaults to 100m.
	// +optional
	CPU *resource.Quantity `json:"cpu,omitempty"`
	// Memory request (and limit, unless an app sets its own). Defaults to 128Mi.
	// +optional
	Memory *resource.Quantity `json:"memory,omitempty"`
	// ReadinessPath of the default HTTP readiness probe. Defaults to `/`.
	// +optional
	ReadinessPath string `json:"readinessPath,omitempty"`
}

// CPULimitPolicy is the CPU limit of an app that sets none.
// +kubebuilder:validation:Enum=None;Request
type CPULimitPolicy string

// CPU limit policies.
const (
	// CPULimitNone sets no CPU limit: an app is never throttled while its node has CPU to spare.
	CPULimitNone CPULimitPolicy = "None"
	// CPULimitRequest limits CPU to the request: predictable, and with memory's limit = request
	// the pods get the Guaranteed QoS class.
	CPULimitRequest CPULimitPolicy = "Request"
)

// ResourcePolicy bounds what apps request and limit.
type ResourcePolicy struct {
	// CPULimit of an app that sets none: None (default) or Request.
	// +optional
	CPULimit CPULimitPolicy `json:"cpuLimit,omitempty"`
	// MaxCPU caps an app's CPU request and limit, e.g. `4`. Unset, there is no cap.
	// +optional
	MaxCPU *resource.Quantity `json:"maxCPU,omitempty"`
	// MaxMemory caps an app's memory request and limit, e.g. `8Gi`. Unset, there is no cap.
	// +optional
	MaxMemory *resource.Quantity `json:"maxMemory,omitempty"`
}

// LoadBalancer is how apps' load balancers are made.
type LoadBalancer struct {
	// Class is the Services' loadBalancerClass, for a cluster with more than one implementation.
	// +optional
	Class string `json:"class,omitempty"`
	// Annotations on every load-balanced Service, e.g. to make it internal to the network.
	// +optional
	Annotations map[string]string `json:"annotations,omitempty"`
	// SourceRanges are the client ranges a load balancer admits, and the network policy with it.
	// Defaults to every address (0.0.0.0/0 and ::/0).
	// +optional
	SourceRanges []string `json:"sourceRanges,omitempty"`
}

// PodMetadataPolicy lists the key prefixes apps may use on their pods. A prefix is matched as
// written: `sidecar.istio.io/` allows that domain's keys, `acme.com/cost-` only keys starting so.
// The platform's own keys (its labels, `app.kubernetes.io/` labels the function sets,
// `calls.xapp.dev/`, `xapp.dev/`) are refused whatever the prefixes.
type PodMetadataPolicy struct {
	// AllowedLabelPrefixes of pod label keys. Empty allows none.
	// +optional
	AllowedLabelPrefixes []string `json:"allowedLabelPrefixes,omitempty"`
	// AllowedAnnotationPrefixes of pod annotation keys. Empty allows none.
	// +optional
	AllowedAnnotationPrefixes []string `json:"allowedAnnotationPrefixes,omitempty"`
}

// VolumePolicy bounds apps' volumes. Secrets and ConfigMaps of the app's own namespace may always
// be mounted.
type VolumePolicy struct {
	// MaxScratchSize caps each scratch volume; when set, every scratch volume must state its size.
	// Unset, scratch volumes are not capped.
	// +optional
	MaxScratchSize *resource.Quantity `json:"maxScratchSize,omitempty"`
	// AllowPersistent lets apps have persistent volumes. Off by default: state belongs in a data
	// service, and an app with a persistent volume runs a single pod.
	// +optional
	AllowPersistent bool `json:"allowPersistent,omitempty"`
	// StorageClass of persistent volumes; the cluster's default when unset.
	// +optional
	StorageClass string `json:"storageClass,omitempty"`
	// MaxPersistentSize caps each persistent volume. Unset, not capped.
	// +optional
	MaxPersistentSize *resource.Quantity `json:"maxPersistentSize,omitempty"`
}

// SecurityPolicy bounds apps' escape hatch from the secure defaults. Whatever it allows, containers
// never run as root, never escalate privileges, and keep a read-only root filesystem.
type SecurityPolicy struct {
	// AllowRunAsUser lets apps choose the UID and GID they run as (never UID 0).
	// +optional
	AllowRunAsUser bool `json:"allowRunAsUser,omitempty"`
	// AllowedCapabilities apps may add back, e.g. NET_BIND_SERVICE. Empty allows none.
	// +optional
	AllowedCapabilities []string `json:"allowedCapabilities,omitempty"`
}

// ServiceAccountPolicy governs apps' identities.
type ServiceAccountPolicy struct {
	// AllowExisting lets an app name an existing ServiceAccount of its namespace. Off by default:
	// every app gets an identity of its own, which platform policies and cloud identities bind to.
	// +optional
	AllowExisting bool `json:"allowExisting,omitempty"`
}

// ImagePinning is how exactly an image must name what runs.
// +kubebuilder:validation:Enum=None;Tag;Digest
type ImagePinning string

// Image pinning levels.
const (
	// PinningNone allows any reference; `latest` and untagged images get a warning.
	PinningNone ImagePinning = "None"
	// PinningTag requires a tag other than `latest`, or a digest.
	PinningTag ImagePinning = "Tag"
	// PinningDigest requires a digest.
	PinningDigest ImagePinning = "Digest"
)

// ImagePolicy limits what apps may run.
type ImagePolicy struct {
	// AllowedRegistries are registry hosts, or host/path prefixes, images must come from, e.g.
	// `ghcr.io/acme`. Empty allows any registry.
	// +optional
	AllowedRegistries []string `json:"allowedRegistries,omitempty"`
	// Pinning required of image references. Defaults to None (warn only).
	// +optional
	Pinning ImagePinning `json:"pinning,omitempty"`
	// PullSecrets give pods whose images come from a registry the Secret holding its credentials.
	// The Secret must exist in each app's namespace; copying it there is the platform's job.
	// +optional
	PullSecrets []RegistryPullSecret `json:"pullSecrets,omitempty"`
}

// RegistryPullSecret names the pull secret of a registry.
type RegistryPullSecret struct {
	// Registry host, or host/path prefix, e.g. `ghcr.io/acme`, matched like allowedRegistries.
	Registry string `json:"registry"`
	// Secret in the app's namespace, of type kubernetes.io/dockerconfigjson.
	Secret string `json:"secret"`
}

// NetworkPolicyFlavor is the kind of policy object composed.
// +kubebuilder:validation:Enum=Kubernetes;Cilium;None
type NetworkPolicyFlavor string

// Network policy flavours.
const (
	NetworkPolicyKubernetes NetworkPolicyFlavor = "Kubernetes"
	NetworkPolicyCilium     NetworkPolicyFlavor = "Cilium"
	NetworkPolicyNone       NetworkPolicyFlavor = "None"
)

// NetworkPolicy restricts each app to the traffic it declared: in from the gateway and from apps that
// depend on it, out to its dependencies and DNS.
type NetworkPolicy struct {
	// Flavor of policy: Kubernetes NetworkPolicy (default), CiliumNetworkPolicy, or None.
	// +optional
	Flavor NetworkPolicyFlavor `json:"flavor,omitempty"`
	// EgressCIDRs every app may reach, on top of what it names in its own `egress`. Empty by
	// default, and best kept so: with Kubernetes NetworkPolicy most CNIs match pod addresses
	// against these ranges too, so `0.0.0.0/0` lets every app reach every pod and voids the promise
	// that an app reaches only what its `dependsOn` names.
	// +optional
	EgressCIDRs []string `json:"egressCIDRs,omitempty"`
	// AllowedEgressCIDRs bound the ranges apps may name in `egress[].cidr`: each must lie inside one
	// of these. Empty allows public ranges only: a range that includes private, shared, loopback or
	// link-local addresses, where pods and nodes usually are, is refused.
	// +optional
	AllowedEgressCIDRs []string `json:"allowedEgressCIDRs,omitempty"`
	// AllowedEgressHosts bound the hosts apps may name in `egress[].host`: each must be one of these
	// domains or under one. Empty allows any host.
	// +optional
	AllowedEgressHosts []string `json:"allowedEgressHosts,omitempty"`
	// DNS is where the cluster DNS runs. Defaults to pods labelled `k8s-app: kube-dns` in kube-system.
	// +optional
	DNS *DNS `json:"dns,omitempty"`
}

// DNS locates the cluster DNS pods.
type DNS struct {
	// Namespace of the DNS pods.
	Namespace string `json:"namespace"`
	// PodLabels of the DNS pods.
	PodLabels map[string]string `json:"podLabels"`
}

// MultiClusterMechanism is how a Service is made global.
// +kubebuilder:validation:Enum=None;Cilium
type MultiClusterMechanism string

// Multi-cluster mechanisms.
const (
	MultiClusterNone   MultiClusterMechanism = "None"
	MultiClusterCilium MultiClusterMechanism = "Cilium"
)

// MultiCluster chooses the cluster-mesh mechanism.
type MultiCluster struct {
	// Mechanism for global services: Cilium ClusterMesh annotations, or None (apps asking for a
	// global service are refused).
	// +optional
	Mechanism MultiClusterMechanism `json:"mechanism,omitempty"`
}

// DataProvider is where data services run.
// +kubebuilder:validation:Enum=aws;gcp;azure;in-cluster
type DataProvider string

// Data service providers.
const (
	ProviderAWS       DataProvider = "aws"
	ProviderGCP       DataProvider = "gcp"
	ProviderAzure     DataProvider = "azure"
	ProviderInCluster DataProvider = "in-cluster"
)

// DataServices configures the databases, caches and buckets apps ask for. Every setting can be
// overridden per environment: when EnvironmentConfig is set, the `dataServices` key of that
// EnvironmentConfig's data is merged over these settings (objects merge, everything else replaces).
type DataServices struct {
	// Provider the data services run on: aws, gcp, azure, or in-cluster (CloudNativePG, postgres
	// only, for local and test clusters). Apps asking for a data service are refused when unset.
	// +optional
	Provider DataProvider `json:"provider,omitempty"`

	// EnvironmentConfig names the EnvironmentConfig whose `data.dataServices` overrides these
	// settings. It must exist when an app asks for a data service.
	// +optional
	EnvironmentConfig string `json:"environmentConfig,omitempty"`

	// ProviderConfig the composed managed resources use. Defaults to the ClusterProviderConfig
	// `default`.
	// +optional
	ProviderConfig *ProviderConfigRef `json:"providerConfig,omitempty"`

	// NamePrefix starts the names of things that must be unique in a whole cloud (buckets, storage
	// accounts, servers, identities): `<prefix>-<namespace>-<app>`. Lowercase letters, digits and
	// hyphens.
	// +optional
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	// +kubebuilder:validation:MaxLength=20
	NamePrefix string `json:"namePrefix,omitempty"`

	// EgressCIDRs are the address ranges the platform's cloud databases and caches get their
	// addresses in: the subnets of the RDS and ElastiCache subnet groups, the private services
	// range Cloud SQL and Memorystore are peered from, the Azure delegated and private-endpoint
	// subnets. An app's network policy lets it reach these ranges on its own services' ports only.
	// Without them a strict network policy lets an app reach none of its cloud services, and the
	// app is warned. (Buckets and cloud identity are reached over HTTPS at the cloud's endpoints;
	// see the README, "Traffic out of the cluster".)
	// +optional
	EgressCIDRs []string `json:"egressCIDRs,omitempty"`

	// AllowPublicBuckets lets apps ask for a bucket anyone can read. Off by default: every bucket's
	// public access is blocked.
	// +optional
	AllowPublicBuckets bool `json:"allowPublicBuckets,omitempty"`

	// DeletionProtection stops the cloud from deleting databases. Defaults to true.
	// +optional
	DeletionProtection *bool `json:"deletionProtection,omitempty"`

	// Sizes maps each size (small, medium, large) to instance classes, per provider. Entries set
	// here replace the built-in table's.
	// +optional
	Sizes map[DataProvider]map[string]SizeClass `json:"sizes,omitempty"`

	// AWS settings, required when the provider is aws.
	// +optional
	AWS *AWS `json:"aws,omitempty"`

	// GCP settings, required when the provider is gcp.
	// +optional
	GCP *GCP `json:"gcp,omitempty"`

	// Azure settings, required when the provider is azure.
	// +optional
	Azure *Azure `json:"azure,omitempty"`

	// InCluster settings for the in-cluster provider.
	// +optional
	InCluster *InCluster `json:"inCluster,omitempty"`
}

// ProviderConfigRef names the ProviderConfig of namespaced managed resources.
type ProviderConfigRef struct {
	// Kind: ClusterProviderConfig (default) or ProviderConfig (in the app's namespace).
	// +optional
	// +kubebuilder:validation:Enum=ClusterProviderConfig;ProviderConfig
	Kind string `json:"kind,omitempty"`
	// Name of the ProviderConfig. Defaults to `default`.
	// +optional
	Name string `json:"name,omitempty"`
}

// SizeClass is what one size means on one provider.
type SizeClass struct {
	// Database instance class: `db.t4g.small` (aws), `db-custom-1-3840` (gcp), `B_Standard_B1ms`
	// (azure), a memory request such as `1Gi` (in-cluster).
	// +optional
	Database string `json:"database,omitempty"`
	// Cache class: a node type `cache.t4g.small` (aws), memory in GB `1` (gcp), `<sku>_<family><capacity>`
	// such as `Standard_C1` (azure).
	// +optional
	Cache string `json:"cache,omitempty"`
}

// AWS locates data services and identities in an AWS account.
type AWS struct {
	// Region of the data services, e.g. `eu-central-1`.
	Region string `json:"region"`
	// AccountID of the account the roles live in.
	AccountID string `json:"accountID"`
	// OIDCIssuer of the cluster's service account tokens, without `https://`, e.g.
	// `oidc.eks.eu-central-1.amazonaws.com/id/EXAMPLE`. Its IAM OIDC provider must exist.
	OIDCIssuer string `json:"oidcIssuer"`
	// DBSubnetGroupName is the RDS subnet group databases are placed in.
	// +optional
	DBSubnetGroupName string `json:"dbSubnetGroupName,omitempty"`
	// CacheSubnetGroupName is the ElastiCache subnet group caches are placed in.
	// +optional
	CacheSubnetGroupName string `json:"cacheSubnetGroupName,omitempty"`
	// SecurityGroupIDs attached to databases and caches.
	// +optional
	SecurityGroupIDs []string `json:"securityGroupIDs,omitempty"`
}

// GCP locates data services and identities in a GCP project.
type GCP struct {
	// Project the data services and service accounts live in.
	Project string `json:"project"`
	// Region of the data services, e.g. `europe-west3`.
	Region string `json:"region"`
	// Network (self link) databases get a private IP in and caches are reachable from, e.g.
	// `projects/acme/global/networks/apps`.
	// +optional
	Network string `json:"network,omitempty"`
}

// Azure locates data services and identities in an Azure subscription.
type Azure struct {
	// SubscriptionID of the subscription.
	SubscriptionID string `json:"subscriptionID"`
	// ResourceGroup the data services and identities are created in.
	ResourceGroup string `json:"resourceGroup"`
	// Location of the data services, e.g. `westeurope`.
	Location string `json:"location"`
	// OIDCIssuer of the cluster's service account tokens, e.g.
	// `https://westeurope.oic.prod-aks.azure.com/<tenant>/<id>/`.
	OIDCIssuer string `json:"oidcIssuer"`
	// DelegatedSubnetID of the subnet PostgreSQL servers are injected into.
	// +optional
	DelegatedSubnetID string `json:"delegatedSubnetID,omitempty"`
	// PrivateDNSZoneID of the private DNS zone of PostgreSQL servers.
	// +optional
	PrivateDNSZoneID string `json:"privateDNSZoneID,omitempty"`
}

// InCluster configures data services run in the cluster by operators.
type InCluster struct {
	// StorageClass of the databases' volumes; the cluster's default when unset.
	// +optional
	StorageClass string `json:"storageClass,omitempty"`
	// PostgresImage is the CloudNativePG operand image, without tag; the tag is the version.
	// Defaults to `ghcr.io/cloudnative-pg/postgresql`.
	// +optional
	PostgresImage string `json:"postgresImage,omitempty"`
}

// Links are templates of where a developer looks next; `{namespace}` and `{name}` are replaced with
// the app's.
type Links struct {
	// Dashboard of an app.
	// +optional
	// +kubebuilder:validation:Pattern=`^https?://`
	Dashboard string `json:"dashboard,omitempty"`

	// Metrics of an app, e.g. a query in the platform's metrics UI.
	// +optional
	// +kubebuilder:validation:Pattern=`^https?://`
	Metrics string `json:"metrics,omitempty"`
}
