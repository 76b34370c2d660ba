package fn

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"
	gatewayv1alpha2 "sigs.k8s.io/gateway-api/apis/v1alpha2"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
	"github.com/xapp-dev/xapp/input/v1beta1"
)

// ResourceGatewayRoutePrefix starts the resource name of each tcp port's TLSRoute or TCPRoute:
// gateway-route-<port name>.
const ResourceGatewayRoutePrefix = "gateway-route-"

// gatewayRoutes publishes the tcp ports that ask for it through the platform's gateway: a TLSRoute
// (Gateway API v1) on its passthrough listener, matched by the app's host, or a TCPRoute (v1alpha2,
// experimental channel) on its listener at the port's Service port. Each is judged like the HTTP
// route, by the gateway's Accepted and ResolvedRefs conditions.
func gatewayRoutes(a *app) []object {
	var out []object //nolint:prealloc // most apps have none: no allocation for them
	for _, p := range a.spec.Ports {
		if p.GatewayRoute == "" {
			continue
		}
		name := a.name + "-" + p.Name
		ref := parentRef(a)
		ref.SectionName = nil
		backend := []gatewayv1.BackendRef{backendRef(a, p)}
		var obj routeObject
		if p.GatewayRoute == v1alpha1.GatewayRouteTLS {
			ref.SectionName = ptr.To(gatewayv1.SectionName(a.gateway().TLSListener))
			obj = &gatewayv1.TLSRoute{
				TypeMeta:   metav1.TypeMeta{APIVersion: gatewayv1.GroupVersion.String(), Kind: "TLSRoute"},
				ObjectMeta: a.objectMeta(name),
				Spec: gatewayv1.TLSRouteSpec{
					CommonRouteSpec: gatewayv1.CommonRouteSpec{ParentRefs: []gatewayv1.ParentReference{ref}},
					Hostnames:       []gatewayv1.Hostname{gatewayv1.Hostname(a.host())},
					Rules:           []gatewayv1.TLSRouteRule{{BackendRefs: backend}},
				},
			}
		} else {
			ref.Port = ptr.To(servicePort(p))
			obj = &gatewayv1alpha2.TCPRoute{
				TypeMeta:   metav1.TypeMeta{APIVersion: gatewayv1alpha2.GroupVersion.String(), Kind: "TCPRoute"},
				ObjectMeta: a.objectMeta(name),
				Spec: gatewayv1alpha2.TCPRouteSpec{
					CommonRouteSpec: gatewayv1.CommonRouteSpec{ParentRefs: []gatewayv1.ParentReference{ref}},
					Rules:           []gatewayv1alpha2.TCPRouteRule{{BackendRefs: backend}},
				},
			}
		}
		out = append(out, object{name: ResourceGatewayRoutePrefix + p.Name, obj: obj, health: routeHealth(a, obj.GetObjectKind().GroupVersionKind().Kind, name)})
	}
	return out
}

// gatewayRoutesPolicy refuses gateway routes of tcp ports the platform cannot carry: no gateway,
// Ingress routing, or a gateway without the listener the route needs. A TLS route matches by host,
// so its host must be one the app may claim.
func gatewayRoutesPolicy(a *app) field.ErrorList {
	var errs field.ErrorList
	for i, p := range a.spec.Ports {
		if p.GatewayRoute == "" {
			continue
		}
		gp := field.NewPath("spec", "ports").Index(i).Child("gatewayRoute")
		gw := a.gateway()
		switch {
		case a.routing() == v1beta1.RoutingIngress:
			errs = append(errs, field.Forbidden(gp, "the platform routes with Ingresses, which carry HTTP only: use loadBalancer"))
		case gw == nil:
			errs = append(errs, field.Forbidden(gp, "the platform has no gateway configured to attach routes to: use loadBalancer"))
		case p.GatewayRoute == v1alpha1.GatewayRouteTLS && gw.TLSListener == "":
			errs = append(errs, field.Forbidden(gp, "the platform's gateway has no TLS passthrough listener (Input gateway.tlsListener)"))
		case p.GatewayRoute == v1alpha1.GatewayRouteTCP && !gw.AllowTCPRoutes:
			errs = append(errs, field.Forbidden(gp, "the platform does not allow TCP routes (Input gateway.allowTCPRoutes)"))
		case p.GatewayRoute == v1alpha1.GatewayRouteTLS && a.catchAll():
			errs = append(errs, field.Forbidden(gp, "a TLS route matches by host name: set spec.route.host instead of catchAll"))
		case p.GatewayRoute == v1alpha1.GatewayRouteTLS && a.spec.Route == nil:
			// With a route, routePolicy has checked the same host already.
			errs = append(errs, hostPolicy(a, fmt.Sprintf("the TLS route of port %s", p.Name))...)
		}
	}
	return errs
}

// validateGatewayRoutes checks what the XRD checks of gatewayRoute: a known kind, on an exposed tcp
// port (HTTP and gRPC ports are routed by the app's route).
func validateGatewayRoutes(p *field.Path, ports []v1alpha1.Port) field.ErrorList {
	var errs field.ErrorList
	for i, port := range ports {
		if port.GatewayRoute == "" {
			continue
		}
		gp := p.Index(i).Child("gatewayRoute")
		switch port.GatewayRoute {
		case v1alpha1.GatewayRouteTLS, v1alpha1.GatewayRouteTCP:
		default:
			errs = append(errs, field.NotSupported(gp, port.GatewayRoute, []string{string(v1alpha1.GatewayRouteTLS), string(v1alpha1.GatewayRouteTCP)}))
			continue
		}
		if protocol(port) != v1alpha1.ProtocolTCP || !exposed(port) {
			errs = append(errs, field.Invalid(gp, port.GatewayRoute, "gatewayRoute publishes a tcp port with expose: true"))
		}
	}
	return errs
}
