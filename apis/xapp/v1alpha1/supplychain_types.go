package v1alpha1

// PolicySupplyChain is who must have signed the images apps run and what they must have attested
// about them. It is enforced by sigstore's policy-controller, through the ClusterImagePolicies
// function-xapp composes from it, in the environments that set `signatures`; and at admission of the
// app by the rule that such apps pin their images by digest, the digest that was signed.
type PolicySupplyChain struct {
	// Signers the platform trusts: an image passes when any one of them signed it and, when
	// attestations are required, attested it.
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	Signers []PolicySigner `json:"signers"`

	// Attestations every image must carry, each signed by the signer that signed the image.
	// +optional
	// +listType=map
	// +listMapKey=type
	// +kubebuilder:validation:MaxItems=8
	Attestations []PolicyAttestation `json:"attestations,omitempty"`
}

// PolicySigner is one trusted signer: a keyless identity (an OIDC issuer and subject, as Fulcio
// certifies them) or a public key.
// +kubebuilder:validation:XValidation:rule="has(self.keyless) != has(self.key)",message="set exactly one of keyless and key"
type PolicySigner struct {
	// Name of the signer, e.g. release-pipeline; it names the authority in the ClusterImagePolicy.
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	Name string `json:"name"`

	// Keyless trusts signatures whose Fulcio certificate names this OIDC issuer and subject.
	// +optional
	Keyless *PolicyKeylessSigner `json:"keyless,omitempty"`

	// Key trusts signatures made with this public key's private key.
	// +optional
	Key *PolicyKeySigner `json:"key,omitempty"`
}

// PolicyKeylessSigner is an OIDC identity as Fulcio certifies it.
// +kubebuilder:validation:XValidation:rule="has(self.subject) != has(self.subjectRegExp)",message="set exactly one of subject and subjectRegExp"
type PolicyKeylessSigner struct {
	// Issuer of the signer's OIDC token, e.g. https://token.actions.githubusercontent.com.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=512
	Issuer string `json:"issuer"`

	// Subject of the certificate, exactly: an email or a workflow URL such as
	// `https://github.com/acme/shop/.github/workflows/release.yaml@refs/heads/main`.
	// +optional
	// +kubebuilder:validation:MaxLength=1024
	Subject string `json:"subject,omitempty"`

	// SubjectRegExp matches the subject as a Go regular expression, e.g.
	// `^https://github\.com/acme/.+/\.github/workflows/release\.yaml@refs/tags/v.+$`. Anchor it:
	// unanchored it matches anywhere in the subject.
	// +optional
	// +kubebuilder:validation:MaxLength=1024
	SubjectRegExp string `json:"subjectRegExp,omitempty"`

	// URL of the Fulcio instance that issued the certificates; the public instance when unset.
	// +optional
	// +kubebuilder:validation:Pattern=`^https://`
	// +kubebuilder:validation:MaxLength=512
	URL string `json:"url,omitempty"`
}

// PolicyKeySigner is a public key, inline or in a Secret.
// +kubebuilder:validation:XValidation:rule="has(self.data) != has(self.secretRef)",message="set exactly one of data and secretRef"
type PolicyKeySigner struct {
	// Data is the PEM-encoded public key (`-----BEGIN PUBLIC KEY-----`, as `cosign generate-key-pair`
	// writes cosign.pub).
	// +optional
	// +kubebuilder:validation:MaxLength=16384
	Data string `json:"data,omitempty"`

	// SecretRef names a Secret holding the public key, in the namespace where policy-controller
	// runs (it reads keys from there only), under the key `cosign.pub`.
	// +optional
	SecretRef *PolicySecretRef `json:"secretRef,omitempty"`
}

// PolicySecretRef names a Secret of policy-controller's.
type PolicySecretRef struct {
	// Name of the Secret.
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	Name string `json:"name"`

	// Namespace where policy-controller runs.
	// +kubebuilder:default=cosign-system
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	Namespace string `json:"namespace,omitempty"`
}

// PolicyAttestation is an attestation every image must carry.
type PolicyAttestation struct {
	// Type of attestation: CycloneDX or SPDX (an SBOM), Vulnerability (a vulnerability scan, cosign's
	// vuln predicate) or SLSAProvenance (SLSA provenance v0.2, how and from what it was built).
	// +kubebuilder:validation:Enum=CycloneDX;SPDX;Vulnerability;SLSAProvenance
	Type string `json:"type"`

	// Policy is a CUE policy the attestation's predicate must satisfy, e.g. a scan no older than a
	// week; any attestation of the type, properly signed, passes when unset.
	// +optional
	// +kubebuilder:validation:MaxLength=16384
	Policy string `json:"policy,omitempty"`
}

// Attestation types of a supply chain.
const (
	AttestationCycloneDX      = "CycloneDX"
	AttestationSPDX           = "SPDX"
	AttestationVulnerability  = "Vulnerability"
	AttestationSLSAProvenance = "SLSAProvenance"
)

// What an environment does with an image that is unsigned or lacks an attestation.
const (
	SignaturesEnforce = "Enforce"
	SignaturesWarn    = "Warn"
)
