package e2e

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	admissionv1 "k8s.io/api/admissionregistration/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// Crossplane's install, as its Helm chart sets it up.
const (
	CrossplaneNamespace = "crossplane-system"
	coreServiceAccount  = "crossplane"
	rootCASecret        = "crossplane-root-ca"
	clientSecret        = "crossplane-tls-client"
	serverSecret        = "crossplane-tls-server"
	webhookService      = "crossplane-webhooks"
)

// crossplane installs core the way its Helm chart does, except that it runs here rather than in a
// pod: the chart's ClusterRoles bound to core's ServiceAccount (core authenticates with that
// account's token, so it has exactly those permissions), `core init` with the chart's environment,
// webhooks pointed at the local port, then `core start` and the RBAC manager.
func (h *Harness) crossplane(ctx context.Context) error {
	if err := h.coreRBAC(ctx); err != nil {
		return err
	}
	coreKubeconfig, err := h.serviceAccountKubeconfig(ctx, CrossplaneNamespace, coreServiceAccount)
	if err != nil {
		return err
	}
	if err := h.coreInit(ctx, coreKubeconfig); err != nil {
		return err
	}
	ports, err := freePorts(3)
	if err != nil {
		return err
	}
	webhookPort, metricsPort, healthPort := ports[0], ports[1], ports[2]
	serverDir, clientDir, err := h.coreCerts(ctx)
	if err != nil {
		return err
	}
	if err := h.pointWebhooks(ctx, webhookPort); err != nil {
		return err
	}
	// Core caches packages on disk and cannot parse one it cannot cache.
	for _, d := range []string{"xpkg-cache", "xfn-cache"} {
		if err := os.MkdirAll(h.path(d), 0o750); err != nil {
			return errors.Wrap(err, "cannot create core's cache folders")
		}
	}
	core, err := h.startEnv("crossplane-core", h.Env.Core, []string{"KUBECONFIG=" + coreKubeconfig},
		"core", "start", "--enable-webhooks=true", fmt.Sprintf("--webhook-port=%d", webhookPort),
		"--tls-server-certs-dir="+serverDir, "--tls-client-certs-dir="+clientDir, "--package-runtime=External",
		"--xpkg-cache-dir="+h.path("xpkg-cache"), "--xfn-cache-dir="+h.path("xfn-cache"),
		fmt.Sprintf("--metrics-port=%d", metricsPort), fmt.Sprintf("--health-probe-port=%d", healthPort),
		// Core's per-XR circuit breaker (burst 100 watch events, refilled at 1/s) opens while a
		// full app comes up: its 14 composed objects, their controllers' status writes and the
		// provider's make more than 100 events in seconds. Open, it lets one event through every
		// 30 s for 5 minutes, so a rollout shows up to 30 s late. The README advises these values.
		"--circuit-breaker-burst=500", "--circuit-breaker-refill-rate=5")
	if err != nil {
		return err
	}
	h.Core = core
	h.coreMetrics = fmt.Sprintf("http://127.0.0.1:%d/metrics", metricsPort)
	if err := waitListening(core, fmt.Sprintf("127.0.0.1:%d", webhookPort), 60*time.Second); err != nil {
		return err
	}
	// The RBAC manager grants core the XRDs' and providers' kinds. It has no flag for its metrics
	// port (controller-runtime's default :8080), so a busy :8080 is said plainly instead of showing
	// later as permissions that never arrive.
	d := &net.Dialer{Timeout: 200 * time.Millisecond}
	if c, err := d.DialContext(ctx, "tcp", "127.0.0.1:8080"); err == nil {
		_ = c.Close()
		return errors.New("port 8080 is taken: Crossplane's RBAC manager binds its metrics there and cannot be told otherwise; stop whatever listens on it")
	}
	_, err = h.startEnv("crossplane-rbac-manager", h.Env.Core, []string{"KUBECONFIG=" + h.AdminKubeconfig}, "rbac", "start")
	return err
}

// coreRBAC creates core's namespace and ServiceAccount and binds it to the ClusterRoles of
// Crossplane's Helm chart, read from the chart of the same version as the binary.
func (h *Harness) coreRBAC(ctx context.Context) error {
	for _, o := range []client.Object{
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: CrossplaneNamespace}},
		&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: coreServiceAccount, Namespace: CrossplaneNamespace}},
	} {
		if err := h.Client.Create(ctx, o); err != nil {
			return errors.Wrapf(err, "cannot create %s", o.GetName())
		}
	}
	roles, err := ChartClusterRoles(filepath.Join(h.Env.CoreSource, "cluster", "charts", "crossplane", "templates", "clusterrole.yaml"))
	if err != nil {
		return err
	}
	for _, r := range roles {
		if err := h.Client.Create(ctx, r); err != nil {
			return errors.Wrapf(err, "cannot create ClusterRole %s", r.Name)
		}
	}
	b := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "crossplane"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "crossplane"},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: coreServiceAccount, Namespace: CrossplaneNamespace}},
	}
	return errors.Wrap(h.Client.Create(ctx, b), "cannot bind core's ClusterRole")
}

// helmDirective is a line of the chart's template that only Helm reads (conditionals, label
// includes); the chart is rendered with its defaults, where the RBAC manager is deployed.
var helmDirective = regexp.MustCompile(`^\s*\{\{-? *(if|end|include|- include)\b.*\}\}\s*$`)

// ChartClusterRoles renders the ClusterRoles of Crossplane's Helm chart (templates/clusterrole.yaml)
// with the chart's default values: the aggregated role `crossplane` and the core permissions that
// aggregate into it.
func ChartClusterRoles(file string) ([]*rbacv1.ClusterRole, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, errors.Wrap(err, "cannot read Crossplane's chart")
	}
	var out strings.Builder
	for l := range strings.SplitSeq(string(b), "\n") {
		if helmDirective.MatchString(l) || strings.Contains(l, "include \"crossplane.labels\"") {
			continue
		}
		out.WriteString(strings.ReplaceAll(l, `{{ template "crossplane.name" . }}`, "crossplane") + "\n")
	}
	docs := strings.Split(out.String(), "\n---\n")
	roles := make([]*rbacv1.ClusterRole, 0, len(docs))
	for _, doc := range docs {
		if strings.Contains(doc, "{{") {
			return nil, errors.Errorf("cannot render Crossplane's chart: a template directive is left in %q", doc)
		}
		r := &rbacv1.ClusterRole{}
		if err := yaml.UnmarshalStrict([]byte(doc), r); err != nil {
			return nil, errors.Wrap(err, "cannot parse a ClusterRole of Crossplane's chart")
		}
		roles = append(roles, r)
	}
	return roles, nil
}

// serviceAccountKubeconfig writes a kubeconfig that authenticates as the ServiceAccount, with a
// token from the TokenRequest API as a pod's projected token would be.
func (h *Harness) serviceAccountKubeconfig(ctx context.Context, ns, name string) (string, error) {
	cs, err := kubernetes.NewForConfig(h.Config)
	if err != nil {
		return "", errors.Wrap(err, "cannot make a client")
	}
	tr, err := cs.CoreV1().ServiceAccounts(ns).CreateToken(ctx, name, &authenticationv1.TokenRequest{
		Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](6 * 3600)},
	}, metav1.CreateOptions{})
	if err != nil {
		return "", errors.Wrapf(err, "cannot get a token for ServiceAccount %s/%s", ns, name)
	}
	file := h.path(name + ".kubeconfig")
	return file, h.kubeconfig(file, name, nil, tr.Status.Token)
}

// coreInit runs `core init` as the chart's init container does. Its first run can fail with `no
// matches for kind "Lock"` (the CRD it just created is not served yet), so it is retried.
func (h *Harness) coreInit(ctx context.Context, kubeconfig string) error {
	src := h.Env.CoreSource
	env := []string{
		"KUBECONFIG=" + kubeconfig,
		"CRDS_PATH=" + filepath.Join(src, "cluster", "crds"),
		"WEBHOOK_CONFIGS_PATH=" + filepath.Join(src, "cluster", "webhookconfigurations"),
		"TLS_CA_SECRET_NAME=" + rootCASecret, "TLS_CLIENT_SECRET_NAME=" + clientSecret,
		"TLS_SERVER_SECRET_NAME=" + serverSecret, "WEBHOOK_SERVICE_NAME=" + webhookService,
		"WEBHOOK_SERVICE_NAMESPACE=" + CrossplaneNamespace, "WEBHOOK_SERVICE_PORT=9443",
	}
	var last error
	for i := range 5 {
		p, err := h.startEnv(fmt.Sprintf("crossplane-init-%d", i), h.Env.Core, env, "core", "init", "--activation=*")
		if err != nil {
			return err
		}
		select {
		case <-p.done:
		case <-ctx.Done():
			return ctx.Err()
		}
		if _, last = p.Exited(); last == nil {
			return nil
		}
		time.Sleep(time.Second)
	}
	return errors.Wrapf(last, "crossplane core init failed 5 times: see %s", h.Logs)
}

// coreCerts writes the certificates the chart mounts into core's pod: its webhook server's (signed
// by crossplane-root-ca for the Service name and for 127.0.0.1, where the API server reaches it
// here) and its client certificate for functions.
func (h *Harness) coreCerts(ctx context.Context) (serverDir, clientDir string, err error) {
	root := &corev1.Secret{}
	if err := h.Client.Get(ctx, client.ObjectKey{Namespace: CrossplaneNamespace, Name: rootCASecret}, root); err != nil {
		return "", "", errors.Wrap(err, "cannot get Crossplane's root CA")
	}
	ca, err := ParseCA(root.Data[corev1.TLSCertKey], root.Data[corev1.TLSPrivateKeyKey])
	if err != nil {
		return "", "", err
	}
	h.coreCA = ca
	svc := webhookService + "." + CrossplaneNamespace + ".svc"
	kp, err := ca.Server(svc, []string{svc}, net.IPv4(127, 0, 0, 1))
	if err != nil {
		return "", "", err
	}
	serverDir = h.path("core-server-certs")
	if err := kp.WriteDir(serverDir, ca.CertPEM); err != nil {
		return "", "", err
	}
	cl := &corev1.Secret{}
	if err := h.Client.Get(ctx, client.ObjectKey{Namespace: CrossplaneNamespace, Name: clientSecret}, cl); err != nil {
		return "", "", errors.Wrap(err, "cannot get Crossplane's client certificate")
	}
	clientDir = h.path("core-client-certs")
	ckp := KeyPair{CertPEM: cl.Data[corev1.TLSCertKey], KeyPEM: cl.Data[corev1.TLSPrivateKeyKey]}
	return serverDir, clientDir, ckp.WriteDir(clientDir, cl.Data["ca.crt"])
}

// pointWebhooks points every webhook `core init` registered for Crossplane's Service (the Usage
// webhook, CRD conversion) at the local port core serves them on.
func (h *Harness) pointWebhooks(ctx context.Context, port int) error {
	url := func(path *string) *string {
		p := ""
		if path != nil {
			p = *path
		}
		return ptr.To(fmt.Sprintf("https://127.0.0.1:%d%s", port, p))
	}
	vwcs := &admissionv1.ValidatingWebhookConfigurationList{}
	if err := h.Client.List(ctx, vwcs); err != nil {
		return errors.Wrap(err, "cannot list webhook configurations")
	}
	for i := range vwcs.Items {
		w := &vwcs.Items[i]
		changed := false
		for j := range w.Webhooks {
			cc := &w.Webhooks[j].ClientConfig
			if cc.Service == nil || cc.Service.Name != webhookService {
				continue
			}
			cc.URL, cc.Service, cc.CABundle, changed = url(cc.Service.Path), nil, h.coreCA.CertPEM, true
		}
		if changed {
			if err := h.Client.Update(ctx, w); err != nil {
				return errors.Wrapf(err, "cannot point webhook %s at core", w.Name)
			}
		}
	}
	crds := &apiextensionsv1.CustomResourceDefinitionList{}
	if err := h.Client.List(ctx, crds); err != nil {
		return errors.Wrap(err, "cannot list CRDs")
	}
	for i := range crds.Items {
		c := &crds.Items[i]
		if c.Spec.Conversion == nil || c.Spec.Conversion.Webhook == nil || c.Spec.Conversion.Webhook.ClientConfig == nil {
			continue
		}
		cc := c.Spec.Conversion.Webhook.ClientConfig
		if cc.Service == nil || cc.Service.Name != webhookService {
			continue
		}
		cc.URL, cc.Service, cc.CABundle = url(cc.Service.Path), nil, h.coreCA.CertPEM
		if err := h.Client.Update(ctx, c); err != nil {
			return errors.Wrapf(err, "cannot point the conversion webhook of %s at core", c.Name)
		}
	}
	return nil
}
