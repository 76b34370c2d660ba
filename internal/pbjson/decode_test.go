package pbjson

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
)

type hidden struct{ *inner }

func TestDecode(t *testing.T) {
	then := time.Date(2025, 3, 1, 11, 30, 45, 0, time.UTC)

	type args struct {
		s    string // JSON
		into any    // a pointer to a zero value
	}
	type want struct {
		into any
		err  error
	}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"PathError": {
			reason: "A type mismatch names the path from the root.",
			args:   args{s: `{"spec": {"ports": [{"port": 80}, {"port": "x"}]}}`, into: &corev1.Service{}},
			want:   want{into: &corev1.Service{}, err: &FieldError{Path: "spec.ports[1].port", Msg: `want integer, got string "x"`}},
		},
		"MapKeyPath": {
			reason: "Map keys appear in brackets, as in Kubernetes field paths.",
			args:   args{s: `{"metadata": {"labels": {"app.kubernetes.io/name": 1}}}`, into: &corev1.Service{}},
			want:   want{into: &corev1.Service{}, err: &FieldError{Path: "metadata.labels[app.kubernetes.io/name]", Msg: "want string, got number 1"}},
		},
		"NotAnInteger": {
			reason: "A fraction does not go into an integer.",
			args:   args{s: `{"spec": {"replicas": 1.5}}`, into: &appsv1.Deployment{}},
			want:   want{into: &appsv1.Deployment{}, err: &FieldError{Path: "spec.replicas", Msg: "want integer, got number 1.5"}},
		},
		"Overflow": {
			reason: "An integer out of the field's range is an error, not a wrapped value.",
			args:   args{s: `{"spec": {"template": {"spec": {"containers": [{"ports": [{"containerPort": 3e9}]}]}}}}`, into: &appsv1.Deployment{}},
			want: want{into: &appsv1.Deployment{}, err: &FieldError{
				Path: "spec.template.spec.containers[0].ports[0].containerPort", Msg: "number 3e+09 overflows int32",
			}},
		},
		"NegativeUnsigned": {
			reason: "A negative number does not go into an unsigned integer.",
			args:   args{s: `{"unsigned": -1}`, into: &scalars{}},
			want:   want{into: &scalars{}, err: &FieldError{Path: "unsigned", Msg: "number -1 overflows uint8"}},
		},
		"WrongShape": {
			reason: "An array where an object belongs is a mismatch.",
			args:   args{s: `{"spec": []}`, into: &appsv1.Deployment{}},
			want:   want{into: &appsv1.Deployment{}, err: &FieldError{Path: "spec", Msg: "want object, got array"}},
		},
		"UnknownAndNull": {
			reason: "Unknown fields are ignored and null leaves a field at its zero value.",
			args:   args{s: `{"ptr": null, "slice": null, "time": null, "nope": {"deep": [1]}, "elems": [null, {"a": "x"}]}`, into: &nulls{}},
			want:   want{into: &nulls{Elems: []*inner{nil, {A: "x"}}}},
		},
		"Scalars": {
			reason: "Numbers, strings, booleans, slices, maps with string, typed and integer keys, and interfaces.",
			args: args{s: `{"port": 8080, "str": "s", "bool": true, "empty": [], "emptyMap": {}, "big": 9007199254740992,
				"float": 0.25, "intKeys": {"-1": "minus"}, "ptrToEmpty": "", "ifaces": {"l": ["a", 1, {"b": null}]},
				"kind": "UDP", "typed": {"cpu": "fast"}}`, into: &scalars{}},
			want: want{into: &scalars{
				Port: 8080, Str: "s", Bool: true, Empty: []string{}, EmptyMap: map[string]int{}, Big: 1 << 53, Float: 0.25,
				IntKeys: map[int]string{-1: "minus"}, PtrToEmpty: to(""), Ifaces: map[string]any{"l": []any{"a", 1.0, map[string]any{"b": nil}}},
				Kind: corev1.ProtocolUDP, Typed: map[corev1.ResourceName]string{corev1.ResourceCPU: "fast"},
			}},
		},
		"Embedded": {
			reason: "Promoted fields are decoded through embedded structs, allocating embedded pointers.",
			args:   args{s: `{"apiVersion": "v1", "name": "n", "a": "inline", "depth": 2}`, into: &embedding{}},
			want: want{into: &embedding{
				TypeMeta: metav1.TypeMeta{APIVersion: "v1"}, Base: &Base{Name: "n"}, Inline: inner{A: "inline"}, other: other{Depth: 2},
			}},
		},
		"UnexportedEmbeddedPointer": {
			reason: "A nil pointer to an unexported embedded struct cannot be set, as with encoding/json.",
			args:   args{s: `{"a": "x"}`, into: &hidden{}},
			want:   want{into: &hidden{}, err: &FieldError{Path: "a", Msg: "cannot set embedded pointer to unexported struct pbjson.inner"}},
		},
		"Specials": {
			reason: "Kubernetes' special types are read from their JSON form; other types use their UnmarshalJSON or UnmarshalText.",
			args: args{s: `{"cpu": "1500m", "limits": {"memory": "1Gi", "cpu": 0.5}, "port": 8080, "percent": "50%",
				"time": "2025-03-01T12:30:45+01:00", "micro": "2025-03-01T11:30:45.123456Z", "duration": "1m30s",
				"bytes": "aGVsbG8=", "raw": {"kind": "ConfigMap", "data": {"a": "1"}}, "rawMsg": [1, "two"],
				"upper": "SHOUT", "text": "a/b", "textKeys": {"k/v": 1}}`, into: &specials{}},
			want: want{into: &specials{
				CPU:      resource.MustParse("1500m"),
				Limits:   corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("1Gi"), corev1.ResourceCPU: resource.MustParse("500m")},
				Port:     intstr.FromInt32(8080),
				Percent:  to(intstr.FromString("50%")),
				Time:     metav1.NewTime(then),
				Micro:    metav1.NewMicroTime(then.Add(123456 * time.Microsecond)),
				Duration: metav1.Duration{Duration: 90 * time.Second},
				Bytes:    []byte("hello"),
				Raw:      runtime.RawExtension{Raw: []byte(`{"data":{"a":"1"},"kind":"ConfigMap"}`)},
				RawMsg:   json.RawMessage(`[1,"two"]`),
				Upper:    "shout",
				Text:     text{A: "a", B: "b"},
				TextKeys: map[text]int{{A: "k", B: "v"}: 1},
			}},
		},
		"HugeQuantity": {
			reason: "A number goes into a quantity as encoding/json would have written it.",
			args:   args{s: `{"cpu": 1e21, "limits": {"cpu": 1e20}}`, into: &specials{}},
			want: want{into: &specials{
				CPU:    resource.MustParse("1e21"),
				Limits: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100E")},
			}},
		},
		"BadQuantity": {
			reason: "A quantity that does not parse is an error at its path.",
			args:   args{s: `{"cpu": "lots"}`, into: &specials{}},
			want:   want{into: &specials{}, err: &FieldError{Path: "cpu", Msg: `invalid quantity "lots": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`}},
		},
		"BadIntOrString": {
			reason: "An IntOrString is a number or a string.",
			args:   args{s: `{"port": true}`, into: &specials{}},
			want:   want{into: &specials{}, err: &FieldError{Path: "port", Msg: "want integer or string, got boolean true"}},
		},
		"BadTime": {
			reason: "A time must be RFC 3339.",
			args:   args{s: `{"time": "yesterday"}`, into: &specials{}},
			want:   want{into: &specials{}, err: &FieldError{Path: "time", Msg: `invalid time "yesterday": want 2006-01-02T15:04:05Z07:00`}},
		},
		"BadUnmarshaler": {
			reason: "An UnmarshalJSON error is reported at its path.",
			args:   args{s: `{"upper": 1}`, into: &specials{}},
			want: want{into: &specials{}, err: &FieldError{
				Path: "upper", Msg: "cannot unmarshal into pbjson.upper: json: cannot unmarshal number into Go value of type string",
			}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := Decode(mustStruct(t, tc.args.s), tc.args.into)
			if diff := cmp.Diff(tc.want.err, err, equateErrors); diff != "" {
				t.Errorf("%s\nDecode(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if tc.want.err != nil {
				return
			}
			if diff := cmp.Diff(tc.want.into, tc.args.into, protocmp.Transform(), cmp.AllowUnexported(embedding{}, hidden{})); diff != "" {
				t.Errorf("%s\nDecode(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// TestDecodeErrorIsStable: with several bad fields the error names the one declared first, whatever
// the order the Struct's map yields them in, so a composite resource's status does not churn.
func TestDecodeErrorIsStable(t *testing.T) {
	s := mustStruct(t, `{"spec": {"paused": 1, "replicas": "three", "minReadySeconds": "x", "selector": [],
		"template": {"metadata": {"labels": {"b": 1, "a": 2, "c": 3}}}}}`)
	want := &FieldError{Path: "spec.replicas", Msg: `want integer, got string "three"`}
	for range 50 {
		err := Decode(s, &appsv1.Deployment{})
		if diff := cmp.Diff(want, err, equateErrors); diff != "" {
			t.Fatalf("Decode(...): -want error, +got error:\n%s", diff)
		}
	}
	want = &FieldError{Path: "template.metadata.labels[a]", Msg: "want string, got number 2"}
	for range 50 {
		err := DecodeField(s.GetFields()["spec"].GetStructValue(), "template", &corev1.PodTemplateSpec{})
		if diff := cmp.Diff(want, err, equateErrors); diff != "" {
			t.Fatalf("DecodeField(...): -want error, +got error:\n%s", diff)
		}
	}
}

func TestDecodeField(t *testing.T) {
	observed := mustStruct(t, `{"spec": {"replicas": 3}, "status": {"readyReplicas": 2, "conditions": [{"type": "Available", "status": "True"}]}}`)
	type args struct {
		name string
		into any
	}
	type want struct {
		into any
		err  error
	}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"Status": {
			reason: "Only the named field is decoded.",
			args:   args{name: "status", into: &appsv1.DeploymentStatus{}},
			want: want{into: &appsv1.DeploymentStatus{ReadyReplicas: 2, Conditions: []appsv1.DeploymentCondition{
				{Type: appsv1.DeploymentAvailable, Status: corev1.ConditionTrue},
			}}},
		},
		"Missing": {
			reason: "A missing field leaves into as it is.",
			args:   args{name: "nope", into: &appsv1.DeploymentStatus{Replicas: 1}},
			want:   want{into: &appsv1.DeploymentStatus{Replicas: 1}},
		},
		"Error": {
			reason: "The path of an error starts at the named field.",
			args:   args{name: "status", into: &[]string{}},
			want:   want{into: &[]string{}, err: &FieldError{Path: "status", Msg: "want array, got object"}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := DecodeField(observed, tc.args.name, tc.args.into)
			if diff := cmp.Diff(tc.want.err, err, equateErrors); diff != "" {
				t.Errorf("%s\nDecodeField(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.into, tc.args.into); diff != "" && tc.want.err == nil {
				t.Errorf("%s\nDecodeField(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}

	if err := DecodeField(nil, "status", &appsv1.DeploymentStatus{}); err != nil {
		t.Errorf("DecodeField(nil, ...): want no error, got %v", err)
	}
	if err := Decode(observed, appsv1.Deployment{}); err == nil {
		t.Error("Decode(..., non-pointer): want an error, got none")
	}
}
