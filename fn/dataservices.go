package fn

import (
	"fmt"
	"slices"
	"strings"

	"google.golang.org/protobuf/types/known/structpb"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
	"github.com/xapp-dev/xapp/input/v1beta1"
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

// cloud is everything the function knows about one place data services run. Each is declared
// whole in its own dataservices_<cloud>.go; the planner derives from it what is offered where, so a
// cloud is added or changed in one place.
type cloud struct {
	provider v1beta1.DataProvider
	// where the data services run, as a developer reads it: "on aws", "in the cluster".
	where string
	// sizes is the built-in size table; the platform's Input (or environment) replaces entries.
	sizes map[v1alpha1.Size]v1beta1.SizeClass
	// engines are the database engines offered.
	engines []v1alpha1.Engine
	// settings reports what the platform must set under p before this cloud's services compose.
	settings func(s *v1beta1.DataServices, p *field.Path) field.ErrorList
	// database, cache and bucket compose one kind of data service; nil where it is not offered.
	database, cache, bucket func(*dataContext) *dataService
	// identity binds the app's pods to the cloud identity its services need; nil where the cloud
	// has none, and it returns nil for an app whose services need none.
	identity func(*dataContext) *workloadIdentity
	// warnings are this cloud's risky or partial answers to what the app asked.
	warnings func(a *app) []string
}

// clouds are the places the platform may run data services, in the order messages list them.
var clouds = []*cloud{&awsCloud, &gcpCloud, &azureCloud, &inClusterCloud}

func cloudFor(p v1beta1.DataProvider) *cloud {
	for _, c := range clouds {
		if c.provider == p {
			return c
		}
	}
	return nil
}

func cloudNames() []string {
	names := make([]string, len(clouds))
	for i, c := range clouds {
		names[i] = string(c.provider)
	}
	return names
}

// offers says what the cloud composes, for messages: "databases only", "databases and caches".
func (cl *cloud) offers() string {
	var kinds []string
	for _, k := range []struct {
		name string
		b    func(*dataContext) *dataService
	}{{"databases", cl.database}, {"caches", cl.cache}, {"buckets", cl.bucket}} {
		if k.b != nil {
			kinds = append(kinds, k.name)
		}
	}
	if len(kinds) == 1 {
		return kinds[0] + " only"
	}
	return strings.Join(kinds[:len(kinds)-1], ", ") + " and " + kinds[len(kinds)-1]
}

// dataPlan is the app's data services as composed for one request: the objects, the environment
// the app gets from their Secrets (only for Secrets that exist), what the app's ServiceAccount and
// pods need for workload identity, and what status says about each.
type dataPlan struct {
	objects []object
	// env is added to the Deployment after the developer's variables; allEnv is what env will be
	// once every Secret exists (a job's workload, once made, keeps the env it was made with).
	env, allEnv []corev1.EnvVar
	// saAnnotations and podLabels bind the app's pods to their cloud identity.
	saAnnotations map[string]string
	podLabels     map[string]string
	// peers are the in-cluster pods of the data services (a CloudNativePG cluster); cloud is the
	// platform's data-service ranges on the ports of the app's cloud services.
	peers []podPeer
	cloud *netRule

	database, cache, bucket *v1alpha1.DataServiceStatus

	// secrets are the Secrets the plan asked about (each is required from Crossplane, so the app
	// is composed again when one appears); warnings are risky or partial choices to tell the
	// developer about.
	secrets  []string
	warnings []string

	// names are every variable the data services set, whether their Secrets exist yet or not, so
	// a clash with the app's own is refused before it could ever be applied; errs are names the
	// app gave to variables its services do not set.
	names []string
	errs  field.ErrorList
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
	// port is where the app reaches a cloud service in the platform's data-service ranges
	// (dataServices.egressCIDRs); 0 for a service reached otherwise (in-cluster pods, a bucket's
	// HTTPS endpoint).
	port int32
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
	cloud    *cloud
	observed map[string]*fnv1.Resource
}

func (c *dataContext) obs(name string) *structpb.Struct { return c.observed[name].GetResource() }

func hasDataServices(a *app) bool {
	return a.spec.Database != nil || a.spec.Cache != nil || a.spec.Bucket != nil
}

// planDataServices composes the data services of an app that asks for some (hasDataServices) from
// the platform's effective settings s, the observed composed resources, and whether each Secret the
// app's environment comes from exists. It returns an error that names the field when the platform
// does not offer what the app asks for or lacks a setting.
func planDataServices(a *app, s *v1beta1.DataServices, observed map[string]*fnv1.Resource, secretExists func(name string) bool) (*dataPlan, error) {
	if errs := dataPolicy(a, s); len(errs) > 0 {
		return nil, fieldErrors(errPolicy, errs)
	}
	if errs := checkDataSettings(s); len(errs) > 0 {
		return nil, fieldErrors(errDataSettings, errs)
	}
	cl := cloudFor(s.Provider)
	c := &dataContext{a: a, s: s, cloud: cl, observed: observed}
	p := &dataPlan{}
	if cl.warnings != nil {
		p.warnings = cl.warnings(a)
	}
	var pending []object
	for _, k := range []struct {
		asked   bool
		build   func(*dataContext) *dataService
		usage   string
		status  **v1alpha1.DataServiceStatus
		aliases dataAliases
	}{
		{a.spec.Database != nil, cl.database, ResourceUsageDatabase, &p.database, dbAliases(&a.spec)},
		{a.spec.Cache != nil, cl.cache, ResourceUsageCache, &p.cache, aliasesOf("cache", cacheEnv(&a.spec))},
		{a.spec.Bucket != nil, cl.bucket, ResourceUsageBucket, &p.bucket, aliasesOf("bucket", bucketEnv(&a.spec))},
	} {
		if !k.asked {
			continue
		}
		ds := k.build(c)
		st, wait := p.add(cl.provider, ds, secretExists, k.aliases)
		if wait != nil {
			pending = append(pending, *wait)
		}
		p.objects = append(p.objects, usageObject(a, k.usage, ds.usageOf))
		*k.status = st
	}
	if cl.identity != nil {
		if id := cl.identity(c); id != nil {
			p.objects = append(p.objects, id.objects...)
			p.saAnnotations, p.podLabels = id.saAnnotations, id.podLabels
		}
	}
	p.objects = append(p.objects, pending...)
	p.cloudRanges(a, s)
	return p, nil
}

// cloudRanges admits the app's cloud services at the platform's ranges, or warns that its network
// policy cannot reach them: a strict policy would otherwise time out the app's first connection
// with nothing to say why.
func (p *dataPlan) cloudRanges(a *app, s *v1beta1.DataServices) {
	switch {
	case p.cloud == nil:
	case len(s.EgressCIDRs) > 0:
		p.cloud.cidrs = s.EgressCIDRs
	default:
		p.cloud = nil
		if a.networkPolicyFlavor() != v1beta1.NetworkPolicyNone && len(a.egressCIDRs()) == 0 {
			p.warnings = append(p.warnings, fmt.Sprintf("the app's network policy does not let it reach its %s on %s: the platform sets no dataServices.egressCIDRs; ask the platform team",
				a.cloudServices(), s.Provider))
		}
	}
}

// cloudServices names what the app reaches in the cloud's ranges, for messages.
func (a *app) cloudServices() string {
	switch {
	case a.spec.Database != nil && a.spec.Cache != nil:
		return "database and cache"
	case a.spec.Database != nil:
		return "database"
	}
	return "cache"
}

// add puts one data service into the plan and returns its status. Its environment joins the app's
// only once every Secret it comes from exists; until then wait is what the app waits for.
func (p *dataPlan) add(provider v1beta1.DataProvider, ds *dataService, secretExists func(string) bool, aliases dataAliases) (st *v1alpha1.DataServiceStatus, wait *object) {
	p.errs = append(p.errs, aliases.unknown(ds.env)...)
	second := aliases.env(ds.env)
	for _, e := range append(slices.Clone(ds.env), second...) {
		p.names = append(p.names, e.Name)
	}
	p.allEnv = append(append(p.allEnv, ds.env...), second...)
	p.objects = append(p.objects, ds.objects...)
	p.peers = append(p.peers, ds.peers...)
	if ds.port != 0 {
		if p.cloud == nil {
			p.cloud = &netRule{}
		}
		p.cloud.ports = append(p.cloud.ports, netPort{port: ds.port, protocol: corev1.ProtocolTCP})
	}
	p.secrets = append(p.secrets, ds.secrets...)
	st = serviceStatus(provider, ds)
	missing := ""
	for _, name := range ds.secrets {
		if !secretExists(name) {
			missing = name
			break
		}
	}
	if missing == "" {
		p.env = append(append(p.env, ds.env...), second...)
		return st, nil
	}
	h := waiting("Secret", missing, "waiting for it to be written; the app gets %s once it exists", envNames(ds.env))
	if st.Ready {
		st.Ready, st.Reason = false, h.why
	} else {
		st.Reason += "; the app waits for Secret " + missing
	}
	return st, &object{name: "secret-" + missing, health: func(*structpb.Struct) health { return h }}
}

// serviceStatus says where a data service lives and whether it is ready: the first of its objects
// that is not ready tells why.
func serviceStatus(provider v1beta1.DataProvider, ds *dataService) *v1alpha1.DataServiceStatus {
	st := ds.status
	st.Provider = string(provider)
	st.Ready = true
	for _, o := range ds.objects {
		if h := o.health(nil); !h.ready {
			st.Ready, st.Reason = false, h.why
			break
		}
	}
	return &st
}

// dataPolicy refuses what the platform does not offer, naming the developer's field.
func dataPolicy(a *app, s *v1beta1.DataServices) field.ErrorList {
	var errs field.ErrorList
	sp := field.NewPath("spec")
	asked := []struct {
		name  string
		set   bool
		build func(*cloud) func(*dataContext) *dataService
	}{
		{"database", a.spec.Database != nil, func(c *cloud) func(*dataContext) *dataService { return c.database }},
		{"cache", a.spec.Cache != nil, func(c *cloud) func(*dataContext) *dataService { return c.cache }},
		{"bucket", a.spec.Bucket != nil, func(c *cloud) func(*dataContext) *dataService { return c.bucket }},
	}
	if s.Provider == "" {
		for _, f := range asked {
			if f.set {
				errs = append(errs, field.Forbidden(sp.Child(f.name), "the platform offers no data services: its function Input sets no dataServices.provider"))
			}
		}
		return errs
	}
	cl := cloudFor(s.Provider)
	if cl == nil {
		// checkDataSettings names the platform's field.
		return nil
	}
	for _, f := range asked {
		if f.set && f.build(cl) == nil {
			errs = append(errs, field.Forbidden(sp.Child(f.name), fmt.Sprintf("the platform runs data services %s, which offers %s", cl.where, cl.offers())))
		}
	}
	if d := a.spec.Database; d != nil && cl.database != nil && !slices.Contains(cl.engines, databaseEngine(d)) {
		errs = append(errs, field.NotSupported(sp.Child("database", "engine"), d.Engine, engineNames(cl.engines)))
	}
	if b := a.spec.Bucket; b != nil && b.Public && !s.AllowPublicBuckets {
		errs = append(errs, field.Forbidden(sp.Child("bucket", "public"), "the platform does not allow public buckets"))
	}
	return errs
}

func engineNames(es []v1alpha1.Engine) []string {
	names := make([]string, len(es))
	for i, e := range es {
		names[i] = string(e)
	}
	return names
}

// dataEgress is where the app's network policy must let it reach its data services: their
// in-cluster pods, and the platform's ranges on the ports of its cloud services.
type dataEgress struct {
	peers []podPeer
	cloud *netRule
}

func (p *dataPlan) egress() dataEgress {
	if p == nil {
		return dataEgress{}
	}
	return dataEgress{peers: p.peers, cloud: p.cloud}
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
