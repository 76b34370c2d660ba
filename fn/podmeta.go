package fn

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
)

// Key prefixes only the function writes: an app that could set them could forge who it calls
// (calls.xapp.dev/ opens other apps' policies) or roll its pods at will.
var reservedPodKeyPrefixes = []string{LabelCallsPrefix, "xapp.dev/"}

// validatePodMetadata checks keys and values as the API server does for any object. The API
// server's checks range over a map; each key is checked on its own, in order, so the same app always
// gets the same message, naming the key.
func validatePodMetadata(p *field.Path, pm *v1alpha1.PodMetadata) field.ErrorList {
	if pm == nil {
		return nil
	}
	var errs field.ErrorList
	for _, k := range slices.Sorted(maps.Keys(pm.Labels)) {
		errs = append(errs, metav1validation.ValidateLabels(map[string]string{k: pm.Labels[k]}, p.Child("labels").Key(k))...)
	}
	ap := p.Child("annotations")
	for _, k := range slices.Sorted(maps.Keys(pm.Annotations)) {
		errs = append(errs, apivalidation.ValidateAnnotations(map[string]string{k: pm.Annotations[k]}, ap.Key(k))...)
	}
	if apivalidation.ValidateAnnotationsSize(pm.Annotations) != nil {
		errs = append(errs, field.TooLong(ap, "", apivalidation.TotalAnnotationSizeLimitB))
	}
	return errs
}

// podMetadataPolicy accepts only keys under the prefixes the platform allows, and never a key the
// platform or the function sets on the pods, so mesh injection and scrape annotations work without
// letting an app pass for another, or out of its policy.
func podMetadataPolicy(a *app) field.ErrorList {
	pm := a.spec.PodMetadata
	if pm == nil {
		return nil
	}
	var labels, annotations []string
	if pol := a.in.PodMetadata; pol != nil {
		labels, annotations = pol.AllowedLabelPrefixes, pol.AllowedAnnotationPrefixes
	}
	p := field.NewPath("spec", "podMetadata")
	errs := keysPolicy(p.Child("labels"), pm.Labels, labels, "label", func(k string) bool { _, own := a.labels[k]; return own })
	return append(errs, keysPolicy(p.Child("annotations"), pm.Annotations, annotations, "annotation", func(string) bool { return false })...)
}

func keysPolicy(p *field.Path, kv map[string]string, allowed []string, what string, platforms func(string) bool) field.ErrorList {
	var errs field.ErrorList
	for _, k := range slices.Sorted(maps.Keys(kv)) {
		switch {
		case platforms(k) || hasPrefix(k, reservedPodKeyPrefixes):
			errs = append(errs, field.Forbidden(p.Key(k), fmt.Sprintf("the platform sets this %s on every pod; an app cannot", what)))
		case len(allowed) == 0:
			errs = append(errs, field.Forbidden(p.Key(k), fmt.Sprintf("the platform allows no pod %ss (Input podMetadata)", what)))
		case !hasPrefix(k, allowed):
			errs = append(errs, field.Forbidden(p.Key(k), fmt.Sprintf("the platform allows pod %ss with the prefixes %s only", what, strings.Join(allowed, ", "))))
		}
	}
	return errs
}

func hasPrefix(k string, prefixes []string) bool {
	for _, pre := range prefixes {
		if strings.HasPrefix(k, pre) {
			return true
		}
	}
	return false
}

// podAnnotations are the app's own, then the function's, which win.
func podAnnotations(a *app) map[string]string {
	var own map[string]string
	if a.spec.PodMetadata != nil {
		own = a.spec.PodMetadata.Annotations
	}
	if len(a.spec.Files) == 0 {
		return own
	}
	out := make(map[string]string, len(own)+1)
	maps.Copy(out, own)
	out[AnnotationConfigChecksum] = a.filesChecksum()
	return out
}
