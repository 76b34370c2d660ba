package v1alpha1

// StoreKeyRef names one key of a secret in the platform's secret store (Vault, AWS Secrets Manager,
// ...). The platform copies it into a Secret of the app's with an ExternalSecret; the function never
// reads the value.
type StoreKeyRef struct {
	// Path of the secret in the store, e.g. `shop/stripe`.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=1024
	Path string `json:"path"`

	// Key in the secret, e.g. `api-key` (the store's property); the secret's whole value when
	// unset.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	Key string `json:"key,omitempty"`

	// Store names one of the secret stores the platform allows apps to choose; the platform's own
	// when unset.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	Store string `json:"store,omitempty"`
}

// StoreSecret names a secret in the platform's secret store whose every key becomes a file.
type StoreSecret struct {
	// Path of the secret in the store, e.g. `shop/tls`.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=1024
	Path string `json:"path"`

	// Store names one of the secret stores the platform allows apps to choose; the platform's own
	// when unset.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	Store string `json:"store,omitempty"`
}
