package fn

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
)

// dataAliases are the names an app gives one data service's variables (`database.env`), and where
// they are declared.
type dataAliases struct {
	path  *field.Path
	names map[string]string
}

func aliasesOf(kind string, names map[string]string) dataAliases {
	return dataAliases{path: field.NewPath("spec", kind, "env"), names: names}
}

// validateDataEnv checks the names an app gives its data services' variables: valid, and each given
// once across all of them.
func validateDataEnv(spec *v1alpha1.XAppSpec) field.ErrorList {
	var errs field.ErrorList
	seen := map[string]string{}
	for _, d := range []dataAliases{dbAliases(spec), aliasesOf("cache", cacheEnv(spec)), aliasesOf("bucket", bucketEnv(spec))} {
		for _, k := range slices.Sorted(maps.Keys(d.names)) {
			v, p := d.names[k], d.path.Key(k)
			if msgs := validation.IsEnvVarName(v); len(msgs) > 0 {
				errs = append(errs, field.Invalid(p, v, strings.Join(msgs, "; ")))
			}
			if prev, dup := seen[v]; dup {
				errs = append(errs, field.Duplicate(p, fmt.Sprintf("%s (also %s)", v, prev)))
			}
			seen[v] = p.String()
		}
	}
	return errs
}

func dbAliases(spec *v1alpha1.XAppSpec) dataAliases {
	if spec.Database == nil {
		return aliasesOf("database", nil)
	}
	return aliasesOf("database", spec.Database.Env)
}

func cacheEnv(spec *v1alpha1.XAppSpec) map[string]string {
	if spec.Cache == nil {
		return nil
	}
	return spec.Cache.Env
}

func bucketEnv(spec *v1alpha1.XAppSpec) map[string]string {
	if spec.Bucket == nil {
		return nil
	}
	return spec.Bucket.Env
}

// aliasEnv gives the service's variables their second names, in the service's order, each as a
// reference Kubernetes expands ($(PGHOST)): the function never sees the value, Secret or not.
func (d dataAliases) env(service []corev1.EnvVar) []corev1.EnvVar {
	if len(d.names) == 0 {
		return nil
	}
	var out []corev1.EnvVar
	for _, e := range service {
		if alias, ok := d.names[e.Name]; ok {
			out = append(out, valueEnv(alias, "$("+e.Name+")"))
		}
	}
	return out
}

// unknown refuses a name for a variable the service does not give, listing those it does: which
// they are depends on the engine and the cloud, so only the plan knows.
func (d dataAliases) unknown(service []corev1.EnvVar) field.ErrorList {
	var errs field.ErrorList
	for _, k := range slices.Sorted(maps.Keys(d.names)) {
		if !slices.ContainsFunc(service, func(e corev1.EnvVar) bool { return e.Name == k }) {
			errs = append(errs, field.Invalid(d.path.Key(k), k, "not a variable this data service gives; it gives "+envNames(service)))
		}
	}
	return errs
}

// envErrors are the plan's refused names, and every variable of the app or an init container that
// would clash with one the data services set: two entries of one name cannot both be applied.
func (p *dataPlan) envErrors(a *app) field.ErrorList {
	if p == nil {
		return nil
	}
	errs := p.errs
	check := func(path *field.Path, vars []v1alpha1.EnvVar) {
		for i, e := range vars {
			if slices.Contains(p.names, e.Name) {
				errs = append(errs, field.Invalid(path.Index(i).Child("name"), e.Name,
					"a data service of the app sets it; use another name, or give the service's variable another name with its env"))
			}
		}
	}
	check(field.NewPath("spec", "env"), a.spec.Env)
	for i, c := range a.spec.InitContainers {
		check(field.NewPath("spec", "initContainers").Index(i).Child("env"), c.Env)
	}
	return errs
}
