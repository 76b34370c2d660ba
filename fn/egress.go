package fn

import (
	"fmt"
	"net/netip"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
	"github.com/xapp-dev/xapp/input/v1beta1"
)

// privateRanges are where a cluster's pods, services and nodes usually are. An app's own egress to
// a range overlapping one of them could reach other apps' pods around their policies, so it needs
// the platform's explicit allowance.
var privateRanges = []netip.Prefix{
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("127.0.0.0/8"),
	netip.MustParsePrefix("169.254.0.0/16"),
	netip.MustParsePrefix("fc00::/7"),
	netip.MustParsePrefix("fe80::/10"),
	netip.MustParsePrefix("::1/128"),
}

// validateEgress checks each destination's form; whether the platform allows it is egressPolicy's.
func validateEgress(p *field.Path, egress []v1alpha1.Egress) field.ErrorList {
	var errs field.ErrorList
	for i, e := range egress {
		ep := p.Index(i)
		switch {
		case (e.Host == "") == (e.CIDR == ""):
			errs = append(errs, field.Invalid(ep, e.Host+e.CIDR, "set exactly one of host and cidr"))
		case e.Host != "":
			check := validation.IsDNS1123Subdomain
			if strings.HasPrefix(e.Host, "*.") {
				check = validation.IsWildcardDNS1123Subdomain
			}
			if msgs := check(e.Host); len(msgs) > 0 {
				errs = append(errs, field.Invalid(ep.Child("host"), e.Host, strings.Join(msgs, "; ")))
			}
		default:
			if pf, err := netip.ParsePrefix(e.CIDR); err != nil {
				errs = append(errs, field.Invalid(ep.Child("cidr"), e.CIDR, "not a CIDR such as 203.0.113.0/24: "+err.Error()))
			} else if pf.Masked() != pf {
				errs = append(errs, field.Invalid(ep.Child("cidr"), e.CIDR, fmt.Sprintf("has bits set beyond the prefix length: did you mean %s?", pf.Masked())))
			}
		}
		for j, port := range e.Ports {
			pp := ep.Child("ports").Index(j)
			if port.Port < 1 || port.Port > 65535 {
				errs = append(errs, field.Invalid(pp.Child("port"), port.Port, "must be between 1 and 65535"))
			}
			switch port.Protocol {
			case "", v1alpha1.TransportTCP, v1alpha1.TransportUDP:
			default:
				errs = append(errs, field.NotSupported(pp.Child("protocol"), port.Protocol, []string{"tcp", "udp"}))
			}
		}
	}
	return errs
}

// egressPolicy applies the platform's bounds to a valid app's egress, and warns about host names a
// Kubernetes NetworkPolicy cannot enforce: the app would be blocked at runtime with nothing but a
// connection timeout to say why.
func egressPolicy(a *app) (warnings []string, errs field.ErrorList) {
	np := a.in.NetworkPolicy
	if np == nil {
		np = &v1beta1.NetworkPolicy{}
	}
	p := field.NewPath("spec", "egress")
	for i, e := range a.spec.Egress {
		ep := p.Index(i)
		if e.Host != "" {
			if !domainAllowed(strings.TrimPrefix(e.Host, "*."), np.AllowedEgressHosts) {
				errs = append(errs, field.Forbidden(ep.Child("host"),
					fmt.Sprintf("%s is outside the hosts the platform allows apps to reach (%s)", e.Host, strings.Join(np.AllowedEgressHosts, ", "))))
			}
			if a.networkPolicyFlavor() == v1beta1.NetworkPolicyKubernetes {
				warnings = append(warnings, fmt.Sprintf("%s: the platform's Kubernetes NetworkPolicy cannot allow a host name, so connections to %s are blocked "+
					"unless the platform's egressCIDRs cover its addresses; name its address ranges in cidr instead", ep.Child("host"), e.Host))
			}
			continue
		}
		if msg := cidrForbidden(netip.MustParsePrefix(e.CIDR), np.AllowedEgressCIDRs); msg != "" {
			errs = append(errs, field.Forbidden(ep.Child("cidr"), msg))
		}
	}
	return warnings, errs
}

// cidrForbidden says why an app may not name a range: outside every range the platform allows, or,
// when it allows none in particular, overlapping a private one.
func cidrForbidden(pf netip.Prefix, allowed []string) string {
	if len(allowed) > 0 {
		for _, a := range allowed {
			if ap, err := netip.ParsePrefix(a); err == nil && ap.Bits() <= pf.Bits() && ap.Contains(pf.Addr()) {
				return ""
			}
		}
		return fmt.Sprintf("%s is outside the ranges the platform allows apps to reach (%s)", pf, strings.Join(allowed, ", "))
	}
	for _, r := range privateRanges {
		if r.Overlaps(pf) {
			return fmt.Sprintf("%s includes private addresses (%s), where the cluster's pods and nodes usually are; "+
				"name public ranges or hosts, or ask the platform to allow the range in allowedEgressCIDRs", pf, r)
		}
	}
	return ""
}

// egressRules admit the app's own destinations outside the cluster.
func egressRules(egress []v1alpha1.Egress) []netRule {
	out := make([]netRule, 0, len(egress))
	for _, e := range egress {
		var r netRule
		for _, p := range e.Ports {
			np := netPort{port: p.Port, protocol: corev1.ProtocolTCP}
			if p.Protocol == v1alpha1.TransportUDP {
				np.protocol = corev1.ProtocolUDP
			}
			r.ports = append(r.ports, np)
		}
		if e.Host != "" {
			r.hosts = []string{e.Host}
		} else {
			r.cidrs = []string{e.CIDR}
		}
		out = append(out, r)
	}
	return out
}
