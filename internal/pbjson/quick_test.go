package pbjson

import (
	"math"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kptr "k8s.io/utils/ptr"
)

// marshaledList has its own JSON form, even when nil: a nil one must never be skipped unread.
type marshaledList []string

func (marshaledList) MarshalJSON() ([]byte, error) { return []byte(`"custom"`), nil }

type promoted struct {
	Via string `json:"via,omitempty"`
}

// kinds has a field of every kind quickOmit reads in place, with and without omitempty, and fields
// it must leave to the reflective path.
type kinds struct {
	Ptr        *string            `json:"ptr"`
	PtrEmpty   *int32             `json:"ptrEmpty,omitempty"`
	Iface      any                `json:"iface"`
	Slice      []string           `json:"slice"`
	SliceEmpty []string           `json:"sliceEmpty,omitempty"`
	Map        map[string]string  `json:"map"`
	MapEmpty   map[string]string  `json:"mapEmpty,omitempty"`
	Str        string             `json:"str,omitempty"`
	StrKept    string             `json:"strKept"`
	Bool       bool               `json:"bool,omitempty"`
	Int8       int8               `json:"int8,omitempty"`
	Uint16     uint16             `json:"uint16,omitempty"`
	Int32      int32              `json:"int32,omitempty"`
	Float32    float32            `json:"float32,omitempty"`
	Float64    float64            `json:"float64,omitempty"`
	Int        int                `json:"int,omitempty"`
	Marshaled  marshaledList      `json:"marshaled"`
	Quantity   *resource.Quantity `json:"quantity,omitempty"`
	Time       metav1.Time        `json:"time"`
	Zero       int                `json:"zero,omitzero"`
	Kept       int                `json:"kept"`
	promoted
	*inner
}

// TestEncodeReadsInPlaceAsReflectionDoes encodes each value twice: through a pointer, where
// encStruct reads fields in place, and as a copy in an interface, which cannot be addressed and
// takes the reflective path. Both must say the same, field for field.
func TestEncodeReadsInPlaceAsReflectionDoes(t *testing.T) {
	cases := map[string]struct {
		reason string
		v      kinds
	}{
		"Zero": {
			reason: "Every field at its zero value: only the ones without omitempty that encode to something stay.",
		},
		"Set": {
			reason: "Every field set.",
			v: kinds{
				Ptr: kptr.To(""), PtrEmpty: kptr.To[int32](0), Iface: "x", Slice: []string{"a"}, SliceEmpty: []string{"b"},
				Map: map[string]string{"k": "v"}, MapEmpty: map[string]string{"k": "v"}, Str: "s", StrKept: "k", Bool: true,
				Int8: -1, Uint16: 1, Int32: 1 << 20, Float32: 0.5, Float64: -2.5, Int: math.MinInt64,
				Marshaled: marshaledList{"a"}, Quantity: kptr.To(resource.MustParse("1Gi")),
				Time: metav1.Unix(1, 0), Zero: 1, Kept: 1, promoted: promoted{Via: "v"}, inner: &inner{A: "a"},
			},
		},
		"EmptyNotNil": {
			reason: "Empty but not nil: omitempty leaves them out, and without it they are sent.",
			v:      kinds{Slice: []string{}, SliceEmpty: []string{}, Map: map[string]string{}, MapEmpty: map[string]string{}, inner: &inner{}},
		},
		"NegativeZero": {
			reason: "-0.0 has a bit set but is zero to omitempty: the in-place read must not keep it.",
			v:      kinds{Float32: float32(math.Copysign(0, -1)), Float64: math.Copysign(0, -1)},
		},
		"NilInInterface": {
			reason: "A nil pointer in an interface is not a nil interface: it is kept, and encodes to nothing.",
			v:      kinds{Iface: (*string)(nil)},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			inPlace, err := Encode(&tc.v)
			if err != nil {
				t.Fatalf("Encode(&v): %v", err)
			}
			reflective, err := Encode(any(tc.v))
			if err != nil {
				t.Fatalf("Encode(v): %v", err)
			}
			if diff := cmp.Diff(reflective, inPlace, protocmp.Transform()); diff != "" {
				t.Errorf("%s\nEncode(&v): -by reflection, +in place:\n%s", tc.reason, diff)
			}
		})
	}
}

// TestQuickFor checks which fields are read in place: a wrong choice would not show in output
// equality if both paths agreed by chance.
func TestQuickFor(t *testing.T) {
	c := codecFor(reflect.TypeFor[kinds]())
	want := map[string]quickOmit{
		"ptr": quickNil, "ptrEmpty": quickNil, "iface": quickNil, "slice": quickNil, "sliceEmpty": quickEmpty,
		"map": quickNil, "mapEmpty": quickNilMap, "str": quickString, "strKept": quickNone, "bool": quickZero1,
		"int8": quickZero1, "uint16": quickZero2, "int32": quickZero4, "float32": quickZero4, "float64": quickZero8,
		"int": quickZero8, "marshaled": quickNone, "quantity": quickNil, "time": quickNone, "zero": quickNone,
		"kept": quickNone, "via": quickString, "a": quickNone, "b": quickNone,
	}
	got := map[string]quickOmit{}
	for _, f := range c.fields {
		got[f.name] = f.quick
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("quickFor: -want, +got:\n%s", diff)
	}
}
