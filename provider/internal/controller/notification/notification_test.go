package notification

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/xapp-dev/xapp/apis/cmdb/v1alpha1"
)

func TestCreateSecrets(t *testing.T) {
	hooks := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "hooks"}, Data: map[string][]byte{"key": []byte("k")}}
	ref := func(name, key string) *xpv2.LocalSecretKeySelector {
		return &xpv2.LocalSecretKeySelector{LocalSecretReference: xpv2.LocalSecretReference{Name: name}, Key: key}
	}
	cases := map[string]struct {
		reason string
		mod    func(*v1alpha1.NotificationParameters)
		want   string
	}{
		"NoSecret": {
			reason: "A missing Secret is named with the field that names it.",
			mod: func(p *v1alpha1.NotificationParameters) {
				p.URL = nil
				p.URLSecretRef = ref("gone", "url")
			},
			want: `cannot get Secret gone for spec.forProvider.urlSecretRef: secrets "gone" not found`,
		},
		"NoKey": {
			reason: "A Secret without the key says which key is missing.",
			mod:    func(p *v1alpha1.NotificationParameters) { p.SigningSecretRef = ref("hooks", "nokey") },
			want:   `spec.forProvider.signingSecretRef: Secret hooks has no key "nokey"`,
		},
		"BadURL": {
			reason: "A URL that is not http(s) (a Secret holding something else) is refused before sending.",
			mod: func(p *v1alpha1.NotificationParameters) {
				p.URL = nil
				p.URLSecretRef = ref("hooks", "key")
			},
			want: "webhook URL must be an absolute http or https URL",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c := newCluster(t, hooks)
			n := notificationFor(1, v1alpha1.FormatCloudEvents, "http://127.0.0.1:1/")
			tc.mod(&n.Spec.ForProvider)
			e := &external{kube: c.kube, o: Options{Now: time.Now, Backoff: time.Millisecond}}
			_, err := e.Create(context.Background(), n)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nCreate(): -want error, +got error:\n%s", tc.reason, diff)
			}
			if meta.GetExternalName(n) != "" {
				t.Errorf("%s\nCreate() recorded a delivery that did not happen: %q", tc.reason, meta.GetExternalName(n))
			}
		})
	}
}

func TestObserve(t *testing.T) {
	delivered := notificationFor(1, v1alpha1.FormatSlack, "https://hooks.example.com/x")
	meta.SetExternalName(delivered, "uid-1")
	meta.AddAnnotations(delivered, map[string]string{AnnotationDelivery: `{"statusCode":200,"body":"ok","attempts":2}`})
	deleted := delivered.DeepCopy()
	deleted.SetDeletionTimestamp(ptr.To(metav1.Now()))
	cases := map[string]struct {
		reason    string
		n         *v1alpha1.Notification
		want      managed.ExternalObservation
		delivered corev1.ConditionStatus
		message   string
		obs       v1alpha1.NotificationObservation
	}{
		"NotYet": {
			reason:    "Without a recorded delivery the notification does not exist yet: the reconciler delivers it.",
			n:         notificationFor(1, v1alpha1.FormatSlack, "https://hooks.example.com/x"),
			delivered: corev1.ConditionFalse, message: "not delivered yet",
		},
		"Delivered": {
			reason:    "A recorded delivery exists and is up to date forever, with the receiver's answer in status.",
			n:         delivered,
			want:      managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true},
			delivered: corev1.ConditionTrue, message: "receiver answered 200 OK: ok",
			obs: v1alpha1.NotificationObservation{DeliveryID: "uid-1", StatusCode: 200, Body: "ok", Attempts: 2},
		},
		"Deleted": {
			reason: "A deleted notification has nothing to recall.",
			n:      deleted,
			obs:    v1alpha1.NotificationObservation{},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			n := tc.n.DeepCopy()
			got, err := (&external{}).Observe(context.Background(), n)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nObserve(): -want, +got:\n%s", tc.reason, diff)
			}
			c := n.GetCondition(v1alpha1.ConditionDelivered)
			if tc.delivered != "" && (c.Status != tc.delivered || c.Message != tc.message) {
				t.Errorf("%s\nDelivered: %s %q, want %s %q", tc.reason, c.Status, c.Message, tc.delivered, tc.message)
			}
			if diff := cmp.Diff(tc.obs, n.Status.AtProvider); diff != "" {
				t.Errorf("%s\natProvider: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
