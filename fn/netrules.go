package fn

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
)

// netRules is the traffic an app's policy admits, said once and free of any policy flavour: the
// Kubernetes and Cilium renderers only translate it, so both always admit the same traffic and a new
// kind of traffic is added in one place.
type netRules struct {
	ingress []netRule
	egress  []netRule
}

// netRule admits traffic from (ingress) or to (egress) one kind of peer on some ports. Exactly one of
// pods, cidrs and hosts is set.
type netRule struct {
	pods  *podsPeer
	cidrs []string
	// hosts are host names ("*.example.com" for a domain's hosts), which only Cilium can enforce.
	hosts []string
	// ports the rule admits; none means every port.
	ports []netPort
	// dns marks the rule to the cluster DNS, whose lookups Cilium sends through its DNS proxy.
	dns bool
}

// podsPeer selects pods by their labels (every pod when nil) in one namespace, or in every namespace
// when namespace is empty.
type podsPeer struct {
	labels    map[string]string
	namespace string
	// own is the app's own namespace, which a NetworkPolicy names by leaving the namespace out.
	own bool
}

// netPort is a port and its protocol; an empty protocol means both UDP and TCP.
type netPort struct {
	port     int32
	protocol corev1.Protocol
}

// policyRules lists what the app declared: in from the gateway or ingress controller to exposed ports, from apps that
// depend on it, from its load balancer's clients and from the platform's Prometheus to its metrics, out to DNS, its dependencies, its data services (in-cluster peers, the platform's ranges of its cloud ones), the destinations
// outside the cluster it names, and the platform's allowed CIDRs.
func policyRules(a *app, data dataEgress) netRules {
	// Sized for what is listed below: appending would copy the rules over and over.
	r := netRules{
		ingress: make([]netRule, 0, 4),
		egress:  make([]netRule, 0, 3+len(a.spec.DependsOn)+len(data.peers)+len(a.spec.Egress)),
	}
	if src := a.routeSource(); src != nil {
		if ports := appPorts(a.spec.Ports, exposed); len(ports) > 0 {
			r.ingress = append(r.ingress, netRule{pods: src, ports: ports})
		}
	}
	if ports := appPorts(a.spec.Ports, nil); len(ports) > 0 {
		r.ingress = append(r.ingress, netRule{pods: &podsPeer{labels: map[string]string{LabelCallsPrefix + a.name: a.namespace}}, ports: ports})
	}
	r.ingress = append(r.ingress, loadBalancerRule(a)...)
	r.ingress = append(r.ingress, scrapeRule(a)...)

	dns := a.dns()
	r.egress = append(r.egress, netRule{pods: &podsPeer{labels: dns.PodLabels, namespace: dns.Namespace}, ports: []netPort{{port: 53}}, dns: true})
	for _, d := range a.spec.DependsOn {
		ns, n := splitDependency(d, a.namespace)
		r.egress = append(r.egress, netRule{pods: &podsPeer{labels: map[string]string{LabelName: n, LabelInstance: n}, namespace: ns}})
	}
	for _, p := range data.peers {
		r.egress = append(r.egress, netRule{
			pods:  &podsPeer{labels: p.labels, namespace: a.namespace, own: true},
			ports: []netPort{{port: p.port, protocol: corev1.ProtocolTCP}},
		})
	}
	if data.cloud != nil {
		r.egress = append(r.egress, *data.cloud)
	}
	r.egress = append(r.egress, egressRules(a.spec.Egress)...)
	if cidrs := a.egressCIDRs(); len(cidrs) > 0 {
		r.egress = append(r.egress, netRule{cidrs: cidrs})
	}
	return r
}

// appPorts lists the app's ports that pass keep (all when keep is nil).
func appPorts(ports []v1alpha1.Port, keep func(v1alpha1.Port) bool) []netPort {
	var out []netPort
	for _, p := range ports {
		if keep == nil || keep(p) {
			out = append(out, netPort{port: p.Port, protocol: transport(p)})
		}
	}
	return out
}
