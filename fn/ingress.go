package fn

import (
	"google.golang.org/protobuf/types/known/structpb"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/xapp-dev/xapp/input/v1beta1"
)

// cert-manager's ingress-shim annotations: an Ingress carrying one gets a Certificate for its TLS
// hosts, issued into the Secret its TLS entry names.
const (
	annotationClusterIssuer = "cert-manager.io/cluster-issuer"
	annotationIssuer        = "cert-manager.io/issuer"
)

// ingress renders the app's route rules as an Ingress of the platform's class: the same paths to
// the same ports as an HTTPRoute would send them. A gRPC app's Ingress sends everything to its gRPC
// port, with the annotations that tell the platform's controller to speak gRPC to it.
func ingress(a *app) *networkingv1.Ingress {
	ic := a.in.Routing.Ingress
	grpc := a.grpcRoute()
	// A gRPC route has no rules and no paths (validateRoute): its one rule is "/" to its port.
	rules := a.routeRules()
	paths := make([]networkingv1.HTTPIngressPath, len(rules))
	for i, r := range rules {
		paths[i] = ingressPath(a, r)
	}
	ing := &networkingv1.Ingress{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "Ingress"},
		ObjectMeta: a.objectMeta(a.name),
		Spec: networkingv1.IngressSpec{
			Rules: []networkingv1.IngressRule{{Host: a.host(), IngressRuleValue: networkingv1.IngressRuleValue{
				HTTP: &networkingv1.HTTPIngressRuleValue{Paths: paths},
			}}},
		},
	}
	if ic.ClassName != "" {
		ing.Spec.IngressClassName = ptr.To(ic.ClassName)
	}
	var certAnnotations map[string]string
	ing.Spec.TLS, certAnnotations = ingressTLS(a, ic.TLS)
	var grpcAnnotations map[string]string
	if grpc {
		grpcAnnotations = ic.GRPCAnnotations
	}
	ing.Annotations = a.annotations(ic.Annotations, grpcAnnotations, certAnnotations)
	return ing
}

func ingressPath(a *app, r routeRule) networkingv1.HTTPIngressPath {
	return networkingv1.HTTPIngressPath{
		Path:     r.path,
		PathType: ptr.To(networkingv1.PathTypePrefix),
		Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{
			Name: a.name,
			Port: networkingv1.ServiceBackendPort{Number: servicePort(r.port)},
		}},
	}
}

// ingressTLS is the Ingress's TLS entry and the annotations that get its certificate issued; none
// for a plain HTTP route, or where the platform names no certificate (the controller's default one
// serves). A catch-all route has no host to issue a certificate for, so only a Secret serves it.
func ingressTLS(a *app, t *v1beta1.IngressTLS) ([]networkingv1.IngressTLS, map[string]string) {
	if !a.tls() || t == nil {
		return nil, nil
	}
	var hosts []string
	if h := a.host(); h != "" {
		hosts = []string{h}
	}
	switch {
	case t.SecretName != "":
		return []networkingv1.IngressTLS{{Hosts: hosts, SecretName: t.SecretName}}, nil
	case hosts == nil:
		return nil, nil
	case t.ClusterIssuer != "":
		return []networkingv1.IngressTLS{{Hosts: hosts, SecretName: a.name + "-tls"}}, map[string]string{annotationClusterIssuer: t.ClusterIssuer}
	case t.Issuer != "":
		return []networkingv1.IngressTLS{{Hosts: hosts, SecretName: a.name + "-tls"}}, map[string]string{annotationIssuer: t.Issuer}
	default:
		return nil, nil
	}
}

// ingressHealth is ready once the ingress controller has published the Ingress's address: before,
// the controller has not taken the Ingress on, and nobody can reach the app through it.
func ingressHealth(name string) func(*structpb.Struct) health {
	return func(obs *structpb.Struct) health {
		switch {
		case obs == nil:
			return waiting("Ingress", name, "not created yet")
		case loadBalancerAddress(obs) == "":
			return waiting("Ingress", name, "waiting for the ingress controller to publish its address")
		default:
			return ready()
		}
	}
}
