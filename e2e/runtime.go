package e2e

import (
	"context"
	"fmt"
	"net"
	"time"

	corev1 "k8s.io/api/core/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	pkgv1 "github.com/crossplane/crossplane/apis/v2/pkg/v1"
)

// runtime is what the External package runtime leaves to someone else: it runs the function and
// the provider of each active revision, with certificates signed by crossplane-root-ca, and tells
// Crossplane where they are. It checks every half second until ctx ends, so a status Crossplane
// rewrites gets its runtime fields back.
func (h *Harness) runtime(ctx context.Context) {
	served := map[string]bool{}
	for {
		// A conflict is Crossplane writing the same status: the next round retries.
		if err := h.serveRevisions(ctx, served); err != nil && ctx.Err() == nil && !kerrors.IsConflict(errors.Cause(err)) {
			h.Printf("package runtime: %v", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func (h *Harness) serveRevisions(ctx context.Context, served map[string]bool) error {
	frs := &pkgv1.FunctionRevisionList{}
	if err := h.Client.List(ctx, frs); err != nil {
		return errors.Wrap(err, "cannot list FunctionRevisions")
	}
	for i := range frs.Items {
		r := &frs.Items[i]
		if r.Spec.DesiredState != pkgv1.PackageRevisionActive {
			continue
		}
		if err := h.serveFunction(ctx, r, served); err != nil {
			return err
		}
	}
	prs := &pkgv1.ProviderRevisionList{}
	if err := h.Client.List(ctx, prs); err != nil {
		return errors.Wrap(err, "cannot list ProviderRevisions")
	}
	for i := range prs.Items {
		r := &prs.Items[i]
		if r.Spec.DesiredState != pkgv1.PackageRevisionActive {
			continue
		}
		if err := h.serveProvider(ctx, r, served); err != nil {
			return err
		}
	}
	return nil
}

// serveFunction runs function-xapp for the revision (once) and keeps the revision's endpoint and
// TLS secret in its status, and that it is healthy (it is listening).
func (h *Harness) serveFunction(ctx context.Context, r *pkgv1.FunctionRevision, served map[string]bool) error {
	secret := ptr.Deref(r.Spec.TLSServerSecretName, r.Labels[pkgv1.LabelParentPackage]+"-tls-server")
	if !served[r.Name] {
		ports, err := freePorts(2)
		if err != nil {
			return err
		}
		dir := h.path("certs-" + r.Name)
		if err := h.runtimeSecret(ctx, secret, dir); err != nil {
			return err
		}
		addr := fmt.Sprintf("127.0.0.1:%d", ports[0])
		p, err := h.start("function-xapp", h.Env.Function, "--debug", "--address="+addr, "--tls-certs-dir="+dir,
			fmt.Sprintf("--metrics-address=127.0.0.1:%d", ports[1]))
		if err != nil {
			return err
		}
		if err := waitListening(p, addr, 20*time.Second); err != nil {
			return err
		}
		h.Function = p
		h.functionAddr = addr
		served[r.Name] = true
	}
	if r.Status.Endpoint == h.functionAddr && ptr.Deref(r.Status.TLSServerSecretName, "") == secret && healthy(r) {
		return nil
	}
	r.Status.Endpoint = h.functionAddr
	r.Status.TLSServerSecretName = &secret
	r.SetConditions(pkgv1.RuntimeHealthy())
	return errors.Wrapf(h.Client.Status().Update(ctx, r), "cannot report the endpoint of FunctionRevision %s", r.Name)
}

// serveProvider runs provider-cmdb for the revision (once) with the admin's kubeconfig, and reports
// its TLS secret, without which Crossplane will not install the provider's CRDs, and that it runs.
func (h *Harness) serveProvider(ctx context.Context, r *pkgv1.ProviderRevision, served map[string]bool) error {
	secret := ptr.Deref(r.Spec.TLSServerSecretName, r.Labels[pkgv1.LabelParentPackage]+"-tls-server")
	if !served[r.Name] {
		if err := h.runtimeSecret(ctx, secret, h.path("certs-"+r.Name)); err != nil {
			return err
		}
		ports, err := freePorts(1)
		if err != nil {
			return err
		}
		// A short poll so a record edited by hand is corrected within the test's patience.
		p, err := h.startEnv("provider-cmdb", h.Env.Provider, []string{"KUBECONFIG=" + h.AdminKubeconfig},
			"--debug", "--poll=5s", fmt.Sprintf("--metrics-bind-address=127.0.0.1:%d", ports[0]))
		if err != nil {
			return err
		}
		h.Provider = p
		served[r.Name] = true
	}
	if done, err := h.Provider.Exited(); done {
		return errors.Errorf("provider-cmdb exited (%v): see %s", err, h.Provider.Log)
	}
	if ptr.Deref(r.Status.TLSServerSecretName, "") == secret && healthy(r) {
		return nil
	}
	r.Status.TLSServerSecretName = &secret
	r.SetConditions(pkgv1.RuntimeHealthy(), pkgv1.RuntimeActive())
	return errors.Wrapf(h.Client.Status().Update(ctx, r), "cannot report the TLS secret of ProviderRevision %s", r.Name)
}

// healthy says whether the revision shows the runtime healthy, which only the runtime reports.
func healthy(r interface {
	GetCondition(xpv2.ConditionType) xpv2.Condition
}) bool {
	return r.GetCondition(pkgv1.TypeRuntimeHealthy).Status == corev1.ConditionTrue
}

// runtimeSecret signs a serving certificate for 127.0.0.1 with crossplane-root-ca, writes it to dir
// and stores it in the Secret Crossplane expects.
func (h *Harness) runtimeSecret(ctx context.Context, name, dir string) error {
	kp, err := h.coreCA.Server(name, nil, net.IPv4(127, 0, 0, 1))
	if err != nil {
		return err
	}
	if err := kp.WriteDir(dir, h.coreCA.CertPEM); err != nil {
		return err
	}
	s := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: CrossplaneNamespace},
		Type:       corev1.SecretTypeTLS,
		Data:       map[string][]byte{corev1.TLSCertKey: kp.CertPEM, corev1.TLSPrivateKeyKey: kp.KeyPEM, "ca.crt": h.coreCA.CertPEM},
	}
	err = h.Client.Create(ctx, s)
	if kerrors.IsAlreadyExists(err) {
		err = h.Client.Update(ctx, s)
	}
	return errors.Wrapf(err, "cannot write Secret %s", name)
}
