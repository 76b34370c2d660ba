package fn

import (
	"fmt"
	"strings"

	"google.golang.org/protobuf/types/known/structpb"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
	"github.com/xapp-dev/xapp/input/v1beta1"
)

// routeRule is one path prefix and the port it goes to, free of any routing flavour: the Gateway
// API and Ingress renderers only translate the list, so both always route the same paths to the
// same ports.
type routeRule struct {
	path string
	port v1alpha1.Port
}

// routeRules lists what the app routes: each of its rules, or each of its paths (`/` without any)
// to the routed port. validateRoute has checked that every port named exists.
func (a *app) routeRules() []routeRule {
	routed, _ := a.routedPort()
	r := a.spec.Route
	if len(r.Rules) == 0 {
		paths := a.routePaths()
		out := make([]routeRule, len(paths))
		for i, p := range paths {
			out[i] = routeRule{path: p, port: routed}
		}
		return out
	}
	out := make([]routeRule, len(r.Rules))
	for i, rule := range r.Rules {
		out[i] = routeRule{path: rule.Path, port: routed}
		if p, ok := portNamed(a.spec.Ports, rule.Port); ok {
			out[i].port = p
		}
	}
	return out
}

func portNamed(ports []v1alpha1.Port, name string) (v1alpha1.Port, bool) {
	for _, p := range ports {
		if name != "" && p.Name == name {
			return p, true
		}
	}
	return v1alpha1.Port{}, false
}

func (a *app) routing() v1beta1.RoutingKind {
	if a.in.Routing == nil || a.in.Routing.Kind == "" {
		return v1beta1.RoutingGatewayAPI
	}
	return a.in.Routing.Kind
}

// grpcRoute says whether the route publishes a gRPC port: its routed port speaks gRPC and it has no
// rules, which send paths to HTTP ports only.
func (a *app) grpcRoute() bool {
	p, ok := a.routedPort()
	return ok && protocol(p) == v1alpha1.ProtocolGRPC && len(a.spec.Route.Rules) == 0
}

func (a *app) catchAll() bool { return a.spec.Route != nil && a.spec.Route.CatchAll }

// publishedRoute is the app's route in the platform's flavour, its resource name and how to judge
// it; nil without one.
func publishedRoute(a *app) (string, any, func(*structpb.Struct) health) {
	if a.spec.Route == nil {
		return "", nil, nil
	}
	if a.routing() == v1beta1.RoutingIngress {
		ing := ingress(a)
		return ResourceIngress, ing, ingressHealth(ing.Name)
	}
	r := route(a)
	if r == nil {
		return "", nil, nil
	}
	kind := r.GetObjectKind().GroupVersionKind().Kind
	name := ResourceRoute
	if kind == "GRPCRoute" {
		name = ResourceGRPCRoute
	}
	return name, r, routeHealth(a, kind, r.GetName())
}

// routeURL is the app's URL as the status tells it. An Ingress is only reachable once its
// controller has given it an address, so its URL waits for the address, and a catch-all Ingress is
// reached at that address.
func routeURL(a *app, observedRoute *structpb.Struct) string {
	if a.routing() != v1beta1.RoutingIngress || a.spec.Route == nil {
		return a.url()
	}
	addr := loadBalancerAddress(observedRoute)
	switch {
	case addr == "":
		return ""
	case a.catchAll():
		return a.scheme() + addr + a.urlPath()
	default:
		return a.url()
	}
}

// routePolicy applies the platform's routing rules: where routes may go, and which hosts. A gRPC
// app on Ingresses the platform gives no gRPC annotations is warned: Ingress has no field for the
// backend's protocol, and a controller left to its default speaks HTTP/1.1 to a port that wants
// HTTP/2.
func routePolicy(a *app) (warnings []string, errs field.ErrorList) {
	if a.spec.Route == nil {
		return nil, gatewayRoutesPolicy(a)
	}
	// Paths are made only for what is said: policy runs on every reconcile of every app.
	rp := func() *field.Path { return field.NewPath("spec", "route") }
	if a.routing() == v1beta1.RoutingIngress && a.in.Routing.Ingress != nil && len(a.in.Routing.Ingress.GRPCAnnotations) == 0 {
		if p, _ := a.routedPort(); a.grpcRoute() {
			warnings = append(warnings, fmt.Sprintf("%s: port %s speaks gRPC, but the platform's Ingresses carry no gRPC annotations (Input routing.ingress.grpcAnnotations): the ingress controller may not speak HTTP/2 to it", rp(), p.Name))
		}
	}
	errs = hostPolicy(a, "the route")
	if a.catchAll() && (a.in.Routing == nil || !a.in.Routing.AllowCatchAll) {
		errs = append(errs, field.Forbidden(rp().Child("catchAll"), "the platform does not allow catch-all routes (Input routing.allowCatchAll): name a host"))
	}
	switch {
	case a.routing() == v1beta1.RoutingIngress && a.in.Routing.Ingress == nil:
		errs = append(errs, field.Forbidden(rp(), "the platform routes with Ingresses but configures none (Input routing.ingress)"))
	case a.routing() == v1beta1.RoutingIngress && a.in.Routing.Ingress.Controller.Namespace == "":
		// An empty namespace would admit pods with the controller's labels in every namespace.
		errs = append(errs, field.Forbidden(rp(), "the platform does not say where its ingress controller runs (Input routing.ingress.controller.namespace)"))
	case a.routing() == v1beta1.RoutingGatewayAPI && a.gateway() == nil:
		errs = append(errs, field.Forbidden(rp(), "the platform has no gateway configured to attach routes to"))
	}
	return warnings, append(errs, gatewayRoutesPolicy(a)...)
}

// hostPolicy checks the host a route of what matches (spec.route.host, or the default one): the
// platform must give one, and it must be under the platform's allowed domains. A catch-all route has
// none to check.
func hostPolicy(a *app, what string) field.ErrorList {
	if a.catchAll() {
		return nil
	}
	host := a.host()
	if host == "" {
		return field.ErrorList{field.Required(field.NewPath("spec", "route", "host"), "the platform sets no default domain, so "+what+" needs a host")}
	}
	if allowed := a.allowedDomains(); !domainAllowed(host, allowed) {
		return field.ErrorList{field.Forbidden(field.NewPath("spec", "route", "host"),
			fmt.Sprintf("host %s is outside the platform's allowed domains (%s)", host, strings.Join(allowed, ", ")))}
	}
	return nil
}

// routeSource is who sends routed traffic to the app's exposed ports: the gateway's proxies or the
// ingress controller; nil when the platform says neither.
func (a *app) routeSource() *podsPeer {
	if a.routing() == v1beta1.RoutingIngress {
		// Without a namespace the peer would be every namespace's pods with those labels.
		if ing := a.in.Routing.Ingress; ing != nil && ing.Controller.Namespace != "" {
			return &podsPeer{labels: ing.Controller.PodLabels, namespace: ing.Controller.Namespace}
		}
		return nil
	}
	if gw := a.gateway(); gw != nil {
		return &podsPeer{labels: gw.PodLabels, namespace: gw.Namespace}
	}
	return nil
}

// validateRouteRules checks what the XRD checks of a route's rules and catch-all, for pipelines
// that skip its schema: each rule's port is an exposed HTTP port (the routed one when unnamed), each
// path is routed once, and a route has one way of choosing hosts and paths.
func validateRouteRules(p *field.Path, spec *v1alpha1.XAppSpec, routed v1alpha1.Port, hasRouted bool) field.ErrorList {
	r := spec.Route
	var errs field.ErrorList
	if r.CatchAll && r.Host != "" {
		errs = append(errs, field.Invalid(p.Child("catchAll"), true, "a catch-all route matches every host: set either host or catchAll"))
	}
	if len(r.Rules) == 0 {
		return errs
	}
	if len(r.Paths) > 0 {
		errs = append(errs, field.Invalid(p.Child("rules"), len(r.Rules), "set either paths (to the first exposed port) or rules (each path to a port), not both"))
	}
	seen := make(map[string]int, len(r.Rules))
	for i, rule := range r.Rules {
		rp := p.Child("rules").Index(i)
		if !strings.HasPrefix(rule.Path, "/") {
			errs = append(errs, field.Invalid(rp.Child("path"), rule.Path, "must start with /"))
		}
		if j, dup := seen[rule.Path]; dup {
			errs = append(errs, field.Duplicate(rp.Child("path"), fmt.Sprintf("%s (also %s)", rule.Path, p.Child("rules").Index(j))))
		}
		seen[rule.Path] = i
		port, found := portNamed(spec.Ports, rule.Port)
		switch {
		case rule.Port == "" && hasRouted && protocol(routed) != v1alpha1.ProtocolHTTP:
			errs = append(errs, field.Required(rp.Child("port"), fmt.Sprintf("the first exposed port, %s, speaks %s, not http: name an exposed http port", routed.Name, protocol(routed))))
		case rule.Port == "":
		case !found:
			errs = append(errs, field.NotFound(rp.Child("port"), rule.Port))
		case !exposed(port) || protocol(port) != v1alpha1.ProtocolHTTP:
			errs = append(errs, field.Invalid(rp.Child("port"), rule.Port, "must name an http port with expose: true"))
		}
	}
	return errs
}
