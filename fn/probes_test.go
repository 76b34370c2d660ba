package fn

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
	"github.com/xapp-dev/xapp/input/v1beta1"
)

func TestProbe(t *testing.T) {
	httpPort := intstr.FromString("http")
	type want struct{ liveness, readiness, startup *corev1.Probe }
	startupTCP := func(port string) *corev1.Probe {
		return &corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromString(port)}},
			FailureThreshold: startupFailureThreshold, PeriodSeconds: startupPeriodSeconds}
	}
	tcp := func(port string) *corev1.Probe {
		return &corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromString(port)}}}
	}
	cases := map[string]struct {
		reason string
		in     []inputMod
		mods   []specMod
		want   want
	}{
		"DefaultHTTP": {
			reason: "An HTTP first port gets an HTTP readiness check and TCP liveness and startup checks.",
			want: want{
				liveness:  tcp("http"),
				readiness: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/", Port: httpPort}}},
				startup:   startupTCP("http"),
			},
		},
		"DefaultHTTPPlatformPath": {
			reason: "The platform chooses the default readiness path.",
			in:     []inputMod{func(in *v1beta1.Input) { in.Defaults = &v1beta1.Defaults{ReadinessPath: "/readyz"} }},
			want: want{
				liveness:  tcp("http"),
				readiness: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/readyz", Port: httpPort}}},
				startup:   startupTCP("http"),
			},
		},
		"DefaultGRPC": {
			reason: "A gRPC first port is checked with the gRPC health protocol, which takes a port number.",
			mods:   []specMod{withPorts(v1alpha1.Port{Name: "grpc", Port: 9000, Protocol: v1alpha1.ProtocolGRPC})},
			want: want{
				liveness:  tcp("grpc"),
				readiness: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{GRPC: &corev1.GRPCAction{Port: 9000}}},
				startup:   startupTCP("grpc"),
			},
		},
		"SkipsUDP": {
			reason: "Kubernetes cannot probe UDP: the defaults check the first TCP port, named or by number.",
			mods: []specMod{withPorts(v1alpha1.Port{Name: "syslog", Port: 514, Protocol: v1alpha1.ProtocolUDP},
				v1alpha1.Port{Name: "grpc", Port: 9000, Protocol: v1alpha1.ProtocolGRPC})},
			want: want{
				liveness:  tcp("grpc"),
				readiness: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{GRPC: &corev1.GRPCAction{Port: 9000}}},
				startup:   startupTCP("grpc"),
			},
		},
		"OnlyUDP": {
			reason: "An app with only UDP ports gets no default probes.",
			mods:   []specMod{withPorts(v1alpha1.Port{Name: "syslog", Port: 514, Protocol: v1alpha1.ProtocolUDP})},
		},
		"DefaultTCP": {
			reason: "A TCP first port is only checked for accepting connections.",
			mods:   []specMod{withPorts(v1alpha1.Port{Name: "db", Port: 5432, Protocol: v1alpha1.ProtocolTCP})},
			want:   want{liveness: tcp("db"), readiness: tcp("db"), startup: startupTCP("db")},
		},
		"Explicit": {
			reason: "Explicit checks and timings replace the defaults; a disabled probe is left out; timings alone keep the default check.",
			mods: []specMod{withPorts(http("http", 8080), v1alpha1.Port{Name: "admin", Port: 9000, Protocol: v1alpha1.ProtocolGRPC}), func(s *v1alpha1.XAppSpec) {
				s.Probes = &v1alpha1.Probes{
					Liveness:  &v1alpha1.Probe{Disabled: true},
					Readiness: &v1alpha1.Probe{GRPC: &v1alpha1.GRPCProbe{Port: "admin", Service: "shop"}, PeriodSeconds: ptr.To(int32(5)), FailureThreshold: ptr.To(int32(2))},
					Startup:   &v1alpha1.Probe{PeriodSeconds: ptr.To(int32(10))},
				}
			}},
			want: want{
				readiness: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{GRPC: &corev1.GRPCAction{Port: 9000, Service: ptr.To("shop")}}, PeriodSeconds: 5, FailureThreshold: 2},
				startup:   &corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: httpPort}}, FailureThreshold: startupFailureThreshold, PeriodSeconds: 10},
			},
		},
		"Exec": {
			reason: "A command check runs in the container.",
			mods: []specMod{func(s *v1alpha1.XAppSpec) {
				s.Probes = &v1alpha1.Probes{Liveness: &v1alpha1.Probe{Exec: &v1alpha1.ExecProbe{Command: []string{"/bin/check"}}, InitialDelaySeconds: ptr.To(int32(3))}}
			}},
			want: want{
				liveness:  &corev1.Probe{ProbeHandler: corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"/bin/check"}}}, InitialDelaySeconds: 3},
				readiness: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/", Port: httpPort}}},
				startup:   startupTCP("http"),
			},
		},
		"NoPorts": {
			reason: "Without ports there is nothing to probe by default.",
			mods:   []specMod{withPorts()},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			a := testApp(t, tc.in, tc.mods...)
			got := want{liveness: probe(a, probeLiveness), readiness: probe(a, probeReadiness), startup: probe(a, probeStartup)}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nprobe(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
