package pbjson

import (
	"encoding/json"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// withStatus makes the Deployment look observed: server-set metadata and a status.
func withStatus(d *appsv1.Deployment) {
	at := metav1.NewTime(time.Date(2025, 3, 1, 11, 30, 45, 0, time.UTC))
	d.UID = "5c3e8e1a-0b7d-4c1e-9d51-2f3b4a5c6d7e"
	d.ResourceVersion = "123456"
	d.Generation = 4
	d.CreationTimestamp = at
	d.Status = appsv1.DeploymentStatus{
		ObservedGeneration: 4, Replicas: 3, UpdatedReplicas: 3, ReadyReplicas: 3, AvailableReplicas: 3,
		Conditions: []appsv1.DeploymentCondition{
			{Type: appsv1.DeploymentAvailable, Status: corev1.ConditionTrue, LastUpdateTime: at, LastTransitionTime: at,
				Reason: "MinimumReplicasAvailable", Message: "Deployment has minimum availability."},
			{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionTrue, LastUpdateTime: at, LastTransitionTime: at,
				Reason: "NewReplicaSetAvailable", Message: `ReplicaSet "web-7d9f8b6c5d" has successfully progressed.`},
		},
	}
}

func BenchmarkEncodeDeployment(b *testing.B) {
	d := deployment()
	b.Run("pbjson", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Encode(d); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("json+protojson", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			j, err := json.Marshal(d)
			if err != nil {
				b.Fatal(err)
			}
			if err := protojson.Unmarshal(j, &structpb.Struct{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("unstructured", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(d)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := structpb.NewStruct(u); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkDecodeDeployment(b *testing.B) {
	s, err := Encode(deployment(withStatus))
	if err != nil {
		b.Fatal(err)
	}
	b.Run("pbjson", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := Decode(s, &appsv1.Deployment{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("protojson+json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			j, err := protojson.Marshal(s)
			if err != nil {
				b.Fatal(err)
			}
			if err := json.Unmarshal(j, &appsv1.Deployment{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("unstructured", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(s.AsMap(), &appsv1.Deployment{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkEncodeObjects encodes what one request of a typical composition returns: the budget is
// per request, not per object.
func BenchmarkEncodeObjects(b *testing.B) {
	objs := []any{deployment(), service(), hpa(), pdb(), networkPolicy(), httpRoute()}
	b.ReportAllocs()
	for b.Loop() {
		for _, o := range objs {
			if _, err := Encode(o); err != nil {
				b.Fatal(err)
			}
		}
	}
}
