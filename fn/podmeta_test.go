package fn

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
	"github.com/xapp-dev/xapp/input/v1beta1"
)

func withPodMetadata(labels, annotations map[string]string) specMod {
	return func(s *v1alpha1.XAppSpec) {
		s.PodMetadata = &v1alpha1.PodMetadata{Labels: labels, Annotations: annotations}
	}
}

func withPodMetadataPolicy(labels, annotations []string) inputMod {
	return func(in *v1beta1.Input) {
		in.PodMetadata = &v1beta1.PodMetadataPolicy{AllowedLabelPrefixes: labels, AllowedAnnotationPrefixes: annotations}
	}
}

func TestValidatePodMetadata(t *testing.T) {
	cases := map[string]struct {
		reason string
		pm     *v1alpha1.PodMetadata
		want   []string
	}{
		"Valid": {reason: "Qualified keys and label values.", pm: &v1alpha1.PodMetadata{
			Labels: map[string]string{"sidecar.istio.io/inject": "true"}, Annotations: map[string]string{"prometheus.io/path": "/metrics?x=1"}}},
		"Invalid": {
			reason: "Keys and label values are checked as the API server checks them, each by its path.",
			pm:     &v1alpha1.PodMetadata{Labels: map[string]string{"a b": "not ok", "ok": "no way"}, Annotations: map[string]string{"/x": "y", " ": ""}},
			want: []string{
				`spec.podMetadata.labels[a b]: Invalid value: "a b": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
				`spec.podMetadata.labels[a b]: Invalid value: "not ok": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
				`spec.podMetadata.labels[ok]: Invalid value: "no way": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
				`spec.podMetadata.annotations[ ]: Invalid value: " ": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
				`spec.podMetadata.annotations[/x]: Invalid value: "/x": prefix part must be non-empty`,
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := verdictOf(nil, validatePodMetadata(field.NewPath("spec", "podMetadata"), tc.pm))
			if diff := cmp.Diff(tc.want, got.errs); diff != "" {
				t.Errorf("%s\nvalidatePodMetadata(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestPodMetadataPolicy(t *testing.T) {
	mesh := withPodMetadataPolicy([]string{"sidecar.istio.io/"}, []string{"prometheus.io/", "acme.com/cost-"})
	cases := map[string]struct {
		reason string
		in     []inputMod
		mods   []specMod
		want   []string
	}{
		"Allowed": {
			reason: "Keys under the allowed prefixes pass.",
			in:     []inputMod{mesh},
			mods:   []specMod{withPodMetadata(map[string]string{"sidecar.istio.io/inject": "true"}, map[string]string{"prometheus.io/scrape": "true", "acme.com/cost-centre": "4711"})},
		},
		"NotAllowed": {
			reason: "Keys outside the allowed prefixes are refused, naming the prefixes; a prefix is matched as written.",
			in:     []inputMod{mesh},
			mods:   []specMod{withPodMetadata(map[string]string{"team": "shop"}, map[string]string{"acme.com/owner": "x"})},
			want: []string{
				"spec.podMetadata.labels[team]: Forbidden: the platform allows pod labels with the prefixes sidecar.istio.io/ only",
				"spec.podMetadata.annotations[acme.com/owner]: Forbidden: the platform allows pod annotations with the prefixes prometheus.io/, acme.com/cost- only",
			},
		},
		"NoPolicy": {
			reason: "A platform that allows nothing refuses every key.",
			mods:   []specMod{withPodMetadata(map[string]string{"sidecar.istio.io/inject": "true"}, nil)},
			want:   []string{"spec.podMetadata.labels[sidecar.istio.io/inject]: Forbidden: the platform allows no pod labels (Input podMetadata)"},
		},
		"PlatformKeys": {
			reason: "The platform's own keys are refused even under an allowed prefix: selector labels, its labels, callers, the function's annotations.",
			in: []inputMod{withPodMetadataPolicy([]string{""}, []string{""}), func(in *v1beta1.Input) {
				in.Labels = map[string]string{"acme.com/team": "platform"}
			}},
			mods: []specMod{withPodMetadata(
				map[string]string{LabelName: "other", "acme.com/team": "mine", LabelCallsPrefix + "payments": "payments"},
				map[string]string{AnnotationConfigChecksum: "x"})},
			want: []string{
				"spec.podMetadata.labels[acme.com/team]: Forbidden: the platform sets this label on every pod; an app cannot",
				"spec.podMetadata.labels[app.kubernetes.io/name]: Forbidden: the platform sets this label on every pod; an app cannot",
				"spec.podMetadata.labels[calls.xapp.dev/payments]: Forbidden: the platform sets this label on every pod; an app cannot",
				"spec.podMetadata.annotations[xapp.dev/config-checksum]: Forbidden: the platform sets this annotation on every pod; an app cannot",
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := verdictOf(nil, podMetadataPolicy(testApp(t, tc.in, tc.mods...)))
			if diff := cmp.Diff(tc.want, got.errs); diff != "" {
				t.Errorf("%s\npodMetadataPolicy(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
