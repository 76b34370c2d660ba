package pbjson

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/structpb"
)

func TestAppendWire(t *testing.T) {
	nested, _ := structpb.NewStruct(map[string]any{
		"a": nil, "b": 1.5, "c": "x", "d": true, "e": false, "f": 0.0, "g": "",
		"h": map[string]any{}, "i": []any{}, "j": []any{1.0, "two", nil, map[string]any{"k": []any{[]any{}}}},
	})
	cases := map[string]struct {
		reason string
		s      *structpb.Struct
	}{
		"Empty":   {reason: "An empty Struct is no bytes.", s: &structpb.Struct{}},
		"Scalars": {reason: "Every kind of Value, including zero values of a oneof, which proto always writes.", s: nested},
		"UnsetKind": {
			reason: "A Value with no kind set is an empty message.",
			s:      &structpb.Struct{Fields: map[string]*structpb.Value{"x": {}}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			wantWire(t, tc.reason, tc.s)
		})
	}
}

// TestAppendWireObjects checks real objects: every fixture Encode turns into a Struct.
func TestAppendWireObjects(t *testing.T) {
	objects := map[string]any{
		"Deployment": deployment(), "Service": service(), "HPA": hpa(), "PDB": pdb(),
		"NetworkPolicy": networkPolicy(), "HTTPRoute": httpRoute(),
	}
	for name, obj := range objects {
		t.Run(name, func(t *testing.T) {
			s, err := Encode(obj)
			if err != nil {
				t.Fatal(err)
			}
			wantWire(t, "A composed object's bytes are what proto.Marshal writes.", s)
		})
	}
}

// wantWire asserts AppendWire writes exactly the bytes of a deterministic proto.Marshal, and that
// they read back into an equal Struct.
func wantWire(t *testing.T, reason string, s *structpb.Struct) {
	t.Helper()
	want, err := proto.MarshalOptions{Deterministic: true}.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	got := AppendWire([]byte("prefix"), s)
	if !bytes.HasPrefix(got, []byte("prefix")) {
		t.Fatalf("%s\nAppendWire() lost what b held", reason)
	}
	got = got[len("prefix"):]
	if !bytes.Equal(want, got) {
		t.Errorf("%s\nAppendWire(): %d bytes differ from proto.Marshal's %d", reason, len(got), len(want))
	}
	back := &structpb.Struct{}
	if err := proto.Unmarshal(got, back); err != nil {
		t.Fatalf("%s\nproto.Unmarshal(AppendWire()): %v", reason, err)
	}
	if diff := cmp.Diff(s, back, protocmp.Transform()); diff != "" {
		t.Errorf("%s\nround trip: -want, +got:\n%s", reason, diff)
	}
}

func FuzzAppendWire(f *testing.F) {
	f.Add([]byte(`{"a":[1,{"b":null},"c",true],"d":{"e":{}}}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, j []byte) {
		s := &structpb.Struct{}
		if protojson.Unmarshal(j, s) != nil {
			t.Skip("not a JSON object")
		}
		wantWire(t, "fuzz", s)
	})
}

func BenchmarkWireDeployment(b *testing.B) {
	s, err := Encode(deployment())
	if err != nil {
		b.Fatal(err)
	}
	b.Run("AppendWire", func(b *testing.B) {
		b.ReportAllocs()
		buf := make([]byte, 0, 8192)
		for b.Loop() {
			buf = AppendWire(buf[:0], s)
		}
	})
	b.Run("proto.Marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = proto.Marshal(s)
		}
	})
}

func TestAppendWireField(t *testing.T) {
	s, err := Encode(deployment())
	if err != nil {
		t.Fatal(err)
	}
	body := AppendWire(nil, s)
	want := protowire.AppendBytes(protowire.AppendTag([]byte("x"), 7, protowire.BytesType), body)
	if got := AppendWireField([]byte("x"), 7, s); !bytes.Equal(want, got) {
		t.Errorf("AppendWireField(): %d bytes, want tag 7, length and the %d bytes of AppendWire after the prefix", len(got), len(body))
	}
}
