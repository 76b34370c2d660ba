package fn

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"

	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// TestRequestShapes checks that the function composes the same app whether Crossplane v2 answers its
// requirements (required_resources) or Crossplane v1 does (the deprecated extra_resources), and that
// it asks through both fields, since it cannot know which caller it has.
func TestRequestShapes(t *testing.T) {
	const (
		xr          = "../examples/full/xr.yaml"
		composition = "../package/configuration/composition-xapp.yaml"
		observed    = "../examples/full/observed-ready.yaml"
		required    = "../examples/full/required-ready"
	)
	// v2 is the answer as Crossplane v2 sends it: run the requirement loop in the v2 shape.
	v2, err := runWithRequirements(t, request(t, xr, composition, observed), required)
	if err != nil {
		t.Fatal(err)
	}
	asV1 := func(req *fnv1.RunFunctionRequest) *fnv1.RunFunctionRequest {
		req.ExtraResources, req.RequiredResources = req.RequiredResources, nil //nolint:staticcheck // The v1 shape under test.
		return req
	}
	answered := func() *fnv1.RunFunctionRequest {
		req := request(t, xr, composition, observed)
		if _, err := runWithRequirements(t, req, required); err != nil {
			t.Fatal(err)
		}
		return req
	}

	withCapability := func(req *fnv1.RunFunctionRequest) *fnv1.RunFunctionRequest {
		req.Meta.Capabilities = []fnv1.Capability{fnv1.Capability_CAPABILITY_CAPABILITIES, fnv1.Capability_CAPABILITY_REQUIRED_RESOURCES}
		return req
	}
	cases := map[string]struct {
		reason string
		req    *fnv1.RunFunctionRequest
		want   *fnv1.RunFunctionResponse
		// v2Only is a caller that says it has required resources: it is asked in that field alone.
		v2Only bool
	}{
		"V2": {
			reason: "Crossplane v2 sends what the function asked for in required_resources.",
			req:    answered(),
			want:   v2,
		},
		"V2WithCapabilities": {
			reason: "Crossplane v2.4 says it has required resources: asked there alone, since it seeds the next reconcile from that field only.",
			req:    withCapability(answered()),
			want:   v2,
			v2Only: true,
		},
		"V1": {
			reason: "Crossplane v1 sends the same in extra_resources: same composition, same status, same results.",
			req:    asV1(answered()),
			want:   v2,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := New(logging.NewNopLogger()).RunFunction(context.Background(), tc.req)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want.GetDesired(), got.GetDesired(), protocmp.Transform()); diff != "" {
				t.Errorf("%s\nRunFunction(): desired -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.GetResults(), got.GetResults(), protocmp.Transform()); diff != "" {
				t.Errorf("%s\nRunFunction(): results -want, +got:\n%s", tc.reason, diff)
			}
			extra := got.GetRequirements().GetExtraResources() //nolint:staticcheck // Both fields are under test.
			if tc.v2Only && len(extra) > 0 {
				t.Errorf("%s\nrequirements: asked in extra_resources too: %v", tc.reason, extra)
			}
			if diff := cmp.Diff(got.GetRequirements().GetResources(), extra, protocmp.Transform()); !tc.v2Only && diff != "" {
				t.Errorf("%s\nrequirements: resources -, extra_resources +: they must ask for the same:\n%s", tc.reason, diff)
			}
			if n := len(got.GetRequirements().GetResources()); n != 5 {
				t.Errorf("%s\n%d requirements, want the XAppPolicies, the app's namespace, the app's pods (its image is named by tag), the EnvironmentConfig and the database Secret", tc.reason, n)
			}
		})
	}
}
