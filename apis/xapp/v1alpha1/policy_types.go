package v1alpha1

import (
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// XAppPolicyKind is the cluster-scoped composite resource holding the platform's rules for apps.
const XAppPolicyKind = "XAppPolicy"

// XAppPolicyGroupVersionKind is the GVK of the XAppPolicy.
var XAppPolicyGroupVersionKind = SchemeGroupVersion.WithKind(XAppPolicyKind)

// XAppPolicy is the platform's rules for apps, enforced twice from one table: by the API server, which
// refuses (or warns about) an XApp that breaks them, and by function-xapp when it composes the app.
// Its composition makes a ValidatingAdmissionPolicy that reads this object as its parameters and a
// binding per environment, so changing a rule here changes admission at once.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:scope=Cluster,categories={crossplane,xapp-all}
// +kubebuilder:subresource:status
type XAppPolicy struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   XAppPolicySpec   `json:"spec"`
	Status XAppPolicyStatus `json:"status,omitempty"`
}

// XAppPolicySpec holds the rules. Every rule is optional: an unset rule allows everything.
// +kubebuilder:validation:XValidation:rule="!has(self.environments) || !self.environments.exists(e, has(e.signatures)) || has(self.supplyChain)",message="supplyChain is required when an environment sets signatures"
type XAppPolicySpec struct {
	// Images limits where images come from and how exactly they name what runs.
	// +optional
	Images *PolicyImages `json:"images,omitempty"`

	// Resources caps what an app requests and limits.
	// +optional
	Resources *PolicyResources `json:"resources,omitempty"`

	// Owner requires every app to name who owns it.
	// +optional
	Owner *PolicyOwner `json:"owner,omitempty"`

	// AllowedDomains limits route hosts to these domains and their subdomains, matched on label
	// boundaries: `acme.com` allows `shop.acme.com`, not `shop.notacme.com`. Empty allows any host.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=64
	// +kubebuilder:validation:items:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	// +kubebuilder:validation:items:MaxLength=253
	AllowedDomains []string `json:"allowedDomains,omitempty"`

	// Probes requires what keeps broken pods out of traffic.
	// +optional
	Probes *PolicyProbes `json:"probes,omitempty"`

	// PodMetadata limits the labels and annotations apps put on their pods to key prefixes.
	// Unset, apps may use any key but the platform's own.
	// +optional
	PodMetadata *PolicyPodMetadata `json:"podMetadata,omitempty"`

	// SupplyChain names who must have signed the images apps run and what they must have attested,
	// in the environments that set `signatures`.
	// +optional
	SupplyChain *PolicySupplyChain `json:"supplyChain,omitempty"`

	// Environments are groups of namespaces, selected by label, each with its own action and
	// rules: production denies, development only warns. Admission checks apps in these namespaces
	// only; a namespace should belong to one environment at most.
	// +optional
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MaxItems=16
	Environments []PolicyEnvironment `json:"environments,omitempty"`
}

// PolicyImages limits what apps may run.
type PolicyImages struct {
	// AllowedRegistries are registry hosts, or host/path prefixes, images must come from, written
	// as in the image reference and without a trailing slash: `ghcr.io/acme` allows
	// `ghcr.io/acme/shop:1.2`, not `ghcr.io/acme-evil/shop:1.2`. Images are matched as written, so
	// write `docker.io/library` to allow `docker.io/library/nginx`, not `nginx`. Empty allows any.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=64
	// +kubebuilder:validation:items:Pattern=`^[a-zA-Z0-9.-]+(:[0-9]+)?(/[a-z0-9._-]+)*$`
	// +kubebuilder:validation:items:MaxLength=255
	AllowedRegistries []string `json:"allowedRegistries,omitempty"`

	// Pinning required of image references: None (default) allows any, Tag requires a tag other
	// than latest or a digest, Digest requires a digest.
	// +optional
	// +kubebuilder:validation:Enum=None;Tag;Digest
	Pinning string `json:"pinning,omitempty"`
}

// Image pinning levels of a policy.
const (
	PolicyPinningNone   = "None"
	PolicyPinningTag    = "Tag"
	PolicyPinningDigest = "Digest"
)

// PolicyResources caps what apps request and limit.
type PolicyResources struct {
	// MaxCPU caps an app's CPU request and limit, e.g. `4`.
	// +optional
	MaxCPU *resource.Quantity `json:"maxCPU,omitempty"`

	// MaxMemory caps an app's memory request and limit, e.g. `8Gi`.
	// +optional
	MaxMemory *resource.Quantity `json:"maxMemory,omitempty"`
}

// PolicyOwner requires every app to name its owner.
type PolicyOwner struct {
	// Required refuses an app that names no owner: no `spec.cmdb.ownerTeam` and, when Label is set,
	// no such label either.
	Required bool `json:"required"`

	// Label on the app that also names its owner, e.g. `acme.com/team`, for apps not registered
	// in the CMDB.
	// +optional
	// +kubebuilder:validation:MaxLength=317
	Label string `json:"label,omitempty"`
}

// PolicyProbes requires probes.
type PolicyProbes struct {
	// ReadinessRequired refuses an app whose pods would get no readiness probe: one that disables
	// it, or sets none and has no TCP port (http, grpc or tcp) for the default probe.
	ReadinessRequired bool `json:"readinessRequired"`
}

// PolicyPodMetadata lists the key prefixes apps may use on their pods, matched as written:
// `sidecar.istio.io/` allows that domain's keys, `acme.com/cost-` only keys starting so.
type PolicyPodMetadata struct {
	// AllowedLabelPrefixes of pod label keys. Empty allows none.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=32
	// +kubebuilder:validation:items:MaxLength=253
	AllowedLabelPrefixes []string `json:"allowedLabelPrefixes,omitempty"`

	// AllowedAnnotationPrefixes of pod annotation keys. Empty allows none.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=32
	// +kubebuilder:validation:items:MaxLength=253
	AllowedAnnotationPrefixes []string `json:"allowedAnnotationPrefixes,omitempty"`
}

// PolicyEnvironment is a group of namespaces with its own action and rules.
type PolicyEnvironment struct {
	// Name of the environment, e.g. production; it names the admission binding.
	// +kubebuilder:validation:MaxLength=40
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	Name string `json:"name"`

	// NamespaceLabels select the environment's namespaces: a namespace with all of them belongs
	// to it.
	// +kubebuilder:validation:MinProperties=1
	NamespaceLabels map[string]string `json:"namespaceLabels"`

	// Action on an app that breaks a rule: Deny refuses it, Warn admits it with a warning.
	// +kubebuilder:validation:Enum=Deny;Warn
	Action string `json:"action"`

	// MinReplicas an app must run here when it sets replicas or autoscaling; apps that set neither
	// get the platform's default.
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=100
	MinReplicas *int32 `json:"minReplicas,omitempty"`

	// Signatures requires the images of apps here to be signed and attested as spec.supplyChain
	// says: Enforce refuses a Pod whose image is not, Warn admits it with a warning. Apps here must
	// pin their images by digest. Unset, signatures are not checked here.
	// +optional
	// +kubebuilder:validation:Enum=Enforce;Warn
	Signatures string `json:"signatures,omitempty"`
}

// Actions of an environment.
const (
	PolicyActionDeny = "Deny"
	PolicyActionWarn = "Warn"
)

// XAppPolicyStatus is what the policy's composition reports.
type XAppPolicyStatus struct {
	// Admission names the ValidatingAdmissionPolicy and bindings that enforce the policy.
	// +optional
	Admission *PolicyAdmission `json:"admission,omitempty"`
}

// PolicyAdmission names the objects that enforce the policy at admission.
type PolicyAdmission struct {
	// Policy is the ValidatingAdmissionPolicy's name.
	Policy string `json:"policy,omitempty"`
	// Bindings are the names of its bindings, one per environment.
	// +optional
	Bindings []string `json:"bindings,omitempty"`

	// ImagePolicies are the names of the sigstore ClusterImagePolicies that check signatures and
	// attestations: one per action (Enforce, Warn) some environment takes.
	// +optional
	ImagePolicies []string `json:"imagePolicies,omitempty"`
}
