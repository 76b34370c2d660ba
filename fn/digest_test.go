package fn

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// TestRunningDigest checks which digest the status and the CMDB get: the pinned one without asking
// for pods, else the one every pod running the app's image reports.
func TestRunningDigest(t *testing.T) {
	const (
		d1 = "sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"
		d2 = "sha256:fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9"
	)
	pod := func(container, image, imageID string) *fnv1.Resource {
		return &fnv1.Resource{Resource: mustStruct(t, `{apiVersion: v1, kind: Pod, metadata: {name: p, namespace: team-shop},
			status: {containerStatuses: [{name: `+container+`, image: "`+image+`", imageID: "`+imageID+`"}]}}`)}
	}
	cases := map[string]struct {
		reason  string
		image   string
		pods    []*fnv1.Resource
		want    string
		wantAsk bool
		// status is the XR's observed status.
		status string
	}{
		"Pinned": {
			reason: "A digest in the reference is the answer: no pods are asked for.",
			image:  "ghcr.io/acme/shop@" + d1,
			want:   d1,
		},
		"NoPodsYet": {
			reason:  "A tag before any pod runs names no digest yet.",
			image:   "ghcr.io/acme/shop:1.4.2",
			wantAsk: true,
		},
		"PodsAgree": {
			reason:  "Every pod running the tag reports the same digest.",
			image:   "ghcr.io/acme/shop:1.4.2",
			pods:    []*fnv1.Resource{pod("shop", "ghcr.io/acme/shop:1.4.2", "ghcr.io/acme/shop@"+d1), pod("shop", "ghcr.io/acme/shop:1.4.2", "docker-pullable://ghcr.io/acme/shop@"+d1)},
			want:    d1,
			wantAsk: true,
		},
		"ScaledToZero": {
			reason:  "With no pod of the image, the digest the status said for the same image stays.",
			image:   "ghcr.io/acme/shop:1.4.2",
			status:  `{image: "ghcr.io/acme/shop:1.4.2", digest: "` + d1 + `"}`,
			want:    d1,
			wantAsk: true,
		},
		"NewImageNoPodsYet": {
			reason:  "The status's digest was another image's: a new tag's digest is unknown until a pod runs it.",
			image:   "ghcr.io/acme/shop:1.4.3",
			status:  `{image: "ghcr.io/acme/shop:1.4.2", digest: "` + d1 + `"}`,
			wantAsk: true,
		},
		"TagMoved": {
			reason:  "Pods pulled the tag before and after it moved: no single digest.",
			image:   "ghcr.io/acme/shop:1.4.2",
			pods:    []*fnv1.Resource{pod("shop", "ghcr.io/acme/shop:1.4.2", "ghcr.io/acme/shop@"+d1), pod("shop", "ghcr.io/acme/shop:1.4.2", "ghcr.io/acme/shop@"+d2)},
			wantAsk: true,
		},
		"OldPodsAndSidecars": {
			reason: "Mid-rollout pods of the previous image and other containers say nothing; the runtime's normalised name still matches.",
			image:  "nginx:1.27",
			pods: []*fnv1.Resource{pod("shop", "docker.io/library/nginx:1.26", "docker.io/library/nginx@"+d2), pod("log", "docker.io/library/nginx:1.27", "docker.io/library/nginx@"+d2),
				pod("shop", "docker.io/library/nginx:1.27", "docker.io/library/nginx@"+d1)},
			want:    d1,
			wantAsk: true,
		},
		"LocalImageID": {
			reason:  "An image ID without a repository (a locally built image) is no registry digest.",
			image:   "ghcr.io/acme/shop:1.4.2",
			pods:    []*fnv1.Resource{pod("shop", "ghcr.io/acme/shop:1.4.2", d1)},
			wantAsk: true,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			a := testApp(t, nil, withImage(tc.image))
			req := &fnv1.RunFunctionRequest{}
			if tc.pods != nil {
				req.RequiredResources = map[string]*fnv1.Resources{requiredPods: {Items: tc.pods}}
			}
			reqs := newRequirements(req)
			xr := mustStruct(t, `{apiVersion: platform.xapp.dev/v1alpha1, kind: XApp}`)
			if tc.status != "" {
				xr = mustStruct(t, `{apiVersion: platform.xapp.dev/v1alpha1, kind: XApp, status: `+tc.status+`}`)
			}
			if diff := cmp.Diff(tc.want, runningDigest(a, reqs, xr)); diff != "" {
				t.Errorf("%s\nrunningDigest(): -want, +got:\n%s", tc.reason, diff)
			}
			if _, asked := reqs.asked[requiredPods]; asked != tc.wantAsk {
				t.Errorf("%s\nasked for the pods: %t, want %t", tc.reason, asked, tc.wantAsk)
			}
		})
	}
}
