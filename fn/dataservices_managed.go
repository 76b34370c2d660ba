package fn

import (
	"maps"

	"google.golang.org/protobuf/types/known/structpb"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/xapp-dev/xapp/input/v1beta1"
	"github.com/xapp-dev/xapp/internal/pbjson"
)

// The parts of a namespaced Crossplane managed resource the function sends. forProvider is each
// kind's own small struct (see the dataservices_*.go files); the render tests validate them against
// the providers' real CRDs.
type managed struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              managedSpec `json:"spec"`
}

type managedSpec struct {
	ForProvider                any                           `json:"forProvider"`
	ProviderConfigRef          *xpv2.ProviderConfigReference `json:"providerConfigRef,omitempty"`
	WriteConnectionSecretToRef *localRef                     `json:"writeConnectionSecretToRef,omitempty"`
}

// localRef names an object in the managed resource's namespace.
type localRef struct {
	Name string `json:"name"`
}

// secretKeyRef names a key of a Secret in the managed resource's namespace.
type secretKeyRef struct {
	Name string `json:"name"`
	Key  string `json:"key"`
}

// mr is a managed resource of the app: its labels and annotations, an external name when the
// cloud's name must differ from the Kubernetes one, the platform's ProviderConfig.
func (c *dataContext) mr(apiVersion, kind, name, externalName string, forProvider any) *managed {
	m := &managed{
		TypeMeta:   metav1.TypeMeta{APIVersion: apiVersion, Kind: kind},
		ObjectMeta: c.a.objectMeta(name),
		Spec:       managedSpec{ForProvider: forProvider, ProviderConfigRef: c.providerConfig()},
	}
	if externalName != "" {
		ann := make(map[string]string, len(m.Annotations)+1)
		maps.Copy(ann, m.Annotations)
		ann[annotationExternalName] = externalName
		m.Annotations = ann
	}
	return m
}

// mrObject is a composed managed resource whose readiness is its Ready condition.
func (c *dataContext) mrObject(resourceName string, m *managed) object {
	h := mrHealth(m.Kind, m.Name, c.obs(resourceName))
	return object{name: resourceName, obj: m, health: func(*structpb.Struct) health { return h }}
}

// atProvider decodes the fields the function reads of an observed managed resource's
// status.atProvider; false when it does not exist or has none yet.
func atProvider(obs *structpb.Struct, into any) bool {
	ap := obs.GetFields()["status"].GetStructValue().GetFields()["atProvider"].GetStructValue()
	if ap == nil {
		return false
	}
	return pbjson.Decode(ap, into) == nil
}

func (c *dataContext) providerConfig() *xpv2.ProviderConfigReference {
	return providerConfigReference(c.s.ProviderConfig)
}

// providerConfigReference is the providerConfigRef of a namespaced managed resource the platform
// named in its Input: a ClusterProviderConfig unless it says ProviderConfig, named `default`
// unless it names one. Data services and CMDB records read it the same way.
func providerConfigReference(ref *v1beta1.ProviderConfigRef) *xpv2.ProviderConfigReference {
	r := &xpv2.ProviderConfigReference{Kind: defaultPCKind, Name: defaultProviderConfig}
	if ref != nil && ref.Kind != "" {
		r.Kind = ref.Kind
	}
	if ref != nil && ref.Name != "" {
		r.Name = ref.Name
	}
	return r
}
