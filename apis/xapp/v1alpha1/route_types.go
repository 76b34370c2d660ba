package v1alpha1

// RouteRule sends one path prefix to one of the app's exposed HTTP ports. A rule is said once and
// rendered for the platform's routing: an HTTPRoute rule or an Ingress path.
type RouteRule struct {
	// Path prefix routed, e.g. `/api`.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=1024
	// +kubebuilder:validation:Pattern=`^/`
	Path string `json:"path"`

	// Port that receives the path: the name of an exposed HTTP port. Defaults to the first exposed
	// HTTP or gRPC port, which must then be an HTTP one.
	// +optional
	// +kubebuilder:validation:MaxLength=15
	Port string `json:"port,omitempty"`
}

// GatewayRoute is the Gateway API route that publishes a tcp port.
// +kubebuilder:validation:Enum=TLS;TCP
type GatewayRoute string

// Gateway routes of tcp ports.
const (
	// GatewayRouteTLS is a TLSRoute: the gateway passes the app's own TLS through, choosing the
	// app by the host name the client asks for (SNI).
	GatewayRouteTLS GatewayRoute = "TLS"
	// GatewayRouteTCP is a TCPRoute: the gateway's listener on the port's Service port carries the
	// port's traffic, whatever it is.
	GatewayRouteTCP GatewayRoute = "TCP"
)
