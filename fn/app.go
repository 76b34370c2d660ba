package fn

import (
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"google.golang.org/protobuf/types/known/structpb"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
	"github.com/xapp-dev/xapp/input/v1beta1"
	"github.com/xapp-dev/xapp/internal/pbjson"
)

// Labels and annotations the function writes. Selector labels never change for the life of an app:
// a Deployment's selector is immutable.
const (
	LabelName      = "app.kubernetes.io/name"
	LabelInstance  = "app.kubernetes.io/instance"
	LabelVersion   = "app.kubernetes.io/version"
	LabelManagedBy = "app.kubernetes.io/managed-by"
	ManagedBy      = "xapp"

	// LabelCallsPrefix marks a pod as a caller of another app: `calls.xapp.dev/<app>: <namespace>`.
	// The callee's network policy admits pods with that label, so a dependency is declared once, by
	// the caller, and both policies follow from it.
	LabelCallsPrefix = "calls.xapp.dev/"

	// AnnotationConfigChecksum on the pod template rolls the pods when a mounted file changes.
	AnnotationConfigChecksum = "xapp.dev/config-checksum"

	// AnnotationAppGeneration on the Deployment is the XR's metadata.generation it was composed
	// for. Crossplane applies a new spec after the function has judged readiness from the observed
	// Deployment, which is still the old one: an observed Deployment stamped with an older
	// generation has not been given the app's current spec, so it says nothing about its rollout.
	AnnotationAppGeneration = "xapp.dev/app-generation"

	// Labels Crossplane puts on a legacy XR that tell which claim it belongs to.
	labelClaimName      = "crossplane.io/claim-name"
	labelClaimNamespace = "crossplane.io/claim-namespace"
)

// Defaults used when the platform's Input leaves them unset.
const (
	defaultReplicas      = int32(2)
	defaultReadinessPath = "/"
	defaultTargetCPU     = int32(80)
)

var (
	defaultCPU    = resource.MustParse("100m")
	defaultMemory = resource.MustParse("128Mi")
)

// app is an XApp as the composing code sees it: its identity, what it asked for, and the platform's
// rules with defaults filled in. Every concern is a pure function of an app.
type app struct {
	name      string
	namespace string
	spec      v1alpha1.XAppSpec
	in        *v1beta1.Input
	image     name.Reference
	// digest is the image's digest, pinned or reported by the app's pods; "" while unknown.
	digest string
	// generation is the XR's metadata.generation; empty where the XR has none (offline renders).
	generation string
	// governed is true when an XAppPolicy's environment judges the app: the Input's rules that
	// the policy also has (registries, pinning, caps, owner, domains) step aside for it.
	governed bool
	// policyWarnings are the messages of the policy's rules the app breaks where its environment
	// warns; its status shows them.
	policyWarnings []string
	// pendingSecret is the ExternalSecret a Deployment yet to be created waits for (see
	// pendingStoreSecret); empty when it waits for none.
	pendingSecret string

	// selector identifies the app's pods; labels go on every object, podLabels on the pods.
	selector  map[string]string
	labels    map[string]string
	podLabels map[string]string
}

// decodeXR reads an observed XApp or legacy CompositeApp. Namespaced XApps compose into their own
// namespace under their own name; a legacy XR composes into its claim's namespace under the claim's
// name, so developers find `shop` next to the App `shop` they created.
func decodeXR(xr *structpb.Struct) (name, namespace string, spec v1alpha1.XAppSpec, errs field.ErrorList) {
	var meta struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name      string            `json:"name"`
			Namespace string            `json:"namespace"`
			Labels    map[string]string `json:"labels"`
		} `json:"metadata"`
	}
	if err := pbjson.Decode(xr, &meta); err != nil {
		return "", "", spec, field.ErrorList{pbjsonError(err)}
	}
	if err := pbjson.DecodeField(xr, "spec", &spec); err != nil {
		return "", "", spec, field.ErrorList{pbjsonError(err)}
	}
	md := field.NewPath("metadata")
	switch meta.Kind {
	case v1alpha1.XAppKind:
		name, namespace = meta.Metadata.Name, meta.Metadata.Namespace
		if namespace == "" {
			errs = append(errs, field.Required(md.Child("namespace"), "an XApp is namespaced"))
		}
	case v1alpha1.CompositeAppKind:
		name, namespace = meta.Metadata.Labels[labelClaimName], meta.Metadata.Labels[labelClaimNamespace]
		if name == "" || namespace == "" {
			errs = append(errs, field.Required(md.Child("labels").Key(labelClaimNamespace),
				"a CompositeApp composes into its claim's namespace: create an App claim instead of a CompositeApp"))
		}
	default:
		errs = append(errs, field.NotSupported(field.NewPath("kind"), meta.Kind, []string{v1alpha1.XAppKind, v1alpha1.CompositeAppKind}))
	}
	return name, namespace, spec, errs
}

// xrGeneration is the observed XR's metadata.generation, or "" when it has none.
func xrGeneration(xr *structpb.Struct) string {
	g := xr.GetFields()["metadata"].GetStructValue().GetFields()["generation"].GetNumberValue()
	if g <= 0 {
		return ""
	}
	return strconv.FormatInt(int64(g), 10)
}

// pbjsonError turns a decoding error into a field error, so a wrong type in a render (which skips the
// XRD's schema) is reported like any other invalid field.
func pbjsonError(err error) *field.Error {
	var fe *pbjson.FieldError
	if errors.As(err, &fe) {
		return &field.Error{Type: field.ErrorTypeTypeInvalid, Field: fe.Path, BadValue: field.OmitValueType{}, Detail: fe.Msg}
	}
	return field.InternalError(nil, err)
}

// newApp fills in the platform's defaults and derives the labels every object carries. It assumes
// the spec was validated: it never fails.
func newApp(name, namespace string, spec v1alpha1.XAppSpec, in *v1beta1.Input, image name.Reference) *app {
	a := &app{name: name, namespace: namespace, spec: spec, in: in, image: image, digest: imageDigest(image)}
	a.selector = map[string]string{LabelName: name, LabelInstance: name}

	a.labels = make(map[string]string, len(in.Labels)+4)
	maps.Copy(a.labels, in.Labels)
	maps.Copy(a.labels, a.selector)
	a.labels[LabelManagedBy] = ManagedBy
	if v := imageVersion(image); v != "" {
		a.labels[LabelVersion] = v
	}

	// The app's own pod labels first: the platform's and the function's win, though policy refuses
	// an app that tries to set them.
	a.podLabels = make(map[string]string, len(a.labels)+len(spec.DependsOn))
	if spec.PodMetadata != nil {
		maps.Copy(a.podLabels, spec.PodMetadata.Labels)
	}
	maps.Copy(a.podLabels, a.labels)
	for _, d := range spec.DependsOn {
		ns, n := splitDependency(d, namespace)
		a.podLabels[LabelCallsPrefix+n] = ns
	}
	return a
}

// imageVersion is the image's tag when it is a valid label value, so `kubectl get -L` shows what runs.
func imageVersion(ref name.Reference) string {
	t, ok := ref.(name.Tag)
	if !ok || t.TagStr() == "" || len(t.TagStr()) > 63 {
		return ""
	}
	return t.TagStr()
}

// imageDigest is the digest the image reference pins, "" when it names a tag.
func imageDigest(ref name.Reference) string {
	if d, ok := ref.(name.Digest); ok {
		return d.DigestStr()
	}
	return ""
}

// splitDependency reads `name` or `namespace/name`.
func splitDependency(d, namespace string) (ns, n string) {
	if before, after, ok := strings.Cut(d, "/"); ok {
		return before, after
	}
	return namespace, d
}

// Effective settings: the app's choice, else the platform's default, else ours.

func (a *app) gateway() *v1beta1.Gateway { return a.in.Gateway }

func (a *app) defaults() v1beta1.Defaults {
	if a.in.Defaults == nil {
		return v1beta1.Defaults{}
	}
	return *a.in.Defaults
}

func (a *app) replicas() int32 {
	switch {
	case a.spec.Replicas != nil:
		return *a.spec.Replicas
	case hasPersistent(a.spec.Volumes):
		return 1
	case a.defaults().Replicas != nil:
		return *a.defaults().Replicas
	default:
		return defaultReplicas
	}
}

// cpu is the CPU request of a container whose resources are r (the app's, or a sidecar's).
func (a *app) cpu(r *v1alpha1.Resources) resource.Quantity {
	if r != nil && r.CPU != nil {
		return *r.CPU
	}
	if d := a.defaults().CPU; d != nil {
		return *d
	}
	return defaultCPU
}

// memory is the memory request of a container whose resources are r.
func (a *app) memory(r *v1alpha1.Resources) resource.Quantity {
	if r != nil && r.Memory != nil {
		return *r.Memory
	}
	if d := a.defaults().Memory; d != nil {
		return *d
	}
	return defaultMemory
}

func (a *app) readinessPath() string {
	if p := a.defaults().ReadinessPath; p != "" {
		return p
	}
	return defaultReadinessPath
}

func (a *app) networkPolicyFlavor() v1beta1.NetworkPolicyFlavor {
	if a.in.NetworkPolicy == nil || a.in.NetworkPolicy.Flavor == "" {
		return v1beta1.NetworkPolicyKubernetes
	}
	return a.in.NetworkPolicy.Flavor
}

func (a *app) multiClusterMechanism() v1beta1.MultiClusterMechanism {
	if a.in.MultiCluster == nil || a.in.MultiCluster.Mechanism == "" {
		return v1beta1.MultiClusterNone
	}
	return a.in.MultiCluster.Mechanism
}

// routedPort is the port the route sends traffic to: the first exposed HTTP or gRPC port.
func (a *app) routedPort() (v1alpha1.Port, bool) { return routedPort(a.spec.Ports) }

func routedPort(ports []v1alpha1.Port) (v1alpha1.Port, bool) {
	for _, p := range ports {
		if exposed(p) && routable(p) {
			return p, true
		}
	}
	return v1alpha1.Port{}, false
}

// host is the route's host name: the app's own, or one under the platform's domain; none for a
// catch-all route.
func (a *app) host() string {
	if a.catchAll() {
		return ""
	}
	if a.spec.Route != nil && a.spec.Route.Host != "" {
		return a.spec.Route.Host
	}
	if a.in.Domain == "" {
		return ""
	}
	return a.name + "." + a.namespace + "." + a.in.Domain
}

func (a *app) routePaths() []string {
	if a.spec.Route == nil || len(a.spec.Route.Paths) == 0 {
		return []string{"/"}
	}
	return a.spec.Route.Paths
}

func (a *app) tls() bool { return a.spec.Route == nil || a.spec.Route.TLS == nil || *a.spec.Route.TLS }

// url is where a developer reaches the app through the gateway.
func (a *app) url() string {
	if a.spec.Route == nil || a.host() == "" {
		return ""
	}
	return a.scheme() + a.host() + a.urlPath()
}

func (a *app) scheme() string {
	if a.tls() {
		return "https://"
	}
	return "http://"
}

// urlPath is where the URL points: the host's root when the route sends it to the app, else the
// first path it does; empty for the root.
func (a *app) urlPath() string {
	if r := a.spec.Route; r != nil && len(r.Rules) > 0 {
		for _, rule := range r.Rules {
			if rule.Path == "/" {
				return ""
			}
		}
		return r.Rules[0].Path
	}
	paths := a.routePaths()
	if slices.Contains(paths, "/") {
		return ""
	}
	return paths[0]
}

// autoscaled apps leave the replica count to the HorizontalPodAutoscaler.
func (a *app) autoscaled() bool { return a.spec.Autoscaling != nil }

// maxReplicas is the most pods the app may run at once; it decides whether a disruption budget
// and spreading pods over nodes help. A job runs one pod at a time.
func (a *app) maxReplicas() int32 {
	if a.isJob() {
		return 1
	}
	if a.autoscaled() {
		return a.spec.Autoscaling.Max
	}
	return a.replicas()
}

// filesChecksum changes whenever a mounted file's path or content does, so the pods roll.
func (a *app) filesChecksum() string {
	h := sha256.New()
	for _, f := range a.spec.Files {
		h.Write([]byte(f.Path))
		h.Write([]byte{0})
		h.Write([]byte(f.Content))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// fileKey is the ConfigMap key of a mounted file: its path made into a valid key. Validation refuses
// two paths with the same key.
func fileKey(path string) string {
	b := []byte(strings.TrimPrefix(path, "/"))
	for i, c := range b {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '.', c == '_':
		case c == '/':
			b[i] = '_'
		default:
			b[i] = '-'
		}
	}
	return string(b)
}
