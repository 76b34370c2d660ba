package fn

import (
	"fmt"
	"slices"
	"strings"

	"google.golang.org/protobuf/types/known/structpb"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
)

// ResourceExternalSecretPrefix starts the composition resource names of the app's ExternalSecrets:
// external-secret-env for the variables from the platform's store, external-secret-env-<store> for
// those from another store it allows, external-secret-file-<volume> for each storeSecret volume.
const ResourceExternalSecretPrefix = "external-secret-"

// reasonSecretSyncedError is the External Secrets Operator's Ready=False reason when it cannot read
// what an ExternalSecret names (no such path or key, no access): that needs a change to the app or
// the store, not time.
const reasonSecretSyncedError = "SecretSyncedError"

// The ExternalSecret fields the function composes (external-secrets.io/v1, the version the CRD
// serves and stores). The operator's Go module would pull every provider's SDK into the function;
// the render tests validate these structs' output against the real CRD.
type externalSecret struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              externalSecretSpec `json:"spec"`
}

type externalSecretSpec struct {
	RefreshInterval string           `json:"refreshInterval,omitempty"`
	SecretStoreRef  esStoreRef       `json:"secretStoreRef"`
	Target          esTarget         `json:"target"`
	Data            []esData         `json:"data,omitempty"`
	DataFrom        []esDataFromItem `json:"dataFrom,omitempty"`
}

type esStoreRef struct {
	Name string `json:"name"`
	Kind string `json:"kind"`
}

// esTarget is the Secret the operator writes. It owns it (creationPolicy Owner, the default): the
// Secret goes when the app does.
type esTarget struct {
	Name string `json:"name"`
}

type esData struct {
	SecretKey string      `json:"secretKey"`
	RemoteRef esRemoteRef `json:"remoteRef"`
}

type esRemoteRef struct {
	Key      string `json:"key"`
	Property string `json:"property,omitempty"`
}

type esDataFromItem struct {
	Extract *esRemoteRef `json:"extract,omitempty"`
}

// usesStore says whether the app takes anything from a secret store. It allocates nothing: it runs
// on every reconcile of every app, and most take nothing from a store.
func usesStore(spec *v1alpha1.XAppSpec) bool {
	for _, v := range spec.Volumes {
		if v.StoreSecret != nil {
			return true
		}
	}
	if envUsesStore(spec.Env) {
		return true
	}
	for _, cs := range [2][]v1alpha1.Container{spec.InitContainers, spec.Sidecars} {
		for _, c := range cs {
			if envUsesStore(c.Env) {
				return true
			}
		}
	}
	return false
}

func envUsesStore(env []v1alpha1.EnvVar) bool {
	for _, e := range env {
		if e.StoreKeyRef != nil {
			return true
		}
	}
	return false
}

// containerEnv is one container's variables and where they are declared.
type containerEnv struct {
	path *field.Path
	env  []v1alpha1.EnvVar
}

// containerEnvs are the app's variables, then each init container's and sidecar's.
func containerEnvs(spec *v1alpha1.XAppSpec) []containerEnv {
	out := make([]containerEnv, 0, 1+len(spec.InitContainers)+len(spec.Sidecars))
	out = append(out, containerEnv{field.NewPath("spec", "env"), spec.Env})
	for _, x := range extraContainers(spec) {
		out = append(out, containerEnv{x.path.Child("env"), x.c.Env})
	}
	return out
}

// store is the ClusterSecretStore a reference reads from: the one it names, else the platform's.
func (a *app) store(named string) string {
	if named != "" {
		return named
	}
	return a.in.SecretStore.Name
}

// storeEnvSecret is the Secret holding the app's variables from one store; each variable is the key
// of its own name.
func storeEnvSecret(a *app, store string) string {
	if store == "" || store == a.in.SecretStore.Name {
		return a.name + "-store-env"
	}
	return a.name + "-store-env-" + store
}

// storeFileSecret is the Secret holding one storeSecret volume's files.
func storeFileSecret(a *app, volume string) string { return a.name + "-store-file-" + volume }

// externalSecrets copy what the app names from the platform's stores into Secrets of its own: one
// for the variables of each store, one per volume. The function never reads a value: the pods read
// the Secrets through secretKeyRef and secret volumes.
func externalSecrets(a *app) []object {
	if a.in.SecretStore == nil || !usesStore(&a.spec) {
		return nil
	}
	out := make([]object, 0, 1+len(a.spec.Volumes))
	byStore := map[string]*externalSecret{}
	for _, ce := range containerEnvs(&a.spec) {
		for _, e := range ce.env {
			if e.StoreKeyRef == nil {
				continue
			}
			store := a.store(e.StoreKeyRef.Store)
			es, ok := byStore[store]
			if !ok {
				es = newExternalSecret(a, storeEnvSecret(a, store), store)
				byStore[store] = es
				out = append(out, esObject(envResource(a, store), es))
			}
			if !hasSecretKey(es.Spec.Data, e.Name) {
				es.Spec.Data = append(es.Spec.Data, esData{SecretKey: e.Name, RemoteRef: esRemoteRef{Key: e.StoreKeyRef.Path, Property: e.StoreKeyRef.Key}})
			}
		}
	}
	for _, v := range a.spec.Volumes {
		if v.StoreSecret == nil {
			continue
		}
		es := newExternalSecret(a, storeFileSecret(a, v.Name), a.store(v.StoreSecret.Store))
		es.Spec.DataFrom = []esDataFromItem{{Extract: &esRemoteRef{Key: v.StoreSecret.Path}}}
		out = append(out, esObject(ResourceExternalSecretPrefix+"file-"+v.Name, es))
	}
	return out
}

func envResource(a *app, store string) string {
	if store == a.in.SecretStore.Name {
		return ResourceExternalSecretPrefix + "env"
	}
	return ResourceExternalSecretPrefix + "env-" + store
}

func newExternalSecret(a *app, name, store string) *externalSecret {
	es := &externalSecret{
		TypeMeta:   metav1.TypeMeta{APIVersion: "external-secrets.io/v1", Kind: "ExternalSecret"},
		ObjectMeta: a.objectMeta(name),
		Spec: externalSecretSpec{
			SecretStoreRef: esStoreRef{Name: store, Kind: "ClusterSecretStore"},
			Target:         esTarget{Name: name},
		},
	}
	if ri := a.in.SecretStore.RefreshInterval; ri != nil {
		es.Spec.RefreshInterval = ri.Duration.String()
	}
	return es
}

func esObject(resource string, es *externalSecret) object {
	return object{name: resource, obj: es, health: externalSecretHealth(es.Name)}
}

func hasSecretKey(data []esData, key string) bool {
	for _, d := range data {
		if d.SecretKey == key {
			return true
		}
	}
	return false
}

// externalSecretHealth is ready once the operator reports it has written the Secret. A path or key
// the store does not have is a failure the developer must fix, reported ahead of the pods that
// cannot start without it (CreateContainerConfigError).
func externalSecretHealth(name string) func(*structpb.Struct) health {
	return readyConditionHealth("ExternalSecret", name, "waiting for the External Secrets Operator to write its Secret", []string{reasonSecretSyncedError})
}

// pendingStoreSecret names the first of the app's ExternalSecrets (stores) that has not written its Secret
// yet, while the app's Deployment does not exist: pods started before then would only fail with
// CreateContainerConfigError. Once the Deployment exists it is always composed (leaving it out
// would delete it), and a Secret that goes missing later is reported through its ExternalSecret.
// Existence is Crossplane's observed object, not whether its status could be read.
func pendingStoreSecret(a *app, stores []object, observed map[string]*fnv1.Resource) string {
	// A job app's own workload is checked by planJob: a Deployment left from its serving days says
	// nothing about whether its Job may start.
	if !a.isJob() && observed[ResourceDeployment].GetResource() != nil {
		return ""
	}
	for _, o := range stores {
		if !o.health(observed[o.name].GetResource()).ready {
			return o.obj.(*externalSecret).Name
		}
	}
	return ""
}

// heldWorkload stands in for the app's workload (a Deployment, Job or CronJob, the composition
// resource named resource) while it waits for the ExternalSecret pending: it composes nothing and
// says what the app waits for.
func heldWorkload(kind, name, resource, pending string) object {
	h := waiting(kind, name, "not created until ExternalSecret %s has written its Secret, which the pods read", pending)
	return object{name: resource, health: func(*structpb.Struct) health { return h }}
}

// validateStoreRefs checks what the XRD checks of store references, and that a variable of one name
// comes from one place in every container: they share the Secret, keyed by the variable's name.
func validateStoreRefs(spec *v1alpha1.XAppSpec) field.ErrorList {
	var errs field.ErrorList
	seen := map[string]struct {
		ref  v1alpha1.StoreKeyRef
		path string
	}{}
	for _, ce := range containerEnvs(spec) {
		for i, e := range ce.env {
			r := e.StoreKeyRef
			if r == nil {
				continue
			}
			rp := ce.path.Index(i).Child("storeKeyRef")
			errs = append(errs, validateStorePath(rp, r.Path, r.Store)...)
			if prev, dup := seen[e.Name]; dup && prev.ref != *r {
				errs = append(errs, field.Invalid(rp, r.Path, fmt.Sprintf("variable %s comes from the store already (%s) with another path, key or store; every container's %s must be the same", e.Name, prev.path, e.Name)))
			}
			seen[e.Name] = struct {
				ref  v1alpha1.StoreKeyRef
				path string
			}{*r, rp.String()}
		}
	}
	for i, v := range spec.Volumes {
		if s := v.StoreSecret; s != nil {
			errs = append(errs, validateStorePath(field.NewPath("spec", "volumes").Index(i).Child("storeSecret"), s.Path, s.Store)...)
		}
	}
	return errs
}

func validateStorePath(p *field.Path, path, store string) field.ErrorList {
	var errs field.ErrorList
	if strings.TrimSpace(path) == "" {
		errs = append(errs, field.Required(p.Child("path"), "the secret's path in the store"))
	}
	if store != "" {
		if msgs := validation.IsDNS1123Subdomain(store); len(msgs) > 0 {
			errs = append(errs, field.Invalid(p.Child("store"), store, strings.Join(msgs, "; ")))
		}
	}
	return errs
}

// storePolicy holds store references to the stores the platform offers: its own, and those it
// allows apps to name.
func storePolicy(a *app) field.ErrorList {
	var errs field.ErrorList
	check := func(p *field.Path, store string, env bool) {
		s := a.in.SecretStore
		switch {
		case s == nil:
			errs = append(errs, field.Forbidden(p, "the platform has no secret store (its Input has no secretStore): reference a Secret of the app's namespace with secretKeyRef instead"))
		case store != "" && store != s.Name && !slices.Contains(s.AllowedStores, store):
			errs = append(errs, field.NotSupported(p.Child("store"), store, append([]string{s.Name}, s.AllowedStores...)))
		case env && len(storeEnvSecret(a, store)) > validation.DNS1123SubdomainMaxLength:
			// The store's name is part of the Secret's.
			errs = append(errs, field.TooLong(p.Child("store"), store, validation.DNS1123SubdomainMaxLength-len(storeEnvSecret(a, ""))-1))
		}
	}
	for _, ce := range containerEnvs(&a.spec) {
		for i, e := range ce.env {
			if e.StoreKeyRef != nil {
				check(ce.path.Index(i).Child("storeKeyRef"), e.StoreKeyRef.Store, true)
			}
		}
	}
	for i, v := range a.spec.Volumes {
		if v.StoreSecret != nil {
			check(field.NewPath("spec", "volumes").Index(i).Child("storeSecret"), v.StoreSecret.Store, false)
		}
	}
	return errs
}
