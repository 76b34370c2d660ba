package fn

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"
)

func TestRolloutHealth(t *testing.T) {
	desired := func(image string) *appsv1.Deployment {
		d := &appsv1.Deployment{Spec: appsv1.DeploymentSpec{Replicas: ptr.To[int32](2)}}
		d.Spec.Template.Spec.Containers = append(d.Spec.Template.Spec.Containers, corev1.Container{Name: "app", Image: image})
		stampSpec(d)
		return d
	}
	v1, v2 := desired("ghcr.io/acme/shop:1.4.2"), desired("ghcr.io/acme/shop:1.4.3")
	available := func(stamp string) *observedDeployment {
		return decodeDeployment(mustStruct(t, `
apiVersion: apps/v1
kind: Deployment
metadata: {name: shop, generation: 4, annotations: {xapp.dev/spec: "`+stamp+`"}}
spec: {replicas: 2}
status: {observedGeneration: 4, replicas: 2, updatedReplicas: 2, availableReplicas: 2}`))
	}
	cases := map[string]struct {
		reason   string
		desired  *appsv1.Deployment
		observed *observedDeployment
		want     health
	}{
		"Current": {
			reason:  "The observed Deployment has the composed spec and is rolled out: ready.",
			desired: v1, observed: available(v1.Annotations[AnnotationSpec]),
			want: health{ready: true},
		},
		"SpecChanged": {
			reason:  "The reconcile that changes the image observes the old Deployment, available: that is not the new image rolled out.",
			desired: v2, observed: available(v1.Annotations[AnnotationSpec]),
			want: health{why: "Deployment shop: rolling out: the new spec is not applied yet"},
		},
		"NotCreated": {
			reason:  "No Deployment yet says so, as before.",
			desired: v1,
			want:    health{why: "Deployment shop: not created yet"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := rolloutHealth("shop", tc.desired, tc.observed)
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(health{})); diff != "" {
				t.Errorf("%s\nrolloutHealth(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
	if v1.Annotations[AnnotationSpec] == v2.Annotations[AnnotationSpec] {
		t.Error("two images stamp the same spec hash")
	}
}
