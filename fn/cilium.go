package fn

import (
	"maps"
	"strconv"

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
	ToPorts       []ciliumPortRule `json:"toPorts,omitempty"`
}

type ciliumEgressRule struct {
	ToEndpoints []ciliumSelector `json:"toEndpoints,omitempty"`
	ToCIDR      []string         `json:"toCIDR,omitempty"`
	ToPorts     []ciliumPortRule `json:"toPorts,omitempty"`
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

// ciliumPolicy admits the same traffic as networkPolicy, as a CiliumNetworkPolicy; DNS goes through
// Cilium's DNS proxy so a platform can later add FQDN rules.
func ciliumPolicy(a *app, peers []podPeer) *ciliumNetworkPolicy {
	var ingress []ciliumIngressRule
	if gw := a.gateway(); gw != nil {
		if ports := ciliumPorts(a, true); len(ports) > 0 {
			ingress = append(ingress, ciliumIngressRule{
				FromEndpoints: []ciliumSelector{{MatchLabels: withNamespace(gw.PodLabels, gw.Namespace)}},
				ToPorts:       []ciliumPortRule{{Ports: ports}},
			})
		}
	}
	if ports := ciliumPorts(a, false); len(ports) > 0 {
		ingress = append(ingress, ciliumIngressRule{
			FromEndpoints: []ciliumSelector{{
				MatchLabels:      map[string]string{LabelCallsPrefix + a.name: a.namespace},
				MatchExpressions: []metav1.LabelSelectorRequirement{{Key: ciliumNamespaceLabel, Operator: metav1.LabelSelectorOpExists}},
			}},
			ToPorts: []ciliumPortRule{{Ports: ports}},
		})
	}

	dns := a.dns()
	egress := []ciliumEgressRule{{
		ToEndpoints: []ciliumSelector{{MatchLabels: withNamespace(dns.PodLabels, dns.Namespace)}},
		ToPorts: []ciliumPortRule{{
			Ports: []ciliumPort{{Port: "53", Protocol: "ANY"}},
			Rules: &ciliumL7{DNS: []ciliumDNS{{MatchPattern: "*"}}},
		}},
	}}
	for _, d := range a.spec.DependsOn {
		ns, n := splitDependency(d, a.namespace)
		egress = append(egress, ciliumEgressRule{ToEndpoints: []ciliumSelector{{
			MatchLabels: map[string]string{ciliumNamespaceLabel: ns, LabelName: n, LabelInstance: n},
		}}})
	}
	for _, p := range peers {
		egress = append(egress, ciliumEgressRule{
			ToEndpoints: []ciliumSelector{{MatchLabels: withNamespace(p.labels, a.namespace)}},
			ToPorts:     []ciliumPortRule{{Ports: []ciliumPort{{Port: strconv.Itoa(int(p.port)), Protocol: "TCP"}}}},
		})
	}
	if cidrs := a.egressCIDRs(); len(cidrs) > 0 {
		egress = append(egress, ciliumEgressRule{ToCIDR: cidrs})
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

func ciliumPorts(a *app, onlyExposed bool) []ciliumPort {
	var out []ciliumPort
	for _, p := range a.spec.Ports {
		if !onlyExposed || exposed(p) {
			out = append(out, ciliumPort{Port: strconv.Itoa(int(p.Port)), Protocol: "TCP"})
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
