package fn

import (
	"maps"
	"slices"

	"google.golang.org/protobuf/types/known/structpb"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/response"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
	"github.com/xapp-dev/xapp/internal/pbjson"
	rules "github.com/xapp-dev/xapp/internal/policy"
)

// Composition resource names of an XAppPolicy's objects.
const (
	ResourceAdmissionPolicy = "admission-policy"
	// ResourceAdmissionBinding is followed by the environment's name.
	ResourceAdmissionBinding = "admission-binding-"
)

const (
	errInvalidPolicy = "invalid XAppPolicy"
)

// composePolicy answers a request for an XAppPolicy: a ValidatingAdmissionPolicy holding the rule
// table with the XAppPolicy as its parameters, a binding per environment, and the sigstore
// ClusterImagePolicies of its supply chain; the XAppPolicy is ready once they exist. The admission policy
// depends only on the rule table, never on the XAppPolicy's rules, so editing a rule changes the
// parameters admission reads and nothing else.
func composePolicy(req *fnv1.RunFunctionRequest) *fnv1.RunFunctionResponse {
	rsp := response.To(req, response.DefaultTTL)
	name, spec, errs := decodePolicy(req.GetObserved().GetComposite().GetResource())
	if len(errs) > 0 {
		fatal(rsp, fieldErrors(errInvalidPolicy, errs))
		return rsp
	}
	objs := append(admissionObjects(name, spec), imagePolicies(name, spec)...)
	observed := req.GetObserved().GetResources()
	ensureDesired(rsp)
	rsp.Desired.Resources = make(map[string]*fnv1.Resource, len(objs))
	st := v1alpha1.XAppPolicyStatus{Admission: &v1alpha1.PolicyAdmission{Policy: rules.AdmissionPolicyName(name)}}
	for _, o := range objs {
		s, err := pbjson.Encode(o.obj)
		if err != nil {
			fatal(rsp, errors.Wrapf(err, "%s %q", errEncode, o.name))
			return rsp
		}
		h := o.health(observed[o.name].GetResource())
		r := &fnv1.Resource{Resource: s, Ready: fnv1.Ready_READY_FALSE}
		if h.ready {
			r.Ready = fnv1.Ready_READY_TRUE
		}
		rsp.Desired.Resources[o.name] = r
		switch x := o.obj.(type) {
		case *admissionregistrationv1.ValidatingAdmissionPolicyBinding:
			st.Admission.Bindings = append(st.Admission.Bindings, x.Name)
		case *clusterImagePolicyObject:
			st.Admission.ImagePolicies = append(st.Admission.ImagePolicies, x.Name)
		}
	}
	if err := setStatus(rsp, st); err != nil {
		fatal(rsp, errors.Wrap(err, errStatus))
		return rsp
	}
	return rsp
}

// decodePolicy reads the XAppPolicy and checks what its schema cannot: that each environment's
// labels can select namespaces, and its supply chain.
func decodePolicy(xr *structpb.Struct) (string, v1alpha1.XAppPolicySpec, field.ErrorList) {
	var spec v1alpha1.XAppPolicySpec
	var meta struct {
		Metadata struct {
			Name string `json:"name"`
		} `json:"metadata"`
	}
	if err := pbjson.Decode(xr, &meta); err != nil {
		return "", spec, field.ErrorList{pbjsonError(err)}
	}
	if err := pbjson.DecodeField(xr, "spec", &spec); err != nil {
		return "", spec, field.ErrorList{pbjsonError(err)}
	}
	var errs field.ErrorList
	for i, env := range spec.Environments {
		p := field.NewPath("spec", "environments").Index(i).Child("namespaceLabels")
		if len(env.NamespaceLabels) == 0 {
			errs = append(errs, field.Required(p, "an environment selects its namespaces by at least one label"))
		}
		for _, k := range slices.Sorted(maps.Keys(env.NamespaceLabels)) {
			for _, msg := range validation.IsQualifiedName(k) {
				errs = append(errs, field.Invalid(p.Key(k), k, msg))
			}
			for _, msg := range validation.IsValidLabelValue(env.NamespaceLabels[k]) {
				errs = append(errs, field.Invalid(p.Key(k), env.NamespaceLabels[k], msg))
			}
		}
	}
	return meta.Metadata.Name, spec, append(errs, supplyChainErrors(spec)...)
}

// admissionObjects are the admission policy and its bindings, in environment order.
func admissionObjects(name string, spec v1alpha1.XAppPolicySpec) []object {
	vap := admissionPolicy(name)
	objs := []object{{name: ResourceAdmissionPolicy, obj: vap, health: existing("ValidatingAdmissionPolicy", vap.Name)}}
	for _, env := range spec.Environments {
		b := admissionBinding(name, vap.Name, env)
		objs = append(objs, object{name: ResourceAdmissionBinding + env.Name, obj: b, health: existing("ValidatingAdmissionPolicyBinding", b.Name)})
	}
	return objs
}

// admissionPolicy checks XApps and App claims against the rule table. It fails closed: an app
// admission cannot judge is refused, as composition would refuse it.
func admissionPolicy(name string) *admissionregistrationv1.ValidatingAdmissionPolicy {
	return &admissionregistrationv1.ValidatingAdmissionPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: admissionregistrationv1.SchemeGroupVersion.String(), Kind: "ValidatingAdmissionPolicy"},
		ObjectMeta: metav1.ObjectMeta{Name: rules.AdmissionPolicyName(name)},
		Spec: admissionregistrationv1.ValidatingAdmissionPolicySpec{
			FailurePolicy: ptr.To(admissionregistrationv1.Fail),
			ParamKind:     &admissionregistrationv1.ParamKind{APIVersion: v1alpha1.SchemeGroupVersion.String(), Kind: v1alpha1.XAppPolicyKind},
			MatchConstraints: &admissionregistrationv1.MatchResources{
				ResourceRules: []admissionregistrationv1.NamedRuleWithOperations{{
					RuleWithOperations: admissionregistrationv1.RuleWithOperations{
						Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update},
						Rule: admissionregistrationv1.Rule{
							APIGroups: []string{v1alpha1.Group}, APIVersions: []string{v1alpha1.Version},
							Resources: []string{"xapps", "apps"}, Scope: ptr.To(admissionregistrationv1.NamespacedScope),
						},
					},
				}},
			},
			MatchConditions: rules.MatchConditions,
			Variables:       rules.Variables,
			Validations:     rules.Validations(),
		},
	}
}

// admissionBinding applies the policy, with the XAppPolicy as parameters, to one environment's
// namespaces with its action. A missing XAppPolicy allows, as the function does when it finds none
// (it falls back to the Input's rules): the API server looks the parameters up before it evaluates
// match conditions, so Deny would refuse every write to every app in the environment while the
// binding outlives its XAppPolicy (the garbage collector's lag, a --cascade=orphan delete),
// Crossplane's own finalizer removal included, and no app there could be changed or deleted.
func admissionBinding(name, policyName string, env v1alpha1.PolicyEnvironment) *admissionregistrationv1.ValidatingAdmissionPolicyBinding {
	action := admissionregistrationv1.Deny
	if env.Action == v1alpha1.PolicyActionWarn {
		action = admissionregistrationv1.Warn
	}
	return &admissionregistrationv1.ValidatingAdmissionPolicyBinding{
		TypeMeta:   metav1.TypeMeta{APIVersion: admissionregistrationv1.SchemeGroupVersion.String(), Kind: "ValidatingAdmissionPolicyBinding"},
		ObjectMeta: metav1.ObjectMeta{Name: rules.BindingName(name, env.Name)},
		Spec: admissionregistrationv1.ValidatingAdmissionPolicyBindingSpec{
			PolicyName: policyName,
			ParamRef: &admissionregistrationv1.ParamRef{
				Name: name, ParameterNotFoundAction: ptr.To(admissionregistrationv1.AllowAction),
			},
			MatchResources:    &admissionregistrationv1.MatchResources{NamespaceSelector: &metav1.LabelSelector{MatchLabels: env.NamespaceLabels}},
			ValidationActions: []admissionregistrationv1.ValidationAction{action},
		},
	}
}
