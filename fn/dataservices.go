package fn

import (
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"strings"

	"google.golang.org/protobuf/types/known/structpb"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/response"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
	"github.com/xapp-dev/xapp/input/v1beta1"
	"github.com/xapp-dev/xapp/internal/pbjson"
)

// Composition resource names of data services, their identity and their deletion order. Like the
// others they never change for the life of an app; which kind sits behind one depends on the
// platform's provider.
const (
	ResourceDatabase         = "database"
	ResourceDatabaseSchema   = "database-schema"
	ResourceDatabaseUser     = "database-user"
	ResourceCache            = "cache"
	ResourceBucket           = "bucket"
	ResourceBucketPublic     = "bucket-public-access"
	ResourceBucketEncryption = "bucket-encryption"
	ResourceBucketContainer  = "bucket-container"
	ResourceBucketAccess     = "bucket-access"
	ResourceIdentity         = "identity"
	ResourceIdentityBinding  = "identity-binding"
	ResourceIdentitySQL      = "identity-cloudsql-client"
	ResourceIdentitySQLUser  = "identity-cloudsql-user"
	ResourceUsageDatabase    = "usage-database"
	ResourceUsageCache       = "usage-cache"
	ResourceUsageBucket      = "usage-bucket"
)

// Defaults of data services.
const (
	defaultNamePrefix      = "xapp"
	defaultStorageGi       = 20
	defaultBackupDays      = int32(7)
	defaultProviderConfig  = "default"
	defaultPCKind          = "ClusterProviderConfig"
	annotationExternalName = "crossplane.io/external-name"
)

// defaultVersions of database engines.
var defaultVersions = map[v1alpha1.Engine]string{v1alpha1.EnginePostgres: "16", v1alpha1.EngineMySQL: "8.0"}

// defaultSizes is the built-in size table; the platform's Input (or environment) replaces entries.
// Burstable classes for small, general purpose for medium, memory optimised for large.
var defaultSizes = map[v1beta1.DataProvider]map[v1alpha1.Size]v1beta1.SizeClass{
	v1beta1.ProviderAWS: {
		v1alpha1.SizeSmall:  {Database: "db.t4g.small", Cache: "cache.t4g.small"},
		v1alpha1.SizeMedium: {Database: "db.m7g.large", Cache: "cache.m7g.large"},
		v1alpha1.SizeLarge:  {Database: "db.r7g.xlarge", Cache: "cache.r7g.xlarge"},
	},
	v1beta1.ProviderGCP: {
		v1alpha1.SizeSmall:  {Database: "db-custom-1-3840", Cache: "1"},
		v1alpha1.SizeMedium: {Database: "db-custom-2-7680", Cache: "5"},
		v1alpha1.SizeLarge:  {Database: "db-custom-4-26624", Cache: "16"},
	},
	v1beta1.ProviderAzure: {
		v1alpha1.SizeSmall:  {Database: "B_Standard_B1ms", Cache: "Standard_C1"},
		v1alpha1.SizeMedium: {Database: "GP_Standard_D2ds_v5", Cache: "Standard_C3"},
		v1alpha1.SizeLarge:  {Database: "MO_Standard_E4ds_v5", Cache: "Premium_P1"},
	},
	v1beta1.ProviderInCluster: {
		v1alpha1.SizeSmall:  {Database: "512Mi"},
		v1alpha1.SizeMedium: {Database: "2Gi"},
		v1alpha1.SizeLarge:  {Database: "8Gi"},
	},
}

// dataPlan is the app's data services as composed for one request: the objects, the environment
// the app gets from their Secrets (only for Secrets that exist), what the app's ServiceAccount and
// pods need for workload identity, and what status says about each.
type dataPlan struct {
	objects []object
	// env is added to the Deployment after the developer's variables.
	env []corev1.EnvVar
	// saAnnotations and podLabels bind the app's pods to their cloud identity.
	saAnnotations map[string]string
	podLabels     map[string]string
	// peers are the in-cluster pods of the data services (a CloudNativePG cluster).
	peers []podPeer

	database, cache, bucket *v1alpha1.DataServiceStatus
}

// dataService is one data service as a provider composes it.
type dataService struct {
	// objects in the order their readiness is reported; the first is the one the app uses and the
	// one a Usage protects.
	objects []object
	// usageOf is the object the app's Deployment uses.
	usageOf typedRef
	// env is what the app gets; secrets must all exist before it does.
	env     []corev1.EnvVar
	secrets []string
	status  v1alpha1.DataServiceStatus
	// peers are the in-cluster pods the app must reach to use the service; the network policy
	// lets it out to them and nowhere else.
	peers []podPeer
}

// podPeer is a set of pods in the app's namespace, and the port the app talks to them on.
type podPeer struct {
	labels map[string]string
	port   int32
}

// typedRef names an object in the app's namespace.
type typedRef struct{ apiVersion, kind, name string }

// dataContext is what every provider's builders read: the app, the effective settings, the
// observed composed resources.
type dataContext struct {
	a        *app
	s        *v1beta1.DataServices
	observed map[string]*fnv1.Resource
}

func (c *dataContext) obs(name string) *structpb.Struct { return c.observed[name].GetResource() }

func hasDataServices(a *app) bool {
	return a.spec.Database != nil || a.spec.Cache != nil || a.spec.Bucket != nil
}

// planDataServices composes the app's data services, or returns nil when it has none. stop means
// the function must return rsp as it is: a Fatal result was added, or the EnvironmentConfig was
// asked for and Crossplane will call again with it.
func planDataServices(req *fnv1.RunFunctionRequest, rsp *fnv1.RunFunctionResponse, a *app) (plan *dataPlan, stop bool) {
	if !hasDataServices(a) {
		return nil, false
	}
	s, fetched, err := dataSettings(req, rsp, a.in)
	if err != nil {
		fatal(rsp, err)
		return nil, true
	}
	if !fetched {
		return nil, true
	}
	if errs := dataPolicy(a, s); len(errs) > 0 {
		fatal(rsp, fieldErrors(errPolicy, errs))
		return nil, true
	}
	if errs := checkDataSettings(s); len(errs) > 0 {
		fatal(rsp, fieldErrors(errDataSettings, errs))
		return nil, true
	}
	if a.spec.Bucket != nil && a.spec.Bucket.Versioning && s.Provider == v1beta1.ProviderAWS {
		// S3 versioning is its own managed resource (BucketVersioning), which this platform's
		// provider CRDs do not include: say so rather than pretend.
		response.Warning(rsp, errors.New("spec.bucket.versioning: not composed on aws: the platform has no S3 BucketVersioning resource")).TargetCompositeAndClaim()
	}

	c := &dataContext{a: a, s: s, observed: req.GetObserved().GetResources()}
	p := &dataPlan{}
	b := buildersFor(s.Provider)
	var pending []object
	add := func(ds *dataService, usage string) *v1alpha1.DataServiceStatus {
		p.objects = append(p.objects, ds.objects...)
		p.peers = append(p.peers, ds.peers...)
		st := ds.status
		st.Provider = string(s.Provider)
		st.Ready = true
		for _, o := range ds.objects {
			if h := o.health(nil); !h.ready {
				st.Ready, st.Reason = false, h.why
				break
			}
		}
		missing := ""
		for _, name := range ds.secrets {
			if !requireSecret(req, rsp, a.namespace, name) && missing == "" {
				missing = name
			}
		}
		if missing == "" {
			p.env = append(p.env, ds.env...)
		} else {
			h := waiting("Secret", missing, "waiting for it to be written; the app gets %s once it exists", envNames(ds.env))
			pending = append(pending, object{name: "secret-" + missing, health: func(*structpb.Struct) health { return h }})
			if st.Ready {
				st.Ready, st.Reason = false, h.why
			} else {
				st.Reason += "; the app waits for Secret " + missing
			}
		}
		if usage != "" {
			p.objects = append(p.objects, usageObject(a, usage, ds.usageOf))
		}
		return &st
	}
	if a.spec.Database != nil {
		p.database = add(b.database(c), ResourceUsageDatabase)
	}
	if a.spec.Cache != nil {
		p.cache = add(b.cache(c), ResourceUsageCache)
	}
	if a.spec.Bucket != nil {
		p.bucket = add(b.bucket(c), ResourceUsageBucket)
	}
	if b.identity != nil {
		id := b.identity(c)
		p.objects = append(p.objects, id.objects...)
		p.saAnnotations, p.podLabels = id.saAnnotations, id.podLabels
	}
	p.objects = append(p.objects, pending...)
	return p, false
}

// egressPeers are the in-cluster pods the app's network policy must let it reach.
func (p *dataPlan) egressPeers() []podPeer {
	if p == nil {
		return nil
	}
	return p.peers
}

// buildersFor is how a provider composes each kind of data service; checkDataSettings has refused
// unknown providers before this is asked.
func buildersFor(p v1beta1.DataProvider) builders {
	switch p {
	case v1beta1.ProviderAWS:
		return awsBuilders
	case v1beta1.ProviderGCP:
		return gcpBuilders
	case v1beta1.ProviderAzure:
		return azureBuilders
	case v1beta1.ProviderInCluster:
		return inClusterBuilders
	}
	return builders{}
}

// extraEnv is the environment the app's Deployment gets from its data services.
func (p *dataPlan) extraEnv() []corev1.EnvVar {
	if p == nil {
		return nil
	}
	return p.env
}

// setStatus says where each data service lives.
func (p *dataPlan) setStatus(st *v1alpha1.XAppStatus) {
	if p == nil {
		return
	}
	st.Database, st.Cache, st.Bucket = p.database, p.cache, p.bucket
}

// builders compose one provider's data services. cache and bucket are nil where the provider has
// none (dataPolicy refuses apps asking for them); identity is nil where apps need none.
type builders struct {
	database func(*dataContext) *dataService
	cache    func(*dataContext) *dataService
	bucket   func(*dataContext) *dataService
	identity func(*dataContext) *workloadIdentity
}

const errDataSettings = "the platform's data service settings are incomplete"

// checkDataSettings reports what the platform must set before apps get data services. Settings
// from an EnvironmentConfig skip the Input's schema, so this checks what the schema would.
func checkDataSettings(s *v1beta1.DataServices) field.ErrorList {
	var errs field.ErrorList
	p := field.NewPath("dataServices")
	required := func(path *field.Path, v string) {
		if v == "" {
			errs = append(errs, field.Required(path, "set it in the function's Input or the EnvironmentConfig"))
		}
	}
	if s.NamePrefix != "" && (!isDNSLabel(s.NamePrefix) || s.NamePrefix[0] < 'a' || s.NamePrefix[0] > 'z' || len(s.NamePrefix) > 20) {
		errs = append(errs, field.Invalid(p.Child("namePrefix"), s.NamePrefix, "must be at most 20 lowercase letters, digits and hyphens, starting with a letter and ending with a letter or digit"))
	}
	switch s.Provider {
	case v1beta1.ProviderAWS:
		w, pp := ptrOr(s.AWS), p.Child("aws")
		required(pp.Child("region"), w.Region)
		required(pp.Child("accountID"), w.AccountID)
		required(pp.Child("oidcIssuer"), w.OIDCIssuer)
	case v1beta1.ProviderGCP:
		w, pp := ptrOr(s.GCP), p.Child("gcp")
		required(pp.Child("project"), w.Project)
		required(pp.Child("region"), w.Region)
	case v1beta1.ProviderAzure:
		w, pp := ptrOr(s.Azure), p.Child("azure")
		required(pp.Child("subscriptionID"), w.SubscriptionID)
		required(pp.Child("resourceGroup"), w.ResourceGroup)
		required(pp.Child("location"), w.Location)
		required(pp.Child("oidcIssuer"), w.OIDCIssuer)
	case v1beta1.ProviderInCluster:
	case "":
		// Reported by dataPolicy on the developer's field.
	default:
		errs = append(errs, field.NotSupported(p.Child("provider"), s.Provider,
			[]string{string(v1beta1.ProviderAWS), string(v1beta1.ProviderGCP), string(v1beta1.ProviderAzure), string(v1beta1.ProviderInCluster)}))
	}
	return errs
}

// dataPolicy refuses what the platform does not offer, naming the developer's field.
func dataPolicy(a *app, s *v1beta1.DataServices) field.ErrorList {
	var errs field.ErrorList
	sp := field.NewPath("spec")
	if s.Provider == "" {
		for _, f := range []struct {
			name string
			set  bool
		}{{"database", a.spec.Database != nil}, {"cache", a.spec.Cache != nil}, {"bucket", a.spec.Bucket != nil}} {
			if f.set {
				errs = append(errs, field.Forbidden(sp.Child(f.name), "the platform offers no data services: its function Input sets no dataServices.provider"))
			}
		}
		return errs
	}
	if d := a.spec.Database; d != nil && databaseEngine(d) == v1alpha1.EngineMySQL {
		switch s.Provider {
		case v1beta1.ProviderInCluster:
			errs = append(errs, field.NotSupported(sp.Child("database", "engine"), d.Engine, []string{string(v1alpha1.EnginePostgres)}))
		case v1beta1.ProviderAzure:
			// Azure's MySQL Flexible Server cannot generate its administrator password, and the
			// function never handles one.
			errs = append(errs, field.NotSupported(sp.Child("database", "engine"), d.Engine, []string{string(v1alpha1.EnginePostgres)}))
		}
	}
	if s.Provider == v1beta1.ProviderInCluster {
		if a.spec.Cache != nil {
			errs = append(errs, field.Forbidden(sp.Child("cache"), "the platform runs data services in the cluster, which offers databases only"))
		}
		if a.spec.Bucket != nil {
			errs = append(errs, field.Forbidden(sp.Child("bucket"), "the platform runs data services in the cluster, which offers databases only"))
		}
	}
	if b := a.spec.Bucket; b != nil && b.Public && !s.AllowPublicBuckets {
		errs = append(errs, field.Forbidden(sp.Child("bucket", "public"), "the platform does not allow public buckets"))
	}
	return errs
}

// requireSecret asks Crossplane for a Secret in the app's namespace and says whether it exists. The
// function never reads the Secret's data: the app's pods do, through secretKeyRef.
func requireSecret(req *fnv1.RunFunctionRequest, rsp *fnv1.RunFunctionResponse, namespace, name string) bool {
	key := "secret-" + name
	if rsp.Requirements == nil {
		rsp.Requirements = &fnv1.Requirements{}
	}
	if rsp.Requirements.Resources == nil {
		rsp.Requirements.Resources = map[string]*fnv1.ResourceSelector{}
	}
	ns := namespace
	rsp.Requirements.Resources[key] = &fnv1.ResourceSelector{
		ApiVersion: "v1", Kind: "Secret", Match: &fnv1.ResourceSelector_MatchName{MatchName: name}, Namespace: &ns,
	}
	return len(req.GetRequiredResources()[key].GetItems()) > 0
}

// Effective settings of the app's data services.

func (c *dataContext) sizeClass(size v1alpha1.Size) v1beta1.SizeClass {
	if size == "" {
		size = v1alpha1.SizeSmall
	}
	sc := defaultSizes[c.s.Provider][size]
	if o, ok := c.s.Sizes[c.s.Provider][string(size)]; ok {
		if o.Database != "" {
			sc.Database = o.Database
		}
		if o.Cache != "" {
			sc.Cache = o.Cache
		}
	}
	return sc
}

func databaseEngine(d *v1alpha1.Database) v1alpha1.Engine {
	if d.Engine == "" {
		return v1alpha1.EnginePostgres
	}
	return d.Engine
}

func databaseVersion(d *v1alpha1.Database) string {
	if d.Version != "" {
		return d.Version
	}
	return defaultVersions[databaseEngine(d)]
}

// storageGi is the database's storage in whole GiB, rounded up.
func storageGi(d *v1alpha1.Database) int64 {
	if d.Storage == nil {
		return defaultStorageGi
	}
	const gi = 1 << 30
	return (d.Storage.Value() + gi - 1) / gi
}

func backupDays(d *v1alpha1.Database) int32 {
	if d.Backups == nil {
		return defaultBackupDays
	}
	return d.Backups.RetentionDays
}

func (c *dataContext) deletionProtection() bool {
	return c.s.DeletionProtection == nil || *c.s.DeletionProtection
}

func (c *dataContext) providerConfig() *xpv2.ProviderConfigReference {
	return providerConfigReference(c.s.ProviderConfig)
}

// providerConfigReference is the providerConfigRef of a namespaced managed resource the platform
// named in its Input: a ClusterProviderConfig unless it says ProviderConfig, named `default`
// unless it names one. Data services and CMDB records read it the same way.
func providerConfigReference(ref *v1beta1.ProviderConfigRef) *xpv2.ProviderConfigReference {
	r := &xpv2.ProviderConfigReference{Kind: defaultPCKind, Name: defaultProviderConfig}
	if ref != nil && ref.Kind != "" {
		r.Kind = ref.Kind
	}
	if ref != nil && ref.Name != "" {
		r.Name = ref.Name
	}
	return r
}

func (c *dataContext) prefix() string {
	if c.s.NamePrefix != "" {
		return c.s.NamePrefix
	}
	return defaultNamePrefix
}

// cloudName is a name unique in a whole cloud account or globally: `<prefix>-<namespace>-<app>`
// plus a suffix, within max characters. A name too long keeps its start and ends in a hash of the
// whole, so it stays unique and never changes. Namespace and app are DNS labels and the prefix is
// checked, so the result is lowercase letters, digits and hyphens.
func (c *dataContext) cloudName(suffix string, maxLen int) string {
	parts := []string{c.prefix(), c.a.namespace, c.a.name}
	if suffix != "" {
		parts = append(parts, suffix)
	}
	return shorten(strings.Join(parts, "-"), maxLen)
}

func shorten(s string, maxLen int) string {
	if len(s) <= maxLen {
		return s
	}
	sum := sha256.Sum256([]byte(s))
	h := hex.EncodeToString(sum[:])[:8]
	return strings.TrimRight(s[:maxLen-len(h)-1], "-") + "-" + h
}

// alnumName is cloudName without hyphens, for Azure storage accounts (3-24 lowercase alphanumerics).
func (c *dataContext) alnumName(maxLen int) string {
	return alnumShorten(strings.ReplaceAll(c.prefix()+c.a.namespace+c.a.name, "-", ""), maxLen)
}

func alnumShorten(s string, maxLen int) string {
	if len(s) <= maxLen {
		return s
	}
	sum := sha256.Sum256([]byte(s))
	h := hex.EncodeToString(sum[:])[:8]
	return s[:maxLen-len(h)] + h
}

// sqlName is the app's name as a database or user name: letters, digits and underscores.
func sqlName(app string) string { return strings.ReplaceAll(app, "-", "_") }

func isDNSLabel(s string) bool {
	if s == "" || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
			return false
		}
	}
	return true
}

func ptrOr[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// The parts of a namespaced Crossplane managed resource the function sends. forProvider is each
// kind's own small struct (see the dataservices_*.go files); the render tests validate them against
// the providers' real CRDs.
type managed struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              managedSpec `json:"spec"`
}

type managedSpec struct {
	ForProvider                any                           `json:"forProvider"`
	ProviderConfigRef          *xpv2.ProviderConfigReference `json:"providerConfigRef,omitempty"`
	WriteConnectionSecretToRef *localRef                     `json:"writeConnectionSecretToRef,omitempty"`
}

// localRef names an object in the managed resource's namespace.
type localRef struct {
	Name string `json:"name"`
}

// secretKeyRef names a key of a Secret in the managed resource's namespace.
type secretKeyRef struct {
	Name string `json:"name"`
	Key  string `json:"key"`
}

// mr is a managed resource of the app: its labels and annotations, an external name when the
// cloud's name must differ from the Kubernetes one, the platform's ProviderConfig.
func (c *dataContext) mr(apiVersion, kind, name, externalName string, forProvider any) *managed {
	m := &managed{
		TypeMeta:   metav1.TypeMeta{APIVersion: apiVersion, Kind: kind},
		ObjectMeta: c.a.objectMeta(name),
		Spec:       managedSpec{ForProvider: forProvider, ProviderConfigRef: c.providerConfig()},
	}
	if externalName != "" {
		ann := make(map[string]string, len(m.Annotations)+1)
		maps.Copy(ann, m.Annotations)
		ann[annotationExternalName] = externalName
		m.Annotations = ann
	}
	return m
}

// mrObject is a composed managed resource whose readiness is its Ready condition.
func (c *dataContext) mrObject(resourceName string, m *managed) object {
	h := mrHealth(m.Kind, m.Name, c.obs(resourceName))
	return object{name: resourceName, obj: m, health: func(*structpb.Struct) health { return h }}
}

// atProvider decodes the fields the function reads of an observed managed resource's
// status.atProvider; false when it does not exist or has none yet.
func atProvider(obs *structpb.Struct, into any) bool {
	ap := obs.GetFields()["status"].GetStructValue().GetFields()["atProvider"].GetStructValue()
	if ap == nil {
		return false
	}
	return pbjson.Decode(ap, into) == nil
}

// Environment variables of data services. Values come from Secrets through secretKeyRef, or are
// plain values the function knows (names, ports); URLs are built by Kubernetes from the others with
// $(VAR) expansion, so the function never reads a credential.

func secretEnv(name, secret, key string) corev1.EnvVar {
	return corev1.EnvVar{Name: name, ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
		LocalObjectReference: corev1.LocalObjectReference{Name: secret}, Key: key,
	}}}
}

func valueEnv(name, value string) corev1.EnvVar { return corev1.EnvVar{Name: name, Value: value} }

func envNames(env []corev1.EnvVar) string {
	names := make([]string, len(env))
	for i, e := range env {
		names[i] = e.Name
	}
	return strings.Join(names, ", ")
}

// databaseEnv is the conventional environment of a database: the engine's own variables (PGHOST,
// PGPORT, PGUSER, PGPASSWORD, PGDATABASE, or MYSQL_*), then DATABASE_URL built from them by
// Kubernetes. host, port, user and password are each a value or a Secret key; a password without
// either (IAM authentication) is left out. Generated passwords are alphanumeric (crossplane-runtime
// pkg/password.Default, which upjet's autoGeneratePassword uses), so they need no escaping in a URL.
func databaseEnv(engine v1alpha1.Engine, host, port, user, password corev1.EnvVar, dbname string, query string) []corev1.EnvVar {
	pre, scheme := "PG", "postgresql"
	if engine == v1alpha1.EngineMySQL {
		pre, scheme = "MYSQL_", "mysql"
	}
	host.Name, port.Name, user.Name = pre+"HOST", pre+"PORT", pre+"USER"
	env := []corev1.EnvVar{host, port, user}
	auth := "$(" + user.Name + ")"
	if strings.Contains(user.Value, "@") {
		// An IAM user name is an email address; Kubernetes would expand it unescaped.
		auth = strings.ReplaceAll(user.Value, "@", "%40")
	}
	if password.Value != "" || password.ValueFrom != nil {
		password.Name = pre + "PASSWORD"
		env = append(env, password)
		auth += ":$(" + password.Name + ")"
	}
	db := pre + "DATABASE"
	env = append(env, valueEnv(db, dbname))
	url := scheme + "://" + auth + "@$(" + host.Name + "):$(" + port.Name + ")/$(" + db + ")"
	if query != "" {
		url += "?" + query
	}
	return append(env, valueEnv("DATABASE_URL", url))
}

// redisEnv is the conventional environment of a Redis cache over TLS.
func redisEnv(host, port, password corev1.EnvVar) []corev1.EnvVar {
	host.Name, port.Name, password.Name = "REDIS_HOST", "REDIS_PORT", "REDIS_PASSWORD"
	return []corev1.EnvVar{host, port, password, valueEnv("REDIS_URL", "rediss://:$(REDIS_PASSWORD)@$(REDIS_HOST):$(REDIS_PORT)")}
}
