package fn

import (
	"context"

	"google.golang.org/protobuf/reflect/protoreflect"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"

	"github.com/xapp-dev/xapp/internal/pbjson"
)

// resourceField is the field number of Resource.resource, the Struct holding an object. It is read
// from the descriptor so that a change to the protocol cannot silently put bytes in the wrong field.
var resourceField = (&fnv1.Resource{}).ProtoReflect().Descriptor().Fields().ByName("resource").Number()

// Served wraps f for serving over gRPC: each desired object leaves as the exact bytes proto.Marshal
// would write for it, made by pbjson.AppendWire without reflection.
//
// gRPC marshals the response after RunFunction returns, and for a handful of composed objects
// protobuf's reflective marshalling of Structs costs more CPU than composing them. The wrapper moves
// each object's Struct into the Resource's unknown fields as its already-encoded field: the bytes on
// the wire are the same (field `resource`, length-delimited Struct), so Crossplane reads an
// identical message, while RunFunction itself keeps returning ordinary Structs to in-process callers.
func Served(f *Function) fnv1.FunctionRunnerServiceServer { return served{f} }

type served struct{ *Function }

func (s served) RunFunction(ctx context.Context, req *fnv1.RunFunctionRequest) (*fnv1.RunFunctionResponse, error) {
	rsp, err := s.Function.RunFunction(ctx, req)
	if err != nil || rsp.GetDesired() == nil {
		return rsp, err
	}
	if c := rsp.Desired.Composite; c != nil {
		preEncode(c)
	}
	for _, r := range rsp.Desired.Resources {
		preEncode(r)
	}
	return rsp, nil
}

// preEncode replaces r's Struct with its encoding as an unknown field of r.
func preEncode(r *fnv1.Resource) {
	if r.Resource == nil {
		return
	}
	m := r.ProtoReflect()
	field := pbjson.AppendWireField(m.GetUnknown(), resourceField, r.Resource)
	r.Resource = nil
	m.SetUnknown(protoreflect.RawFields(field))
}
