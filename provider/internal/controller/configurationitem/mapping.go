package configurationitem

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/xapp-dev/xapp/apis/cmdb/v1alpha1"
)

// Backend field names. ServiceNow really spells busines_criticality with one s.
const (
	snName        = "name"
	snDescription = "short_description"
	snTeam        = "support_group"
	snEnvironment = "environment"
	snCriticality = "busines_criticality"
	snInstall     = "install_status"
	snOperational = "operational_status"

	itName        = "name"
	itDescription = "description"
	itTeams       = "contacts_list"
	itCriticality = "business_criticity"
	itStatus      = "status"
)

var classes = map[v1alpha1.Backend]map[string]string{
	v1alpha1.BackendServiceNow: {v1alpha1.ClassApplication: "cmdb_ci_business_app", v1alpha1.ClassApplicationInstance: "cmdb_ci_appl"},
	v1alpha1.BackendITop:       {v1alpha1.ClassApplication: "ApplicationSolution", v1alpha1.ClassApplicationInstance: "ApplicationSolution"},
}

// BackendClass maps a portable class to the backend's; any other class is already one.
func BackendClass(b v1alpha1.Backend, class string) string {
	if c, ok := classes[b][class]; ok {
		return c
	}
	return class
}

var snCriticalities = map[v1alpha1.Criticality]string{
	v1alpha1.CriticalityCritical: "1 - most critical",
	v1alpha1.CriticalityHigh:     "2 - somewhat critical",
	v1alpha1.CriticalityMedium:   "3 - less critical",
	v1alpha1.CriticalityLow:      "4 - not critical",
}

// iTop has three levels; Critical and High both mean its highest.
var itCriticalities = map[v1alpha1.Criticality]string{
	v1alpha1.CriticalityCritical: "high",
	v1alpha1.CriticalityHigh:     "high",
	v1alpha1.CriticalityMedium:   "medium",
	v1alpha1.CriticalityLow:      "low",
}

// ServiceNow keeps lifecycle in two fields: install_status and operational_status.
var snLifecycles = map[v1alpha1.LifecycleStatus][2]string{
	v1alpha1.LifecycleOperational:    {"1", "1"},
	v1alpha1.LifecycleNonOperational: {"1", "2"},
	v1alpha1.LifecycleRetired:        {"7", "6"},
}

// iTop's ApplicationSolution is active or inactive; retired is inactive.
var itLifecycles = map[v1alpha1.LifecycleStatus]string{
	v1alpha1.LifecycleOperational:    "active",
	v1alpha1.LifecycleNonOperational: "inactive",
	v1alpha1.LifecycleRetired:        "inactive",
}

// ManagedFields are the backend fields read into status even when the user did not set
// them, so late initialisation and status show what the CMDB holds.
func ManagedFields(b v1alpha1.Backend) []string {
	if b == v1alpha1.BackendITop {
		return []string{itName, itDescription, itTeams, itCriticality, itStatus}
	}
	return []string{snName, snDescription, snTeam, snEnvironment, snCriticality, snInstall, snOperational}
}

// Desired returns the backend fields for the fields the user set, in the form they are
// compared with what the backend holds: the owner team by name, choices by stored code.
// Fields left empty are absent, so they are never enforced.
func Desired(b v1alpha1.Backend, p v1alpha1.ConfigurationItemParameters) map[string]string {
	d := map[string]string{}
	maps.Copy(d, p.Attributes)
	set := func(k string, v *string) {
		if v != nil {
			d[k] = *v
		}
	}
	switch b {
	case v1alpha1.BackendITop:
		d[itName] = p.Name
		set(itDescription, p.Description)
		set(itTeams, p.OwnerTeam)
		if p.Criticality != nil {
			d[itCriticality] = itCriticalities[*p.Criticality]
		}
		if p.LifecycleStatus != nil {
			d[itStatus] = itLifecycles[*p.LifecycleStatus]
		}
	default:
		d[snName] = p.Name
		set(snDescription, p.Description)
		set(snTeam, p.OwnerTeam)
		set(snEnvironment, p.Environment)
		if p.Criticality != nil {
			d[snCriticality] = snCriticalities[*p.Criticality]
		}
		if p.LifecycleStatus != nil {
			l := snLifecycles[*p.LifecycleStatus]
			d[snInstall], d[snOperational] = l[0], l[1]
		}
	}
	return d
}

// Diff lists the desired fields the backend holds differently, one "field: want x, got y"
// per line in field order; empty when the record is up to date.
func Diff(desired, observed map[string]string) string {
	var lines []string
	for _, k := range slices.Sorted(maps.Keys(desired)) {
		if observed[k] != desired[k] {
			lines = append(lines, fmt.Sprintf("%s: want %q, got %q", k, desired[k], observed[k]))
		}
	}
	return strings.Join(lines, "\n")
}

// Observation is status.atProvider for a record the backend holds with fields f.
func Observation(b v1alpha1.Backend, id, url, class string, f map[string]string) v1alpha1.ConfigurationItemObservation {
	o := v1alpha1.ConfigurationItemObservation{ID: id, URL: url, Class: class, Fields: f}
	switch b {
	case v1alpha1.BackendITop:
		o.Name, o.Description, o.OwnerTeam = f[itName], f[itDescription], f[itTeams]
		o.Criticality = reverse(itCriticalities, f[itCriticality], v1alpha1.CriticalityHigh)
		o.LifecycleStatus = reverse(itLifecycles, f[itStatus], v1alpha1.LifecycleNonOperational)
	default:
		o.Name, o.Description, o.OwnerTeam, o.Environment = f[snName], f[snDescription], f[snTeam], f[snEnvironment]
		o.Criticality = reverse(snCriticalities, f[snCriticality], "")
		for l, v := range snLifecycles {
			if v == [2]string{f[snInstall], f[snOperational]} {
				o.LifecycleStatus = string(l)
			}
		}
	}
	return o
}

// reverse maps a backend value back to the portable one, preferring pref when several
// portable values share it; a value with no portable meaning is shown as it is.
func reverse[K ~string](m map[K]string, v string, pref K) string {
	if v == "" {
		return ""
	}
	if m[pref] == v {
		return string(pref)
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if m[k] == v {
			return string(k)
		}
	}
	return v
}

// LateInitialize fills the optional fields the user left empty from what the backend holds
// and defaults the identity key. It only fills values that map back to a portable value, so
// the next poll does not see drift it created itself. It reports whether it changed p.
func LateInitialize(p *v1alpha1.ConfigurationItemParameters, o v1alpha1.ConfigurationItemObservation, identityKey string) bool {
	changed := false
	str := func(dst **string, v string) {
		if *dst == nil && v != "" {
			*dst = &v
			changed = true
		}
	}
	str(&p.IdentityKey, identityKey)
	str(&p.Description, o.Description)
	str(&p.OwnerTeam, o.OwnerTeam)
	str(&p.Environment, o.Environment)
	if c := v1alpha1.Criticality(o.Criticality); p.Criticality == nil && slices.Contains([]v1alpha1.Criticality{
		v1alpha1.CriticalityCritical, v1alpha1.CriticalityHigh, v1alpha1.CriticalityMedium, v1alpha1.CriticalityLow}, c) {
		p.Criticality = &c
		changed = true
	}
	if l := v1alpha1.LifecycleStatus(o.LifecycleStatus); p.LifecycleStatus == nil && slices.Contains([]v1alpha1.LifecycleStatus{
		v1alpha1.LifecycleOperational, v1alpha1.LifecycleNonOperational, v1alpha1.LifecycleRetired}, l) {
		p.LifecycleStatus = &l
		changed = true
	}
	return changed
}

// Retired reports whether the backend holds the record as retired, which is what deleting
// a ConfigurationItem in Retire mode leaves behind.
func Retired(b v1alpha1.Backend, f map[string]string) bool {
	if b == v1alpha1.BackendITop {
		return f[itStatus] == "inactive"
	}
	return f[snInstall] == "7"
}

// RetireFields are the fields that retire a record.
func RetireFields(b v1alpha1.Backend) map[string]string {
	if b == v1alpha1.BackendITop {
		return map[string]string{itStatus: "inactive"}
	}
	l := snLifecycles[v1alpha1.LifecycleRetired]
	return map[string]string{snInstall: l[0], snOperational: l[1]}
}

// IdentityKey is the stable key of a ConfigurationItem: the user's or <namespace>/<name>.
func IdentityKey(cr *v1alpha1.ConfigurationItem) string {
	if k := cr.Spec.ForProvider.IdentityKey; k != nil && *k != "" {
		return *k
	}
	return cr.GetNamespace() + "/" + cr.GetName()
}
