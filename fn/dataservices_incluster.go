package fn

import (
	"google.golang.org/protobuf/types/known/structpb"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
	"github.com/xapp-dev/xapp/input/v1beta1"
	"github.com/xapp-dev/xapp/internal/pbjson"
)

// In-cluster data services, for local and test clusters: a CloudNativePG Cluster per database.
// There is no cloud identity to bind, and no cache or bucket.
var inClusterCloud = cloud{
	provider: v1beta1.ProviderInCluster,
	where:    "in the cluster",
	// Memory of the database's pods.
	sizes: map[v1alpha1.Size]v1beta1.SizeClass{
		v1alpha1.SizeSmall:  {Database: "512Mi"},
		v1alpha1.SizeMedium: {Database: "2Gi"},
		v1alpha1.SizeLarge:  {Database: "8Gi"},
	},
	engines:  []v1alpha1.Engine{v1alpha1.EnginePostgres},
	database: inClusterDatabase,
}

const (
	cnpgAPI            = "postgresql.cnpg.io/v1"
	defaultCNPGImage   = "ghcr.io/cloudnative-pg/postgresql"
	cnpgHAInstances    = 3
	cnpgKeyURI         = "uri"
	cnpgKeyHost        = "host"
	cnpgKeyPort        = "port"
	cnpgKeyUser        = "user"
	cnpgKeyPassword    = "password"
	cnpgKeyDBName      = "dbname"
	cnpgAppSecretSufix = "-app"
	cnpgClusterLabel   = "cnpg.io/cluster"
	cnpgPort           = 5432
)

// The CloudNativePG Cluster fields the function composes; validated by the render tests against the
// real CRD.
type cnpgCluster struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              cnpgClusterSpec `json:"spec"`
}

type cnpgClusterSpec struct {
	Instances             int32                       `json:"instances"`
	ImageName             string                      `json:"imageName"`
	EnableSuperuserAccess bool                        `json:"enableSuperuserAccess"`
	Storage               cnpgStorage                 `json:"storage"`
	Bootstrap             cnpgBootstrap               `json:"bootstrap"`
	Resources             corev1.ResourceRequirements `json:"resources"`
}

type cnpgStorage struct {
	Size         string `json:"size"`
	StorageClass string `json:"storageClass,omitempty"`
}

type cnpgBootstrap struct {
	InitDB cnpgInitDB `json:"initdb"`
}

type cnpgInitDB struct {
	Database string `json:"database"`
	Owner    string `json:"owner"`
}

// inClusterDatabase is a CloudNativePG Cluster. CloudNativePG writes the app user's connection
// details to the Secret `<cluster>-app` with keys uri, host, port, user, password and dbname
// (cloudnative-pg docs, "Connecting from an application" / "Secrets").
func inClusterDatabase(c *dataContext) *dataService {
	a, d := c.a, c.a.spec.Database
	name := a.name + "-db"
	secret := name + cnpgAppSecretSufix
	ic := ptrOr(c.s.InCluster)
	image := ic.PostgresImage
	if image == "" {
		image = defaultCNPGImage
	}
	instances := int32(1)
	if d.HighAvailability {
		instances = cnpgHAInstances
	}
	storage := resource.MustParse("20Gi")
	if d.Storage != nil {
		storage = *d.Storage
	}
	spec := cnpgClusterSpec{
		Instances:             instances,
		ImageName:             image + ":" + databaseVersion(d),
		EnableSuperuserAccess: false,
		Storage:               cnpgStorage{Size: storage.String(), StorageClass: ic.StorageClass},
		Bootstrap:             cnpgBootstrap{InitDB: cnpgInitDB{Database: sqlName(a.name), Owner: sqlName(a.name)}},
	}
	if mem, err := resource.ParseQuantity(c.sizeClass(d.Size).Database); err == nil {
		spec.Resources = corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceMemory: mem},
			Limits:   corev1.ResourceList{corev1.ResourceMemory: mem},
		}
	}
	cl := &cnpgCluster{
		TypeMeta:   metav1.TypeMeta{APIVersion: cnpgAPI, Kind: "Cluster"},
		ObjectMeta: a.objectMeta(name),
		Spec:       spec,
	}
	h, endpoint := cnpgHealth(name, a.namespace, c.obs(ResourceDatabase))
	env := []corev1.EnvVar{
		secretEnv("PGHOST", secret, cnpgKeyHost), secretEnv("PGPORT", secret, cnpgKeyPort),
		secretEnv("PGUSER", secret, cnpgKeyUser), secretEnv("PGPASSWORD", secret, cnpgKeyPassword),
		secretEnv("PGDATABASE", secret, cnpgKeyDBName), secretEnv("DATABASE_URL", secret, cnpgKeyURI),
	}
	return &dataService{
		objects: []object{{name: ResourceDatabase, obj: cl, health: func(*structpb.Struct) health { return h }}},
		usageOf: typedRef{cnpgAPI, "Cluster", name},
		env:     env,
		secrets: []string{secret},
		status:  v1alpha1.DataServiceStatus{Name: name, Endpoint: endpoint, SecretName: secret},
		// CloudNativePG labels every instance pod with its cluster's name; the primary and the
		// replicas all serve on PostgreSQL's port.
		peers: []podPeer{{labels: map[string]string{cnpgClusterLabel: name}, port: cnpgPort}},
	}
}

// cnpgHealth is ready when CloudNativePG's Ready condition is True; until then its phase and the
// phase's reason say why. endpoint is the read-write Service once the operator reports it.
func cnpgHealth(name, namespace string, obs *structpb.Struct) (h health, endpoint string) {
	const kind = "Cluster"
	if obs == nil {
		return waiting(kind, name, "not created yet"), ""
	}
	var st struct {
		Phase        string             `json:"phase"`
		PhaseReason  string             `json:"phaseReason"`
		WriteService string             `json:"writeService"`
		Conditions   []metav1.Condition `json:"conditions"`
	}
	if err := pbjson.DecodeField(obs, "status", &st); err != nil {
		return waiting(kind, name, "cannot read status: %v", err), ""
	}
	if st.WriteService != "" {
		endpoint = st.WriteService + "." + namespace + ".svc"
	}
	if c := findCondition(st.Conditions, "Ready"); c != nil && c.Status == metav1.ConditionTrue {
		return ready(), endpoint
	}
	switch {
	case st.Phase != "" && st.PhaseReason != "":
		return waiting(kind, name, "%s: %s", st.Phase, st.PhaseReason), endpoint
	case st.Phase != "":
		return waiting(kind, name, "%s", st.Phase), endpoint
	}
	return waiting(kind, name, "waiting for CloudNativePG to report Ready"), endpoint
}
