package e2e

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	pkgv1 "github.com/crossplane/crossplane/apis/v2/pkg/v1"
	pkgv1beta1 "github.com/crossplane/crossplane/apis/v2/pkg/v1beta1"

	"github.com/xapp-dev/xapp/examples"
	"github.com/xapp-dev/xapp/provider/cmdbtest"
)

// FieldOwner is the server-side apply field manager of everything the harness and tests apply.
const FieldOwner = client.FieldOwner("xapp-e2e")

// Teams the CMDBs know, as support groups (ServiceNow) and teams (iTop).
var Teams = []string{"Shop Team", "Blog Team", "Load Team"}

// Objects reads every object of a multi-document YAML file.
func Objects(b []byte) ([]*unstructured.Unstructured, error) {
	d := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(b), 4096)
	var out []*unstructured.Unstructured
	for {
		u := &unstructured.Unstructured{}
		if err := d.Decode(&u.Object); err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return nil, errors.Wrap(err, "cannot decode YAML")
		}
		if len(u.Object) > 0 {
			out = append(out, u)
		}
	}
}

// Apply server-side applies every object in the YAML, as `kubectl apply --server-side` would.
func (h *Harness) Apply(ctx context.Context, yaml []byte) error {
	objs, err := Objects(yaml)
	if err != nil {
		return err
	}
	for _, o := range objs {
		if err := h.Client.Patch(ctx, o, client.Apply, FieldOwner, client.ForceOwnership); err != nil { //nolint:staticcheck // client.Apply with unstructured objects is what `kubectl apply --server-side` does.
			return errors.Wrapf(err, "cannot apply %s %s", o.GetKind(), o.GetName())
		}
	}
	return nil
}

// ApplyFile applies a YAML file.
func (h *Harness) ApplyFile(ctx context.Context, file string) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return errors.Wrapf(err, "cannot read %s", file)
	}
	return errors.Wrap(h.Apply(ctx, b), file)
}

// thirdPartyCRDs installs what a platform has before xapp: the gateway API (its TLS and TCP routes
// included), CloudNativePG, the Prometheus operator (the shipped compositions have every app scraped
// and alerted on), KEDA and the External Secrets Operator (the default composition offers both).
func (h *Harness) thirdPartyCRDs(ctx context.Context) error {
	for _, f := range []string{
		"gateway-api/gateway.networking.k8s.io_gatewayclasses.yaml", "gateway-api/gateway.networking.k8s.io_gateways.yaml",
		"gateway-api/gateway.networking.k8s.io_httproutes.yaml", "gateway-api/gateway.networking.k8s.io_grpcroutes.yaml",
		"gateway-api/gateway.networking.k8s.io_referencegrants.yaml", "cloudnative-pg/postgresql.cnpg.io_clusters.yaml",
		"prometheus-operator/monitoring.coreos.com_servicemonitors.yaml", "prometheus-operator/monitoring.coreos.com_prometheusrules.yaml",
		"keda/keda.sh_scaledobjects.yaml", "external-secrets/external-secrets.io_externalsecrets.yaml",
	} {
		if err := h.ApplyFile(ctx, filepath.Join(h.Env.Shared, "crds", f)); err != nil {
			return err
		}
	}
	// The TLS and TCP routes apps may ask of the gateway (ports[].gatewayRoute): ../shared has
	// neither, so they come from the gateway-api module xapp is built with.
	routes, err := examples.GatewayRouteCRDs(ctx)
	if err != nil {
		return err
	}
	for _, f := range routes {
		if err := h.ApplyFile(ctx, f); err != nil {
			return err
		}
	}
	return nil
}

// outsideWorld starts what lives outside the cluster (the CMDBs) and the stand-ins for controllers
// a platform runs (gateway, CloudNativePG).
func (h *Harness) outsideWorld(ctx context.Context) error {
	h.ServiceNow = cmdbtest.NewServiceNow(Teams...)
	h.ITop = cmdbtest.NewITop(Teams...)
	// The people iTop's change lifecycle wants, as the itop config names them (organisation Demo).
	h.ITop.Insert("Person", map[string]string{"name": "Bot", "first_name": "Platform", "email": "platform-bot@example.com", "org_id": "1"})
	h.cleanup = append(h.cleanup, h.ServiceNow.Close, h.ITop.Close)
	go h.standIns(ctx)
	return nil
}

// install installs xapp as the README's install steps say, in the same order: the ClusterRole that
// lets Crossplane compose xapp's kinds, the mirror of the package registry (an ImageConfig), the
// Configuration alone; the function and the provider come from its dependencies. Then the
// platform's settings: the CMDB connections and the data services' EnvironmentConfig.
func (h *Harness) install(ctx context.Context) error {
	if err := h.ApplyFile(ctx, h.Env.RBAC); err != nil {
		return err
	}
	ic := &pkgv1beta1.ImageConfig{
		ObjectMeta: metav1.ObjectMeta{Name: "xapp-mirror"},
		Spec: pkgv1beta1.ImageConfigSpec{
			MatchImages:  []pkgv1beta1.ImageMatch{{Type: pkgv1beta1.Prefix, Prefix: h.Env.Registry + "/"}},
			RewriteImage: &pkgv1beta1.ImageRewrite{Prefix: h.Registry.Mirror(h.Env.Registry) + "/"},
		},
	}
	cfg := &pkgv1.Configuration{
		ObjectMeta: metav1.ObjectMeta{Name: "xapp"},
		Spec: pkgv1.ConfigurationSpec{PackageSpec: pkgv1.PackageSpec{
			Package: h.Env.Registry + "/" + packageRepositories[ConfigurationPackage] + ":" + h.Env.Version,
		}},
	}
	for _, o := range []client.Object{ic, cfg} {
		if err := h.Client.Create(ctx, o); err != nil {
			return errors.Wrapf(err, "cannot create %s", o.GetName())
		}
	}
	go h.runtime(ctx)
	if err := h.WaitPackagesHealthy(ctx, 90*time.Second); err != nil {
		return err
	}
	return h.platformSettings(ctx)
}

// platformSettings are what a platform team configures once xapp is installed.
func (h *Harness) platformSettings(ctx context.Context) error {
	creds := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "cmdb-creds", Namespace: CrossplaneNamespace},
		StringData: map[string]string{"username": "admin", "password": "admin"},
	}
	if err := h.Client.Create(ctx, creds); err != nil {
		return errors.Wrap(err, "cannot create the CMDB credentials")
	}
	yaml := `apiVersion: cmdb.m.xapp.dev/v1alpha1
kind: ClusterProviderConfig
metadata:
  name: servicenow
spec:
  backend: ServiceNow
  endpoint: ` + h.ServiceNow.URL + `
  credentials:
    method: Basic
    secretRef: {name: cmdb-creds, namespace: crossplane-system}
---
apiVersion: cmdb.m.xapp.dev/v1alpha1
kind: ClusterProviderConfig
metadata:
  name: itop
spec:
  backend: iTop
  endpoint: ` + h.ITop.URL + `
  iTop:
    organization: Demo
    changes: {callerEmail: platform-bot@example.com, team: Shop Team, agentEmail: platform-bot@example.com}
  credentials:
    method: Basic
    secretRef: {name: cmdb-creds, namespace: crossplane-system}
---
apiVersion: apiextensions.crossplane.io/v1beta1
kind: EnvironmentConfig
metadata:
  name: xapp-data
data:
  dataServices:
    provider: in-cluster
`
	// The provider's CRDs are Established once its package is Healthy, but the API server's
	// discovery may serve them a moment later: a kind it does not know yet is retried.
	return Eventually(ctx, 30*time.Second, 250*time.Millisecond, func() (bool, string, error) {
		err := h.Apply(ctx, []byte(yaml))
		if meta.IsNoMatchError(err) {
			return false, err.Error(), nil
		}
		return err == nil, "", err
	})
}
