package fn

import (
	"maps"
	"slices"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// requirements is what the function asks Crossplane for during one request, and what Crossplane sent
// for those asks. Crossplane v2 answers `requirements.resources` in `required_resources`; Crossplane
// v1 (and v1's `crossplane render`) knows only the deprecated `extra_resources` pair. The function
// reads whichever the caller filled, so it composes the same under either. It asks through both,
// unless the caller says it has required resources (meta.capabilities, Crossplane v2.4+): such a
// caller seeds the next reconcile's request with what was asked in `resources` only, and an ask left
// in `extra_resources` would cost a second call of the function on every reconcile.
//
// Composing code asks through get and never touches the response; RunFunction writes every ask with
// writeTo, once.
type requirements struct {
	req   *fnv1.RunFunctionRequest
	asked map[string]*fnv1.ResourceSelector
	// v2Only is a caller that reads `resources`: the function asks there alone.
	v2Only bool
}

func newRequirements(req *fnv1.RunFunctionRequest) *requirements {
	return &requirements{req: req, v2Only: slices.Contains(req.GetMeta().GetCapabilities(), fnv1.Capability_CAPABILITY_REQUIRED_RESOURCES)}
}

// get asks for the resources sel selects, under key, and returns what the caller sent for key:
// answered is false until Crossplane has fetched them (it calls the function again when it has).
// An answer with no items means nothing matched.
func (r *requirements) get(key string, sel *fnv1.ResourceSelector) (items []*fnv1.Resource, answered bool) {
	if r.asked == nil {
		r.asked = map[string]*fnv1.ResourceSelector{}
	}
	r.asked[key] = sel
	if rs, ok := r.req.GetRequiredResources()[key]; ok {
		return rs.GetItems(), true
	}
	//nolint:staticcheck // The deprecated field is how Crossplane v1 answers.
	if rs, ok := r.req.GetExtraResources()[key]; ok {
		return rs.GetItems(), true
	}
	return nil, false
}

// exists asks for one named object and says whether the caller sent it.
func (r *requirements) exists(key string, sel *fnv1.ResourceSelector) bool {
	items, _ := r.get(key, sel)
	return len(items) > 0
}

// writeTo adds every ask to the response's requirements: in both fields, or only in `resources` for
// a caller that has required resources.
func (r *requirements) writeTo(rsp *fnv1.RunFunctionResponse) {
	if len(r.asked) == 0 {
		return
	}
	if rsp.Requirements == nil {
		rsp.Requirements = &fnv1.Requirements{}
	}
	if rsp.Requirements.Resources == nil {
		rsp.Requirements.Resources = make(map[string]*fnv1.ResourceSelector, len(r.asked))
	}
	maps.Copy(rsp.Requirements.Resources, r.asked)
	if r.v2Only {
		return
	}
	//nolint:staticcheck // The deprecated field is how Crossplane v1 reads requirements.
	if rsp.Requirements.ExtraResources == nil {
		rsp.Requirements.ExtraResources = make(map[string]*fnv1.ResourceSelector, len(r.asked)) //nolint:staticcheck // As above.
	}
	maps.Copy(rsp.Requirements.ExtraResources, r.asked) //nolint:staticcheck // As above.
}

// secretSelector selects one Secret of the app's namespace by name. The function only learns whether
// it exists; the app's pods read it, through secretKeyRef.
func secretSelector(namespace, name string) *fnv1.ResourceSelector {
	ns := namespace
	return &fnv1.ResourceSelector{
		ApiVersion: "v1", Kind: "Secret", Match: &fnv1.ResourceSelector_MatchName{MatchName: name}, Namespace: &ns,
	}
}
