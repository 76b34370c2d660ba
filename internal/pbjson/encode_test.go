package pbjson

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/structpb"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// mustStruct parses JSON written in a test; JSON is the clearest way to state an expected Struct.
func mustStruct(t *testing.T, j string) *structpb.Struct {
	t.Helper()
	s := &structpb.Struct{}
	if err := protojson.Unmarshal([]byte(j), s); err != nil {
		t.Fatalf("bad test JSON %s: %v", j, err)
	}
	return s
}

// equateErrors compares errors by type and message.
var equateErrors = cmp.Comparer(func(a, b error) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return reflect.TypeOf(a) == reflect.TypeOf(b) && a.Error() == b.Error()
})

type inner struct {
	A string `json:"a,omitempty"`
	B []int  `json:"b,omitempty"`
}

type named struct {
	Tagged     string `json:"tagged"`
	Untagged   string
	Skipped    string `json:"-"`
	unexported string
}

type Base struct {
	Name  string `json:"name"`
	Shade string `json:"shade"`
}

type other struct {
	Shade string `json:"shade"`
	Depth int    `json:"depth"`
}

type embedding struct {
	metav1.TypeMeta `json:",inline"`
	*Base                 // when nil, its fields are left out
	Inline          inner `json:",inline"` // not embedded, flattened as controller-gen does
	other                 // shade is at the same depth in Base and other, both tagged: hidden
}

type deep struct {
	Name string `json:"name"`
	Kept string `json:"kept"`
}

type shadowing struct {
	Name string `json:"name"` // shallower than deep.Name, so it wins
	deep
}

type nulls struct {
	Ptr      *int32            `json:"ptr"`
	Slice    []string          `json:"slice"`
	Map      map[string]string `json:"map"`
	Iface    any               `json:"iface"`
	Bytes    []byte            `json:"bytes"`
	Time     *metav1.Time      `json:"time"`
	Elems    []*inner          `json:"elems"`
	MapElems map[string]*inner `json:"mapElems"`
}

type scalars struct {
	Port       int32                          `json:"port"`
	Opt        int32                          `json:"opt,omitempty"`
	Str        string                         `json:"str"`
	OptStr     string                         `json:"optStr,omitempty"`
	Bool       bool                           `json:"bool"`
	OptBool    bool                           `json:"optBool,omitempty"`
	Empty      []string                       `json:"empty"`
	OptEmpty   []string                       `json:"optEmpty,omitempty"`
	EmptyMap   map[string]int                 `json:"emptyMap"`
	OptMap     map[string]int                 `json:"optMap,omitempty"`
	Big        int64                          `json:"big"`
	Unsigned   uint8                          `json:"unsigned"`
	Float      float32                        `json:"float"`
	IntKeys    map[int]string                 `json:"intKeys,omitempty"`
	PtrToEmpty *string                        `json:"ptrToEmpty"`
	Ifaces     map[string]any                 `json:"ifaces,omitempty"`
	Kind       corev1.Protocol                `json:"kind,omitempty"`
	Typed      map[corev1.ResourceName]string `json:"typed,omitempty"`
}

type structs struct {
	Zero       inner              `json:"zero"`
	OptZero    inner              `json:"optZero,omitempty"`
	Ptr        *inner             `json:"ptr"`
	NonZero    inner              `json:"nonZero"`
	AllOmitted inner              `json:"allOmitted"`
	Elems      []inner            `json:"elems"`
	Quantity   resource.Quantity  `json:"quantity"`
	IntOrStr   intstr.IntOrString `json:"intOrStr"`
}

type common struct {
	Shared string `json:"shared"`
}

type left struct{ common }

type right struct{ common }

// diamond embeds common twice at the same depth: its fields are ambiguous and hidden.
type diamond struct {
	Top string `json:"top"`
	left
	right
}

type zeroer struct{ Meaningless int }

func (zeroer) IsZero() bool { return true }

type omitZero struct {
	Int    int               `json:"int,omitzero"`
	Slice  []string          `json:"slice,omitzero"`
	Method zeroer            `json:"method,omitzero"`
	Time   time.Time         `json:"time,omitzero"`
	Ptr    *metav1.Time      `json:"ptr,omitzero"`
	Q      resource.Quantity `json:"q,omitzero"`
}

type specials struct {
	CPU      resource.Quantity    `json:"cpu"`
	Limits   corev1.ResourceList  `json:"limits"`
	Port     intstr.IntOrString   `json:"port"`
	Percent  *intstr.IntOrString  `json:"percent"`
	ZeroPort *intstr.IntOrString  `json:"zeroPort"`
	Time     metav1.Time          `json:"time"`
	Micro    metav1.MicroTime     `json:"micro"`
	Duration metav1.Duration      `json:"duration"`
	Bytes    []byte               `json:"bytes"`
	Raw      runtime.RawExtension `json:"raw"`
	RawMsg   json.RawMessage      `json:"rawMsg"`
	Upper    upper                `json:"upper"`
	ByAddr   byAddr               `json:"byAddr"`
	Text     text                 `json:"text"`
	TextKeys map[text]int         `json:"textKeys"`
}

// upper marshals with a value receiver: encoding/json calls it in any position.
type upper string

func (u upper) MarshalJSON() ([]byte, error) { return json.Marshal(strings.ToUpper(string(u))) }

func (u *upper) UnmarshalJSON(b []byte) error {
	var s string
	err := json.Unmarshal(b, &s)
	*u = upper(strings.ToLower(s))
	return err
}

// byAddr marshals with a pointer receiver, and returns null when empty.
type byAddr struct{ N int }

func (b *byAddr) MarshalJSON() ([]byte, error) {
	if b.N == 0 {
		return []byte("null"), nil
	}
	return json.Marshal(map[string]int{"n": b.N})
}

type text struct{ A, B string }

func (t text) MarshalText() ([]byte, error) { return []byte(t.A + "/" + t.B), nil }

func (t *text) UnmarshalText(b []byte) error {
	t.A, t.B, _ = strings.Cut(string(b), "/")
	return nil
}

type failing struct{}

func (failing) MarshalJSON() ([]byte, error) { return nil, errTest }

var errTest = &json.UnsupportedValueError{Str: "boom"}

type cyclic struct {
	Next *cyclic `json:"next"`
}

func TestEncode(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 30, 45, 123456789, time.FixedZone("CET", 3600))
	loop := &cyclic{}
	loop.Next = loop

	type args struct {
		v any
	}
	type want struct {
		s   string // JSON
		err error
	}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"FieldNames": {
			reason: "Names come from json tags, untagged fields use the Go name, and '-' and unexported fields are skipped.",
			args:   args{v: named{Tagged: "a", Untagged: "b", Skipped: "c", unexported: "d"}},
			want:   want{s: `{"tagged": "a", "Untagged": "b"}`},
		},
		"Embedding": {
			reason: "Embedded and inline structs are flattened and name conflicts resolve as in encoding/json.",
			args: args{v: embedding{
				TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Thing"},
				Inline:   inner{A: "inline"},
				other:    other{Shade: "other", Depth: 2},
			}},
			want: want{s: `{"apiVersion": "v1", "kind": "Thing", "a": "inline", "depth": 2}`},
		},
		"EmbeddedPointerSet": {
			reason: "A set embedded pointer contributes its fields, except those hidden by a conflict.",
			args:   args{v: embedding{Base: &Base{Name: "set", Shade: "hidden"}}},
			want:   want{s: `{"name": "set", "depth": 0}`},
		},
		"Shadowing": {
			reason: "A shallower field hides a deeper one of the same name.",
			args:   args{v: shadowing{Name: "outer", deep: deep{Name: "inner", Kept: "kept"}}},
			want:   want{s: `{"name": "outer", "kept": "kept"}`},
		},
		"Diamond": {
			reason: "A struct embedded twice at the same depth hides its fields, as with encoding/json.",
			args:   args{v: diamond{Top: "top", left: left{common{Shared: "l"}}, right: right{common{Shared: "r"}}}},
			want:   want{s: `{"top": "top"}`},
		},
		"NeverNull": {
			reason: "Nil pointers, slices, maps, interfaces and a nil time are left out without omitempty; a nil slice element stays as null to keep positions, a nil map value is left out.",
			args:   args{v: nulls{Elems: []*inner{nil, {A: "x"}}, MapElems: map[string]*inner{"nil": nil, "set": {}}}},
			want:   want{s: `{"elems": [null, {"a": "x"}], "mapElems": {"set": {}}}`},
		},
		"Scalars": {
			reason: "Zero scalars and empty slices and maps are sent unless omitempty says otherwise; numbers become float64.",
			args: args{v: scalars{
				Empty: []string{}, OptEmpty: []string{}, EmptyMap: map[string]int{}, OptMap: map[string]int{},
				Big: 1 << 53, Unsigned: 255, Float: 0.5, IntKeys: map[int]string{-1: "minus", 7: "seven"},
				PtrToEmpty: to(""), Ifaces: map[string]any{"n": 1, "l": []any{"a", true}, "nil": nil},
				Typed: map[corev1.ResourceName]string{corev1.ResourceCPU: "fast"},
			}},
			want: want{s: `{"port": 0, "str": "", "bool": false, "empty": [], "emptyMap": {}, "big": 9007199254740992,
				"unsigned": 255, "float": 0.5, "intKeys": {"-1": "minus", "7": "seven"}, "ptrToEmpty": "",
				"ifaces": {"n": 1, "l": ["a", true]}, "typed": {"cpu": "fast"}}`},
		},
		"ZeroStructs": {
			reason: "Zero non-pointer structs are left out, omitempty or not, and so are those with nothing to send; pointers to structs and zero structs in slices are sent.",
			args: args{v: structs{
				Ptr: &inner{}, NonZero: inner{A: "set"}, AllOmitted: inner{B: []int{}}, Elems: []inner{{}, {A: "x"}},
			}},
			want: want{s: `{"ptr": {}, "nonZero": {"a": "set"}, "elems": [{}, {"a": "x"}]}`},
		},
		"ZeroSpecialStructs": {
			reason: "A parsed zero Quantity and an empty string IntOrString are set values, unlike their Go zero values: sent.",
			args:   args{v: structs{Quantity: resource.MustParse("0"), IntOrStr: intstr.FromString("")}},
			want:   want{s: `{"quantity": "0", "intOrStr": ""}`},
		},
		"OmitZero": {
			reason: "omitzero leaves out zero values, asking IsZero when the type has it.",
			args:   args{v: omitZero{Slice: []string{}, Method: zeroer{Meaningless: 1}, Ptr: &metav1.Time{}, Q: resource.MustParse("0")}},
			want:   want{s: `{"slice": []}`},
		},
		"OmitZeroKept": {
			reason: "omitzero keeps what is not zero.",
			args:   args{v: omitZero{Int: 1, Time: now, Ptr: &metav1.Time{Time: now}, Q: resource.MustParse("1")}},
			want:   want{s: `{"int": 1, "time": "2025-03-01T12:30:45.123456789+01:00", "ptr": "2025-03-01T11:30:45Z", "q": "1"}`},
		},
		"Specials": {
			reason: "Kubernetes' special types take their JSON form without going through JSON.",
			args: args{v: specials{
				CPU:      resource.MustParse("1500m"),
				Limits:   corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("1024Mi"), corev1.ResourceCPU: resource.MustParse("0.1")},
				Port:     intstr.FromInt32(8080),
				Percent:  to(intstr.FromString("50%")),
				ZeroPort: to(intstr.FromInt32(0)),
				Time:     metav1.NewTime(now),
				Micro:    metav1.NewMicroTime(now),
				Duration: metav1.Duration{Duration: 90 * time.Second},
				Bytes:    []byte("hello"),
				Raw:      runtime.RawExtension{Raw: []byte(`{"apiVersion": "v1", "kind": "ConfigMap", "data": {"a": "1"}}`)},
				RawMsg:   json.RawMessage(`[1, "two"]`),
				Upper:    "shout",
				ByAddr:   byAddr{N: 3},
				Text:     text{A: "a", B: "b"},
				TextKeys: map[text]int{{A: "k", B: "v"}: 1},
			}},
			want: want{s: `{"cpu": "1500m", "limits": {"memory": "1Gi", "cpu": "100m"}, "port": 8080, "percent": "50%",
				"zeroPort": 0, "time": "2025-03-01T11:30:45Z", "micro": "2025-03-01T11:30:45.123456Z", "duration": "1m30s",
				"bytes": "aGVsbG8=", "raw": {"apiVersion": "v1", "kind": "ConfigMap", "data": {"a": "1"}}, "rawMsg": [1, "two"],
				"upper": "SHOUT", "byAddr": {"n": 3}, "text": "a/b", "textKeys": {"k/v": 1}}`},
		},
		"MarshalerNull": {
			reason: "A MarshalJSON that returns null is left out like any other null.",
			args:   args{v: struct{ B *byAddr }{B: &byAddr{}}},
			want:   want{s: `{}`},
		},
		"MinimalDeployment": {
			reason: "A Deployment sends what its author set and nothing else: no creationTimestamp, status, strategy or resources.",
			args: args{v: &appsv1.Deployment{
				TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
				ObjectMeta: metav1.ObjectMeta{Name: "web"},
				Spec: appsv1.DeploymentSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
					Containers: []corev1.Container{{Name: "web", Image: "web:1"}},
					Volumes:    []corev1.Volume{{Name: "tmp", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}},
				}}},
			}},
			want: want{s: `{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
				"spec": {"template": {"spec": {"containers": [{"name": "web", "image": "web:1"}], "volumes": [{"name": "tmp", "emptyDir": {}}]}}}}`},
		},
		"EmptyPodSelector": {
			reason: "A NetworkPolicy's podSelector is a non-pointer struct: empty, it is left out, which the API server reads the same way (all pods).",
			args:   args{v: &networkingv1.NetworkPolicy{Spec: networkingv1.NetworkPolicySpec{PolicyTypes: []networkingv1.PolicyType{"Ingress"}}}},
			want:   want{s: `{"spec": {"policyTypes": ["Ingress"]}}`},
		},
		"NaN": {
			reason: "encoding/json refuses NaN and so do we, naming the field.",
			args:   args{v: struct{ Outer struct{ F float64 } }{Outer: struct{ F float64 }{F: math.NaN()}}},
			want:   want{err: &FieldError{Path: "Outer.F", Msg: "unsupported number NaN"}},
		},
		"MarshalerError": {
			reason: "A failing MarshalJSON is an error at its path.",
			args:   args{v: struct{ L []failing }{L: []failing{{}}}},
			want:   want{err: &FieldError{Path: "L[0]", Msg: "cannot marshal pbjson.failing: json: unsupported value: boom"}},
		},
		"Unsupported": {
			reason: "A channel cannot be encoded, a nil one is left out.",
			args:   args{v: struct{ C, Nil chan int }{C: make(chan int)}},
			want:   want{err: &FieldError{Path: "C", Msg: "unsupported type chan int"}},
		},
		"Cyclic": {
			reason: "A cyclic value fails instead of overflowing the stack.",
			args:   args{v: loop},
			want:   want{err: &FieldError{Path: strings.TrimSuffix(strings.Repeat("next.", 65), "."), Msg: "exceeds the maximum depth of 128, is the value cyclic?"}},
		},
		"NilPointer": {
			reason: "A nil pointer encodes to null, which is not an object.",
			args:   args{v: (*appsv1.Deployment)(nil)},
			want:   want{err: errors.New("cannot encode *v1.Deployment as a JSON object")},
		},
		"NotAnObject": {
			reason: "Encode wants something that encodes to an object.",
			args:   args{v: "just a string"},
			want:   want{err: errors.New("cannot encode string as a JSON object")},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := Encode(tc.args.v)
			if diff := cmp.Diff(tc.want.err, err, equateErrors); diff != "" {
				t.Errorf("%s\nEncode(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if tc.want.err != nil {
				return
			}
			if diff := cmp.Diff(mustStruct(t, tc.want.s), got, protocmp.Transform()); diff != "" {
				t.Errorf("%s\nEncode(...): -want, +got:\n%s", tc.reason, diff)
			}
			// EncodeValue takes another route to the same result.
			v, err := EncodeValue(tc.args.v)
			if err != nil {
				t.Fatalf("EncodeValue(...): %v", err)
			}
			if diff := cmp.Diff(structpb.NewStructValue(got), v, protocmp.Transform()); diff != "" {
				t.Errorf("%s\nEncodeValue(...): -Encode, +EncodeValue:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestEncodeValue(t *testing.T) {
	type args struct {
		v any
	}
	type want struct {
		v *structpb.Value
	}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"Nil": {
			reason: "nil is null.",
			args:   args{v: nil},
			want:   want{v: structpb.NewNullValue()},
		},
		"ZeroTime": {
			reason: "A value that encodes to nothing is null.",
			args:   args{v: metav1.Time{}},
			want:   want{v: structpb.NewNullValue()},
		},
		"Quantity": {
			reason: "A special type on its own.",
			args:   args{v: resource.MustParse("2Gi")},
			want:   want{v: structpb.NewStringValue("2Gi")},
		},
		"List": {
			reason: "Any value, not only structs.",
			args:   args{v: []intstr.IntOrString{intstr.FromInt32(1), intstr.FromString("a")}},
			want: want{v: structpb.NewListValue(&structpb.ListValue{Values: []*structpb.Value{
				structpb.NewNumberValue(1), structpb.NewStringValue("a"),
			}})},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := EncodeValue(tc.args.v)
			if err != nil {
				t.Fatalf("EncodeValue(...): %v", err)
			}
			if diff := cmp.Diff(tc.want.v, got, protocmp.Transform()); diff != "" {
				t.Errorf("%s\nEncodeValue(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// The encoder pools its scratch state between calls: no node of one result may be part of
// another, and growing a short list must not write into the next one. Encoding the same object
// many times, then changing every result, must leave every other result as it was. (Slabs of
// nodes handed out from the pooled state once broke both, then leaked every result.)
func TestEncodeResultsShareNothing(t *testing.T) {
	obj := map[string]any{
		"name":   "shop",
		"labels": map[string]string{"app": "shop", "team": "web"},
		"args":   []string{"serve", "--port", "8080"},
		"spec":   map[string]any{"ports": []any{"http", "grpc"}, "owner": "web"},
	}
	j, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	want := mustStruct(t, string(j))
	results := make([]*structpb.Struct, 100)
	for i := range results {
		if results[i], err = Encode(obj); err != nil {
			t.Fatal(err)
		}
	}
	for i, r := range results {
		if diff := cmp.Diff(want, r, protocmp.Transform()); diff != "" {
			t.Fatalf("result %d before any change: -want, +got:\n%s", i, diff)
		}
		r.Fields["name"] = structpb.NewStringValue("changed")
		r.Fields["labels"].GetStructValue().Fields["app"].Kind = &structpb.Value_StringValue{StringValue: "changed"}
		args := r.Fields["args"].GetListValue()
		args.Values[0] = structpb.NewStringValue("changed")                       // the list's own elements
		args.Values[1].Kind = &structpb.Value_StringValue{StringValue: "changed"} // a node in it
		args.Values = append(args.Values, structpb.NewStringValue("appended"))
		for _, later := range results[i+1:] {
			if diff := cmp.Diff(want, later, protocmp.Transform()); diff != "" {
				t.Fatalf("changing result %d changed a later one: -want, +got:\n%s", i, diff)
			}
		}
	}
}
