package fn

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/structpb"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"

	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/resource"
)

// request builds the RunFunctionRequest Crossplane sends for an example: the XR, the input of the
// composition's first step, and the observed composed resources keyed by their resource names.
func request(tb testing.TB, xr, composition, observed string) *fnv1.RunFunctionRequest {
	tb.Helper()
	req := &fnv1.RunFunctionRequest{
		Meta:     &fnv1.RequestMeta{Tag: "test"},
		Observed: &fnv1.State{Composite: &fnv1.Resource{Resource: readStruct(tb, xr)}},
	}
	if composition != "" {
		c := readStruct(tb, composition)
		step := c.Fields["spec"].GetStructValue().Fields["pipeline"].GetListValue().Values[0].GetStructValue()
		req.Input = step.Fields["input"].GetStructValue()
	}
	if observed != "" {
		req.Observed.Resources = map[string]*fnv1.Resource{}
		for _, s := range readDocs(tb, observed) {
			n := s.Fields["metadata"].GetStructValue().Fields["annotations"].GetStructValue().Fields["crossplane.io/composition-resource-name"].GetStringValue()
			req.Observed.Resources[n] = &fnv1.Resource{Resource: s}
		}
	}
	return req
}

// readDocs reads the YAML documents of a file, skipping empty ones (a leading comment block).
func readDocs(tb testing.TB, path string) []*structpb.Struct {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	var out []*structpb.Struct
	for doc := range strings.SplitSeq(string(b), "\n---\n") {
		if s := mustStruct(tb, doc); len(s.Fields) > 0 {
			out = append(out, s)
		}
	}
	return out
}

func readStruct(tb testing.TB, path string) *structpb.Struct {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return mustStruct(tb, string(b))
}

// responseYAML renders a response for golden files and for reading in a review.
func responseYAML(t *testing.T, rsp *fnv1.RunFunctionResponse) any {
	t.Helper()
	j, err := protojson.Marshal(rsp)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := yaml.Unmarshal(j, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestRunFunctionExamples(t *testing.T) {
	const (
		xapp   = "../package/configuration/composition-xapp.yaml"
		legacy = "../package/configuration/composition-app.yaml"
	)
	cases := map[string]struct {
		reason                                  string
		xr, composition, observed, required, gf string
	}{
		"FullReadyNoSecret":    {reason: "Everything composed is ready but the database Secret has not reached the function yet: the XR must not be Ready.", xr: "../examples/full/xr.yaml", composition: xapp, observed: "../examples/full/observed-ready.yaml", required: "../examples/full/environment.yaml", gf: "run-full-ready-no-secret.yaml"},
		"FullNoEnvironmentYet": {reason: "Before Crossplane has fetched the EnvironmentConfig the function only asks for it.", xr: "../examples/full/xr.yaml", composition: xapp, gf: "run-full-no-environment.yaml"},
		"NoInputAtAll":         {reason: "Without an Input the function still composes, with built-in defaults.", xr: "../examples/minimal/xr.yaml", gf: "run-no-input.yaml"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			req := request(t, tc.xr, tc.composition, tc.observed)
			rsp, err := New(logging.NewNopLogger()).RunFunction(context.Background(), req)
			if tc.required != "" {
				rsp, err = runWithRequirements(t, req, tc.required)
			}
			if err != nil {
				t.Fatalf("%s\nRunFunction(): %v", tc.reason, err)
			}
			golden(t, tc.gf, responseYAML(t, rsp))
		})
	}
}

func TestRunFunctionResults(t *testing.T) {
	xr := func(spec string) string {
		return `{apiVersion: platform.xapp.dev/v1alpha1, kind: XApp, metadata: {name: shop, namespace: team-shop}, spec: ` + spec + `}`
	}
	// A Fatal reaches the XR only; the same words go to the claim as a Warning and AppReady.
	fatal := func(msg string) []*fnv1.Result {
		return []*fnv1.Result{
			{Severity: fnv1.Severity_SEVERITY_WARNING, Message: msg, Target: fnv1.Target_TARGET_COMPOSITE_AND_CLAIM.Enum()},
			{Severity: fnv1.Severity_SEVERITY_FATAL, Message: msg, Target: fnv1.Target_TARGET_COMPOSITE_AND_CLAIM.Enum()},
		}
	}
	cases := map[string]struct {
		reason string
		xr     string
		input  string
		want   []*fnv1.Result
		count  int
	}{
		"PortOutOfRange": {
			reason: "A bad field is a Fatal result naming it; nothing is composed.",
			xr:     xr(`{image: "ghcr.io/acme/shop:1", ports: [{name: http, port: 8080}, {name: admin, port: 70000}]}`),
			want:   fatal("invalid app: spec.ports[1].port: Invalid value: 70000: must be between 1 and 65535"),
		},
		"WrongType": {
			reason: "A wrong type (render skips the XRD schema) is a Fatal naming the field, not a panic.",
			xr:     xr(`{image: "ghcr.io/acme/shop:1", ports: [{name: http, port: "eighty"}]}`),
			want:   fatal(`invalid app: spec.ports[0].port: Invalid value: want integer, got string "eighty"`),
		},
		"NoImage": {
			reason: "The image is required.",
			xr:     xr(`{ports: []}`),
			want:   fatal(`invalid app: spec.image: Required value: the image to run`),
		},
		"WrongKind": {
			reason: "Only XApp and CompositeApp are composed.",
			xr:     `{apiVersion: v1, kind: ConfigMap, metadata: {name: x}}`,
			want:   fatal(`invalid app: kind: Unsupported value: "ConfigMap": supported values: "XApp", "CompositeApp"`),
		},
		"LegacyWithoutClaim": {
			reason: "A CompositeApp made without a claim has no namespace to compose into.",
			xr:     `{apiVersion: platform.xapp.dev/v1alpha1, kind: CompositeApp, metadata: {name: x}, spec: {image: "a:1"}}`,
			want:   fatal(`invalid app: metadata.labels[crossplane.io/claim-namespace]: Required value: a CompositeApp composes into its claim's namespace: create an App claim instead of a CompositeApp`),
		},
		"RegistryNotAllowed": {
			reason: "A policy violation is Fatal and names the rule.",
			xr:     xr(`{image: "docker.io/evil/miner:1"}`),
			input:  `{apiVersion: fn.xapp.dev/v1beta1, kind: Input, images: {allowedRegistries: [ghcr.io/acme]}}`,
			want:   fatal("the app breaks the platform's policy: spec.image: Forbidden: index.docker.io/evil/miner is not from a registry the platform allows (ghcr.io/acme)"),
		},
		"BadInput": {
			reason: "A broken Input is the platform's bug, reported as such.",
			xr:     xr(`{image: "a:1"}`),
			input:  `{apiVersion: fn.xapp.dev/v1beta1, kind: Input, defaults: {replicas: "two"}}`,
			want:   fatal(`cannot decode the function's input: defaults.replicas: want integer, got string "two"`),
		},
		"LatestWarns": {
			reason: "latest composes, with a Warning to the XR and claim.",
			xr:     xr(`{image: "nginx"}`),
			want: []*fnv1.Result{{Severity: fnv1.Severity_SEVERITY_WARNING, Target: fnv1.Target_TARGET_COMPOSITE_AND_CLAIM.Enum(),
				Message: "spec.image: nginx has no version tag or uses latest: the running version is unknown and rollbacks may not roll back"}},
			count: 4,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			req := &fnv1.RunFunctionRequest{Observed: &fnv1.State{Composite: &fnv1.Resource{Resource: mustStruct(t, tc.xr)}}}
			if tc.input != "" {
				req.Input = mustStruct(t, tc.input)
			}
			rsp, err := New(logging.NewNopLogger()).RunFunction(context.Background(), req)
			if err != nil {
				t.Fatalf("%s\nRunFunction(): %v", tc.reason, err)
			}
			if diff := cmp.Diff(tc.want, rsp.GetResults(), protocmp.Transform()); diff != "" {
				t.Errorf("%s\nRunFunction(): results -want, +got:\n%s", tc.reason, diff)
			}
			if got := len(rsp.GetDesired().GetResources()); got != tc.count {
				t.Errorf("%s\nRunFunction(): %d desired resources, want %d", tc.reason, got, tc.count)
			}
			if r := rsp.GetResults(); len(r) > 1 && r[1].GetSeverity() == fnv1.Severity_SEVERITY_FATAL {
				want := []*fnv1.Condition{{Type: ConditionAppReady, Status: fnv1.Status_STATUS_CONDITION_FALSE, Reason: ReasonFailed,
					Message: ptr.To(r[1].GetMessage()), Target: fnv1.Target_TARGET_COMPOSITE_AND_CLAIM.Enum()}}
				if diff := cmp.Diff(want, rsp.GetConditions(), protocmp.Transform()); diff != "" {
					t.Errorf("%s\nRunFunction(): conditions -want, +got:\n%s", tc.reason, diff)
				}
			}
		})
	}
}

func TestRunFunctionKeepsEarlierSteps(t *testing.T) {
	req := request(t, "../examples/minimal/xr.yaml", "", "")
	earlier := resource.MustStructJSON(`{"apiVersion":"v1","kind":"Secret","metadata":{"name":"other"}}`)
	req.Desired = &fnv1.State{
		Composite: &fnv1.Resource{Resource: resource.MustStructJSON(`{"status":{"owner":"earlier step"}}`)},
		Resources: map[string]*fnv1.Resource{"other": {Resource: earlier, Ready: fnv1.Ready_READY_TRUE}},
	}
	rsp, err := New(logging.NewNopLogger()).RunFunction(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&fnv1.Resource{Resource: earlier, Ready: fnv1.Ready_READY_TRUE}, rsp.GetDesired().GetResources()["other"], protocmp.Transform()); diff != "" {
		t.Errorf("an earlier step's resource was changed: -want, +got:\n%s", diff)
	}
	status := rsp.GetDesired().GetComposite().GetResource().GetFields()["status"].GetStructValue()
	if status.GetFields()["owner"].GetStringValue() != "earlier step" || status.GetFields()["image"].GetStringValue() == "" {
		t.Errorf("status = %v, want the earlier step's field next to ours", status)
	}
	if got := rsp.GetMeta().GetTtl().AsDuration(); got != durationpb.New(60e9).AsDuration() {
		t.Errorf("ttl = %v, want the SDK's default", got)
	}
}
