package fn

import (
	"maps"
	"strconv"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// The CiliumNetworkPolicy fields the function composes. Cilium's own Go module would pull hundreds of
// packages into the function for these few structs; the render tests validate what they produce
// against Cilium's real CRD, so a field that drifts from the schema fails there.
type ciliumNetworkPolicy struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              ciliumRule `json:"spec"`
}

type ciliumRule struct {
	EndpointSelector  ciliumSelector      `json:"endpointSelector"`
	Ingress           []ciliumIngressRule `json:"ingress,omitempty"`
	Egress            []ciliumEgressRule  `json:"egress,omitempty"`
	EnableDefaultDeny *ciliumDefaultDeny  `json:"enableDefaultDeny,omitempty"`
}

// ciliumDefaultDeny is set explicitly: by default Cilium denies only in a direction that has rules,
// and an app with no callers has no ingress rules but must still deny ingress.
type ciliumDefaultDeny struct {
	Ingress *bool `json:"ingress,omitempty"`
	Egress  *bool `json:"egress,omitempty"`
}

type ciliumSelector struct {
	MatchLabels      map[string]string                 `json:"matchLabels,omitempty"`
	MatchExpressions []metav1.LabelSelectorRequirement `json:"matchExpressions,omitempty"`
}

type ciliumIngressRule struct {
	FromEndpoints []ciliumSelector `json:"fromEndpoints,omitempty"`
	FromCIDR      []string         `json:"fromCIDR,omitempty"`
	ToPorts       []ciliumPortRule `json:"toPorts,omitempty"`
}

type ciliumEgressRule struct {
	ToEndpoints []ciliumSelector `json:"toEndpoints,omitempty"`
	ToCIDR      []string         `json:"toCIDR,omitempty"`
	ToFQDNs     []ciliumFQDN     `json:"toFQDNs,omitempty"`
	ToPorts     []ciliumPortRule `json:"toPorts,omitempty"`
}

// ciliumFQDN is a host name (matchName) or a pattern of them (matchPattern, "*.example.com").
type ciliumFQDN struct {
	MatchName    string `json:"matchName,omitempty"`
	MatchPattern string `json:"matchPattern,omitempty"`
}

type ciliumPortRule struct {
	Ports []ciliumPort `json:"ports"`
	Rules *ciliumL7    `json:"rules,omitempty"`
}

type ciliumPort struct {
	Port     string `json:"port"`
	Protocol string `json:"protocol,omitempty"`
}

type ciliumL7 struct {
	DNS []ciliumDNS `json:"dns,omitempty"`
}

type ciliumDNS struct {
	MatchPattern string `json:"matchPattern,omitempty"`
}

// Cilium's labels for an endpoint's namespace. An endpoint selector without it matches only the
// policy's own namespace.
const ciliumNamespaceLabel = "k8s:io.kubernetes.pod.namespace"

// ciliumPolicy renders the app's rules as a CiliumNetworkPolicy; DNS goes through Cilium's DNS
// proxy, which is what lets Cilium enforce rules on host names.
func ciliumPolicy(a *app, r netRules) *ciliumNetworkPolicy {
	ingress := make([]ciliumIngressRule, 0, len(r.ingress))
	for _, rule := range r.ingress {
		ingress = append(ingress, ciliumIngressRule{FromEndpoints: ciliumEndpoints(rule.pods), FromCIDR: rule.cidrs, ToPorts: ciliumPorts(rule)})
	}
	egress := make([]ciliumEgressRule, len(r.egress))
	for i, rule := range r.egress {
		egress[i] = ciliumEgressRule{ToEndpoints: ciliumEndpoints(rule.pods), ToCIDR: rule.cidrs, ToFQDNs: ciliumFQDNs(rule.hosts), ToPorts: ciliumPorts(rule)}
	}
	return &ciliumNetworkPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: "cilium.io/v2", Kind: "CiliumNetworkPolicy"},
		ObjectMeta: a.objectMeta(a.name),
		Spec: ciliumRule{
			EndpointSelector:  ciliumSelector{MatchLabels: a.selector},
			Ingress:           ingress,
			Egress:            egress,
			EnableDefaultDeny: &ciliumDefaultDeny{Ingress: ptr.To(true), Egress: ptr.To(true)},
		},
	}
}

// ciliumEndpoints selects pods with the namespace as one of their labels; pods in any namespace
// still need the namespace label to exist, or Cilium matches only the policy's own namespace.
func ciliumEndpoints(p *podsPeer) []ciliumSelector {
	switch {
	case p == nil:
		return nil
	case p.namespace == "":
		return []ciliumSelector{{
			MatchLabels:      p.labels,
			MatchExpressions: []metav1.LabelSelectorRequirement{{Key: ciliumNamespaceLabel, Operator: metav1.LabelSelectorOpExists}},
		}}
	default:
		return []ciliumSelector{{MatchLabels: withNamespace(p.labels, p.namespace)}}
	}
}

func ciliumPorts(r netRule) []ciliumPortRule {
	if len(r.ports) == 0 {
		return nil
	}
	ports := make([]ciliumPort, len(r.ports))
	for i, p := range r.ports {
		proto := string(p.protocol)
		if proto == "" {
			proto = "ANY"
		}
		ports[i] = ciliumPort{Port: strconv.Itoa(int(p.port)), Protocol: proto}
	}
	pr := ciliumPortRule{Ports: ports}
	if r.dns {
		pr.Rules = &ciliumL7{DNS: []ciliumDNS{{MatchPattern: "*"}}}
	}
	return []ciliumPortRule{pr}
}

// ciliumFQDNs lets the app reach hosts by name. Cilium learns their addresses from the lookups its
// DNS proxy sees, which is why the DNS rule sends every lookup through the proxy.
func ciliumFQDNs(hosts []string) []ciliumFQDN {
	if len(hosts) == 0 {
		return nil
	}
	out := make([]ciliumFQDN, len(hosts))
	for i, h := range hosts {
		if strings.HasPrefix(h, "*.") {
			out[i].MatchPattern = h
		} else {
			out[i].MatchName = h
		}
	}
	return out
}

func withNamespace(labels map[string]string, ns string) map[string]string {
	out := make(map[string]string, len(labels)+1)
	maps.Copy(out, labels)
	out[ciliumNamespaceLabel] = ns
	return out
}
