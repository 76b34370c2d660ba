package fn

import (
	"context"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"

	"github.com/xapp-dev/xapp/input/v1beta1"
)

// readRequired reads the YAML documents of a file or of every file of a directory, as
// `crossplane composition render -e` does. A Secret's stringData also becomes data, base64 encoded,
// the way Crossplane sends it.
func readRequired(tb testing.TB, path string) []*structpb.Struct {
	tb.Helper()
	files := []string{path}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		files, _ = filepath.Glob(filepath.Join(path, "*.yaml"))
	}
	var out []*structpb.Struct
	for _, f := range files {
		for _, s := range readDocs(tb, f) {
			if sd := s.Fields["stringData"].GetStructValue(); sd != nil {
				data := map[string]any{}
				for k, v := range sd.Fields {
					data[k] = base64.StdEncoding.EncodeToString([]byte(v.GetStringValue()))
				}
				d, _ := structpb.NewStruct(data)
				s.Fields["data"] = structpb.NewStructValue(d)
			}
			out = append(out, s)
		}
	}
	return out
}

// runWithRequirements calls the function the way Crossplane does: again and again with the
// resources it asks for (an empty list for those that do not exist), until its requirements settle.
func runWithRequirements(tb testing.TB, req *fnv1.RunFunctionRequest, required string) (*fnv1.RunFunctionResponse, error) {
	tb.Helper()
	pool := readRequired(tb, required)
	var prev *fnv1.Requirements
	for range 5 {
		rsp, err := New(logging.NewNopLogger()).RunFunction(context.Background(), req)
		if err != nil || proto.Equal(rsp.GetRequirements(), prev) {
			return rsp, err
		}
		prev = rsp.GetRequirements()
		req.RequiredResources = map[string]*fnv1.Resources{}
		for key, sel := range prev.GetResources() {
			rs := &fnv1.Resources{}
			for _, s := range pool {
				md := s.Fields["metadata"].GetStructValue().GetFields()
				if s.Fields["kind"].GetStringValue() == sel.GetKind() && selects(sel, md) && md["namespace"].GetStringValue() == sel.GetNamespace() {
					rs.Items = append(rs.Items, &fnv1.Resource{Resource: s})
				}
			}
			req.RequiredResources[key] = rs
		}
	}
	return nil, errors.New("requirements did not settle after 5 calls")
}

// selects matches an object's metadata as Crossplane does: by name, or by labels.
func selects(sel *fnv1.ResourceSelector, md map[string]*structpb.Value) bool {
	if ml := sel.GetMatchLabels(); ml != nil {
		labels := md["labels"].GetStructValue().GetFields()
		for k, v := range ml.GetLabels() {
			if labels[k].GetStringValue() != v {
				return false
			}
		}
		return true
	}
	return md["name"].GetStringValue() == sel.GetMatchName()
}

func TestDataSettings(t *testing.T) {
	in := func(ds *v1beta1.DataServices) *v1beta1.Input { return &v1beta1.Input{DataServices: ds} }
	raw := mustStruct(t, `{dataServices: {provider: in-cluster, environmentConfig: prod, namePrefix: acme, aws: {region: us-east-1, accountID: "1"}}}`)
	env := func(data string) map[string]*fnv1.Resources {
		return map[string]*fnv1.Resources{requirementEnvironment: {Items: []*fnv1.Resource{{Resource: mustStruct(t,
			`{apiVersion: apiextensions.crossplane.io/v1beta1, kind: EnvironmentConfig, metadata: {name: prod}, data: `+data+`}`)}}}}
	}
	named := &v1beta1.DataServices{Provider: v1beta1.ProviderInCluster, EnvironmentConfig: "prod", NamePrefix: "acme",
		AWS: &v1beta1.AWS{Region: "us-east-1", AccountID: "1"}}
	selector := &fnv1.ResourceSelector{ApiVersion: "apiextensions.crossplane.io/v1beta1", Kind: "EnvironmentConfig",
		Match: &fnv1.ResourceSelector_MatchName{MatchName: "prod"}}

	type want struct {
		s           *v1beta1.DataServices
		fetched     bool
		err         string
		requirement *fnv1.ResourceSelector
	}
	cases := map[string]struct {
		reason   string
		in       *v1beta1.Input
		required map[string]*fnv1.Resources
		want     want
	}{
		"NoEnvironmentConfig": {
			reason: "Without an EnvironmentConfig the Input's settings are used as they are, and nothing is asked for.",
			in:     in(&v1beta1.DataServices{Provider: v1beta1.ProviderAWS}),
			want:   want{s: &v1beta1.DataServices{Provider: v1beta1.ProviderAWS}, fetched: true},
		},
		"NotFetchedYet": {
			reason: "The first call asks for the EnvironmentConfig and composes nothing.",
			in:     in(named),
			want:   want{requirement: selector},
		},
		"Missing": {
			reason:   "An EnvironmentConfig that does not exist is an error: composing without it could move or delete data services.",
			in:       in(named),
			required: map[string]*fnv1.Resources{requirementEnvironment: {}},
			want:     want{fetched: true, err: `cannot find EnvironmentConfig "prod", which the function's Input names in dataServices.environmentConfig`, requirement: selector},
		},
		"Merged": {
			reason:   "The environment's dataServices merge over the Input's: objects key by key, the rest replaced.",
			in:       in(named),
			required: env(`{dataServices: {provider: aws, aws: {region: eu-central-1, oidcIssuer: oidc.example}}}`),
			want: want{fetched: true, requirement: selector, s: &v1beta1.DataServices{Provider: v1beta1.ProviderAWS, EnvironmentConfig: "prod", NamePrefix: "acme",
				AWS: &v1beta1.AWS{Region: "eu-central-1", AccountID: "1", OIDCIssuer: "oidc.example"}}},
		},
		"NoDataServicesKey": {
			reason:   "An EnvironmentConfig without dataServices changes nothing.",
			in:       in(named),
			required: env(`{other: 1}`),
			want:     want{fetched: true, requirement: selector, s: named},
		},
		"WrongType": {
			reason:   "A wrong type in the EnvironmentConfig is an error that names the EnvironmentConfig and the field.",
			in:       in(named),
			required: env(`{dataServices: {aws: {region: 3}}}`),
			want:     want{fetched: true, requirement: selector, err: `cannot read data.dataServices of EnvironmentConfig "prod": aws.region: want string, got number 3`},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			req := &fnv1.RunFunctionRequest{Input: raw, RequiredResources: tc.required}
			rsp := &fnv1.RunFunctionResponse{}
			reqs := newRequirements(req)
			s, fetched, err := dataSettings(tc.in, req.GetInput(), reqs)
			reqs.writeTo(rsp)
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if diff := cmp.Diff(tc.want.err, gotErr); diff != "" {
				t.Errorf("\n%s\ndataSettings(): -want error, +got error:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.fetched, fetched); diff != "" {
				t.Errorf("\n%s\ndataSettings(): -want fetched, +got fetched:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.s, s); diff != "" {
				t.Errorf("\n%s\ndataSettings(): -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.requirement, rsp.GetRequirements().GetResources()[requirementEnvironment], protocmp.Transform()); diff != "" {
				t.Errorf("\n%s\ndataSettings(): -want requirement, +got requirement:\n%s", tc.reason, diff)
			}
		})
	}
}
