package fn

import (
	"google.golang.org/protobuf/types/known/structpb"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
	"github.com/xapp-dev/xapp/internal/pbjson"
)

// everywhere is every client address, the source ranges of a load balancer the platform leaves open.
var everywhere = []string{"0.0.0.0/0", "::/0"}

// loadBalancer offers the app's load-balanced ports outside the cluster; nil when it has none. It is
// a Service of its own, so the in-cluster Service stays a ClusterIP one, and it keeps clients'
// addresses (externalTrafficPolicy Local): the network policy can then admit the platform's source
// ranges, and no second hop through another node is taken.
func loadBalancer(a *app) *corev1.Service {
	ports := loadBalanced(a.spec.Ports)
	if len(ports) == 0 {
		return nil
	}
	lb := a.in.LoadBalancer
	meta := a.objectMeta(a.name + "-lb")
	meta.Annotations = a.annotations(lb.Annotations)
	svc := &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: meta,
		Spec: corev1.ServiceSpec{
			Type:                     corev1.ServiceTypeLoadBalancer,
			Selector:                 a.selector,
			Ports:                    servicePorts(ports),
			ExternalTrafficPolicy:    corev1.ServiceExternalTrafficPolicyLocal,
			LoadBalancerSourceRanges: lb.SourceRanges,
		},
	}
	if lb.Class != "" {
		svc.Spec.LoadBalancerClass = ptr.To(lb.Class)
	}
	return svc
}

func loadBalanced(ports []v1alpha1.Port) []v1alpha1.Port {
	var out []v1alpha1.Port
	for _, p := range ports {
		if p.LoadBalancer {
			out = append(out, p)
		}
	}
	return out
}

// loadBalancerRule admits the load balancer's clients to the load-balanced ports; nil without any.
func loadBalancerRule(a *app) []netRule {
	ports := loadBalanced(a.spec.Ports)
	if len(ports) == 0 || a.in.LoadBalancer == nil {
		return nil
	}
	from := a.in.LoadBalancer.SourceRanges
	if len(from) == 0 {
		from = everywhere
	}
	return []netRule{{cidrs: from, ports: appPorts(ports, nil)}}
}

// loadBalancerPolicy refuses load balancers on a platform that does not allow them.
func loadBalancerPolicy(a *app) field.ErrorList {
	if a.in.LoadBalancer != nil {
		return nil
	}
	var errs field.ErrorList
	for i, p := range a.spec.Ports {
		if p.LoadBalancer {
			errs = append(errs, field.Forbidden(field.NewPath("spec", "ports").Index(i).Child("loadBalancer"),
				"the platform does not allow load balancers (Input loadBalancer); publish HTTP and gRPC ports with a route"))
		}
	}
	return errs
}

// observedLoadBalancer is what readiness and status read of the observed load-balanced Service.
type observedLoadBalancer struct {
	Status corev1.ServiceStatus `json:"status"`
}

// loadBalancerAddress is the load balancer's first address; empty until it has one.
func loadBalancerAddress(obs *structpb.Struct) string {
	var o observedLoadBalancer
	if obs == nil || pbjson.Decode(obs, &o) != nil || len(o.Status.LoadBalancer.Ingress) == 0 {
		return ""
	}
	if in := o.Status.LoadBalancer.Ingress[0]; in.IP != "" {
		return in.IP
	}
	return o.Status.LoadBalancer.Ingress[0].Hostname
}

// loadBalancerHealth is ready once the load balancer has an address: before, clients cannot reach
// the app however ready its pods are.
func loadBalancerHealth(name string) func(*structpb.Struct) health {
	return func(obs *structpb.Struct) health {
		switch {
		case obs == nil:
			return waiting("Service", name, "not created yet")
		case loadBalancerAddress(obs) == "":
			return waiting("Service", name, "waiting for its load balancer's address")
		default:
			return ready()
		}
	}
}
