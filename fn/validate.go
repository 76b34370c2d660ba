package fn

import (
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
)

// Limits the XRD also enforces. The function checks them again because `crossplane composition
// render` and other pipelines skip the XRD's schema, and a bad value must never reach the cluster
// half-composed.
const (
	maxFilesBytes = 900 << 10 // A ConfigMap holds 1 MiB including its metadata.
	maxReplicas   = 100
	maxAutoscale  = 1000
)

// validate checks what the XRD's schema checks and what it cannot: references between fields (a
// probe's port), uniqueness (ports, file keys), and values derived from the app's name. It returns
// every problem at once, each with the field it is about.
func validate(appName, namespace string, spec *v1alpha1.XAppSpec) (name.Reference, field.ErrorList) {
	var errs field.ErrorList
	if msgs := validation.IsDNS1035Label(appName); len(msgs) > 0 {
		errs = append(errs, field.Invalid(field.NewPath("metadata", "name"), appName,
			"names the app's Service and so must be a DNS-1035 label: "+strings.Join(msgs, "; ")))
	}

	sp := field.NewPath("spec")
	ref, err := validateImage(sp.Child("image"), spec.Image)
	if err != nil {
		errs = append(errs, err)
	}

	errs = append(errs, validatePorts(sp.Child("ports"), spec.Ports)...)
	errs = append(errs, validateEnv(sp.Child("env"), spec.Env)...)
	errs = append(errs, validateFiles(sp.Child("files"), spec.Files)...)
	errs = append(errs, validateScaling(sp, spec)...)
	errs = append(errs, validateProbes(sp.Child("probes"), spec)...)
	errs = append(errs, validateRoute(sp.Child("route"), spec)...)
	errs = append(errs, validateGatewayRoutes(sp.Child("ports"), spec.Ports)...)
	errs = append(errs, validateDependsOn(sp.Child("dependsOn"), appName, namespace, spec.DependsOn)...)
	errs = append(errs, validateWorkload(sp, appName, spec)...)
	if c := spec.CMDB; c != nil {
		if strings.TrimSpace(c.OwnerTeam) == "" {
			errs = append(errs, field.Required(sp.Child("cmdb", "ownerTeam"), "the team that owns the app"))
		}
		switch c.Criticality {
		case "", "Critical", "High", "Medium", "Low":
		default:
			errs = append(errs, field.NotSupported(sp.Child("cmdb", "criticality"), c.Criticality, []string{"Critical", "High", "Medium", "Low"}))
		}
	}
	if mc := spec.MultiCluster; mc != nil && mc.Affinity != "" {
		switch mc.Affinity {
		case "local", "remote", "none":
		default:
			errs = append(errs, field.NotSupported(sp.Child("multiCluster", "affinity"), mc.Affinity, []string{"local", "remote", "none"}))
		}
	}
	return ref, errs
}

// validateWorkload checks the workload's optional parts. Most apps use few of them, so each is
// looked at, and its path made, only when set: validation runs on every reconcile of every app.
func validateWorkload(sp *field.Path, appName string, spec *v1alpha1.XAppSpec) field.ErrorList {
	var errs field.ErrorList
	if len(spec.Egress) > 0 {
		errs = append(errs, validateEgress(sp.Child("egress"), spec.Egress)...)
	}
	if spec.Resources != nil {
		errs = append(errs, validateResources(sp.Child("resources"), spec.Resources)...)
	}
	if spec.PodMetadata != nil {
		errs = append(errs, validatePodMetadata(sp.Child("podMetadata"), spec.PodMetadata)...)
	}
	if spec.Security != nil {
		errs = append(errs, validateSecurity(sp.Child("security"), spec.Security)...)
	}
	errs = append(errs, validateAccounts(sp, spec.ImagePullSecrets, spec.ServiceAccountName)...)
	if len(spec.Volumes) > 0 {
		errs = append(errs, validateVolumes(sp, spec)...)
	}
	if len(spec.InitContainers)+len(spec.Sidecars) > 0 {
		errs = append(errs, validateContainers(appName, spec)...)
	}
	if spec.Database != nil || spec.Cache != nil || spec.Bucket != nil {
		errs = append(errs, validateDataEnv(spec)...)
	}
	if usesStore(spec) {
		errs = append(errs, validateStoreRefs(spec)...)
	}
	if spec.Job != nil {
		errs = append(errs, validateJob(sp, appName, spec)...)
	}
	return errs
}

// validateImage parses an image reference, or says why it cannot.
func validateImage(p *field.Path, image string) (name.Reference, *field.Error) {
	if image == "" {
		return nil, field.Required(p, "the image to run")
	}
	ref, err := parseImage(image)
	if err != nil {
		return nil, field.Invalid(p, image, "not an image reference: "+err.Error())
	}
	return ref, nil
}

// parseImage parses a tag or digest reference. name.ParseReference would try both and report only
// "could not parse reference"; asking for the form the string has keeps the parser's real reason.
func parseImage(image string) (name.Reference, error) {
	if strings.Contains(image, "@") {
		return name.NewDigest(image)
	}
	return name.NewTag(image)
}

func validateEnv(p *field.Path, env []v1alpha1.EnvVar) field.ErrorList {
	var errs field.ErrorList
	seen := make(map[string]int, len(env))
	for i, e := range env {
		ep := p.Index(i)
		if msgs := validation.IsEnvVarName(e.Name); len(msgs) > 0 {
			errs = append(errs, field.Invalid(ep.Child("name"), e.Name, strings.Join(msgs, "; ")))
		}
		if j, dup := seen[e.Name]; dup {
			errs = append(errs, field.Duplicate(ep.Child("name"), fmt.Sprintf("%s (also %s)", e.Name, p.Index(j))))
		}
		seen[e.Name] = i
		sources := 0
		for _, set := range []bool{e.Value != "", e.SecretKeyRef != nil, e.ConfigMapKeyRef != nil, e.StoreKeyRef != nil} {
			if set {
				sources++
			}
		}
		if sources > 1 {
			errs = append(errs, field.Invalid(ep, e.Name, "set at most one of value, secretKeyRef, configMapKeyRef and storeKeyRef"))
		}
		// Paths only for the references set: this runs for every variable on every reconcile.
		if e.SecretKeyRef != nil {
			errs = append(errs, validateKeyRef(ep.Child("secretKeyRef"), e.SecretKeyRef)...)
		}
		if e.ConfigMapKeyRef != nil {
			errs = append(errs, validateKeyRef(ep.Child("configMapKeyRef"), e.ConfigMapKeyRef)...)
		}
	}
	return errs
}

func validateKeyRef(p *field.Path, r *v1alpha1.KeyRef) field.ErrorList {
	if r == nil {
		return nil
	}
	var errs field.ErrorList
	if msgs := validation.IsDNS1123Subdomain(r.Name); len(msgs) > 0 {
		errs = append(errs, field.Invalid(p.Child("name"), r.Name, strings.Join(msgs, "; ")))
	}
	if msgs := validation.IsConfigMapKey(r.Key); len(msgs) > 0 {
		errs = append(errs, field.Invalid(p.Child("key"), r.Key, strings.Join(msgs, "; ")))
	}
	return errs
}

func validateFiles(p *field.Path, files []v1alpha1.File) field.ErrorList {
	var errs field.ErrorList
	keys := make(map[string]int, len(files))
	total := 0
	for i, f := range files {
		fp := p.Index(i).Child("path")
		switch {
		case !strings.HasPrefix(f.Path, "/") || strings.HasSuffix(f.Path, "/"):
			errs = append(errs, field.Invalid(fp, f.Path, "must be an absolute path to a file"))
		case strings.Contains(f.Path, "/../") || strings.HasSuffix(f.Path, "/..") || strings.ContainsRune(f.Path, 0):
			errs = append(errs, field.Invalid(fp, f.Path, "must not contain '..' or NUL"))
		case f.Path == "/tmp" || strings.HasPrefix(f.Path, "/tmp/"):
			errs = append(errs, field.Invalid(fp, f.Path, "/tmp is the app's writable scratch space; mount files elsewhere"))
		}
		k := fileKey(f.Path)
		if j, dup := keys[k]; dup {
			errs = append(errs, field.Duplicate(fp, fmt.Sprintf("%s (same ConfigMap key %q as spec.files[%d].path)", f.Path, k, j)))
		}
		keys[k] = i
		total += len(f.Content)
	}
	if total > maxFilesBytes {
		errs = append(errs, field.TooLong(p, total, maxFilesBytes))
	}
	return errs
}

func validateScaling(sp *field.Path, spec *v1alpha1.XAppSpec) field.ErrorList {
	var errs field.ErrorList
	if r := spec.Replicas; r != nil && (*r < 0 || *r > maxReplicas) {
		errs = append(errs, field.Invalid(sp.Child("replicas"), *r, fmt.Sprintf("must be between 0 and %d", maxReplicas)))
	}
	as := spec.Autoscaling
	if as == nil {
		return errs
	}
	ap := sp.Child("autoscaling")
	if spec.Replicas != nil {
		errs = append(errs, field.Forbidden(sp.Child("replicas"), "set either replicas or autoscaling, not both: the autoscaler owns the replica count"))
	}
	if as.Min < 0 || as.Min > maxAutoscale {
		errs = append(errs, field.Invalid(ap.Child("min"), as.Min, fmt.Sprintf("must be between 0 and %d", maxAutoscale)))
	}
	if as.Max < as.Min || as.Max > maxAutoscale {
		errs = append(errs, field.Invalid(ap.Child("max"), as.Max, fmt.Sprintf("must be between min (%d) and %d", as.Min, maxAutoscale)))
	}
	for _, t := range []struct {
		field string
		value *int32
	}{{"targetCPUUtilization", as.TargetCPUUtilization}, {"targetMemoryUtilization", as.TargetMemoryUtilization}} {
		if t.value != nil && (*t.value < 1 || *t.value > 100) {
			errs = append(errs, field.Invalid(ap.Child(t.field), *t.value, "must be a percentage between 1 and 100"))
		}
	}
	return append(errs, validateEventScaling(ap, as)...)
}

func validateProbes(p *field.Path, spec *v1alpha1.XAppSpec) field.ErrorList {
	if spec.Probes == nil {
		return nil
	}
	var errs field.ErrorList
	for _, pr := range []struct {
		name  string
		probe *v1alpha1.Probe
	}{{"liveness", spec.Probes.Liveness}, {"readiness", spec.Probes.Readiness}, {"startup", spec.Probes.Startup}} {
		if pr.probe == nil {
			continue
		}
		pp := p.Child(pr.name)
		checks := 0
		if h := pr.probe.HTTP; h != nil {
			checks++
			if !strings.HasPrefix(h.Path, "/") {
				errs = append(errs, field.Invalid(pp.Child("http", "path"), h.Path, "must start with /"))
			}
			errs = append(errs, validatePortRef(pp.Child("http", "port"), h.Port, spec.Ports)...)
		}
		if g := pr.probe.GRPC; g != nil {
			checks++
			errs = append(errs, validatePortRef(pp.Child("grpc", "port"), g.Port, spec.Ports)...)
		}
		if t := pr.probe.TCP; t != nil {
			checks++
			errs = append(errs, validatePortRef(pp.Child("tcp", "port"), t.Port, spec.Ports)...)
		}
		if e := pr.probe.Exec; e != nil {
			checks++
			if len(e.Command) == 0 {
				errs = append(errs, field.Required(pp.Child("exec", "command"), "a command to run"))
			}
		}
		switch {
		case checks > 1:
			errs = append(errs, field.Invalid(pp, pr.name, "set at most one of http, grpc, tcp and exec"))
		case checks == 1 && pr.probe.Disabled:
			errs = append(errs, field.Invalid(pp.Child("disabled"), true, "a disabled probe takes no check"))
		case checks == 0 && !pr.probe.Disabled && !hasProbePort(spec.Ports):
			errs = append(errs, field.Required(pp, "the app has no TCP ports to probe by default: set exec, or disabled"))
		}
	}
	return errs
}

// validatePortRef checks that a probe names a declared port; an empty name means the first port. An
// app without ports cannot be probed over the network at all, whatever the probe names, so it is told
// what would work instead.
func validatePortRef(p *field.Path, port string, ports []v1alpha1.Port) field.ErrorList {
	switch {
	case len(ports) == 0:
		return field.ErrorList{field.Required(p, "the app declares no ports to probe: declare a port in spec.ports, or use exec")}
	case port == "" && !hasProbePort(ports):
		return field.ErrorList{field.Required(p, "the app declares only UDP ports, which Kubernetes cannot probe: declare a TCP port in spec.ports, or use exec")}
	case port == "":
		return nil
	}
	for _, pt := range ports {
		if pt.Name != port {
			continue
		}
		if transport(pt) == corev1.ProtocolUDP {
			return field.ErrorList{field.Invalid(p, port, "a UDP port, which Kubernetes cannot probe: name a TCP port, or use exec")}
		}
		return nil
	}
	return field.ErrorList{field.NotFound(p, port)}
}

func hasProbePort(ports []v1alpha1.Port) bool {
	_, ok := probePort(ports)
	return ok
}

func validateRoute(p *field.Path, spec *v1alpha1.XAppSpec) field.ErrorList {
	r := spec.Route
	if r == nil {
		return nil
	}
	var errs field.ErrorList
	routed, ok := routedPort(spec.Ports)
	if !ok {
		errs = append(errs, field.Required(p, "a route needs a port with expose: true and protocol http or grpc"))
	}
	if r.Host != "" {
		if msgs := validation.IsDNS1123Subdomain(r.Host); len(msgs) > 0 {
			errs = append(errs, field.Invalid(p.Child("host"), r.Host, strings.Join(msgs, "; ")))
		}
	}
	for i, path := range r.Paths {
		if !strings.HasPrefix(path, "/") {
			errs = append(errs, field.Invalid(p.Child("paths").Index(i), path, "must start with /"))
		}
	}
	if ok && protocol(routed) == v1alpha1.ProtocolGRPC && len(r.Paths) > 0 {
		errs = append(errs, field.Forbidden(p.Child("paths"), "a gRPC route matches services and methods, not paths"))
	}
	return append(errs, validateRouteRules(p, spec, routed, ok)...)
}

func validateDependsOn(p *field.Path, appName, namespace string, deps []string) field.ErrorList {
	var errs field.ErrorList
	byName := make(map[string]string, len(deps))
	for i, d := range deps {
		dp := p.Index(i)
		ns, n := splitDependency(d, namespace)
		hasNS := strings.Contains(d, "/")
		if msgs := validation.IsDNS1035Label(n); len(msgs) > 0 {
			errs = append(errs, field.Invalid(dp, d, "must be an app name or namespace/name: "+strings.Join(msgs, "; ")))
			continue
		}
		if hasNS {
			if msgs := validation.IsDNS1123Label(ns); len(msgs) > 0 {
				errs = append(errs, field.Invalid(dp, d, "namespace: "+strings.Join(msgs, "; ")))
				continue
			}
		}
		if n == appName && ns == namespace {
			errs = append(errs, field.Invalid(dp, d, "an app does not depend on itself"))
		}
		// The caller label is keyed by the callee's name, so two callees of the same name in
		// different namespaces cannot both be admitted.
		if prev, dup := byName[n]; dup && prev != ns {
			errs = append(errs, field.Invalid(dp, d, fmt.Sprintf("depends on two apps named %q in different namespaces; only one is supported", n)))
		}
		byName[n] = ns
	}
	return errs
}
