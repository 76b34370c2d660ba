package fn

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/encoding/protojson"
	corev1 "k8s.io/api/core/v1"

	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
	"github.com/xapp-dev/xapp/input/v1beta1"
)

func withDatabase(d v1alpha1.Database) specMod { return func(s *v1alpha1.XAppSpec) { s.Database = &d } }
func withCache(c v1alpha1.Cache) specMod       { return func(s *v1alpha1.XAppSpec) { s.Cache = &c } }
func withBucket(b v1alpha1.Bucket) specMod     { return func(s *v1alpha1.XAppSpec) { s.Bucket = &b } }

// testSettings are complete data service settings for a provider.
func testSettings(p v1beta1.DataProvider) *v1beta1.DataServices {
	return &v1beta1.DataServices{
		Provider:   p,
		NamePrefix: "acme",
		AWS:        &v1beta1.AWS{Region: "eu-central-1", AccountID: "123456789012", OIDCIssuer: "oidc.eks.example/id/X", DBSubnetGroupName: "private"},
		GCP:        &v1beta1.GCP{Project: "acme-prod", Region: "europe-west3", Network: "projects/acme-prod/global/networks/apps"},
		Azure:      &v1beta1.Azure{SubscriptionID: "sub", ResourceGroup: "rg", Location: "westeurope", OIDCIssuer: "https://issuer.example/"},
	}
}

func withDataServices(s *v1beta1.DataServices) inputMod {
	return func(in *v1beta1.Input) { in.DataServices = s }
}

// forProvider composes the app's data services for one provider and returns the forProvider of the
// object under the given composition resource name.
func composed(t *testing.T, a *app, resourceName string) any {
	t.Helper()
	cl := cloudFor(a.in.DataServices.Provider)
	c := &dataContext{a: a, s: a.in.DataServices, cloud: cl}
	var objs []object
	if a.spec.Database != nil {
		objs = append(objs, cl.database(c).objects...)
	}
	if a.spec.Cache != nil {
		objs = append(objs, cl.cache(c).objects...)
	}
	for _, o := range objs {
		if o.name != resourceName {
			continue
		}
		if m, ok := o.obj.(*managed); ok {
			return m.Spec.ForProvider
		}
		return o.obj.(*cnpgCluster).Spec
	}
	t.Fatalf("no composed resource %q", resourceName)
	return nil
}

// TestDatabaseSizes checks the size table per cloud: each size maps to that cloud's class, and
// the platform's table overrides single entries.
func TestDatabaseSizes(t *testing.T) {
	override := func(p v1beta1.DataProvider) *v1beta1.DataServices {
		s := testSettings(p)
		s.Sizes = map[v1beta1.DataProvider]map[string]v1beta1.SizeClass{p: {"large": {Database: "custom-large"}}}
		return s
	}
	class := func(p v1beta1.DataProvider, got any) string {
		switch p {
		case v1beta1.ProviderAWS:
			return got.(*rdsInstance).InstanceClass
		case v1beta1.ProviderGCP:
			return got.(*sqlInstance).Settings.Tier
		case v1beta1.ProviderAzure:
			return got.(*flexibleServer).SkuName
		default:
			m := got.(cnpgClusterSpec).Resources.Requests[corev1.ResourceMemory]
			return m.String()
		}
	}
	cases := map[string]struct {
		reason string
		s      *v1beta1.DataServices
		size   v1alpha1.Size
		want   string
	}{
		"AWSDefault":         {reason: "An unset size is small.", s: testSettings(v1beta1.ProviderAWS), want: "db.t4g.small"},
		"AWSMedium":          {reason: "Medium is general purpose.", s: testSettings(v1beta1.ProviderAWS), size: v1alpha1.SizeMedium, want: "db.m7g.large"},
		"AWSLarge":           {reason: "Large is memory optimised.", s: testSettings(v1beta1.ProviderAWS), size: v1alpha1.SizeLarge, want: "db.r7g.xlarge"},
		"AWSOverride":        {reason: "The platform's table wins.", s: override(v1beta1.ProviderAWS), size: v1alpha1.SizeLarge, want: "custom-large"},
		"GCPSmall":           {reason: "GCP sizes are Cloud SQL tiers.", s: testSettings(v1beta1.ProviderGCP), size: v1alpha1.SizeSmall, want: "db-custom-1-3840"},
		"GCPMedium":          {reason: "GCP medium.", s: testSettings(v1beta1.ProviderGCP), size: v1alpha1.SizeMedium, want: "db-custom-2-7680"},
		"GCPLarge":           {reason: "GCP large.", s: testSettings(v1beta1.ProviderGCP), size: v1alpha1.SizeLarge, want: "db-custom-4-26624"},
		"AzureSmall":         {reason: "Azure sizes are Flexible Server SKUs.", s: testSettings(v1beta1.ProviderAzure), size: v1alpha1.SizeSmall, want: "B_Standard_B1ms"},
		"AzureMedium":        {reason: "Azure medium.", s: testSettings(v1beta1.ProviderAzure), size: v1alpha1.SizeMedium, want: "GP_Standard_D2ds_v5"},
		"AzureLargeOverride": {reason: "The platform's table wins on Azure too.", s: override(v1beta1.ProviderAzure), size: v1alpha1.SizeLarge, want: "custom-large"},
		"InClusterSmall":     {reason: "In the cluster a size is the memory of each instance.", s: testSettings(v1beta1.ProviderInCluster), want: "512Mi"},
		"InClusterLarge":     {reason: "In-cluster large.", s: testSettings(v1beta1.ProviderInCluster), size: v1alpha1.SizeLarge, want: "8Gi"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			a := testApp(t, []inputMod{withDataServices(tc.s)}, withDatabase(v1alpha1.Database{Size: tc.size}))
			if diff := cmp.Diff(tc.want, class(tc.s.Provider, composed(t, a, ResourceDatabase))); diff != "" {
				t.Errorf("\n%s\ndatabase class: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestAWSDatabase(t *testing.T) {
	cases := map[string]struct {
		reason string
		db     v1alpha1.Database
		want   *rdsInstance
	}{
		"Defaults": {
			reason: "A default database is a small encrypted private postgres 16 with 20 GiB, 7 days of backups, a generated password and IAM login.",
			want: &rdsInstance{Region: "eu-central-1", Engine: "postgres", EngineVersion: "16", InstanceClass: "db.t4g.small", AllocatedStorage: 20,
				StorageType: "gp3", StorageEncrypted: true, BackupRetentionPeriod: 7, DBName: "shop", Username: "shop", AutoGeneratePassword: true,
				PasswordSecretRef: &secretKeyRef{Name: "shop-db-password", Key: "password"}, IAMDatabaseAuthenticationEnabled: true,
				DBSubnetGroupName: "private", DeletionProtection: true, AutoMinorVersionUpgrade: true, FinalSnapshotIdentifier: "acme-team-shop-shop-db-final"},
		},
		"MySQLHANoBackups": {
			reason: "MySQL with HA is Multi-AZ; no backups skips the final snapshot; storage rounds up to whole GiB.",
			db:     v1alpha1.Database{Engine: v1alpha1.EngineMySQL, Size: v1alpha1.SizeMedium, Storage: q("100G"), HighAvailability: true, Backups: &v1alpha1.Backups{}},
			want: &rdsInstance{Region: "eu-central-1", Engine: "mysql", EngineVersion: "8.0", InstanceClass: "db.m7g.large", AllocatedStorage: 94,
				StorageType: "gp3", StorageEncrypted: true, MultiAz: true, DBName: "shop", Username: "shop", AutoGeneratePassword: true,
				PasswordSecretRef: &secretKeyRef{Name: "shop-db-password", Key: "password"}, IAMDatabaseAuthenticationEnabled: true,
				DBSubnetGroupName: "private", DeletionProtection: true, AutoMinorVersionUpgrade: true, SkipFinalSnapshot: true},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			a := testApp(t, []inputMod{withDataServices(testSettings(v1beta1.ProviderAWS))}, withDatabase(tc.db))
			if diff := cmp.Diff(tc.want, composed(t, a, ResourceDatabase)); diff != "" {
				t.Errorf("\n%s\nRDS Instance forProvider: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestCacheSizes(t *testing.T) {
	cases := map[string]struct {
		reason string
		p      v1beta1.DataProvider
		size   v1alpha1.Size
		want   any
	}{
		"AWSSmall": {reason: "A small AWS cache is one node.", p: v1beta1.ProviderAWS, size: v1alpha1.SizeSmall,
			want: &replicationGroup{Region: "eu-central-1", Description: "cache of app team-shop/shop", Engine: "redis", NodeType: "cache.t4g.small",
				NumCacheClusters: 1, AtRestEncryptionEnabled: "true", TransitEncryptionEnabled: true, AutoGenerateAuthToken: true,
				AuthTokenSecretRef: &secretKeyRef{Name: "shop-cache-auth", Key: "token"}, Port: 6379}},
		"AWSLarge": {reason: "A large AWS cache has a replica in another zone that takes over.", p: v1beta1.ProviderAWS, size: v1alpha1.SizeLarge,
			want: &replicationGroup{Region: "eu-central-1", Description: "cache of app team-shop/shop", Engine: "redis", NodeType: "cache.r7g.xlarge",
				NumCacheClusters: 2, AutomaticFailoverEnabled: true, MultiAzEnabled: true, AtRestEncryptionEnabled: "true", TransitEncryptionEnabled: true,
				AutoGenerateAuthToken: true, AuthTokenSecretRef: &secretKeyRef{Name: "shop-cache-auth", Key: "token"}, Port: 6379}},
		"GCPMedium": {reason: "A medium GCP cache is 5 GB, highly available.", p: v1beta1.ProviderGCP, size: v1alpha1.SizeMedium,
			want: &redisInstance{Region: "europe-west3", Tier: "STANDARD_HA", MemorySizeGb: 5, AuthEnabled: true, TransitEncryptionMode: "SERVER_AUTHENTICATION",
				AuthorizedNetwork: "projects/acme-prod/global/networks/apps"}},
		"AzureLarge": {reason: "A large Azure cache is Premium P1.", p: v1beta1.ProviderAzure, size: v1alpha1.SizeLarge,
			want: &redisCache{Location: "westeurope", ResourceGroupName: "rg", SkuName: "Premium", Family: "P", Capacity: 1, RedisVersion: "6", MinimumTLSVersion: "1.2"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			a := testApp(t, []inputMod{withDataServices(testSettings(tc.p))}, withCache(v1alpha1.Cache{Size: tc.size}))
			if diff := cmp.Diff(tc.want, composed(t, a, ResourceCache)); diff != "" {
				t.Errorf("\n%s\ncache forProvider: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestDataPolicy(t *testing.T) {
	cases := map[string]struct {
		reason string
		s      *v1beta1.DataServices
		mods   []specMod
		want   string
	}{
		"NoProvider": {
			reason: "A platform that offers no data services refuses the developer's field.",
			s:      &v1beta1.DataServices{},
			mods:   []specMod{withDatabase(v1alpha1.Database{}), withCache(v1alpha1.Cache{})},
			want:   "spec.database: Forbidden: the platform offers no data services: its function Input sets no dataServices.provider; spec.cache: Forbidden: the platform offers no data services: its function Input sets no dataServices.provider",
		},
		"InClusterMySQL": {
			reason: "CloudNativePG runs postgres only.",
			s:      testSettings(v1beta1.ProviderInCluster),
			mods:   []specMod{withDatabase(v1alpha1.Database{Engine: v1alpha1.EngineMySQL})},
			want:   `spec.database.engine: Unsupported value: "mysql": supported values: "postgres"`,
		},
		"InClusterCacheAndBucket": {
			reason: "In the cluster there are databases only.",
			s:      testSettings(v1beta1.ProviderInCluster),
			mods:   []specMod{withCache(v1alpha1.Cache{}), withBucket(v1alpha1.Bucket{})},
			want:   "spec.cache: Forbidden: the platform runs data services in the cluster, which offers databases only; spec.bucket: Forbidden: the platform runs data services in the cluster, which offers databases only",
		},
		"PublicBucketNotAllowed": {
			reason: "Public buckets need the platform's consent.",
			s:      testSettings(v1beta1.ProviderAWS),
			mods:   []specMod{withBucket(v1alpha1.Bucket{Public: true})},
			want:   "spec.bucket.public: Forbidden: the platform does not allow public buckets",
		},
		"PublicBucketAllowed": {
			reason: "A platform that allows public buckets lets the app have one.",
			s: func() *v1beta1.DataServices {
				s := testSettings(v1beta1.ProviderAWS)
				s.AllowPublicBuckets = true
				return s
			}(),
			mods: []specMod{withBucket(v1alpha1.Bucket{Public: true})},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			a := testApp(t, nil, tc.mods...)
			got := ""
			if errs := dataPolicy(a, tc.s); len(errs) > 0 {
				got = fieldErrors("x", errs).Error()[3:]
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("\n%s\ndataPolicy(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestCheckDataSettings(t *testing.T) {
	cases := map[string]struct {
		reason string
		s      *v1beta1.DataServices
		want   string
	}{
		"Complete": {reason: "Complete settings pass.", s: testSettings(v1beta1.ProviderAWS)},
		"AWSIncomplete": {reason: "AWS needs a region, an account and the OIDC issuer.", s: &v1beta1.DataServices{Provider: v1beta1.ProviderAWS},
			want: "dataServices.aws.region: Required value: set it in the function's Input or the EnvironmentConfig; dataServices.aws.accountID: Required value: set it in the function's Input or the EnvironmentConfig; dataServices.aws.oidcIssuer: Required value: set it in the function's Input or the EnvironmentConfig"},
		"BadPrefix": {reason: "The name prefix must start names valid on every cloud.", s: &v1beta1.DataServices{Provider: v1beta1.ProviderInCluster, NamePrefix: "9_Acme"},
			want: `dataServices.namePrefix: Invalid value: "9_Acme": must be at most 20 lowercase letters, digits and hyphens, starting with a letter and ending with a letter or digit`},
		"BadRange": {reason: "Data-service ranges become ipBlocks, which the API server refuses unless masked.", s: &v1beta1.DataServices{Provider: v1beta1.ProviderInCluster, EgressCIDRs: []string{"10.40.0.0/20", "10.40.16.1/20", "subnet-a"}},
			want: `dataServices.egressCIDRs[1]: Invalid value: "10.40.16.1/20": must be a CIDR with no bits set beyond its prefix length, such as 10.40.0.0/20; dataServices.egressCIDRs[2]: Invalid value: "subnet-a": must be a CIDR with no bits set beyond its prefix length, such as 10.40.0.0/20`},
		"UnknownProvider": {reason: "An EnvironmentConfig skips the Input's enum.", s: &v1beta1.DataServices{Provider: "oracle"},
			want: `dataServices.provider: Unsupported value: "oracle": supported values: "aws", "gcp", "azure", "in-cluster"`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := ""
			if errs := checkDataSettings(tc.s); len(errs) > 0 {
				got = fieldErrors("x", errs).Error()[3:]
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("\n%s\ncheckDataSettings(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestCloudNames(t *testing.T) {
	cases := map[string]struct {
		reason    string
		namespace string
		maxLen    int
		alnum     bool
		want      string
	}{
		"Fits":       {reason: "A name that fits is prefix-namespace-app.", namespace: "team-shop", maxLen: 63, want: "acme-team-shop-shop"},
		"TooLong":    {reason: "A name too long keeps its start and ends in a hash of the whole.", namespace: strings.Repeat("n", 60), maxLen: 63, want: "acme-" + strings.Repeat("n", 49) + "-7caeaf09"},
		"AzureAlnum": {reason: "Storage account names are lowercase alphanumerics only.", namespace: "team-shop", maxLen: 24, alnum: true, want: "acmeteamshopshop"},
		"AzureLong":  {reason: "Storage account names are at most 24 characters.", namespace: "a-very-long-team-namespace", maxLen: 24, alnum: true, want: "acmeaverylongteafdab8ffc"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			a := testApp(t, nil)
			a.namespace = tc.namespace
			c := &dataContext{a: a, s: &v1beta1.DataServices{NamePrefix: "acme"}}
			got := c.cloudName("", tc.maxLen)
			if tc.alnum {
				got = c.alnumName(tc.maxLen)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("\n%s\ncloudName(): -want, +got:\n%s", tc.reason, diff)
			}
			if len(got) > tc.maxLen {
				t.Errorf("\n%s\ncloudName(): %d characters, more than %d", tc.reason, len(got), tc.maxLen)
			}
		})
	}
}

func TestDatabaseEnv(t *testing.T) {
	cases := map[string]struct {
		reason string
		engine v1alpha1.Engine
		user   corev1.EnvVar
		pass   corev1.EnvVar
		want   []string
	}{
		"PostgresFromSecret": {
			reason: "DATABASE_URL is built by Kubernetes from the other variables: the function never sees the password.",
			engine: v1alpha1.EnginePostgres, user: secretEnv("", "s", "username"), pass: secretEnv("", "s", "password"),
			want: []string{"PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE", "DATABASE_URL=postgresql://$(PGUSER):$(PGPASSWORD)@$(PGHOST):$(PGPORT)/$(PGDATABASE)?q"},
		},
		"MySQL": {
			reason: "MySQL gets MYSQL_* variables and a mysql:// URL.",
			engine: v1alpha1.EngineMySQL, user: secretEnv("", "s", "username"), pass: secretEnv("", "s", "password"),
			want: []string{"MYSQL_HOST", "MYSQL_PORT", "MYSQL_USER", "MYSQL_PASSWORD", "MYSQL_DATABASE", "DATABASE_URL=mysql://$(MYSQL_USER):$(MYSQL_PASSWORD)@$(MYSQL_HOST):$(MYSQL_PORT)/$(MYSQL_DATABASE)?q"},
		},
		"IAMUser": {
			reason: "An IAM user has no password, and its @ is escaped in the URL.",
			engine: v1alpha1.EnginePostgres, user: valueEnv("", "sa@p.iam"),
			want: []string{"PGHOST", "PGPORT", "PGUSER=sa@p.iam", "PGDATABASE", "DATABASE_URL=postgresql://sa%40p.iam@$(PGHOST):$(PGPORT)/$(PGDATABASE)?q"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			env := databaseEnv(tc.engine, secretEnv("", "s", "host"), secretEnv("", "s", "port"), tc.user, tc.pass, "shop", "q")
			got := make([]string, 0, len(env))
			for _, e := range env {
				s := e.Name
				if e.Value != "" && e.Name != "PGDATABASE" && e.Name != "MYSQL_DATABASE" {
					s += "=" + e.Value
				}
				got = append(got, s)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("\n%s\ndatabaseEnv(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// TestNoCredentialInOutput runs every data service example the way Crossplane does, with the
// providers' connection Secrets returned as required resources, and looks for the Secrets'
// sentinel values, plain and base64, in everything the function returns: desired resources, the
// XR's status, conditions, results and requirements. The peers' apps read the same variables under
// their own names, each a $(VAR) of the Secret's: still no value of it.
func TestNoCredentialInOutput(t *testing.T) {
	const xapp = "../package/configuration/composition-xapp.yaml"
	ready := func(reason, dir string) credentialCase {
		return credentialCase{reason: reason, xr: dir + "/xr.yaml", observed: dir + "/observed-ready.yaml", required: dir + "/required-ready"}
	}
	peer := func(reason, dir string) credentialCase {
		return credentialCase{reason: reason, xr: dir + "/xr.yaml", required: dir + "/required"}
	}
	cases := map[string]credentialCase{
		"AWS":           ready("RDS password and ElastiCache auth token.", "../examples/aws"),
		"GCP":           ready("Memorystore AUTH string and Cloud SQL CA.", "../examples/gcp"),
		"Azure":         ready("Flexible Server password and Redis access key.", "../examples/azure"),
		"InCluster":     ready("CloudNativePG app password and URI.", "../examples/incluster"),
		"Full":          ready("The full example's in-cluster database.", "../examples/full"),
		"PeerDOT":       peer("DOT's backend reads the password as DB_PASSWORD.", "../examples/peers/dot-backend"),
		"PeerScorePG":   peer("score-k8s's postgres example reads it as POSTGRES_PASSWORD.", "../examples/peers/score-postgres"),
		"PeerScoreCart": peer("score-k8s's cart builds REDIS_ADDR around the cache's auth token.", "../examples/peers/score-cart"),
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var sentinels []string
			for _, s := range readRequired(t, tc.required) {
				for _, v := range s.Fields["stringData"].GetStructValue().GetFields() {
					if strings.Contains(v.GetStringValue(), "SENTINEL") {
						sentinels = append(sentinels, v.GetStringValue(), base64.StdEncoding.EncodeToString([]byte(v.GetStringValue())))
					}
				}
			}
			if len(sentinels) == 0 {
				t.Fatalf("%s: no sentinel values in %s", tc.reason, tc.required)
			}
			req := request(t, tc.xr, xapp, tc.observed)
			rsp, err := runWithRequirements(t, req, tc.required)
			if err != nil {
				t.Fatal(err)
			}
			out, err := protojson.Marshal(rsp)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range sentinels {
				if strings.Contains(string(out), s) {
					t.Errorf("%s\nthe function's response contains the credential %q", tc.reason, s)
				}
			}
			if !strings.Contains(string(out), "secretKeyRef") {
				t.Errorf("%s\nthe app got no variables from its Secrets: the test proves nothing", tc.reason)
			}
		})
	}
}

// A credentialCase is an app rendered with its data services' Secrets: its XR, the observed
// resources (none, before they exist) and the required resources Crossplane returns.
type credentialCase struct {
	reason                 string
	xr, observed, required string
}

// BenchmarkDataServices is the last call of a reconcile of an app with a database, cache and bucket
// on AWS, all up: the EnvironmentConfig and the Secrets already fetched.
func BenchmarkDataServices(b *testing.B) {
	req := request(b, "../examples/aws/xr.yaml", "../package/configuration/composition-xapp.yaml", "../examples/aws/observed-ready.yaml")
	if _, err := runWithRequirements(b, req, "../examples/aws/required-ready"); err != nil {
		b.Fatal(err)
	}
	f := New(logging.NewNopLogger())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.RunFunction(context.Background(), req); err != nil {
			b.Fatal(err)
		}
	}
}

// TestPlanDataServices checks what the planner composes for each cloud and mix of services: which
// composition resources, and the error when the cloud does not offer a service. An app whose services
// need no cloud identity gets none (a cache-only app once crashed the function here).
func TestPlanDataServices(t *testing.T) {
	names := func(p *dataPlan) []string {
		var out []string
		for _, o := range p.objects {
			out = append(out, o.name)
		}
		return out
	}
	type want struct {
		objects []string
		err     string
	}
	cases := map[string]struct {
		reason string
		p      v1beta1.DataProvider
		mods   []specMod
		want   want
	}{
		"AWSCacheOnly": {
			reason: "A cache alone needs no IAM role: its auth token comes from a Secret.",
			p:      v1beta1.ProviderAWS, mods: []specMod{withCache(v1alpha1.Cache{})},
			want: want{objects: []string{ResourceCache, ResourceUsageCache, "secret-shop-cache-conn"}},
		},
		"GCPCacheOnly": {
			reason: "A cache alone needs no GCP service account.",
			p:      v1beta1.ProviderGCP, mods: []specMod{withCache(v1alpha1.Cache{})},
			want: want{objects: []string{ResourceCache, ResourceUsageCache, "secret-shop-cache-conn"}},
		},
		"AzureCacheOnly": {
			reason: "A cache alone needs no managed identity.",
			p:      v1beta1.ProviderAzure, mods: []specMod{withCache(v1alpha1.Cache{})},
			want: want{objects: []string{ResourceCache, ResourceUsageCache, "secret-shop-cache-conn"}},
		},
		"AzureDatabaseOnly": {
			reason: "An Azure database logs in with a password: no identity either.",
			p:      v1beta1.ProviderAzure, mods: []specMod{withDatabase(v1alpha1.Database{})},
			want: want{objects: []string{ResourceDatabase, ResourceDatabaseSchema, ResourceUsageDatabase, "secret-shop-db-password"}},
		},
		"AWSBucketOnly": {
			reason: "A bucket is used through the app's IAM role.",
			p:      v1beta1.ProviderAWS, mods: []specMod{withBucket(v1alpha1.Bucket{})},
			want: want{objects: []string{ResourceBucket, ResourceBucketPublic, ResourceBucketEncryption, ResourceUsageBucket, ResourceIdentity}},
		},
		"InClusterCache": {
			reason: "What a cloud does not offer is refused on the developer's field, derived from the cloud's table.",
			p:      v1beta1.ProviderInCluster, mods: []specMod{withCache(v1alpha1.Cache{})},
			want: want{err: "the app breaks the platform's policy: spec.cache: Forbidden: the platform runs data services in the cluster, which offers databases only"},
		},
		"AzureMySQL": {
			reason: "Engines not in the cloud's table are refused with the ones it offers.",
			p:      v1beta1.ProviderAzure, mods: []specMod{withDatabase(v1alpha1.Database{Engine: v1alpha1.EngineMySQL})},
			want: want{err: `the app breaks the platform's policy: spec.database.engine: Unsupported value: "mysql": supported values: "postgres"`},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			a := testApp(t, nil, tc.mods...)
			p, err := planDataServices(a, testSettings(tc.p), nil, func(string) bool { return false })
			got := want{}
			if err != nil {
				got.err = err.Error()
			} else {
				got.objects = names(p)
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("\n%s\nplanDataServices(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestCloudRanges(t *testing.T) {
	ranges := []string{"10.40.0.0/20"}
	tcp := func(port int32) netPort { return netPort{port: port, protocol: corev1.ProtocolTCP} }
	type want struct {
		rule     *netRule
		warnings []string
	}
	cases := map[string]struct {
		reason string
		p      v1beta1.DataProvider
		ranges []string
		in     []inputMod
		mods   []specMod
		want   want
	}{
		"AWS": {
			reason: "An RDS database and an ElastiCache cache are reached in the platform's ranges on their ports only.",
			p:      v1beta1.ProviderAWS, ranges: ranges, mods: []specMod{withDatabase(v1alpha1.Database{}), withCache(v1alpha1.Cache{})},
			want: want{rule: &netRule{cidrs: ranges, ports: []netPort{tcp(5432), tcp(6379)}}},
		},
		"GCPMySQL": {
			reason: "Cloud SQL for MySQL listens on 3306 and Memorystore serves TLS on 6378.",
			p:      v1beta1.ProviderGCP, ranges: ranges, mods: []specMod{withDatabase(v1alpha1.Database{Engine: v1alpha1.EngineMySQL}), withCache(v1alpha1.Cache{})},
			want: want{rule: &netRule{cidrs: ranges, ports: []netPort{tcp(3306), tcp(6378)}}},
		},
		"Azure": {
			reason: "Azure Cache for Redis serves TLS on 6380.",
			p:      v1beta1.ProviderAzure, ranges: ranges, mods: []specMod{withCache(v1alpha1.Cache{})},
			want: want{rule: &netRule{cidrs: ranges, ports: []netPort{tcp(6380)}}},
		},
		"NoRanges": {
			reason: "Without the platform's ranges a strict policy cannot reach the database: the app is told, not left to time out.",
			p:      v1beta1.ProviderAWS, mods: []specMod{withDatabase(v1alpha1.Database{})},
			want: want{warnings: []string{"the app's network policy does not let it reach its database on aws: the platform sets no dataServices.egressCIDRs; ask the platform team"}},
		},
		"NoRangesOpenEgress": {
			reason: "A platform that opens egress to its own ranges (networkPolicy.egressCIDRs) needs no warning.",
			p:      v1beta1.ProviderAWS, in: []inputMod{withNetworkPolicy(v1beta1.NetworkPolicy{EgressCIDRs: []string{"10.0.0.0/8"}})},
			mods: []specMod{withDatabase(v1alpha1.Database{})},
		},
		"NoPolicy": {
			reason: "Without a network policy nothing blocks the app.",
			p:      v1beta1.ProviderAWS, in: []inputMod{withNetworkPolicy(v1beta1.NetworkPolicy{Flavor: v1beta1.NetworkPolicyNone})},
			mods: []specMod{withCache(v1alpha1.Cache{})},
		},
		"BucketOnly": {
			reason: "A bucket is reached at the cloud's HTTPS endpoint, not in the data-service ranges.",
			p:      v1beta1.ProviderAWS, ranges: ranges, mods: []specMod{withBucket(v1alpha1.Bucket{})},
		},
		"InCluster": {
			reason: "An in-cluster database is reached as pods, never as a range.",
			p:      v1beta1.ProviderInCluster, ranges: ranges, mods: []specMod{withDatabase(v1alpha1.Database{})},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s := testSettings(tc.p)
			s.EgressCIDRs = tc.ranges
			p, err := planDataServices(testApp(t, tc.in, tc.mods...), s, nil, func(string) bool { return false })
			if err != nil {
				t.Fatalf("planDataServices(): %v", err)
			}
			got := want{rule: p.egress().cloud, warnings: p.warnings}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{}, netRule{}, netPort{})); diff != "" {
				t.Errorf("\n%s\nplanDataServices(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
