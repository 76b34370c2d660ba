package fn

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"

	"github.com/xapp-dev/xapp/input/v1beta1"
)

func TestKeepUntilPodsGone(t *testing.T) {
	cases := map[string]struct {
		reason string
		plan   *dataPlan
		want   []string
	}{
		"NoDataServices": {
			reason: "An app without data services is deleted as usual, in the background.",
			plan:   nil,
		},
		"NothingHeld": {
			reason: "Without a Usage nothing waits for the pods.",
			plan:   &dataPlan{objects: []object{{name: ResourceDatabase, obj: &cnpgCluster{}}}},
		},
		"DatabaseHeld": {
			reason: "A Usage holds the database on the Deployment: the Deployment must stay until its pods are gone.",
			plan: &dataPlan{objects: []object{
				{name: ResourceDatabase, obj: &cnpgCluster{}},
				usageObject(&app{name: "shop", namespace: "team-shop", in: &v1beta1.Input{}}, ResourceUsageDatabase, typedRef{cnpgAPI, "Cluster", "shop-db"}),
			}},
			want: []string{"foregroundDeletion"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			d := &appsv1.Deployment{}
			tc.plan.keepUntilPodsGone(d)
			if diff := cmp.Diff(tc.want, d.Finalizers); diff != "" {
				t.Errorf("%s\nfinalizers: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
