package fn

import (
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/xapp-dev/xapp/input/v1beta1"
)

// policy applies the platform's rules to a valid app. A broken rule is an error naming the field and
// the rule; a risky choice the platform allows is a warning the developer sees as an event.
func policy(a *app) (warnings []string, errs field.ErrorList) {
	w, e := imagePolicy(a.in.Images, field.NewPath("spec", "image"), a.spec.Image, a.image)
	warnings, errs = append(warnings, w...), append(errs, e...)

	w, e = workloadPolicy(a)
	warnings, errs = append(warnings, w...), append(errs, e...)

	sp := field.NewPath("spec")
	w, e = routePolicy(a)
	warnings, errs = append(warnings, w...), append(errs, e...)
	if mc := a.spec.MultiCluster; mc != nil && (mc.Global || mc.Affinity != "") && a.multiClusterMechanism() == v1beta1.MultiClusterNone {
		errs = append(errs, field.Forbidden(sp.Child("multiCluster"), "the platform has no multi-cluster mechanism configured"))
	}
	switch {
	case a.spec.CMDB != nil && a.in.CMDB == nil:
		errs = append(errs, field.Forbidden(sp.Child("cmdb"), "the platform has no CMDB configured to register apps in"))
	case a.spec.CMDB == nil && a.in.CMDB != nil && a.in.CMDB.Required:
		errs = append(errs, field.Required(sp.Child("cmdb"), "the platform requires every app to be registered in the CMDB with its owner team"))
	}
	warnings = append(warnings, monitoringWarnings(a)...)
	for _, p := range a.spec.Ports {
		if exposed(p) && a.spec.Route == nil && routable(p) {
			warnings = append(warnings, fmt.Sprintf("spec.ports: port %s is exposed but the app has no route, so the gateway sends it no traffic", p.Name))
			break
		}
	}
	return warnings, errs
}

// workloadPolicy applies the platform's rules to the workload's optional parts, each only when the
// app uses it: policy runs on every reconcile of every app, and most use few of them.
func workloadPolicy(a *app) (warnings []string, errs field.ErrorList) {
	s := &a.spec
	if len(s.Egress) > 0 {
		warnings, errs = egressPolicy(a)
	}
	if s.Resources != nil {
		errs = append(errs, resourcesPolicy(a, field.NewPath("spec", "resources"), s.Resources)...)
	}
	if s.Security != nil {
		errs = append(errs, securityPolicy(a, field.NewPath("spec", "security"), s.Security)...)
	}
	if len(s.InitContainers)+len(s.Sidecars) > 0 {
		w, e := containersPolicy(a)
		warnings, errs = append(warnings, w...), append(errs, e...)
	}
	if s.Autoscaling != nil {
		errs = append(errs, scalingPolicy(a)...)
	}
	if usesStore(s) {
		errs = append(errs, storePolicy(a)...)
	}
	errs = append(errs, loadBalancerPolicy(a)...)
	errs = append(errs, podMetadataPolicy(a)...)
	errs = append(errs, accountsPolicy(a)...)
	errs = append(errs, volumesPolicy(a)...)
	return warnings, errs
}

// imagePolicy checks where an image comes from and how exactly it names what runs. A moving tag means
// nobody can tell which code runs, and a rollback may not roll back.
func imagePolicy(p *v1beta1.ImagePolicy, ip *field.Path, image string, ref name.Reference) (warnings []string, errs field.ErrorList) {
	if p == nil {
		p = &v1beta1.ImagePolicy{}
	}
	if len(p.AllowedRegistries) > 0 && !registryAllowed(ref, p.AllowedRegistries) {
		errs = append(errs, field.Forbidden(ip, fmt.Sprintf("%s is not from a registry the platform allows (%s)",
			ref.Context().Name(), strings.Join(p.AllowedRegistries, ", "))))
	}
	_, digested := ref.(name.Digest)
	floating := !digested && (!hasExplicitTag(image) || ref.Identifier() == "latest")
	switch p.Pinning {
	case v1beta1.PinningDigest:
		if !digested {
			errs = append(errs, field.Forbidden(ip, "the platform requires an image pinned by digest (image@sha256:…)"))
		}
	case v1beta1.PinningTag:
		if floating {
			errs = append(errs, field.Forbidden(ip, "the platform requires a version tag other than latest, or a digest"))
		}
	default:
		if floating {
			warnings = append(warnings, fmt.Sprintf("%s: %s has no version tag or uses latest: the running version is unknown and rollbacks may not roll back", ip, image))
		}
	}
	return warnings, errs
}

// hasExplicitTag tells `shop:1.2` from `shop`, which go-containerregistry reads as `shop:latest`.
func hasExplicitTag(image string) bool {
	last := image[strings.LastIndex(image, "/")+1:]
	return strings.Contains(last, ":") || strings.Contains(last, "@")
}

// registryAllowed matches a registry host (`ghcr.io`) or a repository prefix (`ghcr.io/acme`) on path
// segments, so `ghcr.io/acme` does not allow `ghcr.io/acme-evil`. Entries are parsed like images, so
// `docker.io` and `index.docker.io` are the same registry.
func registryAllowed(ref name.Reference, allowed []string) bool {
	repo := ref.Context()
	for _, a := range allowed {
		a = strings.TrimSuffix(a, "/")
		if !strings.Contains(a, "/") {
			if r, err := name.NewRegistry(a); err == nil && r.RegistryStr() == repo.RegistryStr() {
				return true
			}
			continue
		}
		host, prefix, _ := strings.Cut(a, "/")
		r, err := name.NewRegistry(host)
		if err != nil || r.RegistryStr() != repo.RegistryStr() {
			continue
		}
		if p := repo.RepositoryStr(); p == prefix || strings.HasPrefix(p, prefix+"/") {
			return true
		}
	}
	return false
}

// domainAllowed matches a host against domains on label boundaries: `shop.apps.acme.com` is under
// `acme.com`, `shop.notacme.com` is not.
func domainAllowed(host string, domains []string) bool {
	if len(domains) == 0 {
		return true
	}
	for _, d := range domains {
		d = strings.TrimPrefix(d, ".")
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}

// allowedDomains are the domains route hosts must be under: the platform's list, else its default
// domain, so that one team cannot claim another's host just because the platform left the list
// empty. Nil (any host) on a platform with neither, and where an XAppPolicy governs the app.
func (a *app) allowedDomains() []string {
	if a.governed {
		return nil
	}
	if len(a.in.AllowedDomains) > 0 || a.in.Domain == "" {
		return a.in.AllowedDomains
	}
	return []string{a.in.Domain}
}

// monitoringWarnings tell a developer what of their metrics and SLO the platform cannot act on.
func monitoringWarnings(a *app) []string {
	m := a.in.Monitoring
	var w []string
	switch {
	case a.spec.Metrics != nil && m == nil:
		w = append(w, "spec.metrics: the platform has no monitoring configured: nothing scrapes the app's metrics")
	case a.spec.Metrics != nil && m.Prometheus == nil && a.networkPolicyFlavor() != v1beta1.NetworkPolicyNone:
		w = append(w, "spec.metrics: the platform does not say where its Prometheus runs, so the app's network policy keeps it from scraping the metrics port")
	}
	if slo := a.spec.SLO; slo != nil {
		if m == nil || m.SLI == nil || m.SLI.Errors == "" {
			w = append(w, "spec.slo.availability: the platform defines no error SLI: the objective raises no alerts")
		}
		if slo.Latency != nil && (m == nil || m.SLI == nil || m.SLI.Slow == "") {
			w = append(w, "spec.slo.latency: the platform defines no latency SLI: the objective raises no alerts")
		}
	}
	return w
}
