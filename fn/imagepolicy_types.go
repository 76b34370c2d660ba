package fn

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// sigstore policy-controller's ClusterImagePolicy, v1beta1, as far as xapp composes it. The
// controller's Go module pulls in knative and its own cosign, so these few fields are written here
// and checked against the controller's CRD (../shared/crds/sigstore-policy-controller) by the
// examples' render test.
const (
	cipAPIVersion = "policy.sigstore.dev/v1beta1"
	cipKind       = "ClusterImagePolicy"
)

type clusterImagePolicyObject struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              cipSpec `json:"spec"`
}

type cipSpec struct {
	Images      []cipImage     `json:"images"`
	Authorities []cipAuthority `json:"authorities"`
	Match       []cipMatch     `json:"match,omitempty"`
	// Mode is enforce or warn.
	Mode string `json:"mode"`
}

type cipImage struct {
	Glob string `json:"glob"`
}

type cipMatch struct {
	Group    string                `json:"group,omitempty"`
	Version  string                `json:"version,omitempty"`
	Resource string                `json:"resource,omitempty"`
	Selector *metav1.LabelSelector `json:"selector,omitempty"`
}

type cipAuthority struct {
	Name         string           `json:"name"`
	Keyless      *cipKeyless      `json:"keyless,omitempty"`
	Key          *cipKey          `json:"key,omitempty"`
	Attestations []cipAttestation `json:"attestations,omitempty"`
}

type cipKeyless struct {
	URL        string        `json:"url,omitempty"`
	Identities []cipIdentity `json:"identities"`
}

type cipIdentity struct {
	Issuer        string `json:"issuer"`
	Subject       string `json:"subject,omitempty"`
	SubjectRegExp string `json:"subjectRegExp,omitempty"`
}

type cipKey struct {
	Data      string        `json:"data,omitempty"`
	SecretRef *cipSecretRef `json:"secretRef,omitempty"`
}

type cipSecretRef struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace,omitempty"`
}

type cipAttestation struct {
	Name          string     `json:"name"`
	PredicateType string     `json:"predicateType"`
	Policy        *cipPolicy `json:"policy,omitempty"`
}

type cipPolicy struct {
	Type string `json:"type"`
	Data string `json:"data"`
}
