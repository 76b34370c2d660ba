package fn

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
)

type probeKind int

const (
	probeLiveness probeKind = iota
	probeReadiness
	probeStartup
)

// Startup allows this long (threshold × period) before liveness takes over, so a slow-starting app
// is not restarted in a loop.
const (
	startupFailureThreshold = 30
	startupPeriodSeconds    = 2
)

// probe is the probe of one kind: the developer's check, or the platform default on the first
// port. Defaults are chosen so that a correct app never gets restarted by them: readiness asks the
// app (HTTP GET, gRPC health), liveness and startup only check that the process accepts connections,
// because a liveness check that fails when a dependency is down restarts healthy pods.
func probe(a *app, kind probeKind) *corev1.Probe {
	var p *v1alpha1.Probe
	if ps := a.spec.Probes; ps != nil {
		p = [...]*v1alpha1.Probe{ps.Liveness, ps.Readiness, ps.Startup}[kind]
	}
	if p != nil && p.Disabled {
		return nil
	}
	out := &corev1.Probe{}
	switch {
	case p != nil && p.HTTP != nil:
		out.HTTPGet = &corev1.HTTPGetAction{Path: p.HTTP.Path, Port: portRef(a, p.HTTP.Port)}
	case p != nil && p.GRPC != nil:
		out.GRPC = &corev1.GRPCAction{Port: portNumber(a, p.GRPC.Port)}
		if p.GRPC.Service != "" {
			out.GRPC.Service = ptr.To(p.GRPC.Service)
		}
	case p != nil && p.TCP != nil:
		out.TCPSocket = &corev1.TCPSocketAction{Port: portRef(a, p.TCP.Port)}
	case p != nil && p.Exec != nil:
		out.Exec = &corev1.ExecAction{Command: p.Exec.Command}
	default:
		first, ok := probePort(a.spec.Ports)
		if !ok {
			return nil
		}
		defaultCheck(a, first, kind, out)
	}
	if p != nil {
		setIf(&out.InitialDelaySeconds, p.InitialDelaySeconds)
		setIf(&out.PeriodSeconds, p.PeriodSeconds)
		setIf(&out.TimeoutSeconds, p.TimeoutSeconds)
		setIf(&out.FailureThreshold, p.FailureThreshold)
	}
	return out
}

func defaultCheck(a *app, first v1alpha1.Port, kind probeKind, out *corev1.Probe) {
	port := intstr.FromString(first.Name)
	if kind != probeReadiness {
		out.TCPSocket = &corev1.TCPSocketAction{Port: port}
		if kind == probeStartup {
			out.FailureThreshold = startupFailureThreshold
			out.PeriodSeconds = startupPeriodSeconds
		}
		return
	}
	switch protocol(first) {
	case v1alpha1.ProtocolGRPC:
		out.GRPC = &corev1.GRPCAction{Port: first.Port}
	case v1alpha1.ProtocolTCP:
		out.TCPSocket = &corev1.TCPSocketAction{Port: port}
	default:
		out.HTTPGet = &corev1.HTTPGetAction{Path: a.readinessPath(), Port: port}
	}
}

// portRef names a port, the first TCP port by default: named ports survive a port number change.
func portRef(a *app, name string) intstr.IntOrString {
	if name == "" {
		first, _ := probePort(a.spec.Ports)
		name = first.Name
	}
	return intstr.FromString(name)
}

// portNumber is needed by gRPC probes, which take no port names.
func portNumber(a *app, name string) int32 {
	if name == "" {
		first, _ := probePort(a.spec.Ports)
		return first.Port
	}
	for _, p := range a.spec.Ports {
		if p.Name == name {
			return p.Port
		}
	}
	return 0
}

// setIf overrides a timing only when the developer set it: an unset timing keeps the platform's
// default, or stays unset so the API server's default applies and the function does not own it.
func setIf(dst *int32, v *int32) {
	if v != nil {
		*dst = *v
	}
}
