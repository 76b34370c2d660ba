package fn

import (
	"net/netip"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
	"github.com/xapp-dev/xapp/input/v1beta1"
)

// Effective settings of the app's data services: the platform's, with defaults filled in. What a
// cloud needs of them is in its own table (dataservices_<cloud>.go).

// Defaults of data services.
const (
	defaultNamePrefix      = "xapp"
	defaultStorageGi       = 20
	defaultBackupDays      = int32(7)
	defaultProviderConfig  = "default"
	defaultPCKind          = "ClusterProviderConfig"
	annotationExternalName = "crossplane.io/external-name"
)

// enginePorts are where each database engine listens on every cloud.
var enginePorts = map[v1alpha1.Engine]int32{v1alpha1.EnginePostgres: 5432, v1alpha1.EngineMySQL: 3306}

// defaultVersions of database engines.
var defaultVersions = map[v1alpha1.Engine]string{v1alpha1.EnginePostgres: "16", v1alpha1.EngineMySQL: "8.0"}

const errDataSettings = "the platform's data service settings are incomplete"

// checkDataSettings reports what the platform must set before apps get data services. Settings
// from an EnvironmentConfig skip the Input's schema, so this checks what the schema would.
func checkDataSettings(s *v1beta1.DataServices) field.ErrorList {
	var errs field.ErrorList
	p := field.NewPath("dataServices")
	if s.NamePrefix != "" && (!isDNSLabel(s.NamePrefix) || s.NamePrefix[0] < 'a' || s.NamePrefix[0] > 'z' || len(s.NamePrefix) > 20) {
		errs = append(errs, field.Invalid(p.Child("namePrefix"), s.NamePrefix, "must be at most 20 lowercase letters, digits and hyphens, starting with a letter and ending with a letter or digit"))
	}
	for i, c := range s.EgressCIDRs {
		if pf, err := netip.ParsePrefix(c); err != nil || pf.Masked() != pf {
			errs = append(errs, field.Invalid(p.Child("egressCIDRs").Index(i), c, "must be a CIDR with no bits set beyond its prefix length, such as 10.40.0.0/20"))
		}
	}
	if s.Provider == "" {
		// Reported by dataPolicy on the developer's field.
		return errs
	}
	cl := cloudFor(s.Provider)
	if cl == nil {
		return append(errs, field.NotSupported(p.Child("provider"), s.Provider, cloudNames()))
	}
	if cl.settings != nil {
		errs = append(errs, cl.settings(s, p)...)
	}
	return errs
}

// required reports each of the named settings under p that is empty: pairs of a field name and its
// value.
func required(p *field.Path, nameValues ...string) field.ErrorList {
	var errs field.ErrorList
	for i := 0; i+1 < len(nameValues); i += 2 {
		if nameValues[i+1] == "" {
			errs = append(errs, field.Required(p.Child(nameValues[i]), "set it in the function's Input or the EnvironmentConfig"))
		}
	}
	return errs
}

func (c *dataContext) sizeClass(size v1alpha1.Size) v1beta1.SizeClass {
	if size == "" {
		size = v1alpha1.SizeSmall
	}
	sc := c.cloud.sizes[size]
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

func (c *dataContext) prefix() string {
	if c.s.NamePrefix != "" {
		return c.s.NamePrefix
	}
	return defaultNamePrefix
}

func ptrOr[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}
