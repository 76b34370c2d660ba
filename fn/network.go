package fn

import (
	"maps"

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
	ports := make([]corev1.ServicePort, len(a.spec.Ports))
	for i, p := range a.spec.Ports {
		ports[i] = corev1.ServicePort{
			Name:        p.Name,
			Protocol:    corev1.ProtocolTCP,
			Port:        p.Port,
			TargetPort:  intstr.FromString(p.Name),
			AppProtocol: appProtocol(protocol(p)),
		}
	}
	meta := a.objectMeta(a.name)
	if mc := a.spec.MultiCluster; mc != nil && (mc.Global || mc.Affinity != "") {
		meta.Annotations = make(map[string]string, len(a.in.Annotations)+2)
		maps.Copy(meta.Annotations, a.in.Annotations)
		if mc.Global {
			meta.Annotations[annotationCiliumGlobal] = "true"
		}
		if mc.Affinity != "" {
			meta.Annotations[annotationCiliumAffinity] = string(mc.Affinity)
		}
	}
	return &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: meta,
		Spec:       corev1.ServiceSpec{Selector: a.selector, Ports: ports},
	}
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

// route publishes the routed port: an HTTPRoute for HTTP, a GRPCRoute for gRPC; nil without a route.
// It returns an object either way through the same interface, so readiness treats both alike.
func route(a *app) routeObject {
	if a.spec.Route == nil {
		return nil
	}
	p, ok := a.routedPort()
	if !ok {
		return nil
	}
	common := gatewayv1.CommonRouteSpec{ParentRefs: []gatewayv1.ParentReference{parentRef(a)}}
	hostnames := []gatewayv1.Hostname{gatewayv1.Hostname(a.host())}
	backend := gatewayv1.BackendRef{BackendObjectReference: gatewayv1.BackendObjectReference{
		Name: gatewayv1.ObjectName(a.name),
		Port: ptr.To(p.Port),
	}}
	if protocol(p) == v1alpha1.ProtocolGRPC {
		return &gatewayv1.GRPCRoute{
			TypeMeta:   metav1.TypeMeta{APIVersion: gatewayv1.GroupVersion.String(), Kind: "GRPCRoute"},
			ObjectMeta: a.objectMeta(a.name),
			Spec: gatewayv1.GRPCRouteSpec{
				CommonRouteSpec: common,
				Hostnames:       hostnames,
				Rules:           []gatewayv1.GRPCRouteRule{{BackendRefs: []gatewayv1.GRPCBackendRef{{BackendRef: backend}}}},
			},
		}
	}
	paths := a.routePaths()
	matches := make([]gatewayv1.HTTPRouteMatch, len(paths))
	for i, path := range paths {
		matches[i] = gatewayv1.HTTPRouteMatch{Path: &gatewayv1.HTTPPathMatch{Type: ptr.To(gatewayv1.PathMatchPathPrefix), Value: ptr.To(path)}}
	}
	return &gatewayv1.HTTPRoute{
		TypeMeta:   metav1.TypeMeta{APIVersion: gatewayv1.GroupVersion.String(), Kind: "HTTPRoute"},
		ObjectMeta: a.objectMeta(a.name),
		Spec: gatewayv1.HTTPRouteSpec{
			CommonRouteSpec: common,
			Hostnames:       hostnames,
			Rules:           []gatewayv1.HTTPRouteRule{{Matches: matches, BackendRefs: []gatewayv1.HTTPBackendRef{{BackendRef: backend}}}},
		},
	}
}

// routeObject is an HTTPRoute or a GRPCRoute.
type routeObject interface {
	runtime.Object
	GetName() string
}

// networkPolicy admits exactly the traffic the app declared: in from the gateway to exposed ports and
// from apps that depend on it, out to DNS, its dependencies, its in-cluster data services and the
// platform's allowed CIDRs.
func networkPolicy(a *app, peers []podPeer) *networkingv1.NetworkPolicy {
	tcp := ptr.To(corev1.ProtocolTCP)
	var ingress []networkingv1.NetworkPolicyIngressRule
	if gw := a.gateway(); gw != nil {
		if ports := policyPorts(a.spec.Ports, exposed); len(ports) > 0 {
			ingress = append(ingress, networkingv1.NetworkPolicyIngressRule{
				From: []networkingv1.NetworkPolicyPeer{{
					NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{labelNamespaceName: gw.Namespace}},
					PodSelector:       &metav1.LabelSelector{MatchLabels: gw.PodLabels},
				}},
				Ports: ports,
			})
		}
	}
	if ports := policyPorts(a.spec.Ports, nil); len(ports) > 0 {
		ingress = append(ingress, networkingv1.NetworkPolicyIngressRule{
			From: []networkingv1.NetworkPolicyPeer{{
				NamespaceSelector: &metav1.LabelSelector{},
				PodSelector:       &metav1.LabelSelector{MatchLabels: map[string]string{LabelCallsPrefix + a.name: a.namespace}},
			}},
			Ports: ports,
		})
	}

	dns := a.dns()
	egress := []networkingv1.NetworkPolicyEgressRule{{
		To: []networkingv1.NetworkPolicyPeer{{
			NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{labelNamespaceName: dns.Namespace}},
			PodSelector:       &metav1.LabelSelector{MatchLabels: dns.PodLabels},
		}},
		Ports: []networkingv1.NetworkPolicyPort{
			{Protocol: ptr.To(corev1.ProtocolUDP), Port: ptr.To(intstr.FromInt32(53))},
			{Protocol: tcp, Port: ptr.To(intstr.FromInt32(53))},
		},
	}}
	for _, d := range a.spec.DependsOn {
		ns, n := splitDependency(d, a.namespace)
		egress = append(egress, networkingv1.NetworkPolicyEgressRule{To: []networkingv1.NetworkPolicyPeer{{
			NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{labelNamespaceName: ns}},
			PodSelector:       &metav1.LabelSelector{MatchLabels: map[string]string{LabelName: n, LabelInstance: n}},
		}}})
	}
	for _, p := range peers {
		egress = append(egress, networkingv1.NetworkPolicyEgressRule{
			To:    []networkingv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{MatchLabels: p.labels}}},
			Ports: []networkingv1.NetworkPolicyPort{{Protocol: tcp, Port: ptr.To(intstr.FromInt32(p.port))}},
		})
	}
	if cidrs := a.egressCIDRs(); len(cidrs) > 0 {
		to := make([]networkingv1.NetworkPolicyPeer, len(cidrs))
		for i, c := range cidrs {
			to[i] = networkingv1.NetworkPolicyPeer{IPBlock: &networkingv1.IPBlock{CIDR: c}}
		}
		egress = append(egress, networkingv1.NetworkPolicyEgressRule{To: to})
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

// policyPorts lists the app's ports that pass keep (all when keep is nil).
func policyPorts(ports []v1alpha1.Port, keep func(v1alpha1.Port) bool) []networkingv1.NetworkPolicyPort {
	var out []networkingv1.NetworkPolicyPort
	for _, p := range ports {
		if keep == nil || keep(p) {
			out = append(out, networkingv1.NetworkPolicyPort{Protocol: ptr.To(corev1.ProtocolTCP), Port: ptr.To(intstr.FromInt32(p.Port))})
		}
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
