package v1beta1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// SecretStore lets apps take values and files from the platform's secret store (`env[].storeKeyRef`,
// `volumes[].storeSecret`) through the External Secrets Operator: the function composes an
// ExternalSecret per app, which copies what the app names into a Secret of its own.
type SecretStore struct {
	// Name of the ClusterSecretStore apps' secrets come from unless they name another.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`

	// AllowedStores are other ClusterSecretStores apps may name in `store`. Empty, apps use Name
	// only.
	// +optional
	// +listType=set
	AllowedStores []string `json:"allowedStores,omitempty"`

	// RefreshInterval is how often the operator copies each secret again, e.g. `1h` (the default)
	// or `15m`. A changed value reaches pods only when they restart.
	// +optional
	RefreshInterval *metav1.Duration `json:"refreshInterval,omitempty"`
}
