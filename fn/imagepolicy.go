package fn

import (
	"crypto/x509"
	"encoding/pem"
	"regexp"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
)

// ResourceImagePolicy is followed by the lowercase action (enforce, warn): the composition resource
// name of the ClusterImagePolicy checking signatures with that action.
const ResourceImagePolicy = "image-policy-"

// LabelSignatures on an app's workload and pods says what sigstore's policy-controller does with an
// unsigned image: `warn` where the app's environment only warns. A ClusterImagePolicy cannot select
// namespaces, only the labels of the workloads it checks; the enforcing policy selects every
// workload not labelled warn, so a Pod created outside xapp in a namespace opted in to
// policy-controller is enforced, not let through.
const LabelSignatures = "xapp.dev/signatures"

// signaturesWarn is LabelSignatures' value on the workloads of warning environments: the warning
// policy selects it and the enforcing one selects everything else, so both must say it alike.
const signaturesWarn = "warn"

// Policy-controller's namespace opt-in: it checks images only in namespaces labelled so.
const (
	LabelSigstoreInclude = "policy.sigstore.dev/include"
	sigstoreIncludeValue = "true"
	// sigstoreNamespace is where policy-controller runs by default, and reads key Secrets from.
	sigstoreNamespace = "cosign-system"
)

// predicateTypes are policy-controller's names for the attestation types (it accepts only these
// short names, as `cosign verify-attestation --type` does).
var predicateTypes = map[string]string{
	v1alpha1.AttestationCycloneDX:      "cyclonedx",
	v1alpha1.AttestationSPDX:           "spdxjson",
	v1alpha1.AttestationVulnerability:  "vuln",
	v1alpha1.AttestationSLSAProvenance: "slsaprovenance",
}

// signaturesMatched are the kinds policy-controller checks that xapp's workloads appear as: the
// Deployment, its ReplicaSets (labelled like its pods) and the Pods. A ClusterImagePolicy with a
// match list checks only the kinds it lists, so every kind policy-controller supports is listed.
var signaturesMatched = []cipMatch{
	{Version: "v1", Resource: "pods"},
	{Group: "apps", Version: "v1", Resource: "deployments"},
	{Group: "apps", Version: "v1", Resource: "replicasets"},
	{Group: "apps", Version: "v1", Resource: "statefulsets"},
	{Group: "apps", Version: "v1", Resource: "daemonsets"},
	{Group: "batch", Version: "v1", Resource: "jobs"},
	{Group: "batch", Version: "v1", Resource: "cronjobs"},
}

// imagePolicies are the ClusterImagePolicies an XAppPolicy needs: one per action its environments
// take on unsigned images, Enforce first; none when no environment checks signatures.
func imagePolicies(policy string, spec v1alpha1.XAppPolicySpec) []object {
	if spec.SupplyChain == nil {
		return nil
	}
	objs := make([]object, 0, 2)
	for _, mode := range []string{v1alpha1.SignaturesEnforce, v1alpha1.SignaturesWarn} {
		if !slices.ContainsFunc(spec.Environments, func(e v1alpha1.PolicyEnvironment) bool { return e.Signatures == mode }) {
			continue
		}
		cip := clusterImagePolicy(policy, mode, spec)
		objs = append(objs, object{name: ResourceImagePolicy + strings.ToLower(mode), obj: cip, health: existing(cipKind, cip.Name)})
	}
	return objs
}

// clusterImagePolicy checks every image from the policy's registries (every image when it allows
// any) for a signature by one of its signers carrying all its attestations.
func clusterImagePolicy(policy, mode string, spec v1alpha1.XAppPolicySpec) *clusterImagePolicyObject {
	op := metav1.LabelSelectorOpNotIn
	if mode == v1alpha1.SignaturesWarn {
		op = metav1.LabelSelectorOpIn
	}
	sel := &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: LabelSignatures, Operator: op, Values: []string{signaturesWarn}}}}
	match := make([]cipMatch, len(signaturesMatched))
	for i, m := range signaturesMatched {
		m.Selector = sel
		match[i] = m
	}
	var allowed []string
	if spec.Images != nil {
		allowed = spec.Images.AllowedRegistries
	}
	return &clusterImagePolicyObject{
		TypeMeta:   metav1.TypeMeta{APIVersion: cipAPIVersion, Kind: cipKind},
		ObjectMeta: metav1.ObjectMeta{Name: "xapppolicy-" + policy + "-" + strings.ToLower(mode)},
		Spec: cipSpec{
			Images:      imageGlobs(allowed),
			Authorities: authorities(spec.SupplyChain),
			Match:       match,
			Mode:        strings.ToLower(mode),
		},
	}
}

// imageGlobs cover the allowed registries as policy-controller matches images: against the
// reference go-containerregistry makes of them, where docker.io is index.docker.io, with `**`
// crossing slashes. No registries means every image.
func imageGlobs(registries []string) []cipImage {
	if len(registries) == 0 {
		return []cipImage{{Glob: "**"}}
	}
	globs := make([]cipImage, 0, len(registries))
	for _, r := range registries {
		globs = append(globs, cipImage{Glob: normalizedPrefix(r) + "/**"})
	}
	return globs
}

// normalizedPrefix is an allowed registry (a host or host/path) written as policy-controller sees
// it; a prefix go-containerregistry cannot parse stays as written (decodePolicy refuses those).
func normalizedPrefix(r string) string {
	host, path, _ := strings.Cut(r, "/")
	reg, err := name.NewRegistry(host, name.WeakValidation)
	if err != nil {
		return r
	}
	if path == "" {
		return reg.Name()
	}
	return reg.Name() + "/" + path
}

// authorities are the signers, each required to have made every attestation.
func authorities(sc *v1alpha1.PolicySupplyChain) []cipAuthority {
	atts := make([]cipAttestation, 0, len(sc.Attestations))
	for _, a := range sc.Attestations {
		att := cipAttestation{Name: strings.ToLower(a.Type), PredicateType: predicateTypes[a.Type]}
		if a.Policy != "" {
			att.Policy = &cipPolicy{Type: "cue", Data: a.Policy}
		}
		atts = append(atts, att)
	}
	auths := make([]cipAuthority, 0, len(sc.Signers))
	for _, s := range sc.Signers {
		au := cipAuthority{Name: s.Name, Attestations: atts}
		switch {
		case s.Keyless != nil:
			id := cipIdentity{Issuer: s.Keyless.Issuer, Subject: s.Keyless.Subject, SubjectRegExp: s.Keyless.SubjectRegExp}
			au.Keyless = &cipKeyless{URL: s.Keyless.URL, Identities: []cipIdentity{id}}
		case s.Key != nil && s.Key.SecretRef != nil:
			ns := s.Key.SecretRef.Namespace
			if ns == "" {
				ns = sigstoreNamespace
			}
			au.Key = &cipKey{SecretRef: &cipSecretRef{Name: s.Key.SecretRef.Name, Namespace: ns}}
		case s.Key != nil:
			au.Key = &cipKey{Data: s.Key.Data}
		}
		auths = append(auths, au)
	}
	return auths
}

// supplyChainErrors checks what the XAppPolicy's schema cannot: that keys are public keys, subject
// patterns compile as policy-controller compiles them, and allowed registries parse as references.
func supplyChainErrors(spec v1alpha1.XAppPolicySpec) field.ErrorList {
	var errs field.ErrorList
	p := field.NewPath("spec", "supplyChain")
	for _, env := range spec.Environments {
		if env.Signatures != "" && spec.SupplyChain == nil {
			errs = append(errs, field.Required(p, "environment "+env.Name+" sets signatures"))
		}
	}
	if spec.Images != nil {
		for i, r := range spec.Images.AllowedRegistries {
			host, _, _ := strings.Cut(r, "/")
			if _, err := name.NewRegistry(host, name.WeakValidation); err != nil {
				errs = append(errs, field.Invalid(field.NewPath("spec", "images", "allowedRegistries").Index(i), r, err.Error()))
			}
		}
	}
	if spec.SupplyChain == nil {
		return errs
	}
	for i, s := range spec.SupplyChain.Signers {
		sp := p.Child("signers").Index(i)
		if s.Keyless != nil && s.Keyless.SubjectRegExp != "" {
			if _, err := regexp.Compile(s.Keyless.SubjectRegExp); err != nil {
				errs = append(errs, field.Invalid(sp.Child("keyless", "subjectRegExp"), s.Keyless.SubjectRegExp, err.Error()))
			}
		}
		if s.Key != nil && s.Key.Data != "" {
			if msg := publicKeyError(s.Key.Data); msg != "" {
				errs = append(errs, field.Invalid(sp.Child("key", "data"), field.OmitValueType{}, msg))
			}
		}
	}
	return errs
}

// publicKeyError says why data is not a PEM public key, as policy-controller would refuse it.
func publicKeyError(data string) string {
	b, _ := pem.Decode([]byte(data))
	if b == nil {
		return "not PEM: expected -----BEGIN PUBLIC KEY-----"
	}
	if _, err := x509.ParsePKIXPublicKey(b.Bytes); err != nil {
		// asn1's own words name its internals, not the key; what is wrong is the PEM's content.
		return "the PEM block (" + b.Type + ") holds no PKIX public key, such as cosign.pub"
	}
	return ""
}
