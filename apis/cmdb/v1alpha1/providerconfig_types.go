package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// Backend is the CMDB product a config talks to.
// +kubebuilder:validation:Enum=ServiceNow;iTop
type Backend string

// Supported backends.
const (
	BackendServiceNow Backend = "ServiceNow"
	BackendITop       Backend = "iTop"
)

// AuthMethod is how provider-cmdb authenticates to the backend.
// +kubebuilder:validation:Enum=Basic;OAuthToken
type AuthMethod string

// Authentication methods.
const (
	// AuthBasic reads the keys username and password from the Secret.
	AuthBasic AuthMethod = "Basic"
	// AuthOAuthToken reads the key token from the Secret and sends it as a bearer token
	// (ServiceNow only: stock iTop has no token login).
	AuthOAuthToken AuthMethod = "OAuthToken"
)

// SecretRef names a Secret. Namespace is read only by a ClusterProviderConfig: a
// namespaced ProviderConfig always reads Secrets from its own namespace, so a namespace's
// tenants cannot borrow another namespace's CMDB credentials.
type SecretRef struct {
	// Name of the Secret.
	Name string `json:"name"`

	// Namespace of the Secret (ClusterProviderConfig only).
	// +optional
	Namespace string `json:"namespace,omitempty"`
}

// Credentials say how to authenticate to the backend.
type Credentials struct {
	// Method of authentication.
	// +kubebuilder:default=Basic
	Method AuthMethod `json:"method"`

	// SecretRef names the Secret holding username and password (Basic) or token (OAuthToken).
	SecretRef SecretRef `json:"secretRef"`
}

// TLS configures how the backend's certificate is verified.
type TLS struct {
	// CASecretRef names a Secret whose key ca.crt holds the PEM CA bundle that signed the
	// backend's certificate, for CMDBs behind a private CA.
	// +optional
	CASecretRef *SecretRef `json:"caSecretRef,omitempty"`
}

// ServiceNowConfig holds settings only ServiceNow reads.
type ServiceNowConfig struct {
	// DataSource is the discovery source provider-cmdb reports to Identification and
	// Reconciliation (sysparm_data_source and source_name). It must exist in the
	// instance's discovery_source choice list.
	// +optional
	// +kubebuilder:default=xapp
	DataSource string `json:"dataSource,omitempty"`
}

// ITopConfig holds settings only iTop reads.
type ITopConfig struct {
	// Organization every record belongs to (iTop org_id, by name). iTop requires one, and
	// find-before-create looks records up by class, name and this organization.
	// +kubebuilder:validation:MinLength=1
	Organization string `json:"organization"`

	// APIVersion of the REST API (1.0 to 1.4).
	// +optional
	// +kubebuilder:default="1.3"
	APIVersion string `json:"apiVersion,omitempty"`

	// Changes says who ChangeRecords are recorded for and by; required for ChangeRecords.
	// +optional
	Changes *ITopChangeConfig `json:"changes,omitempty"`
}

// ITopChangeConfig names the people iTop's Change lifecycle (itop-change-mgmt) wants before a
// change can be closed: a caller to create it, a team, an agent and a change manager to assign
// it. They are the platform's, not an app's, so they live in the provider config. People are
// found by email (names repeat), the team by name.
type ITopChangeConfig struct {
	// CallerEmail is the email of the Person a change is recorded for (caller_id).
	// +kubebuilder:validation:MinLength=3
	CallerEmail string `json:"callerEmail"`

	// Team a change is assigned to (team_id), by name.
	// +kubebuilder:validation:MinLength=1
	Team string `json:"team"`

	// AgentEmail is the email of the Person a change is assigned to (agent_id); iTop's console
	// offers only the team's members.
	// +kubebuilder:validation:MinLength=3
	AgentEmail string `json:"agentEmail"`

	// ChangeManagerEmail is the email of the change manager (changemanager_id); the agent when
	// unset.
	// +optional
	ChangeManagerEmail string `json:"changeManagerEmail,omitempty"`

	// FallbackPlan recorded when a change is planned (iTop wants one): how a deploy is undone.
	// +optional
	// +kubebuilder:default="Roll back to the previous revision."
	FallbackPlan string `json:"fallbackPlan,omitempty"`
}

// A ProviderConfigSpec says which CMDB to talk to and how.
// +kubebuilder:validation:XValidation:rule="self.backend != 'iTop' || has(self.iTop)",message="iTop needs spec.iTop.organization"
// +kubebuilder:validation:XValidation:rule="self.backend != 'iTop' || self.credentials.method != 'OAuthToken'",message="iTop has no token login (stock iTop refuses auth_token): credentials.method must be Basic"
type ProviderConfigSpec struct {
	// Backend is the CMDB product.
	Backend Backend `json:"backend"`

	// Endpoint is the base URL of the instance, e.g. https://acme.service-now.com or
	// https://cmdb.example.com/itop (without /webservices/rest.php).
	// +kubebuilder:validation:Pattern=`^https?://`
	Endpoint string `json:"endpoint"`

	// Credentials to authenticate with.
	Credentials Credentials `json:"credentials"`

	// TLS settings.
	// +optional
	TLS *TLS `json:"tls,omitempty"`

	// ServiceNow settings.
	// +optional
	ServiceNow *ServiceNowConfig `json:"serviceNow,omitempty"`

	// ITop settings; required when backend is iTop.
	// +optional
	ITop *ITopConfig `json:"iTop,omitempty"`
}

// A ProviderConfigStatus reflects the observed state of a ProviderConfig.
type ProviderConfigStatus struct {
	xpv2.ProviderConfigStatus `json:",inline"`
}

// +kubebuilder:object:root=true

// A ProviderConfig tells the managed resources of one namespace which CMDB to use.
// +kubebuilder:printcolumn:name="BACKEND",type="string",JSONPath=".spec.backend"
// +kubebuilder:printcolumn:name="ENDPOINT",type="string",JSONPath=".spec.endpoint"
// +kubebuilder:printcolumn:name="USERS",type="integer",JSONPath=".status.users"
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Namespaced,categories={crossplane,provider,cmdb}
type ProviderConfig struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   ProviderConfigSpec   `json:"spec"`
	Status ProviderConfigStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// ProviderConfigList contains a list of ProviderConfig.
type ProviderConfigList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ProviderConfig `json:"items"`
}

// +kubebuilder:object:root=true

// A ClusterProviderConfig tells managed resources in any namespace which CMDB to use; the
// platform team's shared CMDB connection.
// +kubebuilder:printcolumn:name="BACKEND",type="string",JSONPath=".spec.backend"
// +kubebuilder:printcolumn:name="ENDPOINT",type="string",JSONPath=".spec.endpoint"
// +kubebuilder:printcolumn:name="USERS",type="integer",JSONPath=".status.users"
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Cluster,categories={crossplane,provider,cmdb}
type ClusterProviderConfig struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   ProviderConfigSpec   `json:"spec"`
	Status ProviderConfigStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// ClusterProviderConfigList contains a list of ClusterProviderConfig.
type ClusterProviderConfigList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ClusterProviderConfig `json:"items"`
}

// +kubebuilder:object:root=true

// A ProviderConfigUsage records that a managed resource uses a ProviderConfig or a
// ClusterProviderConfig (label crossplane.io/provider-config-kind), so a config in use
// cannot be deleted. It lives in the managed resource's namespace for both kinds: that is
// where crossplane-runtime's usage tracker writes it, and where the config reconcilers
// count it.
// +kubebuilder:printcolumn:name="CONFIG-KIND",type="string",JSONPath=".providerConfigRef.kind"
// +kubebuilder:printcolumn:name="CONFIG-NAME",type="string",JSONPath=".providerConfigRef.name"
// +kubebuilder:printcolumn:name="RESOURCE-KIND",type="string",JSONPath=".resourceRef.kind"
// +kubebuilder:printcolumn:name="RESOURCE-NAME",type="string",JSONPath=".resourceRef.name"
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:resource:scope=Namespaced,categories={crossplane,provider,cmdb}
type ProviderConfigUsage struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	xpv2.TypedProviderConfigUsage `json:",inline"`
}

// +kubebuilder:object:root=true

// ProviderConfigUsageList contains a list of ProviderConfigUsage.
type ProviderConfigUsageList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ProviderConfigUsage `json:"items"`
}
