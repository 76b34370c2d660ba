package fn

import (
	"maps"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// requirements is what the function asks Crossplane for during one request, and what Crossplane sent
// for those asks. Crossplane v2 answers `requirements.resources` in `required_resources`; Crossplane
// v1 (and v1's `crossplane render`) knows only the deprecated `extra_resources` pair. The function
// asks through both and reads whichever the caller filled, so it composes the same under either.
//
// Composing code asks through get and never touches the response; RunFunction writes every ask with
// writeTo, once.
type requirements struct {
	req   *fnv1.RunFunctionRequest
	asked map[string]*fnv1.ResourceSelector
}

func newRequirements(req *fnv1.RunFunctionRequest) *requirements {
	return &requirements{req: req}
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

// writeTo adds every ask to the response's requirements, in both fields.
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
