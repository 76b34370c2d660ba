package fn

import (
	"slices"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
)

// Cilium ClusterMesh service annotations.
const (
	annotationCiliumGlobal   = "service.cilium.io/global"
	annotationCiliumAffinity = "service.cilium.io/affinity"
	labelNamespaceName       = "kubernetes.io/metadata.name"
)

// service makes every port reachable in the cluster under the app's name; nil for an app without
// ports (a worker).
func service(a *app) *corev1.Service {
	if len(a.spec.Ports) == 0 {
		return nil
	}
	ports := servicePorts(a.spec.Ports)
	meta := a.objectMeta(a.name)
	if mc := a.spec.MultiCluster; mc != nil {
		cilium := map[string]string{}
		if mc.Global {
			cilium[annotationCiliumGlobal] = "true"
		}
		if mc.Affinity != "" {
			cilium[annotationCiliumAffinity] = string(mc.Affinity)
		}
		meta.Annotations = a.annotations(cilium)
	}
	return &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: meta,
		Spec:       corev1.ServiceSpec{Selector: a.selector, Ports: ports},
	}
}

// servicePorts offers each port on its Service port, targeting the container's by name.
func servicePorts(ports []v1alpha1.Port) []corev1.ServicePort {
	out := make([]corev1.ServicePort, len(ports))
	for i, p := range ports {
		out[i] = corev1.ServicePort{
			Name:        p.Name,
			Protocol:    transport(p),
			Port:        servicePort(p),
			TargetPort:  intstr.FromString(p.Name),
			AppProtocol: appProtocol(protocol(p)),
		}
	}
	return out
}

// appProtocol tells gateways and meshes how to speak to a port: gRPC needs HTTP/2 cleartext.
func appProtocol(p v1alpha1.Protocol) *string {
	switch p {
	case v1alpha1.ProtocolHTTP:
		return ptr.To("http")
	case v1alpha1.ProtocolGRPC:
		return ptr.To("kubernetes.io/h2c")
	default:
		return nil
	}
}

// parentRef attaches a route to the platform's gateway, on its HTTPS or HTTP listener.
func parentRef(a *app) gatewayv1.ParentReference {
	gw := a.gateway()
	ref := gatewayv1.ParentReference{
		Group:     ptr.To(gatewayv1.Group(gatewayv1.GroupName)),
		Kind:      ptr.To(gatewayv1.Kind("Gateway")),
		Name:      gatewayv1.ObjectName(gw.Name),
		Namespace: ptr.To(gatewayv1.Namespace(gw.Namespace)),
	}
	listener := gw.HTTPSListener
	if !a.tls() {
		listener = gw.HTTPListener
	}
	if listener != "" {
		ref.SectionName = ptr.To(gatewayv1.SectionName(listener))
	}
	return ref
}

// route publishes the routed port on the platform's gateway: an HTTPRoute for HTTP, with a rule per
// port its paths go to, a GRPCRoute for gRPC; nil without a route. It returns an object either way
// through the same interface, so readiness treats both alike.
func route(a *app) routeObject {
	if a.spec.Route == nil {
		return nil
	}
	p, ok := a.routedPort()
	if !ok {
		return nil
	}
	common := gatewayv1.CommonRouteSpec{ParentRefs: []gatewayv1.ParentReference{parentRef(a)}}
	var hostnames []gatewayv1.Hostname
	if h := a.host(); h != "" {
		hostnames = []gatewayv1.Hostname{gatewayv1.Hostname(h)}
	}
	if a.grpcRoute() {
		return &gatewayv1.GRPCRoute{
			TypeMeta:   metav1.TypeMeta{APIVersion: gatewayv1.GroupVersion.String(), Kind: "GRPCRoute"},
			ObjectMeta: a.objectMeta(a.name),
			Spec: gatewayv1.GRPCRouteSpec{
				CommonRouteSpec: common,
				Hostnames:       hostnames,
				Rules:           []gatewayv1.GRPCRouteRule{{BackendRefs: []gatewayv1.GRPCBackendRef{{BackendRef: backendRef(a, p)}}}},
			},
		}
	}
	return &gatewayv1.HTTPRoute{
		TypeMeta:   metav1.TypeMeta{APIVersion: gatewayv1.GroupVersion.String(), Kind: "HTTPRoute"},
		ObjectMeta: a.objectMeta(a.name),
		Spec:       gatewayv1.HTTPRouteSpec{CommonRouteSpec: common, Hostnames: hostnames, Rules: httpRouteRules(a, a.routeRules())},
	}
}

// httpRouteRules makes one HTTPRoute rule per port, matching each of the paths that go to it, in
// the order the ports first appear.
func httpRouteRules(a *app, rules []routeRule) []gatewayv1.HTTPRouteRule {
	out := make([]gatewayv1.HTTPRouteRule, 0, 1)
	for _, r := range rules {
		// A rule's backend is the port's Service port, unique among HTTP ports; a route has a few
		// ports at most, so a scan costs less than a map.
		sp := servicePort(r.port)
		i := slices.IndexFunc(out, func(rule gatewayv1.HTTPRouteRule) bool { return *rule.BackendRefs[0].Port == sp })
		if i < 0 {
			i = len(out)
			out = append(out, gatewayv1.HTTPRouteRule{BackendRefs: []gatewayv1.HTTPBackendRef{{BackendRef: backendRef(a, r.port)}}})
		}
		out[i].Matches = append(out[i].Matches, gatewayv1.HTTPRouteMatch{
			Path: &gatewayv1.HTTPPathMatch{Type: ptr.To(gatewayv1.PathMatchPathPrefix), Value: ptr.To(r.path)},
		})
	}
	return out
}

// backendRef is the app's Service on the port it offers for p.
func backendRef(a *app, p v1alpha1.Port) gatewayv1.BackendRef {
	return gatewayv1.BackendRef{BackendObjectReference: gatewayv1.BackendObjectReference{
		Name: gatewayv1.ObjectName(a.name),
		Port: ptr.To(servicePort(p)),
	}}
}

// routeObject is an HTTPRoute or a GRPCRoute.
type routeObject interface {
	runtime.Object
	GetName() string
}

// networkPolicy renders the app's rules as a Kubernetes NetworkPolicy.
func networkPolicy(a *app, r netRules) *networkingv1.NetworkPolicy {
	ingress := make([]networkingv1.NetworkPolicyIngressRule, len(r.ingress))
	for i, rule := range r.ingress {
		ingress[i] = networkingv1.NetworkPolicyIngressRule{From: npPeers(rule), Ports: npPorts(rule.ports)}
	}
	egress := make([]networkingv1.NetworkPolicyEgressRule, 0, len(r.egress))
	for _, rule := range r.egress {
		// A NetworkPolicy cannot name hosts: policy warns the developer, and the rule is left out
		// rather than widened.
		if len(rule.hosts) == 0 {
			egress = append(egress, networkingv1.NetworkPolicyEgressRule{To: npPeers(rule), Ports: npPorts(rule.ports)})
		}
	}
	if len(ingress) == 0 {
		ingress = nil
	}
	return &networkingv1.NetworkPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"},
		ObjectMeta: a.objectMeta(a.name),
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: a.selector},
			// Both types, always: an empty rule list then denies, rather than allowing everything.
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress},
			Ingress:     ingress,
			Egress:      egress,
		},
	}
}

// npPeers is a rule's peer: pods selected by namespace and labels (the app's own namespace is the
// policy's, so it needs no selector; an empty one selects every namespace), or IP blocks.
func npPeers(r netRule) []networkingv1.NetworkPolicyPeer {
	if r.pods == nil {
		out := make([]networkingv1.NetworkPolicyPeer, len(r.cidrs))
		for i, c := range r.cidrs {
			out[i] = networkingv1.NetworkPolicyPeer{IPBlock: &networkingv1.IPBlock{CIDR: c}}
		}
		return out
	}
	p := networkingv1.NetworkPolicyPeer{PodSelector: &metav1.LabelSelector{MatchLabels: r.pods.labels}}
	switch {
	case r.pods.own:
	case r.pods.namespace == "":
		p.NamespaceSelector = &metav1.LabelSelector{}
	default:
		p.NamespaceSelector = &metav1.LabelSelector{MatchLabels: map[string]string{labelNamespaceName: r.pods.namespace}}
	}
	return []networkingv1.NetworkPolicyPeer{p}
}

// npPorts lists each port once per protocol: a NetworkPolicy has no "any protocol", so a port open to
// both is listed for UDP and for TCP.
func npPorts(ports []netPort) []networkingv1.NetworkPolicyPort {
	out := make([]networkingv1.NetworkPolicyPort, 0, 2*len(ports))
	for _, p := range ports {
		port := ptr.To(intstr.FromInt32(p.port))
		if p.protocol == "" {
			out = append(out, networkingv1.NetworkPolicyPort{Protocol: ptr.To(corev1.ProtocolUDP), Port: port},
				networkingv1.NetworkPolicyPort{Protocol: ptr.To(corev1.ProtocolTCP), Port: port})
			continue
		}
		out = append(out, networkingv1.NetworkPolicyPort{Protocol: ptr.To(p.protocol), Port: port})
	}
	return out
}

// dns is where cluster DNS runs; every app may ask it.
func (a *app) dns() dnsTarget {
	if np := a.in.NetworkPolicy; np != nil && np.DNS != nil {
		return dnsTarget{Namespace: np.DNS.Namespace, PodLabels: np.DNS.PodLabels}
	}
	return dnsTarget{Namespace: "kube-system", PodLabels: map[string]string{"k8s-app": "kube-dns"}}
}

type dnsTarget struct {
	Namespace string
	PodLabels map[string]string
}

func (a *app) egressCIDRs() []string {
	if a.in.NetworkPolicy == nil {
		return nil
	}
	return a.in.NetworkPolicy.EgressCIDRs
}
