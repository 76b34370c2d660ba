package fn

import (
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
	"github.com/xapp-dev/xapp/input/v1beta1"
)

// Azure data services: a PostgreSQL Flexible Server with its database, an Azure Cache for Redis, a
// Storage Account with one private Container, and a user-assigned identity federated with the app's
// ServiceAccount that may use only that container.
var azureCloud = cloud{
	provider: v1beta1.ProviderAzure,
	where:    "on azure",
	// Flexible Server SKUs (burstable, general purpose, memory optimised); Redis cache SKUs.
	sizes: map[v1alpha1.Size]v1beta1.SizeClass{
		v1alpha1.SizeSmall:  {Database: "B_Standard_B1ms", Cache: "Standard_C1"},
		v1alpha1.SizeMedium: {Database: "GP_Standard_D2ds_v5", Cache: "Standard_C3"},
		v1alpha1.SizeLarge:  {Database: "MO_Standard_E4ds_v5", Cache: "Premium_P1"},
	},
	// PostgreSQL only: Azure's MySQL Flexible Server cannot generate its administrator password,
	// and the function never handles one.
	engines: []v1alpha1.Engine{v1alpha1.EnginePostgres},
	settings: func(s *v1beta1.DataServices, p *field.Path) field.ErrorList {
		w := ptrOr(s.Azure)
		return required(p.Child("azure"), "subscriptionID", w.SubscriptionID, "resourceGroup", w.ResourceGroup,
			"location", w.Location, "oidcIssuer", w.OIDCIssuer)
	},
	database: azureDatabase, cache: azureCache, bucket: azureBucket, identity: azureIdentity,
}

const (
	azurePostgres        = "dbforpostgresql.azure.m.upbound.io/v1beta1"
	azureCacheAPI        = "cache.azure.m.upbound.io/v1beta1"
	azureStorage         = "storage.azure.m.upbound.io/v1beta1"
	azureManagedIdentity = "managedidentity.azure.m.upbound.io/v1beta1"
	azureAuthz           = "authorization.azure.m.upbound.io/v1beta1"

	// Azure Workload Identity: the ServiceAccount names the identity, the pods opt in.
	annotationAzureClientID = "azure.workload.identity/client-id"
	labelAzureUse           = "azure.workload.identity/use"
)

// ResourceIdentityStorage is the Azure role assignment of the app's identity on its container.
const ResourceIdentityStorage = "identity-storage"

type flexibleServer struct {
	Location                       string         `json:"location"`
	ResourceGroupName              string         `json:"resourceGroupName"`
	Version                        string         `json:"version"`
	SkuName                        string         `json:"skuName"`
	StorageMb                      int64          `json:"storageMb"`
	BackupRetentionDays            int32          `json:"backupRetentionDays"`
	HighAvailability               *flexibleHA    `json:"highAvailability,omitempty"`
	AdministratorLogin             string         `json:"administratorLogin"`
	AutoGeneratePassword           bool           `json:"autoGeneratePassword"`
	AdministratorPasswordSecretRef *secretKeyRef  `json:"administratorPasswordSecretRef"`
	Authentication                 *flexibleAuthn `json:"authentication"`
	DelegatedSubnetID              string         `json:"delegatedSubnetId,omitempty"`
	PrivateDNSZoneID               string         `json:"privateDnsZoneId,omitempty"`
	PublicNetworkAccessEnabled     bool           `json:"publicNetworkAccessEnabled"`
}

type flexibleHA struct {
	Mode string `json:"mode"`
}

type flexibleAuthn struct {
	PasswordAuthEnabled        bool `json:"passwordAuthEnabled"`
	ActiveDirectoryAuthEnabled bool `json:"activeDirectoryAuthEnabled"`
}

type flexibleDatabase struct {
	ServerIDRef *localRef `json:"serverIdRef"`
	Charset     string    `json:"charset"`
	Collation   string    `json:"collation"`
}

// azureStorageMb are the storage sizes a Flexible Server accepts; a request is rounded up.
var azureStorageMb = []int64{32768, 65536, 131072, 262144, 524288, 1048576, 2097152, 4193280, 4194304, 8388608, 16777216, 33553408}

func azureDatabase(c *dataContext) *dataService {
	a, d, w := c.a, c.a.spec.Database, c.s.Azure
	name, id := a.name+"-db", c.cloudName("db", 63)
	password := name + "-password"
	mb := storageGi(d) * 1024
	for _, s := range azureStorageMb {
		if s >= mb {
			mb = s
			break
		}
	}
	// Azure always keeps backups, 7 to 35 days.
	days := max(backupDays(d), 7)
	fp := &flexibleServer{
		Location:                       w.Location,
		ResourceGroupName:              w.ResourceGroup,
		Version:                        strings.SplitN(databaseVersion(d), ".", 2)[0],
		SkuName:                        c.sizeClass(d.Size).Database,
		StorageMb:                      mb,
		BackupRetentionDays:            days,
		AdministratorLogin:             sqlName(a.name),
		AutoGeneratePassword:           true,
		AdministratorPasswordSecretRef: &secretKeyRef{Name: password, Key: "password"},
		Authentication:                 &flexibleAuthn{PasswordAuthEnabled: true},
		DelegatedSubnetID:              w.DelegatedSubnetID,
		PrivateDNSZoneID:               w.PrivateDNSZoneID,
	}
	if d.HighAvailability {
		fp.HighAvailability = &flexibleHA{Mode: "ZoneRedundant"}
	}
	server := c.mr(azurePostgres, "FlexibleServer", name, id, fp)
	db := c.mr(azurePostgres, "FlexibleServerDatabase", name, sqlName(a.name), &flexibleDatabase{
		ServerIDRef: &localRef{Name: name}, Charset: "UTF8", Collation: "en_US.utf8",
	})
	// The provider writes no usable connection details for a Flexible Server (provider-upjet-azure
	// config/namespaced/dbforpostgresql/config.go adds none), but its host name follows from its
	// name, and the password it generates lands in the Secret of administratorPasswordSecretRef.
	host := id + ".postgres.database.azure.com"
	return &dataService{
		objects: []object{c.mrObject(ResourceDatabase, server), c.mrObject(ResourceDatabaseSchema, db)},
		usageOf: typedRef{azurePostgres, "FlexibleServer", name},
		env: databaseEnv(v1alpha1.EnginePostgres, valueEnv("", host), valueEnv("", "5432"), valueEnv("", sqlName(a.name)),
			secretEnv("", password, "password"), sqlName(a.name), "sslmode=require"),
		secrets: []string{password},
		status:  v1alpha1.DataServiceStatus{Name: id, Endpoint: host, SecretName: password},
		port:    enginePorts[v1alpha1.EnginePostgres],
	}
}

type redisCache struct {
	Location                   string `json:"location"`
	ResourceGroupName          string `json:"resourceGroupName"`
	SkuName                    string `json:"skuName"`
	Family                     string `json:"family"`
	Capacity                   int64  `json:"capacity"`
	RedisVersion               string `json:"redisVersion"`
	MinimumTLSVersion          string `json:"minimumTlsVersion"`
	NonSSLPortEnabled          bool   `json:"nonSslPortEnabled"`
	PublicNetworkAccessEnabled bool   `json:"publicNetworkAccessEnabled"`
}

// azureCacheKeyPassword: upjet writes every sensitive Terraform attribute to the connection Secret
// as `attribute.<name>`; azurerm_redis_cache's primary_access_key is one.
const (
	azureCacheKeyPassword = "attribute.primary_access_key"
	// azureCacheTLSPort is where Azure Cache for Redis serves TLS; its plain port stays disabled.
	azureCacheTLSPort = 6380
)

// azureCacheClass reads `<sku>_<family><capacity>`, e.g. Standard_C1; anything else is the
// smallest Standard cache.
func azureCacheClass(s string) (sku, family string, capacity int64) {
	sku, rest, ok := strings.Cut(s, "_")
	if ok && len(rest) >= 2 {
		if n, err := strconv.ParseInt(rest[1:], 10, 64); err == nil {
			return sku, rest[:1], n
		}
	}
	return "Standard", "C", 1
}

func azureCache(c *dataContext) *dataService {
	a, ch, w := c.a, c.a.spec.Cache, c.s.Azure
	name, id := a.name+"-cache", c.cloudName("cache", 63)
	conn := name + "-conn"
	sku, family, capacity := azureCacheClass(c.sizeClass(ch.Size).Cache)
	m := c.mr(azureCacheAPI, "RedisCache", name, id, &redisCache{
		Location: w.Location, ResourceGroupName: w.ResourceGroup, SkuName: sku, Family: family, Capacity: capacity,
		RedisVersion: "6", MinimumTLSVersion: "1.2",
	})
	m.Spec.WriteConnectionSecretToRef = &localRef{Name: conn}
	host := id + ".redis.cache.windows.net"
	return &dataService{
		objects: []object{c.mrObject(ResourceCache, m)},
		usageOf: typedRef{azureCacheAPI, "RedisCache", name},
		env:     redisEnv(valueEnv("", host), valueEnv("", strconv.Itoa(azureCacheTLSPort)), secretEnv("", conn, azureCacheKeyPassword)),
		secrets: []string{conn},
		status:  v1alpha1.DataServiceStatus{Name: id, Endpoint: host + ":" + strconv.Itoa(azureCacheTLSPort), SecretName: conn},
		port:    azureCacheTLSPort,
	}
}

type storageAccount struct {
	Location                     string             `json:"location"`
	ResourceGroupName            string             `json:"resourceGroupName"`
	AccountKind                  string             `json:"accountKind"`
	AccountTier                  string             `json:"accountTier"`
	AccountReplicationType       string             `json:"accountReplicationType"`
	MinTLSVersion                string             `json:"minTlsVersion"`
	HTTPSTrafficOnlyEnabled      bool               `json:"httpsTrafficOnlyEnabled"`
	AllowNestedItemsToBePublic   bool               `json:"allowNestedItemsToBePublic"`
	SharedAccessKeyEnabled       bool               `json:"sharedAccessKeyEnabled"`
	DefaultToOauthAuthentication bool               `json:"defaultToOauthAuthentication"`
	BlobProperties               *storageBlobConfig `json:"blobProperties,omitempty"`
}

type storageBlobConfig struct {
	VersioningEnabled bool `json:"versioningEnabled"`
}

type storageContainer struct {
	StorageAccountIDRef *localRef `json:"storageAccountIdRef"`
	ContainerAccessType string    `json:"containerAccessType"`
}

// azureAccount is the app's storage account name: 3-24 lowercase letters and digits, unique in Azure.
func (c *dataContext) azureAccount() string { return c.alnumName(24) }

func azureBucket(c *dataContext) *dataService {
	a, b, w := c.a, c.a.spec.Bucket, c.s.Azure
	name, account := a.name+"-bucket", c.azureAccount()
	access := "private"
	if b.Public {
		access = "blob"
	}
	// No shared keys: only identities with a role on the container get in.
	acct := c.mr(azureStorage, "Account", name, account, &storageAccount{
		Location: w.Location, ResourceGroupName: w.ResourceGroup, AccountKind: "StorageV2", AccountTier: "Standard",
		AccountReplicationType: "ZRS", MinTLSVersion: "TLS1_2", HTTPSTrafficOnlyEnabled: true,
		AllowNestedItemsToBePublic: b.Public, DefaultToOauthAuthentication: true,
		BlobProperties: &storageBlobConfig{VersioningEnabled: b.Versioning},
	})
	container := c.mr(azureStorage, "Container", name, a.name, &storageContainer{
		StorageAccountIDRef: &localRef{Name: name}, ContainerAccessType: access,
	})
	endpoint := "https://" + account + ".blob.core.windows.net/" + a.name
	return &dataService{
		objects: []object{c.mrObject(ResourceBucket, acct), c.mrObject(ResourceBucketContainer, container)},
		usageOf: typedRef{azureStorage, "Account", name},
		env: []corev1.EnvVar{valueEnv("BUCKET_NAME", a.name), valueEnv("AZURE_STORAGE_ACCOUNT", account),
			valueEnv("BUCKET_ENDPOINT", endpoint)},
		status: v1alpha1.DataServiceStatus{Name: account + "/" + a.name, Endpoint: endpoint},
	}
}

type userAssignedIdentity struct {
	Name              string `json:"name"`
	Location          string `json:"location"`
	ResourceGroupName string `json:"resourceGroupName"`
}

type federatedCredential struct {
	ParentIDRef       *localRef `json:"parentIdRef"`
	ResourceGroupName string    `json:"resourceGroupName"`
	Audience          []string  `json:"audience"`
	Issuer            string    `json:"issuer"`
	Subject           string    `json:"subject"`
}

type roleAssignment struct {
	Scope              string `json:"scope"`
	RoleDefinitionName string `json:"roleDefinitionName"`
	PrincipalID        string `json:"principalId"`
	PrincipalType      string `json:"principalType"`
}

func azureIdentity(c *dataContext) *workloadIdentity {
	a, w := c.a, c.s.Azure
	if a.spec.Bucket == nil {
		return nil
	}
	uai := c.mr(azureManagedIdentity, "UserAssignedIdentity", a.name, "", &userAssignedIdentity{
		Name: c.cloudName("", 128), Location: w.Location, ResourceGroupName: w.ResourceGroup,
	})
	fic := c.mr(azureManagedIdentity, "FederatedIdentityCredential", a.name, "kubernetes", &federatedCredential{
		ParentIDRef: &localRef{Name: a.name}, ResourceGroupName: w.ResourceGroup,
		Audience: []string{"api://AzureADTokenExchange"}, Issuer: w.OIDCIssuer,
		Subject: "system:serviceaccount:" + a.namespace + ":" + a.name,
	})
	id := &workloadIdentity{
		objects:   []object{c.mrObject(ResourceIdentity, uai), c.mrObject(ResourceIdentityBinding, fic)},
		podLabels: map[string]string{labelAzureUse: "true"},
	}
	// The role assignment and the ServiceAccount's annotation need the identity's ids, which Azure
	// assigns: they follow once the identity is observed.
	var obs struct {
		ClientID    string `json:"clientId"`
		PrincipalID string `json:"principalId"`
	}
	atProvider(c.obs(ResourceIdentity), &obs)
	if obs.ClientID != "" {
		id.saAnnotations = map[string]string{annotationAzureClientID: obs.ClientID}
	}
	if obs.PrincipalID != "" {
		scope := "/subscriptions/" + w.SubscriptionID + "/resourceGroups/" + w.ResourceGroup +
			"/providers/Microsoft.Storage/storageAccounts/" + c.azureAccount() + "/blobServices/default/containers/" + a.name
		ra := c.mr(azureAuthz, "RoleAssignment", a.name+"-bucket", "", &roleAssignment{
			Scope: scope, RoleDefinitionName: "Storage Blob Data Contributor", PrincipalID: obs.PrincipalID, PrincipalType: "ServicePrincipal",
		})
		id.objects = append(id.objects, c.mrObject(ResourceIdentityStorage, ra))
	}
	return id
}
