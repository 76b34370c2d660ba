package fn

import (
	"maps"

	"google.golang.org/protobuf/types/known/structpb"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"

	"github.com/xapp-dev/xapp/input/v1beta1"
	"github.com/xapp-dev/xapp/internal/pbjson"
)

// requirementEnvironment is the key under which the function asks Crossplane for the platform's
// EnvironmentConfig.
const requirementEnvironment = "environment"

// environmentDataKey is the key of an EnvironmentConfig's data that overrides the Input's
// dataServices.
const environmentDataKey = "dataServices"

const (
	errNoEnvironment     = "cannot find EnvironmentConfig %q, which the function's Input names in dataServices.environmentConfig"
	errDecodeEnvironment = "cannot read data.dataServices of EnvironmentConfig %q"
)

// dataSettings is the Input's dataServices with the EnvironmentConfig's data.dataServices merged
// over it. When the Input names an EnvironmentConfig the function asks Crossplane for it through
// reqs; answered is false until Crossplane has sent it, and the function cannot compose data
// services before. A missing EnvironmentConfig is an error: composing without it would delete the
// app's data services or move them. input is the Input as Crossplane sent it, so that only the
// fields the platform wrote are merged.
func dataSettings(in *v1beta1.Input, input *structpb.Struct, reqs *requirements) (s *v1beta1.DataServices, answered bool, err error) {
	base := in.DataServices
	if base == nil {
		base = &v1beta1.DataServices{}
	}
	if base.EnvironmentConfig == "" {
		return base, true, nil
	}
	items, answered := reqs.get(requirementEnvironment, environmentSelector(base.EnvironmentConfig))
	if !answered {
		return nil, false, nil
	}
	if len(items) == 0 {
		return nil, true, errors.Errorf(errNoEnvironment, base.EnvironmentConfig)
	}
	over := items[0].GetResource().GetFields()["data"].GetStructValue().GetFields()[environmentDataKey].GetStructValue()
	if over == nil {
		return base, true, nil
	}
	merged := mergeStruct(input.GetFields()[environmentDataKey].GetStructValue(), over)
	s = &v1beta1.DataServices{}
	if err := pbjson.Decode(merged, s); err != nil {
		return nil, true, errors.Wrapf(err, errDecodeEnvironment, base.EnvironmentConfig)
	}
	return s, true, nil
}

func environmentSelector(name string) *fnv1.ResourceSelector {
	return &fnv1.ResourceSelector{
		ApiVersion: "apiextensions.crossplane.io/v1beta1",
		Kind:       "EnvironmentConfig",
		Match:      &fnv1.ResourceSelector_MatchName{MatchName: name},
	}
}

// mergeStruct returns over merged into base without changing either: objects merge key by key,
// anything else in over replaces base's.
func mergeStruct(base, over *structpb.Struct) *structpb.Struct {
	out := &structpb.Struct{Fields: make(map[string]*structpb.Value, len(base.GetFields())+len(over.GetFields()))}
	maps.Copy(out.Fields, base.GetFields())
	for k, v := range over.GetFields() {
		if b, o := out.Fields[k].GetStructValue(), v.GetStructValue(); b != nil && o != nil {
			out.Fields[k] = structpb.NewStructValue(mergeStruct(b, o))
			continue
		}
		out.Fields[k] = v
	}
	return out
}
