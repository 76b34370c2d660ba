package fn

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"

	"github.com/xapp-dev/xapp/examples"
	"github.com/xapp-dev/xapp/internal/pbjson"
)

// TestPeersReachTheirPort follows a request through each peer app's composed objects: the route's
// backend is a port of the Service, whose targetPort names a port of the app's container, which must
// be the port the peer's image listens on (its Dockerfile or server configuration, cited in the
// example), and the readiness probe must ask that same port. The Service must offer the port the
// peer's own Service offered, so that callers keep theirs. Workers listen on nothing and get
// neither a Service nor probes. A golden file can be rewritten with -update without anyone reading
// it; this cannot.
func TestPeersReachTheirPort(t *testing.T) {
	cases := map[string]struct {
		reason   string
		scenario string
		// listen is the port the image listens on; service the port the peer's Service offered.
		listen, service int32
		routed          bool
	}{
		"DOTBackend":         {reason: "silly-demo listens on $PORT, 8080 by default; DOT's Service offers the app's port.", scenario: "peer-dot-backend", listen: 8080, service: 8080, routed: true},
		"ScoreStoreFront":    {reason: "The store-front's nginx.conf listens on 8080; score's service.ports.http is 8080.", scenario: "peer-score-store-front", listen: 8080, service: 8080, routed: true},
		"ScoreCart":          {reason: "cartservice's ASPNETCORE_URLS is http://*:7070; score's service.ports.grpc is 7070.", scenario: "peer-score-cart-secret", listen: 7070, service: 7070},
		"KroWebApp":          {reason: "nginx listens on 8080 as its file says (80 needs root); the RGD's Service offers 80.", scenario: "peer-kro-webapp", listen: 8080, service: 80, routed: true},
		"KubeVelaWebservice": {reason: "hello-world's httpd listens on $PORT, 8000; KubeVela's Service offers the component's port.", scenario: "peer-kubevela-webservice", listen: 8000, service: 8000, routed: true},
		"ScorePostgres":      {reason: "A shell loop: no port, no Service, no probes.", scenario: "peer-score-postgres"},
		"KubeVelaSidecar":    {reason: "A worker and its sidecar: no port, no Service, no probes.", scenario: "peer-kubevela-sidecar"},
	}
	scenarios := examples.Scenarios()
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			sc, ok := scenarios[tc.scenario]
			if !ok {
				t.Fatalf("%s\nno scenario %q in examples.Scenarios()", tc.reason, tc.scenario)
			}
			rsp, err := runScenario(t, sc)
			if err != nil {
				t.Fatalf("%s\nRunFunction(): %v", tc.reason, err)
			}
			var d appsv1.Deployment
			decodeDesired(t, rsp, "deployment", &d)
			c := d.Spec.Template.Spec.Containers[0]
			if tc.listen == 0 {
				if _, ok := rsp.GetDesired().GetResources()["service"]; ok || len(c.Ports) > 0 || c.ReadinessProbe != nil {
					t.Errorf("%s\na worker got a Service, container ports or a readiness probe", tc.reason)
				}
				return
			}
			if got := containerPort(c, askedPort(c.ReadinessProbe)); got != tc.listen {
				t.Errorf("%s\nthe readiness probe asks port %d, want the image's %d", tc.reason, got, tc.listen)
			}
			var svc corev1.Service
			decodeDesired(t, rsp, "service", &svc)
			target := serviceTarget(svc, tc.service)
			if got := containerPort(c, target); got != tc.listen {
				t.Errorf("%s\nService port %d reaches container port %d (targetPort %s), want the image's %d", tc.reason, tc.service, got, target.String(), tc.listen)
			}
			if !tc.routed {
				return
			}
			var route gatewayv1.HTTPRoute
			decodeDesired(t, rsp, "route", &route)
			if got := route.Spec.Rules[0].BackendRefs[0].Port; got == nil || *got != tc.service {
				t.Errorf("%s\nthe route sends traffic to Service port %v, want %d", tc.reason, got, tc.service)
			}
		})
	}
}

// decodeDesired decodes the desired composed resource of that name into obj.
func decodeDesired(t *testing.T, rsp *fnv1.RunFunctionResponse, name string, obj any) {
	t.Helper()
	r, ok := rsp.GetDesired().GetResources()[name]
	if !ok {
		t.Fatalf("no desired resource %q", name)
	}
	if err := pbjson.Decode(r.GetResource(), obj); err != nil {
		t.Fatalf("cannot decode desired resource %q: %v", name, err)
	}
}

// serviceTarget is the targetPort of the Service's port number port; empty when it has none.
func serviceTarget(svc corev1.Service, port int32) intstr.IntOrString {
	for _, p := range svc.Spec.Ports {
		if p.Port == port {
			return p.TargetPort
		}
	}
	return intstr.IntOrString{}
}

// askedPort is the port a probe asks, by name or number.
func askedPort(p *corev1.Probe) intstr.IntOrString {
	switch {
	case p == nil:
		return intstr.IntOrString{}
	case p.HTTPGet != nil:
		return p.HTTPGet.Port
	case p.TCPSocket != nil:
		return p.TCPSocket.Port
	case p.GRPC != nil:
		return intstr.FromInt32(p.GRPC.Port)
	}
	return intstr.IntOrString{}
}

// containerPort resolves a port by name or number against the container's ports, as the kubelet
// and the Service controller do; 0 when it names none of them.
func containerPort(c corev1.Container, port intstr.IntOrString) int32 {
	for _, p := range c.Ports {
		if (port.Type == intstr.String && port.StrVal == p.Name) || (port.Type == intstr.Int && port.IntVal == p.ContainerPort) {
			return p.ContainerPort
		}
	}
	return 0
}
