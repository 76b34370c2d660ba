package e2e

import (
	"context"

	networkingv1 "k8s.io/api/networking/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// IngressAddress is the address the ingress controller stand-in publishes: the cluster is this
// machine.
const IngressAddress = "127.0.0.1"

// publishIngresses does what an ingress controller does once it serves an Ingress: it publishes the
// address clients reach it at in status.loadBalancer.ingress, which is all xapp reads.
func (h *Harness) publishIngresses(ctx context.Context) error {
	l := &networkingv1.IngressList{}
	if err := h.Client.List(ctx, l); err != nil {
		return errors.Wrap(err, "cannot list Ingresses")
	}
	for i := range l.Items {
		ing := &l.Items[i]
		if ing.DeletionTimestamp != nil || len(ing.Status.LoadBalancer.Ingress) > 0 {
			continue
		}
		ing.Status.LoadBalancer.Ingress = []networkingv1.IngressLoadBalancerIngress{{IP: IngressAddress}}
		if err := h.Client.Status().Update(ctx, ing); err != nil && !kerrors.IsConflict(err) && !kerrors.IsNotFound(err) {
			return errors.Wrapf(err, "cannot publish the address of Ingress %s/%s", ing.Namespace, ing.Name)
		}
	}
	return nil
}
