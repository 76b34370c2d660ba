package fn

import (
	"encoding/json"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
	"github.com/xapp-dev/xapp/input/v1beta1"
)

// AWS data services: an RDS Instance, an ElastiCache ReplicationGroup, an S3 Bucket with its public
// access blocked and default encryption, and an IAM role the app's ServiceAccount assumes (IRSA).
var awsCloud = cloud{
	provider: v1beta1.ProviderAWS,
	where:    "on aws",
	// Burstable classes for small, general purpose for medium, memory optimised for large.
	sizes: map[v1alpha1.Size]v1beta1.SizeClass{
		v1alpha1.SizeSmall:  {Database: "db.t4g.small", Cache: "cache.t4g.small"},
		v1alpha1.SizeMedium: {Database: "db.m7g.large", Cache: "cache.m7g.large"},
		v1alpha1.SizeLarge:  {Database: "db.r7g.xlarge", Cache: "cache.r7g.xlarge"},
	},
	engines: []v1alpha1.Engine{v1alpha1.EnginePostgres, v1alpha1.EngineMySQL},
	settings: func(s *v1beta1.DataServices, p *field.Path) field.ErrorList {
		w := ptrOr(s.AWS)
		return required(p.Child("aws"), "region", w.Region, "accountID", w.AccountID, "oidcIssuer", w.OIDCIssuer)
	},
	database: awsDatabase, cache: awsCache, bucket: awsBucket, identity: awsIdentity,
	warnings: func(a *app) []string {
		if a.spec.Bucket != nil && a.spec.Bucket.Versioning {
			// S3 versioning is its own managed resource (BucketVersioning), which this platform's
			// provider CRDs do not include: say so rather than pretend.
			return []string{"spec.bucket.versioning: not composed on aws: the platform has no S3 BucketVersioning resource"}
		}
		return nil
	},
}

const (
	awsRDS         = "rds.aws.m.upbound.io/v1beta1"
	awsElastiCache = "elasticache.aws.m.upbound.io/v1beta1"
	awsS3          = "s3.aws.m.upbound.io/v1beta1"
	awsIAM         = "iam.aws.m.upbound.io/v1beta1"

	// annotationIRSA on a ServiceAccount names the IAM role its pods assume.
	annotationIRSA = "eks.amazonaws.com/role-arn"
)

type rdsInstance struct {
	Region                           string        `json:"region"`
	Engine                           string        `json:"engine"`
	EngineVersion                    string        `json:"engineVersion"`
	InstanceClass                    string        `json:"instanceClass"`
	AllocatedStorage                 int64         `json:"allocatedStorage"`
	StorageType                      string        `json:"storageType"`
	StorageEncrypted                 bool          `json:"storageEncrypted"`
	MultiAz                          bool          `json:"multiAz"`
	BackupRetentionPeriod            int32         `json:"backupRetentionPeriod"`
	DBName                           string        `json:"dbName"`
	Username                         string        `json:"username"`
	AutoGeneratePassword             bool          `json:"autoGeneratePassword"`
	PasswordSecretRef                *secretKeyRef `json:"passwordSecretRef"`
	IAMDatabaseAuthenticationEnabled bool          `json:"iamDatabaseAuthenticationEnabled"`
	DBSubnetGroupName                string        `json:"dbSubnetGroupName,omitempty"`
	VPCSecurityGroupIDs              []string      `json:"vpcSecurityGroupIds,omitempty"`
	PubliclyAccessible               bool          `json:"publiclyAccessible"`
	DeletionProtection               bool          `json:"deletionProtection"`
	AutoMinorVersionUpgrade          bool          `json:"autoMinorVersionUpgrade"`
	SkipFinalSnapshot                bool          `json:"skipFinalSnapshot"`
	FinalSnapshotIdentifier          string        `json:"finalSnapshotIdentifier,omitempty"`
}

// Connection secret keys of an RDS Instance: provider-upjet-aws config/namespaced/rds/config.go
// (aws_db_instance AdditionalConnectionDetailsFn) writes endpoint, address, host, username, port and
// password.
const (
	rdsKeyAddress  = "address"
	rdsKeyPort     = "port"
	rdsKeyUsername = "username"
	rdsKeyPassword = "password"
)

func awsDatabase(c *dataContext) *dataService {
	a, d, w := c.a, c.a.spec.Database, c.s.AWS
	name, id := a.name+"-db", c.cloudName("db", 63)
	engine := databaseEngine(d)
	conn := name + "-conn"
	fp := &rdsInstance{
		Region:                           w.Region,
		Engine:                           string(engine),
		EngineVersion:                    databaseVersion(d),
		InstanceClass:                    c.sizeClass(d.Size).Database,
		AllocatedStorage:                 storageGi(d),
		StorageType:                      "gp3",
		StorageEncrypted:                 true,
		MultiAz:                          d.HighAvailability,
		BackupRetentionPeriod:            backupDays(d),
		DBName:                           sqlName(a.name),
		Username:                         sqlName(a.name),
		AutoGeneratePassword:             true,
		PasswordSecretRef:                &secretKeyRef{Name: name + "-password", Key: "password"},
		IAMDatabaseAuthenticationEnabled: true,
		DBSubnetGroupName:                w.DBSubnetGroupName,
		VPCSecurityGroupIDs:              w.SecurityGroupIDs,
		DeletionProtection:               c.deletionProtection(),
		AutoMinorVersionUpgrade:          true,
		SkipFinalSnapshot:                backupDays(d) == 0,
	}
	if !fp.SkipFinalSnapshot {
		fp.FinalSnapshotIdentifier = shorten(id+"-final", 255)
	}
	m := c.mr(awsRDS, "Instance", name, id, fp)
	m.Spec.WriteConnectionSecretToRef = &localRef{Name: conn}

	var obs struct {
		Address string `json:"address"`
	}
	atProvider(c.obs(ResourceDatabase), &obs)
	return &dataService{
		objects: []object{c.mrObject(ResourceDatabase, m)},
		usageOf: typedRef{awsRDS, "Instance", name},
		env: databaseEnv(engine, secretEnv("", conn, rdsKeyAddress), secretEnv("", conn, rdsKeyPort),
			secretEnv("", conn, rdsKeyUsername), secretEnv("", conn, rdsKeyPassword), sqlName(a.name), awsTLSQuery(engine)),
		secrets: []string{conn},
		status:  v1alpha1.DataServiceStatus{Name: id, Endpoint: obs.Address, SecretName: conn},
		port:    enginePorts[engine],
	}
}

func awsTLSQuery(e v1alpha1.Engine) string {
	if e == v1alpha1.EngineMySQL {
		return "tls=true"
	}
	return "sslmode=require"
}

type replicationGroup struct {
	Region                   string        `json:"region"`
	Description              string        `json:"description"`
	Engine                   string        `json:"engine"`
	NodeType                 string        `json:"nodeType"`
	NumCacheClusters         int32         `json:"numCacheClusters"`
	AutomaticFailoverEnabled bool          `json:"automaticFailoverEnabled"`
	MultiAzEnabled           bool          `json:"multiAzEnabled"`
	AtRestEncryptionEnabled  string        `json:"atRestEncryptionEnabled"`
	TransitEncryptionEnabled bool          `json:"transitEncryptionEnabled"`
	AutoGenerateAuthToken    bool          `json:"autoGenerateAuthToken"`
	AuthTokenSecretRef       *secretKeyRef `json:"authTokenSecretRef"`
	SubnetGroupName          string        `json:"subnetGroupName,omitempty"`
	SecurityGroupIDs         []string      `json:"securityGroupIds,omitempty"`
	Port                     int32         `json:"port"`
}

// Connection secret keys of an ElastiCache ReplicationGroup: provider-upjet-aws
// config/namespaced/elasticache/config.go (aws_elasticache_replication_group) writes
// primary_endpoint_address, reader_endpoint_address and port. The auth token lives in the Secret of
// authTokenSecretRef, which the provider fills when autoGenerateAuthToken is true.
const (
	elastiCacheKeyPrimary = "primary_endpoint_address"
	elastiCacheKeyPort    = "port"
	// elastiCachePort is where the replication group serves.
	elastiCachePort     = 6379
	elastiCacheTokenKey = "token"
)

func awsCache(c *dataContext) *dataService {
	a, ch, w := c.a, c.a.spec.Cache, c.s.AWS
	name, id := a.name+"-cache", c.cloudName("cache", 40)
	conn, auth := name+"-conn", name+"-auth"
	// A cache of medium size or more gets a replica in another zone that takes over.
	replicas := int32(1)
	if ch.Size == v1alpha1.SizeMedium || ch.Size == v1alpha1.SizeLarge {
		replicas = 2
	}
	fp := &replicationGroup{
		Region:                   w.Region,
		Description:              "cache of app " + a.namespace + "/" + a.name,
		Engine:                   "redis",
		NodeType:                 c.sizeClass(ch.Size).Cache,
		NumCacheClusters:         replicas,
		AutomaticFailoverEnabled: replicas > 1,
		MultiAzEnabled:           replicas > 1,
		AtRestEncryptionEnabled:  "true",
		TransitEncryptionEnabled: true,
		AutoGenerateAuthToken:    true,
		AuthTokenSecretRef:       &secretKeyRef{Name: auth, Key: elastiCacheTokenKey},
		SubnetGroupName:          w.CacheSubnetGroupName,
		SecurityGroupIDs:         w.SecurityGroupIDs,
		Port:                     elastiCachePort,
	}
	m := c.mr(awsElastiCache, "ReplicationGroup", name, id, fp)
	m.Spec.WriteConnectionSecretToRef = &localRef{Name: conn}

	var obs struct {
		PrimaryEndpointAddress string `json:"primaryEndpointAddress"`
	}
	atProvider(c.obs(ResourceCache), &obs)
	return &dataService{
		objects: []object{c.mrObject(ResourceCache, m)},
		usageOf: typedRef{awsElastiCache, "ReplicationGroup", name},
		env:     redisEnv(secretEnv("", conn, elastiCacheKeyPrimary), secretEnv("", conn, elastiCacheKeyPort), secretEnv("", auth, elastiCacheTokenKey)),
		secrets: []string{conn, auth},
		status:  v1alpha1.DataServiceStatus{Name: id, Endpoint: obs.PrimaryEndpointAddress, SecretName: conn},
		port:    elastiCachePort,
	}
}

type s3Bucket struct {
	Region string `json:"region"`
}

type s3PublicAccessBlock struct {
	Region                string    `json:"region"`
	BucketRef             *localRef `json:"bucketRef"`
	BlockPublicAcls       bool      `json:"blockPublicAcls"`
	BlockPublicPolicy     bool      `json:"blockPublicPolicy"`
	IgnorePublicAcls      bool      `json:"ignorePublicAcls"`
	RestrictPublicBuckets bool      `json:"restrictPublicBuckets"`
}

type s3Encryption struct {
	Region    string          `json:"region"`
	BucketRef *localRef       `json:"bucketRef"`
	Rule      []s3EncryptRule `json:"rule"`
}

type s3EncryptRule struct {
	ApplyServerSideEncryptionByDefault s3EncryptDefault `json:"applyServerSideEncryptionByDefault"`
	BucketKeyEnabled                   bool             `json:"bucketKeyEnabled"`
}

type s3EncryptDefault struct {
	SSEAlgorithm string `json:"sseAlgorithm"`
}

func awsBucket(c *dataContext) *dataService {
	a, b, w := c.a, c.a.spec.Bucket, c.s.AWS
	name, id := a.name+"-bucket", c.cloudName("", 63)
	ref := &localRef{Name: name}
	bucket := c.mr(awsS3, "Bucket", name, id, &s3Bucket{Region: w.Region})
	// Public access stays blocked unless the app asked for a public bucket, which the platform
	// allowed (dataPolicy); a public bucket still refuses public ACLs.
	block := c.mr(awsS3, "BucketPublicAccessBlock", name, "", &s3PublicAccessBlock{
		Region: w.Region, BucketRef: ref,
		BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: !b.Public, RestrictPublicBuckets: !b.Public,
	})
	enc := c.mr(awsS3, "BucketServerSideEncryptionConfiguration", name, "", &s3Encryption{
		Region: w.Region, BucketRef: ref,
		Rule: []s3EncryptRule{{ApplyServerSideEncryptionByDefault: s3EncryptDefault{SSEAlgorithm: "aws:kms"}, BucketKeyEnabled: true}},
	})
	return &dataService{
		objects: []object{c.mrObject(ResourceBucket, bucket), c.mrObject(ResourceBucketPublic, block), c.mrObject(ResourceBucketEncryption, enc)},
		usageOf: typedRef{awsS3, "Bucket", name},
		env:     []corev1.EnvVar{valueEnv("BUCKET_NAME", id), valueEnv("AWS_REGION", w.Region)},
		status:  v1alpha1.DataServiceStatus{Name: id, Endpoint: "s3://" + id},
	}
}

type iamRole struct {
	AssumeRolePolicy string            `json:"assumeRolePolicy"`
	Description      string            `json:"description"`
	InlinePolicy     []iamInlinePolicy `json:"inlinePolicy,omitempty"`
}

type iamInlinePolicy struct {
	Name   string `json:"name"`
	Policy string `json:"policy"`
}

// policyDocument is an IAM policy; encoding/json writes it with a fixed field order, so the role
// never changes between reconciles.
type policyDocument struct {
	Version   string            `json:"Version"`
	Statement []policyStatement `json:"Statement"`
}

type policyStatement struct {
	Effect    string                       `json:"Effect"`
	Principal map[string]string            `json:"Principal,omitempty"`
	Action    []string                     `json:"Action"`
	Resource  []string                     `json:"Resource,omitempty"`
	Condition map[string]map[string]string `json:"Condition,omitempty"`
}

func awsIdentity(c *dataContext) *workloadIdentity {
	a, w := c.a, c.s.AWS
	if a.spec.Bucket == nil && a.spec.Database == nil {
		return nil
	}
	roleName := c.cloudName("", 64)
	trust := policyDocument{Version: "2012-10-17", Statement: []policyStatement{{
		Effect:    "Allow",
		Principal: map[string]string{"Federated": "arn:aws:iam::" + w.AccountID + ":oidc-provider/" + w.OIDCIssuer},
		Action:    []string{"sts:AssumeRoleWithWebIdentity"},
		Condition: map[string]map[string]string{"StringEquals": {
			w.OIDCIssuer + ":sub": "system:serviceaccount:" + a.namespace + ":" + a.name,
			w.OIDCIssuer + ":aud": "sts.amazonaws.com",
		}},
	}}}
	// Least privilege: the app's own bucket, and IAM login as its own user to its own database once
	// the database's resource id is known.
	var stmts []policyStatement
	if a.spec.Bucket != nil {
		bucket := "arn:aws:s3:::" + c.cloudName("", 63)
		stmts = append(stmts,
			policyStatement{Effect: "Allow", Action: []string{"s3:ListBucket", "s3:GetBucketLocation"}, Resource: []string{bucket}},
			policyStatement{Effect: "Allow", Action: []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject"}, Resource: []string{bucket + "/*"}})
	}
	if a.spec.Database != nil {
		var obs struct {
			ResourceID string `json:"resourceId"`
		}
		if atProvider(c.obs(ResourceDatabase), &obs) && obs.ResourceID != "" {
			stmts = append(stmts, policyStatement{Effect: "Allow", Action: []string{"rds-db:connect"},
				Resource: []string{"arn:aws:rds-db:" + w.Region + ":" + w.AccountID + ":dbuser:" + obs.ResourceID + "/" + sqlName(a.name)}})
		}
	}
	fp := &iamRole{AssumeRolePolicy: mustJSON(trust), Description: "workload identity of app " + a.namespace + "/" + a.name}
	if len(stmts) > 0 {
		fp.InlinePolicy = []iamInlinePolicy{{Name: "app", Policy: mustJSON(policyDocument{Version: "2012-10-17", Statement: stmts})}}
	}
	role := c.mr(awsIAM, "Role", a.name, roleName, fp)
	return &workloadIdentity{
		objects:       []object{c.mrObject(ResourceIdentity, role)},
		saAnnotations: map[string]string{annotationIRSA: "arn:aws:iam::" + w.AccountID + ":role/" + roleName},
	}
}

// mustJSON encodes a policy document: strings, string slices and string maps only, which
// encoding/json cannot fail on.
func mustJSON(v any) string {
	b, _ := json.Marshal(v) //nolint:errchkjson // see above
	return string(b)
}
