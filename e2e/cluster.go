package e2e

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// The kube-controller-manager controllers a Crossplane app needs: Deployments that roll out, Jobs
// that complete and CronJobs that start them, garbage collection of composed objects through owner
// references, namespace deletion, service account tokens, autoscalers and disruption budgets with a
// status, aggregated ClusterRoles (how Crossplane gets the permissions packages ship), and the node
// lifecycle controller, which lifts the not-ready taint the API server puts on a new Node.
var controllers = []string{
	"deployment", "replicaset", "job", "cronjob", "garbagecollector", "namespace", "serviceaccount", "serviceaccount-token",
	"root-ca-certificate-publisher-controller", "horizontalpodautoscaling", "disruption",
	"clusterrole-aggregation", "podgc", "nodelifecycle",
}

// NodeName is the one simulated Node.
const NodeName = "kwok-node-0"

// controlPlane starts etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok, and
// registers one Node. It leaves an admin kubeconfig at h.AdminKubeconfig.
func (h *Harness) controlPlane(ctx context.Context) error {
	ports, err := freePorts(4)
	if err != nil {
		return err
	}
	etcdClient, etcdPeer, etcdMetrics, apiPort := ports[0], ports[1], ports[2], ports[3]
	if err := h.clusterCerts(); err != nil {
		return err
	}

	etcd, err := h.start("etcd", h.Env.Etcd,
		"--name=e2e", "--data-dir="+h.path("etcd"), "--unsafe-no-fsync",
		fmt.Sprintf("--listen-client-urls=http://127.0.0.1:%d", etcdClient),
		fmt.Sprintf("--advertise-client-urls=http://127.0.0.1:%d", etcdClient),
		fmt.Sprintf("--listen-peer-urls=http://127.0.0.1:%d", etcdPeer),
		fmt.Sprintf("--initial-advertise-peer-urls=http://127.0.0.1:%d", etcdPeer),
		fmt.Sprintf("--initial-cluster=e2e=http://127.0.0.1:%d", etcdPeer),
		fmt.Sprintf("--listen-metrics-urls=http://127.0.0.1:%d", etcdMetrics))
	if err != nil {
		return err
	}
	if err := waitListening(etcd, fmt.Sprintf("127.0.0.1:%d", etcdClient), 30*time.Second); err != nil {
		return err
	}

	api, err := h.start("kube-apiserver", filepath.Join(h.Env.KubeDir, "kube-apiserver"),
		fmt.Sprintf("--etcd-servers=http://127.0.0.1:%d", etcdClient),
		"--bind-address=127.0.0.1", fmt.Sprintf("--secure-port=%d", apiPort),
		"--tls-cert-file="+h.path("apiserver.crt"), "--tls-private-key-file="+h.path("apiserver.key"),
		"--client-ca-file="+h.path("ca.crt"),
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file="+h.path("sa.key"), "--service-account-signing-key-file="+h.path("sa.key"),
		"--service-cluster-ip-range=10.0.0.0/24", "--authorization-mode=Node,RBAC", "--allow-privileged=true",
		"--endpoint-reconciler-type=none", "--enable-priority-and-fairness=false")
	if err != nil {
		return err
	}
	h.APIServer = api
	h.apiURL = fmt.Sprintf("https://127.0.0.1:%d", apiPort)
	if err := h.writeAdminKubeconfig(); err != nil {
		return err
	}
	if err := h.waitAPIServer(ctx, api); err != nil {
		return err
	}
	if err := h.connect(); err != nil {
		return err
	}

	kcm := []string{
		"--kubeconfig=" + h.AdminKubeconfig, "--controllers=" + strings.Join(controllers, ","),
		"--service-account-private-key-file=" + h.path("sa.key"), "--root-ca-file=" + h.path("ca.crt"),
		"--leader-elect=false", "--secure-port=0",
		// The default 20 requests per second would measure the controller manager's client, not
		// xapp, when a hundred apps start at once.
		"--kube-api-qps=500", "--kube-api-burst=1000",
	}
	if _, err := h.start("kube-controller-manager", filepath.Join(h.Env.KubeDir, "kube-controller-manager"), kcm...); err != nil {
		return err
	}
	if _, err := h.start("kube-scheduler", filepath.Join(h.Env.KubeDir, "kube-scheduler"),
		"--kubeconfig="+h.AdminKubeconfig, "--leader-elect=false", "--secure-port=0",
		"--kube-api-qps=500", "--kube-api-burst=1000"); err != nil {
		return err
	}
	stages, err := filepath.Abs(filepath.Join("testdata", "kwok-pod-stages.yaml"))
	if err != nil {
		return errors.Wrap(err, "cannot find kwok's stages")
	}
	if _, err := h.start("kwok", h.Env.Kwok, "--kubeconfig="+h.AdminKubeconfig, "--manage-all-nodes=true",
		"--node-lease-duration-seconds=40", "--config="+stages, "--server-address=", "--node-port=0"); err != nil {
		return err
	}
	return h.createNode(ctx)
}

// clusterCerts makes the cluster's CA, the API server's serving certificate, the admin's client
// certificate and the service account signing key.
func (h *Harness) clusterCerts() error {
	ca, err := NewCA("xapp-e2e-ca")
	if err != nil {
		return err
	}
	h.CA = ca
	srv, err := ca.Server("kube-apiserver", []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc"},
		net.IPv4(127, 0, 0, 1), net.IPv4(10, 0, 0, 1))
	if err != nil {
		return err
	}
	admin, err := ca.Client("xapp-e2e-admin", "system:masters")
	if err != nil {
		return err
	}
	h.admin = admin
	sa, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return errors.Wrap(err, errKey)
	}
	files := map[string][]byte{
		"ca.crt": ca.CertPEM, "apiserver.crt": srv.CertPEM, "apiserver.key": srv.KeyPEM,
		"sa.key": pemBlock("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(sa)),
	}
	for name, b := range files {
		if err := os.WriteFile(h.path(name), b, 0o600); err != nil {
			return errors.Wrap(err, "cannot write the cluster's certificates")
		}
	}
	return nil
}

// kubeconfig writes a kubeconfig for the API server with either a client certificate or a token.
func (h *Harness) kubeconfig(file, user string, kp *KeyPair, token string) error {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["e2e"] = &clientcmdapi.Cluster{Server: h.apiURL, CertificateAuthorityData: h.CA.CertPEM}
	ai := &clientcmdapi.AuthInfo{Token: token}
	if kp != nil {
		ai.ClientCertificateData, ai.ClientKeyData = kp.CertPEM, kp.KeyPEM
	}
	cfg.AuthInfos[user] = ai
	cfg.Contexts["e2e"] = &clientcmdapi.Context{Cluster: "e2e", AuthInfo: user}
	cfg.CurrentContext = "e2e"
	return errors.Wrap(clientcmd.WriteToFile(*cfg, file), "cannot write a kubeconfig")
}

func (h *Harness) writeAdminKubeconfig() error {
	h.AdminKubeconfig = h.path("admin.kubeconfig")
	return h.kubeconfig(h.AdminKubeconfig, "admin", &h.admin, "")
}

// waitAPIServer waits for /readyz: the API server answers before its post-start hooks (RBAC
// bootstrap roles among them) are done.
func (h *Harness) waitAPIServer(ctx context.Context, api *Proc) error {
	cfg, err := clientcmd.BuildConfigFromFlags("", h.AdminKubeconfig)
	if err != nil {
		return errors.Wrap(err, "cannot read the admin kubeconfig")
	}
	h.Config = cfg
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return errors.Wrap(err, "cannot make a client")
	}
	rc := cs.Discovery().RESTClient()
	deadline := time.Now().Add(60 * time.Second)
	var last error
	for time.Now().Before(deadline) {
		if done, err := api.Exited(); done {
			return errors.Errorf("kube-apiserver exited (%v): see %s", err, api.Log)
		}
		if _, last = rc.Get().AbsPath("/readyz").DoRaw(ctx); last == nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return errors.Wrapf(last, "kube-apiserver is not ready after 60s: see %s", api.Log)
}

// createNode registers the one Node kwok simulates. kwok fills in its capacity and conditions and
// keeps its lease.
func (h *Harness) createNode(ctx context.Context) error {
	n := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name: NodeName,
			Annotations: map[string]string{
				"node.alpha.kubernetes.io/ttl": "0",
				"kwok.x-k8s.io/node":           "fake",
			},
			Labels: map[string]string{
				"kubernetes.io/hostname": NodeName, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
				"type": "kwok", "topology.kubernetes.io/zone": "zone-a",
			},
		},
		Status: corev1.NodeStatus{Allocatable: corev1.ResourceList{
			corev1.ResourceCPU: resource.MustParse("64"), corev1.ResourceMemory: resource.MustParse("256Gi"),
			corev1.ResourcePods: resource.MustParse("1000"),
		}},
	}
	n.Status.Capacity = n.Status.Allocatable
	return errors.Wrap(h.Client.Create(ctx, n), "cannot create the kwok Node")
}
