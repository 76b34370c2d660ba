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

	// Domain under which apps get a default host: `<app>.<namespace>.<domain>`.
	// +optional
	Domain string `json:"domain,omitempty"`

	// AllowedDomains limits route hosts to these domains and their subdomains. Empty allows any host.
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

	// Images is the image policy.
	// +optional
	Images *ImagePolicy `json:"images,omitempty"`

	// NetworkPolicy chooses how app traffic is restricted.
	// +optional
	NetworkPolicy *NetworkPolicy `json:"networkPolicy,omitempty"`

	// MultiCluster chooses the cluster-mesh mechanism apps with `multiCluster` use.
	// +optional
	MultiCluster *MultiCluster `json:"multiCluster,omitempty"`

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
	// Required refuses apps without `spec.cmdb`: every app must name its owner.
	// +optional
	Required bool `json:"required,omitempty"`
}

// ProviderConfigRef names a provider-cmdb config.
type ProviderConfigRef struct {
	// Kind is ClusterProviderConfig or ProviderConfig.
	// +optional
	// +kubebuilder:validation:Enum=ClusterProviderConfig;ProviderConfig
	Kind string `json:"kind,omitempty"`
	// Name of the config.
	Name string `json:"name"`
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
	// Memory request and limit. Defaults to 128Mi.
	// +optional
	Memory *resource.Quantity `json:"memory,omitempty"`
	// ReadinessPath of the default HTTP readiness probe. Defaults to `/`.
	// +optional
	ReadinessPath string `json:"readinessPath,omitempty"`
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
	// EgressCIDRs apps may also reach outside the cluster, e.g. `0.0.0.0/0` for the internet.
	// +optional
	EgressCIDRs []string `json:"egressCIDRs,omitempty"`
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
