package pbjson

import (
	"encoding/json"
	"reflect"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/structpb"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
)

// TestEncodeMatchesJSON holds Encode to encoding/json on realistic objects: the same output, less
// what Encode deliberately leaves out. Decoding the result must give the object back.
func TestEncodeMatchesJSON(t *testing.T) {
	cases := map[string]struct {
		reason string
		obj    any
	}{
		"Deployment": {
			reason: "Probes, resources, security contexts, volumes and env from secrets and fields.",
			obj:    deployment(),
		},
		"Service": {
			reason: "A named target port, and a status that is all zero values.",
			obj:    service(),
		},
		"HorizontalPodAutoscaler": {
			reason: "Quantities behind pointers, and a zero status that encoding/json sends as desiredReplicas: 0.",
			obj:    hpa(),
		},
		"PodDisruptionBudget": {
			reason: "An IntOrString behind a pointer.",
			obj:    pdb(),
		},
		"NetworkPolicy": {
			reason: "An ipBlock, and an empty namespaceSelector that means every namespace.",
			obj:    networkPolicy(),
		},
		"HTTPRoute": {
			reason: "Gateway API types inline BackendRef and CommonRouteSpec.",
			obj:    httpRoute(),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			b, err := json.Marshal(tc.obj)
			if err != nil {
				t.Fatal(err)
			}
			viaJSON := &structpb.Struct{}
			if err := protojson.Unmarshal(b, viaJSON); err != nil {
				t.Fatal(err)
			}
			m := viaJSON.AsMap()
			prune(m, map[string]bool{"emptyDir": true, "namespaceSelector": true})
			want, err := structpb.NewStruct(m)
			if err != nil {
				t.Fatal(err)
			}

			got, err := Encode(tc.obj)
			if err != nil {
				t.Fatalf("Encode(...): %v", err)
			}
			if diff := cmp.Diff(want, got, protocmp.Transform()); diff != "" {
				t.Errorf("%s\nEncode(...): -encoding/json pruned, +got:\n%s", tc.reason, diff)
			}

			back := reflect.New(reflect.TypeOf(tc.obj).Elem()).Interface()
			if err := Decode(got, back); err != nil {
				t.Fatalf("Decode(Encode(...)): %v", err)
			}
			if diff := cmp.Diff(tc.obj, back); diff != "" {
				t.Errorf("%s\nDecode(Encode(...)): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// prune removes from a JSON object what encoding/json sends and Encode must not: nulls, and objects
// that hold nothing but zero values, which is what encoding/json makes of a struct left at its zero
// value. Objects under the keys in pointers are pointers to structs, meant even when empty, and stay.
// It knows nothing of Go types on purpose: it is the expected output, not a second implementation.
func prune(m map[string]any, pointers map[string]bool) {
	for k, v := range m {
		switch v := v.(type) {
		case nil:
			delete(m, k)
		case map[string]any:
			prune(v, pointers)
			if !pointers[k] && onlyZeros(v) {
				delete(m, k)
			}
		case []any:
			for _, e := range v {
				if o, ok := e.(map[string]any); ok {
					prune(o, pointers)
				}
			}
		}
	}
}

func onlyZeros(m map[string]any) bool {
	for _, v := range m {
		switch v {
		case 0.0, "", false:
		default:
			return false
		}
	}
	return true
}

// TestConcurrent encodes and decodes shared objects from many goroutines, some of them building a
// type's plan on first use. Run it with -race: Quantity caches its string in its receiver, and the
// objects a function encodes may be shared.
func TestConcurrent(t *testing.T) {
	d := deployment()
	s, err := Encode(d)
	if err != nil {
		t.Fatal(err)
	}
	job := &batchv1.CronJob{Spec: batchv1.CronJobSpec{Schedule: "@daily", JobTemplate: batchv1.JobTemplateSpec{
		Spec: batchv1.JobSpec{Template: d.Spec.Template},
	}}}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := Encode(d); err != nil {
				t.Error(err)
			}
			if err := Decode(s, &appsv1.Deployment{}); err != nil {
				t.Error(err)
			}
			got, err := Encode(job)
			if err != nil {
				t.Error(err)
				return
			}
			if err := Decode(got, &batchv1.CronJob{}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}
