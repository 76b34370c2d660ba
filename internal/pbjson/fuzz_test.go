package pbjson

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/structpb"
	appsv1 "k8s.io/api/apps/v1"
)

// FuzzDecode feeds arbitrary JSON to Decode. Decode must not panic, and what it accepts must
// encode, decode again, and encode to the same thing: one round trip normalises (quantities,
// time zones), the next changes nothing.
func FuzzDecode(f *testing.F) {
	b, err := json.Marshal(deployment(withStatus))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	for _, s := range []string{
		`{"spec": {"replicas": 1.5, "template": {"spec": {"containers": [{"ports": [{"containerPort": "x"}]}]}}}}`,
		`{"spec": {"template": {"spec": {"containers": [{"resources": {"limits": {"cpu": 0.001, "memory": "1e3Mi"}}}]}}}}`,
		`{"metadata": {"creationTimestamp": "2025-03-01T12:30:45.5+01:00", "managedFields": [{"fieldsV1": {"f:spec": {}}}]}}`,
		`{"spec": {"strategy": {"rollingUpdate": {"maxSurge": 1e10, "maxUnavailable": null}}}}`,
		`{"status": {"conditions": [null, {"lastUpdateTime": null}]}, "kind": 1}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s := &structpb.Struct{}
		if protojson.Unmarshal(data, s) != nil {
			return
		}
		d := &appsv1.Deployment{}
		if Decode(s, d) != nil {
			return
		}
		once, err := Encode(d)
		if err != nil {
			t.Fatalf("Encode(Decode(...)): %v", err)
		}
		again := &appsv1.Deployment{}
		if err := Decode(once, again); err != nil {
			t.Fatalf("Decode(Encode(Decode(...))): %v", err)
		}
		twice, err := Encode(again)
		if err != nil {
			t.Fatalf("Encode(Decode(Encode(Decode(...)))): %v", err)
		}
		if diff := cmp.Diff(once, twice, protocmp.Transform()); diff != "" {
			t.Errorf("second round trip: -first, +second:\n%s", diff)
		}
	})
}
