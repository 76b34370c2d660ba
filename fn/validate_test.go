package fn

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/utils/ptr"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
)

func TestValidate(t *testing.T) {
	cases := map[string]struct {
		reason string
		name   string
		mods   []specMod
		want   []string
	}{
		"Valid": {
			reason: "The base app is valid.",
		},
		"BadName": {
			reason: "The app's name names its Service, so it must be a DNS-1035 label.",
			name:   "1shop",
			want:   []string{`metadata.name: Invalid value: "1shop": names the app's Service and so must be a DNS-1035 label: a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`},
		},
		"BadImage": {
			reason: "An image that is not a reference is refused with the parser's reason.",
			mods:   []specMod{withImage("ghcr.io/acme/Shop:1")},
			want:   []string{`spec.image: Invalid value: "ghcr.io/acme/Shop:1": not an image reference: repository can only contain the characters ` + "`abcdefghijklmnopqrstuvwxyz0123456789_-./`: acme/Shop"},
		},
		"PortOutOfRange": {
			reason: "A port number out of range names the port by index.",
			mods:   []specMod{withPorts(http("http", 8080), http("admin", 70000))},
			want:   []string{`spec.ports[1].port: Invalid value: 70000: must be between 1 and 65535`},
		},
		"DuplicatePorts": {
			reason: "Port names and numbers must be unique; the message names the earlier one.",
			mods:   []specMod{withPorts(http("http", 8080), http("http", 8080))},
			want: []string{
				`spec.ports[1].name: Duplicate value: "http (also spec.ports[0])"`,
				`spec.ports[1].port: Duplicate value: "8080 (also spec.ports[0])"`,
			},
		},
		"BadProtocol": {
			reason: "Only http, grpc, tcp and udp are protocols.",
			mods:   []specMod{withPorts(v1alpha1.Port{Name: "sctp", Port: 53, Protocol: "sctp"})},
			want:   []string{`spec.ports[0].protocol: Unsupported value: "sctp": supported values: "http", "grpc", "tcp", "udp"`},
		},
		"TCPAndUDPShareANumber": {
			reason: "A TCP and a UDP port may share a number, as DNS does; a Service port may differ from the container's.",
			mods: []specMod{withPorts(v1alpha1.Port{Name: "dns-tcp", Port: 5353, ServicePort: ptr.To(int32(53)), Protocol: v1alpha1.ProtocolTCP},
				v1alpha1.Port{Name: "dns", Port: 5353, ServicePort: ptr.To(int32(53)), Protocol: v1alpha1.ProtocolUDP})},
		},
		"DuplicateServicePorts": {
			reason: "Two ports cannot share a Service port on one transport, given or implied by the container port.",
			mods: []specMod{withPorts(http("http", 8080), v1alpha1.Port{Name: "web", Port: 9000, ServicePort: ptr.To(int32(8080))},
				v1alpha1.Port{Name: "admin", Port: 80}, v1alpha1.Port{Name: "alt", Port: 8081, ServicePort: ptr.To(int32(80))},
				v1alpha1.Port{Name: "bad", Port: 1, ServicePort: ptr.To(int32(70000))})},
			want: []string{
				`spec.ports[1].servicePort: Duplicate value: "8080 (also the Service port of spec.ports[0])"`,
				`spec.ports[3].servicePort: Duplicate value: "80 (also the Service port of spec.ports[2])"`,
				`spec.ports[4].servicePort: Invalid value: 70000: must be between 1 and 65535`,
			},
		},
		"ImplicitServicePortTaken": {
			reason: "A port without servicePort offers its container port, which another port's servicePort may already take.",
			mods:   []specMod{withPorts(v1alpha1.Port{Name: "web", Port: 9000, ServicePort: ptr.To(int32(8080))}, http("http", 8080))},
			want:   []string{`spec.ports[1].port: Duplicate value: "8080, the Service port without servicePort (also the Service port of spec.ports[0])"`},
		},
		"UDPProbes": {
			reason: "Kubernetes cannot probe UDP: a probe naming a UDP port, or defaulting on an app with only UDP ports, says what would work.",
			mods: []specMod{withPorts(v1alpha1.Port{Name: "syslog", Port: 514, Protocol: v1alpha1.ProtocolUDP}), func(s *v1alpha1.XAppSpec) {
				s.Probes = &v1alpha1.Probes{
					Liveness:  &v1alpha1.Probe{TCP: &v1alpha1.TCPProbe{Port: "syslog"}},
					Readiness: &v1alpha1.Probe{TCP: &v1alpha1.TCPProbe{}},
					Startup:   &v1alpha1.Probe{PeriodSeconds: ptr.To(int32(5))},
				}
			}},
			want: []string{
				`spec.probes.liveness.tcp.port: Invalid value: "syslog": a UDP port, which Kubernetes cannot probe: name a TCP port, or use exec`,
				`spec.probes.readiness.tcp.port: Required value: the app declares only UDP ports, which Kubernetes cannot probe: declare a TCP port in spec.ports, or use exec`,
				`spec.probes.startup: Required value: the app has no TCP ports to probe by default: set exec, or disabled`,
			},
		},
		"Env": {
			reason: "Env names must be valid and unique, with at most one source.",
			mods: []specMod{func(s *v1alpha1.XAppSpec) {
				s.Env = []v1alpha1.EnvVar{
					{Name: "A", Value: "1", SecretKeyRef: &v1alpha1.KeyRef{Name: "s", Key: "k"}},
					{Name: "A"},
					{Name: "1=B"},
				}
			}},
			want: []string{
				`spec.env[0]: Invalid value: "A": set at most one of value, secretKeyRef, configMapKeyRef and storeKeyRef`,
				`spec.env[1].name: Duplicate value: "A (also spec.env[0])"`,
				`spec.env[2].name: Invalid value: "1=B": a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')`,
			},
		},
		"Files": {
			reason: "File paths must be absolute, outside /tmp, without '..', and map to distinct keys.",
			mods: []specMod{withFiles(
				v1alpha1.File{Path: "etc/a"},
				v1alpha1.File{Path: "/tmp/x"},
				v1alpha1.File{Path: "/a/../b"},
				v1alpha1.File{Path: "/etc/a_b"},
				v1alpha1.File{Path: "/etc/a/b"},
			)},
			want: []string{
				`spec.files[0].path: Invalid value: "etc/a": must be an absolute path to a file`,
				`spec.files[1].path: Invalid value: "/tmp/x": /tmp is the app's writable scratch space; mount files elsewhere`,
				`spec.files[2].path: Invalid value: "/a/../b": must not contain '..' or NUL`,
				`spec.files[4].path: Duplicate value: "/etc/a/b (same ConfigMap key \"etc_a_b\" as spec.files[3].path)"`,
			},
		},
		"FilesTooLarge": {
			reason: "Files must fit in one ConfigMap.",
			mods:   []specMod{withFiles(v1alpha1.File{Path: "/a", Content: strings.Repeat("x", maxFilesBytes+1)})},
			want:   []string{`spec.files: Too long: may not be more than 921600 bytes`},
		},
		"ReplicasAndAutoscaling": {
			reason: "Replicas and autoscaling exclude each other; max must not be below min.",
			mods:   []specMod{withReplicas(3), withAutoscaling(5, 2)},
			want: []string{
				`spec.replicas: Forbidden: set either replicas or autoscaling, not both: the autoscaler owns the replica count`,
				`spec.autoscaling.max: Invalid value: 2: must be between min (5) and 1000`,
			},
		},
		"AutoscalingTargets": {
			reason: "Utilisation targets are percentages.",
			mods: []specMod{withAutoscaling(1, 2), func(s *v1alpha1.XAppSpec) {
				s.Autoscaling.TargetCPUUtilization = ptr.To(int32(0))
				s.Autoscaling.TargetMemoryUtilization = ptr.To(int32(101))
			}},
			want: []string{
				`spec.autoscaling.targetCPUUtilization: Invalid value: 0: must be a percentage between 1 and 100`,
				`spec.autoscaling.targetMemoryUtilization: Invalid value: 101: must be a percentage between 1 and 100`,
			},
		},
		"Probes": {
			reason: "A probe names declared ports and takes one check, unless disabled.",
			mods: []specMod{func(s *v1alpha1.XAppSpec) {
				s.Probes = &v1alpha1.Probes{
					Liveness:  &v1alpha1.Probe{HTTP: &v1alpha1.HTTPProbe{Path: "/h", Port: "nope"}},
					Readiness: &v1alpha1.Probe{HTTP: &v1alpha1.HTTPProbe{Path: "h"}, TCP: &v1alpha1.TCPProbe{}},
					Startup:   &v1alpha1.Probe{Disabled: true, Exec: &v1alpha1.ExecProbe{Command: []string{"x"}}},
				}
			}},
			want: []string{
				`spec.probes.liveness.http.port: Not found: "nope"`,
				`spec.probes.readiness.http.path: Invalid value: "h": must start with /`,
				`spec.probes.readiness: Invalid value: "readiness": set at most one of http, grpc, tcp and exec`,
				`spec.probes.startup.disabled: Invalid value: true: a disabled probe takes no check`,
			},
		},
		"ProbeWithoutPorts": {
			reason: "A network probe of an app without ports says what would work, whether or not it names a port.",
			mods: []specMod{withPorts(), func(s *v1alpha1.XAppSpec) {
				s.Probes = &v1alpha1.Probes{
					Liveness:  &v1alpha1.Probe{HTTP: &v1alpha1.HTTPProbe{Path: "/h"}},
					Readiness: &v1alpha1.Probe{HTTP: &v1alpha1.HTTPProbe{Path: "/h", Port: "http"}},
					Startup:   &v1alpha1.Probe{Exec: &v1alpha1.ExecProbe{Command: []string{"true"}}},
				}
			}},
			want: []string{
				`spec.probes.liveness.http.port: Required value: the app declares no ports to probe: declare a port in spec.ports, or use exec`,
				`spec.probes.readiness.http.port: Required value: the app declares no ports to probe: declare a port in spec.ports, or use exec`,
			},
		},
		"RouteWithoutExposedPort": {
			reason: "A route needs an exposed HTTP or gRPC port.",
			mods:   []specMod{withRoute(&v1alpha1.Route{})},
			want:   []string{`spec.route: Required value: a route needs a port with expose: true and protocol http or grpc`},
		},
		"GRPCRouteWithPaths": {
			reason: "gRPC routes do not match paths.",
			mods: []specMod{withPorts(exposedPort(v1alpha1.Port{Name: "grpc", Port: 9000, Protocol: v1alpha1.ProtocolGRPC})),
				withRoute(&v1alpha1.Route{Paths: []string{"/x"}, Host: "Bad_Host"})},
			want: []string{
				`spec.route.host: Invalid value: "Bad_Host": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
				`spec.route.paths: Forbidden: a gRPC route matches services and methods, not paths`,
			},
		},
		"CMDB": {
			reason: "A CMDB record needs an owner team and a known criticality.",
			mods:   []specMod{withCMDB(&v1alpha1.CMDB{OwnerTeam: " ", Criticality: "Urgent"})},
			want: []string{
				`spec.cmdb.ownerTeam: Required value: the team that owns the app`,
				`spec.cmdb.criticality: Unsupported value: "Urgent": supported values: "Critical", "High", "Medium", "Low"`,
			},
		},
		"DependsOn": {
			reason: "Dependencies are app names, never the app itself, never two of a name in different namespaces.",
			mods:   []specMod{withDependsOn("shop", "team-shop/shop", "a/catalog", "b/catalog", "Bad")},
			want: []string{
				`spec.dependsOn[0]: Invalid value: "shop": an app does not depend on itself`,
				`spec.dependsOn[1]: Invalid value: "team-shop/shop": an app does not depend on itself`,
				`spec.dependsOn[3]: Invalid value: "b/catalog": depends on two apps named "catalog" in different namespaces; only one is supported`,
				`spec.dependsOn[4]: Invalid value: "Bad": must be an app name or namespace/name: a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			spec := baseSpec()
			for _, m := range tc.mods {
				m(&spec)
			}
			appName := tc.name
			if appName == "" {
				appName = "shop"
			}
			_, errs := validate(appName, "team-shop", &spec)
			var got []string
			for _, e := range errs {
				got = append(got, e.Error())
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nvalidate(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
