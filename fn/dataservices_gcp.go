package fn

import (
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
	"github.com/xapp-dev/xapp/input/v1beta1"
)

// GCP data services: a Cloud SQL DatabaseInstance with its Database and an IAM user for the app's
// service account (no password exists), a Memorystore Redis Instance, a Storage Bucket the app's
// service account alone may use, and Workload Identity binding the app's ServiceAccount to it.
var gcpCloud = cloud{
	provider: v1beta1.ProviderGCP,
	where:    "on gcp",
	// Cloud SQL custom machine tiers; Memorystore capacity in GB.
	sizes: map[v1alpha1.Size]v1beta1.SizeClass{
		v1alpha1.SizeSmall:  {Database: "db-custom-1-3840", Cache: "1"},
		v1alpha1.SizeMedium: {Database: "db-custom-2-7680", Cache: "5"},
		v1alpha1.SizeLarge:  {Database: "db-custom-4-26624", Cache: "16"},
	},
	engines: []v1alpha1.Engine{v1alpha1.EnginePostgres, v1alpha1.EngineMySQL},
	settings: func(s *v1beta1.DataServices, p *field.Path) field.ErrorList {
		w := ptrOr(s.GCP)
		return required(p.Child("gcp"), "project", w.Project, "region", w.Region)
	},
	database: gcpDatabase, cache: gcpCache, bucket: gcpBucket, identity: gcpIdentity,
}

const (
	gcpSQL      = "sql.gcp.m.upbound.io/v1beta1"
	gcpRedis    = "redis.gcp.m.upbound.io/v1beta1"
	gcpStorage  = "storage.gcp.m.upbound.io/v1beta1"
	gcpPlatform = "cloudplatform.gcp.m.upbound.io/v1beta1"

	// annotationGKEWorkloadIdentity on a ServiceAccount names the GCP service account it acts as.
	annotationGKEWorkloadIdentity = "iam.gke.io/gcp-service-account"
)

type sqlInstance struct {
	Region             string      `json:"region"`
	DatabaseVersion    string      `json:"databaseVersion"`
	DeletionProtection bool        `json:"deletionProtection"`
	Settings           sqlSettings `json:"settings"`
}

type sqlSettings struct {
	Tier                string            `json:"tier"`
	AvailabilityType    string            `json:"availabilityType"`
	DiskSize            int64             `json:"diskSize"`
	DiskType            string            `json:"diskType"`
	DiskAutoresize      bool              `json:"diskAutoresize"`
	BackupConfiguration sqlBackups        `json:"backupConfiguration"`
	IPConfiguration     sqlIP             `json:"ipConfiguration"`
	DatabaseFlags       []sqlFlag         `json:"databaseFlags"`
	UserLabels          map[string]string `json:"userLabels,omitempty"`
}

type sqlBackups struct {
	Enabled                    bool                `json:"enabled"`
	PointInTimeRecoveryEnabled *bool               `json:"pointInTimeRecoveryEnabled,omitempty"`
	BinaryLogEnabled           *bool               `json:"binaryLogEnabled,omitempty"`
	BackupRetentionSettings    *sqlBackupRetention `json:"backupRetentionSettings,omitempty"`
}

type sqlBackupRetention struct {
	RetainedBackups int32 `json:"retainedBackups"`
}

type sqlIP struct {
	IPv4Enabled    bool   `json:"ipv4Enabled"`
	PrivateNetwork string `json:"privateNetwork,omitempty"`
	SSLMode        string `json:"sslMode"`
}

type sqlFlag struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type sqlDatabase struct {
	InstanceRef *localRef `json:"instanceRef"`
}

type sqlUser struct {
	InstanceRef *localRef `json:"instanceRef"`
	Type        string    `json:"type"`
}

// Connection secret keys of a Cloud SQL DatabaseInstance: provider-upjet-gcp
// config/namespaced/sql/config.go (google_sql_database_instance) writes connectionName, privateIP,
// publicIP and the server CA certificate.
const (
	cloudSQLKeyConnectionName = "connectionName"
	cloudSQLKeyPrivateIP      = "privateIP"
)

func gcpDatabase(c *dataContext) *dataService {
	a, d, w := c.a, c.a.spec.Database, c.s.GCP
	name, id := a.name+"-db", c.cloudName("db", 80)
	conn := name + "-conn"
	engine := databaseEngine(d)
	version, flag, port := "POSTGRES_"+strings.ReplaceAll(databaseVersion(d), ".", "_"), "cloudsql.iam_authentication", "5432"
	if engine == v1alpha1.EngineMySQL {
		version, flag, port = "MYSQL_"+strings.ReplaceAll(databaseVersion(d), ".", "_"), "cloudsql_iam_authentication", "3306"
	}
	availability := "ZONAL"
	if d.HighAvailability {
		availability = "REGIONAL"
	}
	days := backupDays(d)
	backups := sqlBackups{Enabled: days > 0}
	if days > 0 {
		// Cloud SQL keeps one backup a day: retained backups are days.
		backups.BackupRetentionSettings = &sqlBackupRetention{RetainedBackups: days}
		t := true
		if engine == v1alpha1.EngineMySQL {
			backups.BinaryLogEnabled = &t
		} else {
			backups.PointInTimeRecoveryEnabled = &t
		}
	}
	inst := c.mr(gcpSQL, "DatabaseInstance", name, id, &sqlInstance{
		Region:             w.Region,
		DatabaseVersion:    version,
		DeletionProtection: c.deletionProtection(),
		Settings: sqlSettings{
			Tier:                c.sizeClass(d.Size).Database,
			AvailabilityType:    availability,
			DiskSize:            storageGi(d),
			DiskType:            "PD_SSD",
			DiskAutoresize:      true,
			BackupConfiguration: backups,
			// Private IP only, TLS only, and IAM logins for the app's service account.
			IPConfiguration: sqlIP{IPv4Enabled: false, PrivateNetwork: w.Network, SSLMode: "ENCRYPTED_ONLY"},
			DatabaseFlags:   []sqlFlag{{Name: flag, Value: "on"}},
		},
	})
	inst.Spec.WriteConnectionSecretToRef = &localRef{Name: conn}
	ref := &localRef{Name: name}
	db := c.mr(gcpSQL, "Database", name, sqlName(a.name), &sqlDatabase{InstanceRef: ref})
	user := c.mr(gcpSQL, "User", name, c.sqlIAMUser(engine), &sqlUser{InstanceRef: ref, Type: "CLOUD_IAM_SERVICE_ACCOUNT"})

	var obs struct {
		PrivateIPAddress string `json:"privateIpAddress"`
	}
	atProvider(c.obs(ResourceDatabase), &obs)
	env := databaseEnv(engine, secretEnv("", conn, cloudSQLKeyPrivateIP), valueEnv("", port), valueEnv("", c.sqlIAMUser(engine)),
		corev1.EnvVar{}, sqlName(a.name), "sslmode=require")
	env = append(env, secretEnv("INSTANCE_CONNECTION_NAME", conn, cloudSQLKeyConnectionName))
	return &dataService{
		objects: []object{c.mrObject(ResourceDatabase, inst), c.mrObject(ResourceDatabaseSchema, db), c.mrObject(ResourceDatabaseUser, user)},
		usageOf: typedRef{gcpSQL, "DatabaseInstance", name},
		env:     env,
		secrets: []string{conn},
		status:  v1alpha1.DataServiceStatus{Name: id, Endpoint: obs.PrivateIPAddress, SecretName: conn},
		port:    enginePorts[engine],
	}
}

// gcpServiceAccount is the app's GCP service account id (6-30 characters) and email.
func (c *dataContext) gcpServiceAccount() (id, email string) {
	id = c.cloudName("", 30)
	if len(id) < 6 {
		id += "-app"
	}
	return id, id + "@" + c.s.GCP.Project + ".iam.gserviceaccount.com"
}

// sqlIAMUser is the database user of the app's service account: its email without the
// `.gserviceaccount.com` suffix for PostgreSQL, the part before `@` for MySQL.
func (c *dataContext) sqlIAMUser(e v1alpha1.Engine) string {
	id, email := c.gcpServiceAccount()
	if e == v1alpha1.EngineMySQL {
		return id
	}
	return strings.TrimSuffix(email, ".gserviceaccount.com")
}

type redisInstance struct {
	Region                string `json:"region"`
	Tier                  string `json:"tier"`
	MemorySizeGb          int64  `json:"memorySizeGb"`
	AuthEnabled           bool   `json:"authEnabled"`
	TransitEncryptionMode string `json:"transitEncryptionMode"`
	AuthorizedNetwork     string `json:"authorizedNetwork,omitempty"`
}

// Connection secret keys of a Memorystore Redis Instance: provider-upjet-gcp
// config/namespaced/redis/config.go (google_redis_instance) writes host; upjet writes every
// sensitive Terraform attribute as `attribute.<name>`, here the AUTH string.
const (
	memorystoreKeyHost = "host"
	memorystoreKeyAuth = "attribute.auth_string"
	// memorystoreTLSPort is where Memorystore serves TLS (SERVER_AUTHENTICATION).
	memorystoreTLSPort = 6378
)

func gcpCache(c *dataContext) *dataService {
	a, ch, w := c.a, c.a.spec.Cache, c.s.GCP
	name, id := a.name+"-cache", c.cloudName("cache", 40)
	conn := name + "-conn"
	gb, err := strconv.ParseInt(c.sizeClass(ch.Size).Cache, 10, 64)
	if err != nil || gb < 1 {
		gb = 1
	}
	tier := "BASIC"
	if ch.Size == v1alpha1.SizeMedium || ch.Size == v1alpha1.SizeLarge {
		tier = "STANDARD_HA"
	}
	m := c.mr(gcpRedis, "Instance", name, id, &redisInstance{
		Region: w.Region, Tier: tier, MemorySizeGb: gb, AuthEnabled: true,
		TransitEncryptionMode: "SERVER_AUTHENTICATION", AuthorizedNetwork: w.Network,
	})
	m.Spec.WriteConnectionSecretToRef = &localRef{Name: conn}
	var obs struct {
		Host string `json:"host"`
	}
	atProvider(c.obs(ResourceCache), &obs)
	return &dataService{
		objects: []object{c.mrObject(ResourceCache, m)},
		usageOf: typedRef{gcpRedis, "Instance", name},
		env:     redisEnv(secretEnv("", conn, memorystoreKeyHost), valueEnv("", strconv.Itoa(memorystoreTLSPort)), secretEnv("", conn, memorystoreKeyAuth)),
		secrets: []string{conn},
		status:  v1alpha1.DataServiceStatus{Name: id, Endpoint: obs.Host, SecretName: conn},
		port:    memorystoreTLSPort,
	}
}

type gcsBucket struct {
	Location                 string      `json:"location"`
	UniformBucketLevelAccess bool        `json:"uniformBucketLevelAccess"`
	PublicAccessPrevention   string      `json:"publicAccessPrevention"`
	Versioning               *gcsVersion `json:"versioning,omitempty"`
}

type gcsVersion struct {
	Enabled bool `json:"enabled"`
}

type gcsBucketIAMMember struct {
	BucketRef *localRef `json:"bucketRef"`
	Role      string    `json:"role"`
	Member    string    `json:"member"`
}

func gcpBucket(c *dataContext) *dataService {
	a, b, w := c.a, c.a.spec.Bucket, c.s.GCP
	name, id := a.name+"-bucket", c.cloudName("", 63)
	prevention := "enforced"
	if b.Public {
		prevention = "inherited"
	}
	bucket := c.mr(gcpStorage, "Bucket", name, id, &gcsBucket{
		Location: strings.ToUpper(w.Region), UniformBucketLevelAccess: true, PublicAccessPrevention: prevention,
		Versioning: &gcsVersion{Enabled: b.Versioning},
	})
	_, email := c.gcpServiceAccount()
	// The app's service account may read, write and delete objects of this bucket, nothing else.
	access := c.mr(gcpStorage, "BucketIAMMember", name, "", &gcsBucketIAMMember{
		BucketRef: &localRef{Name: name}, Role: "roles/storage.objectUser", Member: "serviceAccount:" + email,
	})
	return &dataService{
		objects: []object{c.mrObject(ResourceBucket, bucket), c.mrObject(ResourceBucketAccess, access)},
		usageOf: typedRef{gcpStorage, "Bucket", name},
		env:     []corev1.EnvVar{valueEnv("BUCKET_NAME", id)},
		status:  v1alpha1.DataServiceStatus{Name: id, Endpoint: "gs://" + id},
	}
}

type gcpSA struct {
	DisplayName string `json:"displayName"`
	Description string `json:"description"`
}

type gcpSAIAMMember struct {
	ServiceAccountIDRef *localRef `json:"serviceAccountIdRef"`
	Role                string    `json:"role"`
	Member              string    `json:"member"`
}

type gcpProjectIAMMember struct {
	Project   string        `json:"project"`
	Role      string        `json:"role"`
	Member    string        `json:"member"`
	Condition *iamCondition `json:"condition"`
}

type iamCondition struct {
	Title      string `json:"title"`
	Expression string `json:"expression"`
}

func gcpIdentity(c *dataContext) *workloadIdentity {
	a, w := c.a, c.s.GCP
	if a.spec.Bucket == nil && a.spec.Database == nil {
		return nil
	}
	id, email := c.gcpServiceAccount()
	sa := c.mr(gcpPlatform, "ServiceAccount", a.name, id, &gcpSA{
		DisplayName: a.namespace + "/" + a.name, Description: "workload identity of app " + a.namespace + "/" + a.name,
	})
	// Only the app's Kubernetes ServiceAccount may act as it.
	bind := c.mr(gcpPlatform, "ServiceAccountIAMMember", a.name, "", &gcpSAIAMMember{
		ServiceAccountIDRef: &localRef{Name: a.name},
		Role:                "roles/iam.workloadIdentityUser",
		Member:              "serviceAccount:" + w.Project + ".svc.id.goog[" + a.namespace + "/" + a.name + "]",
	})
	objs := []object{c.mrObject(ResourceIdentity, sa), c.mrObject(ResourceIdentityBinding, bind)}
	if a.spec.Database != nil {
		// Cloud SQL roles are granted on the project, so a condition limits them to the app's instance.
		inst := "projects/" + w.Project + "/instances/" + c.cloudName("db", 80)
		cond := &iamCondition{Title: "only " + c.cloudName("db", 80), Expression: `resource.name == "` + inst + `"`}
		for _, r := range []struct{ resource, role, suffix string }{
			{ResourceIdentitySQL, "roles/cloudsql.client", "-cloudsql-client"},
			{ResourceIdentitySQLUser, "roles/cloudsql.instanceUser", "-cloudsql-user"},
		} {
			m := c.mr(gcpPlatform, "ProjectIAMMember", a.name+r.suffix, "", &gcpProjectIAMMember{
				Project: w.Project, Role: r.role, Member: "serviceAccount:" + email, Condition: cond,
			})
			objs = append(objs, c.mrObject(r.resource, m))
		}
	}
	return &workloadIdentity{objects: objs, saAnnotations: map[string]string{annotationGKEWorkloadIdentity: email}}
}
