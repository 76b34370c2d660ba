package config

import (
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/xapp-dev/xapp/apis/cmdb/v1alpha1"
	"github.com/xapp-dev/xapp/provider/internal/clients"
)

func TestNewConnection(t *testing.T) {
	itopSpec := func(method v1alpha1.AuthMethod) v1alpha1.ProviderConfigSpec {
		return v1alpha1.ProviderConfigSpec{Backend: v1alpha1.BackendITop, Endpoint: "https://cmdb.example.com/itop",
			Credentials: v1alpha1.Credentials{Method: method}, ITop: &v1alpha1.ITopConfig{Organization: "Demo"}}
	}
	cases := map[string]struct {
		reason string
		spec   v1alpha1.ProviderConfigSpec
		creds  clients.Credentials
		want   string
	}{
		"ITopBasic": {reason: "Basic credentials connect to iTop.", spec: itopSpec(v1alpha1.AuthBasic),
			creds: clients.Credentials{Username: "u", Password: "p"}},
		"ITopToken": {reason: "Stock iTop refuses auth_token, so a token config is refused naming the field.", spec: itopSpec(v1alpha1.AuthOAuthToken),
			creds: clients.Credentials{Token: "t"}, want: errITopToken},
		"ITopWithoutOrganization": {reason: "iTop records need an organisation.",
			spec: v1alpha1.ProviderConfigSpec{Backend: v1alpha1.BackendITop, Endpoint: "https://cmdb.example.com"}, want: errNoITop},
		"ServiceNowToken": {reason: "ServiceNow takes an OAuth bearer token.",
			spec:  v1alpha1.ProviderConfigSpec{Backend: v1alpha1.BackendServiceNow, Endpoint: "https://acme.service-now.com", Credentials: v1alpha1.Credentials{Method: v1alpha1.AuthOAuthToken}},
			creds: clients.Credentials{Token: "t"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := NewConnection(tc.spec, http.DefaultClient, tc.creds)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nNewConnection error -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestConnectionCloseLetsGoOfConnections(t *testing.T) {
	// Every reconcile connects anew; a connection left open per reconcile ran the fault soak
	// out of file descriptors.
	open := make(chan http.ConnState, 8)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"result":{"sys_id":{"value":"x"}}}`))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew || s == http.StateClosed {
			open <- s
		}
	}
	srv.Start()
	defer srv.Close()
	hc, err := clients.NewHTTPClient(nil)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := NewConnection(v1alpha1.ProviderConfigSpec{Backend: v1alpha1.BackendServiceNow, Endpoint: srv.URL}, hc, clients.Credentials{Username: "u", Password: "p"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ServiceNow.Get(t.Context(), "cmdb_ci", "x"); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	for _, want := range []http.ConnState{http.StateNew, http.StateClosed} {
		select {
		case got := <-open:
			if got != want {
				t.Fatalf("connection state: want %s, got %s", want, got)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("the connection to the CMDB was not closed")
		}
	}
}
