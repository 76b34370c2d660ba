package fn

import (
	"context"
	"fmt"
	"sync"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
	"github.com/xapp-dev/xapp/input/v1beta1"
	"github.com/xapp-dev/xapp/internal/pbjson"
	rules "github.com/xapp-dev/xapp/internal/policy"
)

// Keys of what the function asks Crossplane for to judge an app by the platform's XAppPolicies.
const (
	requiredPolicies  = "xapppolicies"
	requiredNamespace = "app-namespace"
)

const (
	errJudge = "cannot judge the app by the platform's XAppPolicy"

	msgSigstoreExcluded = "namespace %s is not labelled %s=%s: sigstore's policy-controller does not check the signatures " +
		"of its images, which the XAppPolicy binding %s requires; ask the platform team to label it"
)

// evaluator compiles the rule table once per process: compiling costs far more than evaluating.
var evaluator = sync.OnceValues(rules.NewEvaluator)

// policyVerdict is what the XAppPolicies whose environments select the app's namespace make of it:
// the messages of the environments that deny and of those that warn. governed is false where no
// policy judges the app (none exists, Crossplane has yet to send them, or none selects the
// namespace); the Input's rules then apply alone.
type policyVerdict struct {
	governed       bool
	denied, warned []string
	// signatures is what policy-controller does with the app's unsigned images (Enforce wins over
	// Warn), "" when no environment of the app's checks them; signedBy names that environment.
	signatures, signedBy string
	// sigstoreIncluded is true when the app's namespace is opted in to policy-controller.
	sigstoreIncluded bool
}

// judgeByPolicies asks for every XAppPolicy and the app's namespace, and judges the app as the API
// server's admission does, with the same rule table, expressions and messages.
func judgeByPolicies(reqs *requirements, xr *structpb.Struct, namespace string) (policyVerdict, error) {
	var v policyVerdict
	policies, _ := reqs.get(requiredPolicies, &fnv1.ResourceSelector{
		ApiVersion: v1alpha1.SchemeGroupVersion.String(), Kind: v1alpha1.XAppPolicyKind,
		Match: &fnv1.ResourceSelector_MatchLabels{MatchLabels: &fnv1.MatchLabels{Labels: map[string]string{}}},
	})
	namespaces, _ := reqs.get(requiredNamespace, &fnv1.ResourceSelector{
		ApiVersion: "v1", Kind: "Namespace", Match: &fnv1.ResourceSelector_MatchName{MatchName: namespace},
	})
	if len(policies) == 0 || len(namespaces) == 0 {
		return v, nil
	}
	e, err := evaluator()
	if err != nil {
		return v, errors.Wrap(err, errJudge)
	}
	ns := &corev1.Namespace{}
	if err := pbjson.Decode(namespaces[0].GetResource(), ns); err != nil {
		return v, errors.Wrap(err, errJudge)
	}
	app, err := toUnstructured(xr)
	if err != nil {
		return v, errors.Wrap(err, errJudge)
	}
	for _, p := range policies {
		pol, err := toUnstructured(p.GetResource())
		if err != nil {
			return v, errors.Wrap(err, errJudge)
		}
		vs, err := e.Judge(context.Background(), app, pol, ns)
		if err != nil {
			return v, errors.Wrap(err, errJudge)
		}
		for _, verdict := range vs {
			v.governed = true
			if verdict.Signatures != "" && v.signatures != v1alpha1.SignaturesEnforce {
				v.signatures, v.signedBy = verdict.Signatures, verdict.Binding
			}
			for _, f := range verdict.Failures {
				if verdict.Action == v1alpha1.PolicyActionWarn {
					v.warned = append(v.warned, f.Message)
					continue
				}
				v.denied = append(v.denied, f.Message)
			}
		}
	}
	v.sigstoreIncluded = ns.Labels[LabelSigstoreInclude] == sigstoreIncludeValue
	return v, nil
}

// requireSignatures labels the app's workload and pods for the ClusterImagePolicy of its
// environment's action, and warns when policy-controller will not look at them: it checks only
// namespaces labelled policy.sigstore.dev/include=true, which xapp does not own and cannot label.
func requireSignatures(a *app, v policyVerdict) []string {
	if v.signatures == "" {
		return nil
	}
	if v.signatures == v1alpha1.SignaturesWarn {
		a.labels[LabelSignatures] = signaturesWarn
		a.podLabels[LabelSignatures] = signaturesWarn
	}
	if v.sigstoreIncluded {
		return nil
	}
	return []string{fmt.Sprintf(msgSigstoreExcluded, a.namespace, LabelSigstoreInclude, sigstoreIncludeValue, v.signedBy)}
}

// toUnstructured reads an object as the API server hands it to admission: whole numbers are int64.
func toUnstructured(s *structpb.Struct) (*unstructured.Unstructured, error) {
	j, err := protojson.Marshal(s)
	if err != nil {
		return nil, err
	}
	u := &unstructured.Unstructured{}
	return u, u.UnmarshalJSON(j)
}

// governedInput is the Input without the rules an XAppPolicy also has (registries, pinning, caps,
// owner, domains, pod key prefixes), so that the policy alone
// decides them and composition says what admission says. The Input itself is not changed.
func governedInput(in *v1beta1.Input) *v1beta1.Input {
	out := in.DeepCopy()
	out.AllowedDomains = nil
	if out.Images != nil {
		out.Images.AllowedRegistries, out.Images.Pinning = nil, ""
	}
	if out.Resources != nil {
		out.Resources.MaxCPU, out.Resources.MaxMemory = nil, nil
	}
	if out.CMDB != nil {
		out.CMDB.Required = false
	}
	// Every prefix: the policy decides which pod keys apps may use; the platform's own keys stay
	// refused whatever the prefixes.
	out.PodMetadata = &v1beta1.PodMetadataPolicy{AllowedLabelPrefixes: []string{""}, AllowedAnnotationPrefixes: []string{""}}
	return out
}
