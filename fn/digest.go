package fn

import (
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"google.golang.org/protobuf/types/known/structpb"
	"k8s.io/utils/ptr"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"

	"github.com/xapp-dev/xapp/internal/pbjson"
)

// requiredPods is the key under which the function asks Crossplane for the app's pods, to learn
// the digest a tag resolved to.
const requiredPods = "app-pods"

// runningDigest is the digest of the image the app runs: the one its reference pins or, for an
// image named by tag, the one every running pod of it reports (kubelet's imageID). Pods that
// disagree, mid-rollout or after the tag moved, name no single digest: "" then, as before any pod
// runs. With no pod of the image at all (scaled to zero, between runs) the digest the XR's status
// (xr) last said for the same image stays: no pod means nothing changed, and clearing it would
// rewrite the app's CMDB record at every scale to zero and back.
func runningDigest(a *app, reqs *requirements, xr *structpb.Struct) string {
	if a.digest != "" { // pinned by the reference itself (newApp)
		return a.digest
	}
	pods, _ := reqs.get(requiredPods, &fnv1.ResourceSelector{
		ApiVersion: "v1", Kind: "Pod", Namespace: ptr.To(a.namespace),
		Match: &fnv1.ResourceSelector_MatchLabels{MatchLabels: &fnv1.MatchLabels{Labels: a.selector}},
	})
	digest, seen := "", false
	for _, p := range pods {
		// Only what is read of a pod's status: decoding all of it (conditions, times) cost more
		// than the rest of this function, for every pod on every request.
		var st struct {
			ContainerStatuses []struct {
				Name    string `json:"name"`
				Image   string `json:"image"`
				ImageID string `json:"imageID"`
			} `json:"containerStatuses"`
		}
		if err := pbjson.DecodeField(p.GetResource(), "status", &st); err != nil {
			return ""
		}
		for _, cs := range st.ContainerStatuses {
			d := digestOf(cs.ImageID)
			if cs.Name != a.name || d == "" || !sameImage(cs.Image, a.image) {
				continue
			}
			if digest != "" && d != digest {
				return ""
			}
			digest, seen = d, true
		}
	}
	if !seen {
		var st struct {
			Image  string `json:"image"`
			Digest string `json:"digest"`
		}
		if err := pbjson.DecodeField(xr, "status", &st); err == nil && st.Image == a.spec.Image {
			return st.Digest
		}
	}
	return digest
}

// sameImage is true when a container status's image is the app's, as the runtime may have
// normalised it (`nginx:1.27` reported as `docker.io/library/nginx:1.27`): pods still running an
// earlier image say nothing of the current one's digest.
func sameImage(status string, ref name.Reference) bool {
	r, err := name.ParseReference(status, name.WeakValidation)
	return err == nil && r.Name() == ref.Name()
}

// digestOf reads the digest out of a container's imageID: `repo@sha256:...`, with or without a
// runtime's scheme (`docker-pullable://`); an image ID that is not a repository digest (a local
// `sha256:` config id) names nothing a registry would answer for.
func digestOf(imageID string) string {
	if _, d, ok := strings.Cut(imageID, "@"); ok && strings.HasPrefix(d, "sha256:") {
		return d
	}
	return ""
}
