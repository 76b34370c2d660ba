package v1beta1

// RoutingKind is what publishes apps' routes.
// +kubebuilder:validation:Enum=GatewayAPI;Ingress
type RoutingKind string

// Routing kinds.
const (
	// RoutingGatewayAPI attaches HTTPRoutes and GRPCRoutes to the platform's Gateway (the
	// default).
	RoutingGatewayAPI RoutingKind = "GatewayAPI"
	// RoutingIngress publishes routes as Ingresses of the platform's ingress class, for clusters
	// without a Gateway API implementation.
	RoutingIngress RoutingKind = "Ingress"
)

// Routing chooses how apps' routes (`route`) are published.
//
// +kubebuilder:validation:XValidation:rule="!has(self.kind) || self.kind != 'Ingress' || has(self.ingress)",message="routing.kind Ingress needs routing.ingress"
type Routing struct {
	// Kind of route: GatewayAPI (default; routes attach to `gateway`) or Ingress.
	// +optional
	Kind RoutingKind `json:"kind,omitempty"`

	// AllowCatchAll lets apps route every host name to themselves (`route.catchAll`). Off by
	// default: on a shared gateway or ingress controller one app would take every host no other
	// route claims.
	// +optional
	AllowCatchAll bool `json:"allowCatchAll,omitempty"`

	// Ingress is how Ingresses are made; required when kind is Ingress.
	// +optional
	Ingress *Ingress `json:"ingress,omitempty"`
}

// Ingress is how apps' Ingresses are made and where the ingress controller runs.
type Ingress struct {
	// ClassName is the Ingresses' ingressClassName; the cluster's default class when unset.
	// +optional
	ClassName string `json:"className,omitempty"`

	// Annotations on every Ingress, e.g. the controller's timeouts or redirects.
	// +optional
	Annotations map[string]string `json:"annotations,omitempty"`

	// GRPCAnnotations are added to the Ingresses of gRPC apps: Ingress has no field for the
	// backend's protocol, so each controller reads its own annotation, e.g.
	// `nginx.ingress.kubernetes.io/backend-protocol: GRPC`.
	// +optional
	GRPCAnnotations map[string]string `json:"grpcAnnotations,omitempty"`

	// TLS is where the certificate of routes with `tls` (the default) comes from. Unset, an
	// Ingress names no certificate and the controller serves its default one.
	// +optional
	TLS *IngressTLS `json:"tls,omitempty"`

	// Controller locates the ingress controller's pods: network policies admit traffic from them
	// to apps' exposed ports.
	Controller IngressController `json:"controller"`
}

// IngressTLS is one source of Ingress certificates.
//
// +kubebuilder:validation:XValidation:rule="[has(self.secretName), has(self.clusterIssuer), has(self.issuer)].filter(x, x).size() == 1",message="set exactly one of secretName, clusterIssuer and issuer"
type IngressTLS struct {
	// SecretName is a TLS Secret in each app's namespace, e.g. a wildcard certificate of the
	// platform's domain. Copying it there is the platform's job.
	// +optional
	SecretName string `json:"secretName,omitempty"`

	// ClusterIssuer is a cert-manager ClusterIssuer: cert-manager's ingress-shim issues each route's
	// certificate into the Secret `<app>-tls` of the app's namespace.
	// +optional
	ClusterIssuer string `json:"clusterIssuer,omitempty"`

	// Issuer is a cert-manager Issuer in each app's namespace, used like clusterIssuer.
	// +optional
	Issuer string `json:"issuer,omitempty"`
}

// IngressController locates the ingress controller's pods.
type IngressController struct {
	// Namespace the controller runs in.
	// +kubebuilder:validation:MinLength=1
	Namespace string `json:"namespace"`

	// PodLabels select the controller's pods in its namespace. Empty admits every pod of the
	// namespace.
	// +optional
	PodLabels map[string]string `json:"podLabels,omitempty"`
}
