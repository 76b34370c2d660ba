// Package pbjson converts Go structs, typically Kubernetes API types, to and from protobuf Struct
// values without producing or parsing JSON bytes.
//
// A composition function receives observed resources and returns desired ones as structpb.Struct.
// The obvious route, json.Marshal followed by protojson.Unmarshal, serializes every object twice and
// sends everything encoding/json emits: `creationTimestamp: null`, `status: {}`, `strategy: {}`,
// `resources: {}`. Crossplane applies desired resources with server-side apply, which records the
// sender as the owner of every field it sends, so the function would claim fields it never meant to
// set. Encode walks the value once, reusing a plan computed per type, and sends only what the author
// set. Decode reads observed state and function input back into typed structs with errors that name
// the offending field.
//
// Field names and the omitempty, omitzero and embedding rules follow encoding/json, except:
//   - null is never sent for a struct field or map value: nil pointers, maps, slices and interfaces
//     are left out whatever the tag says. Only a nil slice element is sent as null, to keep positions.
//   - a struct field that is not a pointer is left out when it holds its zero value, even without
//     omitempty or omitzero, and also when nothing in it is sent: a struct that is not zero only
//     because of an empty slice or map tagged omitempty (ObjectMeta{ManagedFields: []}) is not sent
//     as {}. A non-pointer struct cannot say "present but empty" in Go, so {} would only ever be
//     noise, and it would make Encode unstable: Decode reads {} back as the zero value, which the
//     next Encode leaves out. This way Encode(Decode(Encode(v))) equals Encode(v). A pointer to a
//     struct can say it, and is sent even when it points to a zero value (`emptyDir: {}`).
//   - a struct field tagged `json:",inline"` is flattened even if it is not embedded, as controller-gen
//     does when it generates the CRD schema.
//   - a MarshalJSON or MarshalText with a pointer receiver is used on a map value too, by copy.
//   - the `,string` tag option is ignored, and json.Number is a string like any other.
//
// Numbers become float64, so integers beyond 2^53 lose precision, as with protojson and structpb.
// Decoding matches field names exactly, as the Kubernetes JSON decoder does, not case-insensitively.
package pbjson

import (
	"fmt"
	"reflect"
	"strconv"

	"google.golang.org/protobuf/types/known/structpb"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// maxDepth bounds recursion: Kubernetes objects nest a dozen levels deep, so only a cyclic value
// (a pointer to itself) gets near it.
const maxDepth = 128

// A FieldError is an encoding or decoding error at a JSON path from the root, like
// `spec.ports[1].port`, in the form Kubernetes field paths use: map keys and indices in brackets.
type FieldError struct {
	Path string
	Msg  string
}

// Error returns "path: msg", or msg alone for an error at the root.
func (e *FieldError) Error() string {
	if e.Path == "" {
		return e.Msg
	}
	return e.Path + ": " + e.Msg
}

// Encode returns v, a struct or a pointer to one, as a Struct, following encoding/json's field names
// and rules except as the package documentation notes.
func Encode(v any) (*structpb.Struct, error) {
	pv, err := EncodeValue(v)
	if err != nil {
		return nil, err
	}
	if s := pv.GetStructValue(); s != nil {
		return s, nil
	}
	return nil, errors.Errorf("cannot encode %T as a JSON object", v)
}

// EncodeValue returns any Go value as a Value, by the rules of Encode. A value that encodes to
// nothing, like nil or a zero metav1.Time, is returned as a null Value.
func EncodeValue(v any) (*structpb.Value, error) {
	if v == nil {
		return structpb.NewNullValue(), nil
	}
	rv := reflect.ValueOf(v)
	st := statePool.Get().(*encState) //nolint:forcetypeassert // The pool holds nothing else.
	defer st.release()
	pv, err := codecFor(rv.Type()).enc(st, rv, 0)
	if err != nil || pv == nothing {
		return structpb.NewNullValue(), err
	}
	return pv, nil
}

// Decode fills the value into points to from s. Unknown fields are ignored. null sets pointers,
// maps, slices and interfaces to nil and leaves other fields as they are. A type mismatch is a
// *FieldError that names the path from the root: `spec.ports[1].port: want integer, got string "x"`.
// A nil s is nothing to decode.
func Decode(s *structpb.Struct, into any) error {
	rv, err := target(into)
	if err != nil || s == nil {
		return err
	}
	return decValue(codecFor(rv.Type()), rv, structpb.NewStructValue(s), 0)
}

// DecodeField decodes only the top-level field name of s into into, leaving into untouched when
// s is nil or has no such field: handy for the status of an observed resource.
func DecodeField(s *structpb.Struct, name string, into any) error {
	rv, err := target(into)
	if err != nil {
		return err
	}
	pv := s.GetFields()[name]
	if pv == nil {
		return nil
	}
	return under(decValue(codecFor(rv.Type()), rv, pv, 0), name)
}

func target(into any) (reflect.Value, error) {
	rv := reflect.ValueOf(into)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return reflect.Value{}, errors.Errorf("cannot decode into %T: want a non-nil pointer", into)
	}
	return rv.Elem(), nil
}

func errf(format string, args ...any) error {
	return &FieldError{Msg: fmt.Sprintf(format, args...)}
}

// under puts err below the path segment seg: a field name, or an index or map key in brackets.
// Paths are built only on the way out of a failure, so success costs nothing.
func under(err error, seg string) error {
	fe, ok := err.(*FieldError) //nolint:errorlint // only our own, unwrapped errors carry paths
	if !ok {
		return err
	}
	switch {
	case fe.Path == "":
		fe.Path = seg
	case fe.Path[0] == '[':
		fe.Path = seg + fe.Path
	default:
		fe.Path = seg + "." + fe.Path
	}
	return fe
}

func index(i int) string { return "[" + strconv.Itoa(i) + "]" }

func mismatch(want string, pv *structpb.Value) error {
	return errf("want %s, got %s", want, describe(pv))
}

func describe(pv *structpb.Value) string {
	switch k := pv.GetKind().(type) {
	case *structpb.Value_StringValue:
		s := k.StringValue
		if len(s) > 40 {
			s = s[:40] + "..."
		}
		return "string " + strconv.Quote(s)
	case *structpb.Value_NumberValue:
		return "number " + strconv.FormatFloat(k.NumberValue, 'g', -1, 64)
	case *structpb.Value_BoolValue:
		return "boolean " + strconv.FormatBool(k.BoolValue)
	case *structpb.Value_StructValue:
		return "object"
	case *structpb.Value_ListValue:
		return "array"
	}
	return "null"
}
