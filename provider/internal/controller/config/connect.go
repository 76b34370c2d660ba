package config

import (
	"context"
	"net/http"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"

	"github.com/xapp-dev/xapp/apis/cmdb/v1alpha1"
	"github.com/xapp-dev/xapp/provider/internal/clients"
	"github.com/xapp-dev/xapp/provider/internal/clients/itop"
	"github.com/xapp-dev/xapp/provider/internal/clients/servicenow"
)

const (
	errNoPCRef       = "no providerConfigRef"
	errUnknownPCKind = "providerConfigRef.kind must be ProviderConfig or ClusterProviderConfig"
	errGetPC         = "cannot get provider config"
	errGetCreds      = "cannot get credentials"
	errMissingKey    = "credentials secret has no key "
	errGetCA         = "cannot get TLS CA"
	errNewClient     = "cannot create CMDB client"
	errTrackUsage    = "cannot track provider config usage"
	errNoITop        = "iTop needs spec.iTop.organization in the provider config"
	errITopToken     = "spec.credentials.method: iTop has no token login (stock iTop refuses auth_token): use Basic"
	errUnknownBack   = "unknown backend "

	// DefaultDataSource is reported to ServiceNow IRE when the config names none.
	DefaultDataSource = "xapp"
)

// Connection is a connected CMDB: exactly one of ServiceNow and ITop is set.
type Connection struct {
	Backend    v1alpha1.Backend
	ServiceNow servicenow.Client
	ITop       itop.Client

	// DataSource is ServiceNow's IRE source name.
	DataSource string
	// Organization is iTop's organization name.
	Organization string
	// ITopChanges names who iTop changes are recorded for and by (nil: not configured).
	ITopChanges *v1alpha1.ITopChangeConfig

	// HTTP is the client both backends' clients send through.
	HTTP *http.Client
}

// Close lets go of the connection's idle keep-alive connections. Every reconcile connects
// anew, so without this each one would leave an open connection to the CMDB behind.
func (c *Connection) Close() {
	if c.HTTP != nil {
		c.HTTP.CloseIdleConnections()
	}
}

// Connector builds a Connection for a managed resource from the config it references.
type Connector struct {
	Kube  client.Client
	Usage resource.ModernTracker
	// NewHTTPClient builds the HTTP client for a CMDB from its CA bundle (nil: the system's).
	NewHTTPClient func(caPEM []byte) (*http.Client, error)
}

// Connect tracks the usage, reads the config and its Secrets, and builds the client.
func (c *Connector) Connect(ctx context.Context, mg resource.ModernManaged) (*Connection, error) {
	if err := c.Usage.Track(ctx, mg); err != nil {
		return nil, errors.Wrap(err, errTrackUsage)
	}
	ref := mg.GetProviderConfigReference()
	if ref == nil {
		return nil, errors.New(errNoPCRef)
	}
	var spec v1alpha1.ProviderConfigSpec
	// A namespaced config may only read Secrets in its own namespace.
	secretNS := func(r v1alpha1.SecretRef) string { return mg.GetNamespace() }
	switch ref.Kind {
	case v1alpha1.ProviderConfigKind:
		pc := &v1alpha1.ProviderConfig{}
		if err := c.Kube.Get(ctx, types.NamespacedName{Namespace: mg.GetNamespace(), Name: ref.Name}, pc); err != nil {
			return nil, errors.Wrap(err, errGetPC)
		}
		spec = pc.Spec
	case v1alpha1.ClusterProviderConfigKind:
		pc := &v1alpha1.ClusterProviderConfig{}
		if err := c.Kube.Get(ctx, types.NamespacedName{Name: ref.Name}, pc); err != nil {
			return nil, errors.Wrap(err, errGetPC)
		}
		spec = pc.Spec
		secretNS = func(r v1alpha1.SecretRef) string { return r.Namespace }
	default:
		return nil, errors.New(errUnknownPCKind)
	}

	creds, err := c.credentials(ctx, spec.Credentials, secretNS(spec.Credentials.SecretRef))
	if err != nil {
		return nil, err
	}
	var ca []byte
	if spec.TLS != nil && spec.TLS.CASecretRef != nil {
		s := &corev1.Secret{}
		if err := c.Kube.Get(ctx, types.NamespacedName{Namespace: secretNS(*spec.TLS.CASecretRef), Name: spec.TLS.CASecretRef.Name}, s); err != nil {
			return nil, errors.Wrap(err, errGetCA)
		}
		ca = s.Data["ca.crt"]
	}
	hc, err := c.NewHTTPClient(ca)
	if err != nil {
		return nil, errors.Wrap(err, errNewClient)
	}
	return NewConnection(spec, hc, creds)
}

func (c *Connector) credentials(ctx context.Context, cr v1alpha1.Credentials, ns string) (clients.Credentials, error) {
	s := &corev1.Secret{}
	if err := c.Kube.Get(ctx, types.NamespacedName{Namespace: ns, Name: cr.SecretRef.Name}, s); err != nil {
		return clients.Credentials{}, errors.Wrap(err, errGetCreds)
	}
	need := []string{"username", "password"}
	if cr.Method == v1alpha1.AuthOAuthToken {
		need = []string{"token"}
	}
	for _, k := range need {
		if len(s.Data[k]) == 0 {
			return clients.Credentials{}, errors.New(errMissingKey + k)
		}
	}
	if cr.Method == v1alpha1.AuthOAuthToken {
		return clients.Credentials{Token: string(s.Data["token"])}, nil
	}
	return clients.Credentials{Username: string(s.Data["username"]), Password: string(s.Data["password"])}, nil
}

// NewConnection builds the backend client a config spec describes.
func NewConnection(spec v1alpha1.ProviderConfigSpec, hc *http.Client, creds clients.Credentials) (*Connection, error) {
	switch spec.Backend {
	case v1alpha1.BackendServiceNow:
		sn, err := servicenow.New(spec.Endpoint, hc, creds)
		if err != nil {
			return nil, errors.Wrap(err, errNewClient)
		}
		src := DefaultDataSource
		if spec.ServiceNow != nil && spec.ServiceNow.DataSource != "" {
			src = spec.ServiceNow.DataSource
		}
		return &Connection{Backend: spec.Backend, ServiceNow: sn, DataSource: src, HTTP: hc}, nil
	case v1alpha1.BackendITop:
		if spec.ITop == nil || spec.ITop.Organization == "" {
			return nil, errors.New(errNoITop)
		}
		if spec.Credentials.Method == v1alpha1.AuthOAuthToken {
			return nil, errors.New(errITopToken)
		}
		it, err := itop.New(spec.Endpoint, spec.ITop.APIVersion, hc, creds)
		if err != nil {
			return nil, errors.Wrap(err, errNewClient)
		}
		return &Connection{Backend: spec.Backend, ITop: it, Organization: spec.ITop.Organization,
			ITopChanges: spec.ITop.Changes, HTTP: hc}, nil
	default:
		return nil, errors.New(errUnknownBack + string(spec.Backend))
	}
}
