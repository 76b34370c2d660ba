package fn

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
)

// validatePorts checks names and numbers, and that no two ports share a container port or a Service
// port on the same transport (a TCP and a UDP port may share a number, as DNS does).
func validatePorts(p *field.Path, ports []v1alpha1.Port) field.ErrorList {
	type key struct {
		n int32
		t corev1.Protocol
	}
	var errs field.ErrorList
	names := make(map[string]int, len(ports))
	numbers := make(map[key]int, len(ports))
	offered := make(map[key]int, len(ports))
	for i, port := range ports {
		pp := p.Index(i)
		if msgs := validation.IsValidPortName(port.Name); len(msgs) > 0 {
			errs = append(errs, field.Invalid(pp.Child("name"), port.Name, strings.Join(msgs, "; ")))
		}
		if port.Port < 1 || port.Port > 65535 {
			errs = append(errs, field.Invalid(pp.Child("port"), port.Port, "must be between 1 and 65535"))
		}
		if sp := port.ServicePort; sp != nil && (*sp < 1 || *sp > 65535) {
			errs = append(errs, field.Invalid(pp.Child("servicePort"), *sp, "must be between 1 and 65535"))
		}
		switch protocol(port) {
		case v1alpha1.ProtocolHTTP, v1alpha1.ProtocolGRPC, v1alpha1.ProtocolTCP, v1alpha1.ProtocolUDP:
		default:
			errs = append(errs, field.NotSupported(pp.Child("protocol"), port.Protocol, []string{"http", "grpc", "tcp", "udp"}))
		}
		if j, dup := names[port.Name]; dup {
			errs = append(errs, field.Duplicate(pp.Child("name"), fmt.Sprintf("%s (also spec.ports[%d])", port.Name, j)))
		}
		n, s := key{port.Port, transport(port)}, key{servicePort(port), transport(port)}
		jn, dupN := numbers[n]
		js, dupS := offered[s]
		switch {
		case dupN:
			errs = append(errs, field.Duplicate(pp.Child("port"), fmt.Sprintf("%d (also spec.ports[%d])", port.Port, jn)))
		case dupS && port.ServicePort != nil:
			errs = append(errs, field.Duplicate(pp.Child("servicePort"), fmt.Sprintf("%d (also the Service port of spec.ports[%d])", s.n, js)))
		case dupS:
			errs = append(errs, field.Duplicate(pp.Child("port"), fmt.Sprintf("%d, the Service port without servicePort (also the Service port of spec.ports[%d])", s.n, js)))
		}
		names[port.Name], numbers[n], offered[s] = i, i, i
	}
	return errs
}

func exposed(p v1alpha1.Port) bool { return p.Expose != nil && *p.Expose }

func protocol(p v1alpha1.Port) v1alpha1.Protocol {
	if p.Protocol == "" {
		return v1alpha1.ProtocolHTTP
	}
	return p.Protocol
}

// transport is the port's layer-4 protocol, as Kubernetes spells it.
func transport(p v1alpha1.Port) corev1.Protocol {
	if p.Protocol == v1alpha1.ProtocolUDP {
		return corev1.ProtocolUDP
	}
	return corev1.ProtocolTCP
}

// servicePort is the port the Service offers for p: its own, or the container's.
func servicePort(p v1alpha1.Port) int32 {
	if p.ServicePort != nil {
		return *p.ServicePort
	}
	return p.Port
}

// routable ports speak a protocol the gateway routes by request: HTTP or gRPC.
func routable(p v1alpha1.Port) bool {
	return protocol(p) == v1alpha1.ProtocolHTTP || protocol(p) == v1alpha1.ProtocolGRPC
}

// probePort is the port default probes check: the first TCP port, since Kubernetes cannot probe UDP.
func probePort(ports []v1alpha1.Port) (v1alpha1.Port, bool) {
	for _, p := range ports {
		if transport(p) == corev1.ProtocolTCP {
			return p, true
		}
	}
	return v1alpha1.Port{}, false
}
