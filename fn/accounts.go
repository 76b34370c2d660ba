package fn

import (
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// validateAccounts checks the names of the pull secrets and the ServiceAccount an app names.
func validateAccounts(p *field.Path, pullSecrets []string, serviceAccount string) field.ErrorList {
	var errs field.ErrorList
	for i, s := range pullSecrets {
		if msgs := validation.IsDNS1123Subdomain(s); len(msgs) > 0 {
			errs = append(errs, field.Invalid(p.Child("imagePullSecrets").Index(i), s, strings.Join(msgs, "; ")))
		}
	}
	if serviceAccount != "" {
		if msgs := validation.IsDNS1123Subdomain(serviceAccount); len(msgs) > 0 {
			errs = append(errs, field.Invalid(p.Child("serviceAccountName"), serviceAccount, strings.Join(msgs, "; ")))
		}
	}
	return errs
}

// accountsPolicy allows an existing ServiceAccount only where the platform does, and never for an
// app with data services: their cloud identity is bound by annotating the app's own ServiceAccount,
// which an existing one shared with others must not get.
func accountsPolicy(a *app) field.ErrorList {
	if a.spec.ServiceAccountName == "" {
		return nil
	}
	p := field.NewPath("spec", "serviceAccountName")
	switch {
	case a.in.ServiceAccount == nil || !a.in.ServiceAccount.AllowExisting:
		return field.ErrorList{field.Forbidden(p, "the platform gives every app a ServiceAccount of its own and does not allow naming another (Input serviceAccount.allowExisting)")}
	case hasDataServices(a):
		return field.ErrorList{field.Forbidden(p, "an app with a database, cache or bucket runs under its own ServiceAccount, which its cloud identity is bound to")}
	}
	return nil
}

// ownServiceAccount says whether the app gets a ServiceAccount of its own.
func (a *app) ownServiceAccount() bool { return a.spec.ServiceAccountName == "" }

// serviceAccountName is the identity the app's pods run as.
func (a *app) serviceAccountName() string {
	if a.ownServiceAccount() {
		return a.name
	}
	return a.spec.ServiceAccountName
}

// imagePullSecrets are the Secrets the platform names for the registries of the pod's images, then
// the app's own, each once, in that order.
func imagePullSecrets(a *app) []corev1.LocalObjectReference {
	var names []string
	if a.in.Images != nil && len(a.in.Images.PullSecrets) > 0 {
		images := a.images()
		for _, ps := range a.in.Images.PullSecrets {
			for _, ref := range images {
				if registryAllowed(ref, []string{ps.Registry}) && !slices.Contains(names, ps.Secret) {
					names = append(names, ps.Secret)
				}
			}
		}
	}
	for _, s := range a.spec.ImagePullSecrets {
		if !slices.Contains(names, s) {
			names = append(names, s)
		}
	}
	if len(names) == 0 {
		return nil
	}
	out := make([]corev1.LocalObjectReference, len(names))
	for i, n := range names {
		out[i] = corev1.LocalObjectReference{Name: n}
	}
	return out
}
