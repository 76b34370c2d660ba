package fn

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/types/known/structpb"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
	"github.com/xapp-dev/xapp/input/v1beta1"
)

// withSecretStore is a platform whose apps read the ClusterSecretStore vault, and may name
// vault-payments too.
func withSecretStore() inputMod {
	return func(in *v1beta1.Input) {
		in.SecretStore = &v1beta1.SecretStore{Name: "vault", AllowedStores: []string{"vault-payments"}, RefreshInterval: &metav1.Duration{Duration: 15 * time.Minute}}
	}
}

func storeEnv(name, path, key, store string) v1alpha1.EnvVar {
	return v1alpha1.EnvVar{Name: name, StoreKeyRef: &v1alpha1.StoreKeyRef{Path: path, Key: key, Store: store}}
}

func withStoreEnv(vars ...v1alpha1.EnvVar) specMod {
	return func(s *v1alpha1.XAppSpec) { s.Env = append(s.Env, vars...) }
}

// withTLSFromStore mounts the store's secret at path as the volume tls.
func withTLSFromStore(mount, path string) specMod {
	return func(s *v1alpha1.XAppSpec) {
		s.Volumes = append(s.Volumes, v1alpha1.Volume{Name: "tls", Path: mount, StoreSecret: &v1alpha1.StoreSecret{Path: path}})
	}
}

func TestExternalSecrets(t *testing.T) {
	a := testApp(t, []inputMod{withSecretStore()},
		withStoreEnv(
			storeEnv("STRIPE_KEY", "shop/stripe", "api-key", ""),
			v1alpha1.EnvVar{Name: "LOG_LEVEL", Value: "info"},
			storeEnv("PAYMENT_TOKEN", "payments/shop", "token", "vault-payments"),
			storeEnv("STRIPE_WEBHOOK", "shop/stripe", "webhook-secret", "vault"),
		),
		withTLSFromStore("/etc/shop/tls", "shop/tls"),
		func(s *v1alpha1.XAppSpec) {
			// A sidecar that needs the same key shares the app's entry.
			s.Sidecars = []v1alpha1.Container{{Name: "proxy", Image: "ghcr.io/acme/proxy:1.0", Env: []v1alpha1.EnvVar{storeEnv("STRIPE_KEY", "shop/stripe", "api-key", "")}}}
		})
	objs := externalSecrets(a)
	got := map[string]any{}
	for _, o := range objs {
		got[o.name] = o.obj
	}
	golden(t, "externalsecrets.yaml", got)

	// The pods read the Secrets the ExternalSecrets write, under the names the function gave them.
	golden(t, "deployment-store.yaml", deployment(a, nil).Spec.Template.Spec)
}

func TestExternalSecretsNone(t *testing.T) {
	if objs := externalSecrets(testApp(t, []inputMod{withSecretStore()})); objs != nil {
		t.Errorf("externalSecrets(): an app that takes nothing from the store got %d objects, want none", len(objs))
	}
}

func TestValidateStoreRefs(t *testing.T) {
	cases := map[string]struct {
		reason string
		mods   []specMod
		want   []string
	}{
		"Valid": {reason: "A path, a key, a store.", mods: []specMod{withStoreEnv(storeEnv("A", "shop/a", "k", "vault"))}},
		"Empty": {
			reason: "A path is required and a store is a name.",
			mods:   []specMod{withStoreEnv(storeEnv("A", " ", "k", "Vault_1")), withTLSFromStore("/etc/tls", "")},
			want: []string{
				"spec.env[0].storeKeyRef.path: Required value: the secret's path in the store",
				`spec.env[0].storeKeyRef.store: Invalid value: "Vault_1": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
				"spec.volumes[0].storeSecret.path: Required value: the secret's path in the store",
			},
		},
		"OneNameTwoSources": {
			reason: "Containers share the Secret keyed by variable name: one name, one source.",
			mods: []specMod{withStoreEnv(storeEnv("A", "shop/a", "k", "")), func(s *v1alpha1.XAppSpec) {
				s.InitContainers = []v1alpha1.Container{{Name: "migrate", Image: "ghcr.io/acme/m:1", Env: []v1alpha1.EnvVar{storeEnv("A", "shop/b", "k", "")}}}
			}},
			want: []string{`spec.initContainers[0].env[0].storeKeyRef: Invalid value: "shop/b": variable A comes from the store already (spec.env[0].storeKeyRef) with another path, key or store; every container's A must be the same`},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			spec := baseSpec()
			for _, m := range tc.mods {
				m(&spec)
			}
			got := verdictOf(nil, validateStoreRefs(&spec))
			if diff := cmp.Diff(tc.want, got.errs); diff != "" {
				t.Errorf("%s\nvalidateStoreRefs(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestStorePolicy(t *testing.T) {
	cases := map[string]struct {
		reason string
		in     []inputMod
		mods   []specMod
		want   []string
	}{
		"NoStore": {
			reason: "A platform without a store refuses every reference, each by its path.",
			mods:   []specMod{withStoreEnv(storeEnv("A", "shop/a", "k", "")), withTLSFromStore("/etc/tls", "shop/tls")},
			want: []string{
				"spec.env[0].storeKeyRef: Forbidden: the platform has no secret store (its Input has no secretStore): reference a Secret of the app's namespace with secretKeyRef instead",
				"spec.volumes[0].storeSecret: Forbidden: the platform has no secret store (its Input has no secretStore): reference a Secret of the app's namespace with secretKeyRef instead",
			},
		},
		"AllowedStores": {
			reason: "The platform's store, named or not, and those it allows.",
			in:     []inputMod{withSecretStore()},
			mods:   []specMod{withStoreEnv(storeEnv("A", "a", "", ""), storeEnv("B", "b", "", "vault"), storeEnv("C", "c", "", "vault-payments"))},
		},
		"OtherStore": {
			reason: "An app cannot pick a store the platform does not list.",
			in:     []inputMod{withSecretStore()},
			mods:   []specMod{withStoreEnv(storeEnv("A", "a", "", "vault-admin"))},
			want:   []string{`spec.env[0].storeKeyRef.store: Unsupported value: "vault-admin": supported values: "vault", "vault-payments"`},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := verdictOf(nil, storePolicy(testApp(t, tc.in, tc.mods...)))
			if diff := cmp.Diff(tc.want, got.errs); diff != "" {
				t.Errorf("%s\nstorePolicy(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestExternalSecretHealth(t *testing.T) {
	es := func(status string) *structpb.Struct {
		return mustStruct(t, "apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata: {name: shop-store-env}\nstatus: "+status)
	}
	cases := map[string]struct {
		reason string
		obs    *structpb.Struct
		want   health
	}{
		"Missing": {reason: "Not created yet.", want: health{why: "ExternalSecret shop-store-env: not created yet"}},
		"NoStatus": {
			reason: "The operator has not looked at it yet.",
			obs:    es(`{}`),
			want:   health{why: "ExternalSecret shop-store-env: waiting for the External Secrets Operator to write its Secret"},
		},
		"NoSuchKey": {
			reason: "A path or key the store lacks will not appear by itself: a failure, in the operator's words.",
			obs:    es(`{conditions: [{type: Ready, status: "False", reason: SecretSyncedError, message: "could not get secret data from provider"}]}`),
			want:   health{failed: true, why: "ExternalSecret shop-store-env: SecretSyncedError: could not get secret data from provider"},
		},
		"Synced": {
			reason: "The Secret is written.",
			obs:    es(`{binding: {name: shop-store-env}, conditions: [{type: Ready, status: "True", reason: SecretSynced, message: "secret synced"}]}`),
			want:   ready(),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, externalSecretHealth("shop-store-env")(tc.obs), cmp.AllowUnexported(health{})); diff != "" {
				t.Errorf("%s\nexternalSecretHealth(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestPendingStoreSecret(t *testing.T) {
	synced := &fnv1.Resource{Resource: mustStruct(t, `{apiVersion: external-secrets.io/v1, kind: ExternalSecret, status: {conditions: [{type: Ready, status: "True", reason: SecretSynced}]}}`)}
	cases := map[string]struct {
		reason   string
		observed map[string]*fnv1.Resource
		want     string
	}{
		"FirstTime": {
			reason: "No Deployment yet and no Secret written: the Deployment waits for the first ExternalSecret not ready.",
			want:   "shop-store-env",
		},
		"OneWritten": {
			reason:   "The variables' Secret is written, the volume's is not.",
			observed: map[string]*fnv1.Resource{"external-secret-env": synced},
			want:     "shop-store-file-tls",
		},
		"AllWritten": {
			reason:   "Every Secret written: the Deployment is composed.",
			observed: map[string]*fnv1.Resource{"external-secret-env": synced, "external-secret-file-tls": synced},
		},
		"DeploymentExists": {
			reason:   "An existing Deployment is always composed, whatever its Secrets and even when its status cannot be read: leaving it out would delete it.",
			observed: map[string]*fnv1.Resource{ResourceDeployment: {Resource: mustStruct(t, `{apiVersion: apps/v1, kind: Deployment, status: "unreadable"}`)}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			a := testApp(t, []inputMod{withSecretStore()}, withStoreEnv(storeEnv("A", "shop/a", "k", "")), withTLSFromStore("/etc/tls", "shop/tls"))
			if got := pendingStoreSecret(a, externalSecrets(a), tc.observed); got != tc.want {
				t.Errorf("%s\npendingStoreSecret(): got %q, want %q", tc.reason, got, tc.want)
			}
		})
	}
}

func TestComposeHoldsDeployment(t *testing.T) {
	cases := map[string]struct {
		reason  string
		pending string
		wantObj bool
		wantWhy string
	}{
		"Pending": {
			reason:  "A Deployment yet to be created waits for its Secrets: nothing composed, the wait said.",
			pending: "shop-store-env",
			wantWhy: "Deployment shop: not created until ExternalSecret shop-store-env has written its Secret, which the pods read",
		},
		"Written": {reason: "Its Secrets written, the Deployment is composed.", wantObj: true, wantWhy: "Deployment shop: not created yet"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			a := testApp(t, []inputMod{withSecretStore()}, withStoreEnv(storeEnv("A", "shop/a", "k", "")))
			a.pendingSecret = tc.pending
			objs := compose(a, nil, nil, nil, externalSecrets(a))
			order := make([]string, len(objs))
			var dep *object
			for i := range objs {
				order[i] = objs[i].name
				if objs[i].name == ResourceDeployment {
					dep = &objs[i]
				}
			}
			if dep == nil {
				t.Fatalf("%s\ncompose(): no Deployment entry in %v", tc.reason, order)
			}
			if got := dep.obj != nil; got != tc.wantObj {
				t.Errorf("%s\ncompose(): Deployment composed = %t, want %t", tc.reason, got, tc.wantObj)
			}
			if got := dep.health(nil).why; got != tc.wantWhy {
				t.Errorf("%s\ncompose(): Deployment health %q, want %q", tc.reason, got, tc.wantWhy)
			}
			if order[0] != ResourceExternalSecretPrefix+"env" {
				t.Errorf("%s\ncompose(): order %v, want the ExternalSecret first: its failure explains the pods'", tc.reason, order)
			}
		})
	}
}

// A Deployment held for its Secrets gets no Usages yet: Crossplane's Usage controller fails on a
// user that does not exist, with a Warning event on every retry.
func TestComposeHeldDeploymentHasNoUsages(t *testing.T) {
	for name, pending := range map[string]string{"Pending": "shop-store-env", "Written": ""} {
		t.Run(name, func(t *testing.T) {
			a := testApp(t, []inputMod{withSecretStore()}, withStoreEnv(storeEnv("A", "shop/a", "k", "")))
			a.pendingSecret = pending
			ds := &dataPlan{objects: []object{usageObject(a, ResourceUsageDatabase, typedRef{cnpgAPI, "Cluster", "shop-db"})}}
			usages := 0
			for _, o := range compose(a, nil, ds, nil, externalSecrets(a)) {
				if _, ok := o.obj.(*usage); ok {
					usages++
				}
			}
			if want := map[bool]int{true: 0, false: 1}[pending != ""]; usages != want {
				t.Errorf("compose() with pendingSecret %q: %d Usages, want %d", pending, usages, want)
			}
		})
	}
}
