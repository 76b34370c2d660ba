package configurationitem

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/xapp-dev/xapp/apis/cmdb/v1alpha1"
)

type paramsModifier func(*v1alpha1.ConfigurationItemParameters)

func params(mods ...paramsModifier) v1alpha1.ConfigurationItemParameters {
	p := v1alpha1.ConfigurationItemParameters{Class: v1alpha1.ClassApplication, Name: "shop"}
	for _, m := range mods {
		m(&p)
	}
	return p
}

func withEverything(p *v1alpha1.ConfigurationItemParameters) {
	p.Description = new("Online shop")
	p.OwnerTeam = new("Platform")
	p.Environment = new("Production")
	p.Criticality = new(v1alpha1.CriticalityCritical)
	p.LifecycleStatus = new(v1alpha1.LifecycleRetired)
	p.Attributes = map[string]string{"u_cost_center": "cc-42"}
}

func TestBackendClass(t *testing.T) {
	cases := map[string]struct {
		reason  string
		backend v1alpha1.Backend
		class   string
		want    string
	}{
		"SNApplication":   {"A business application in ServiceNow.", v1alpha1.BackendServiceNow, v1alpha1.ClassApplication, "cmdb_ci_business_app"},
		"SNInstance":      {"A running application in ServiceNow.", v1alpha1.BackendServiceNow, v1alpha1.ClassApplicationInstance, "cmdb_ci_appl"},
		"ITopApplication": {"iTop's application class.", v1alpha1.BackendITop, v1alpha1.ClassApplication, "ApplicationSolution"},
		"ITopInstance":    {"iTop has no separate running-instance class.", v1alpha1.BackendITop, v1alpha1.ClassApplicationInstance, "ApplicationSolution"},
		"RawClass":        {"Any other class is the backend's own and passes through.", v1alpha1.BackendServiceNow, "cmdb_ci_service_auto", "cmdb_ci_service_auto"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := BackendClass(tc.backend, tc.class); got != tc.want {
				t.Errorf("%s\nBackendClass(%s, %s): want %q, got %q", tc.reason, tc.backend, tc.class, tc.want, got)
			}
		})
	}
}

func TestDesired(t *testing.T) {
	cases := map[string]struct {
		reason  string
		backend v1alpha1.Backend
		params  v1alpha1.ConfigurationItemParameters
		want    map[string]string
	}{
		"SNOnlyName": {
			reason:  "Fields the user left empty are not enforced.",
			backend: v1alpha1.BackendServiceNow, params: params(),
			want: map[string]string{"name": "shop"},
		},
		"SNEverything": {
			reason:  "Each portable field maps to its ServiceNow field and code; lifecycle takes two fields.",
			backend: v1alpha1.BackendServiceNow, params: params(withEverything),
			want: map[string]string{"name": "shop", "short_description": "Online shop", "support_group": "Platform",
				"environment": "Production", "busines_criticality": "1 - most critical", "install_status": "7",
				"operational_status": "6", "u_cost_center": "cc-42"},
		},
		"ITopEverything": {
			reason:  "iTop has no environment; Critical is its highest level; retired is inactive.",
			backend: v1alpha1.BackendITop, params: params(withEverything),
			want: map[string]string{"name": "shop", "description": "Online shop", "contacts_list": "Platform",
				"business_criticity": "high", "status": "inactive", "u_cost_center": "cc-42"},
		},
		"AttributesDoNotOverrideName": {
			reason:  "spec.forProvider.name wins over an attribute of the same field.",
			backend: v1alpha1.BackendITop, params: params(func(p *v1alpha1.ConfigurationItemParameters) { p.Attributes = map[string]string{"name": "other"} }),
			want: map[string]string{"name": "shop"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, Desired(tc.backend, tc.params)); diff != "" {
				t.Errorf("%s\nDesired -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestDiff(t *testing.T) {
	cases := map[string]struct {
		reason            string
		desired, observed map[string]string
		want              string
	}{
		"UpToDate":     {"Fields the backend has and the user did not set do not matter.", map[string]string{"name": "shop"}, map[string]string{"name": "shop", "environment": "Test"}, ""},
		"Edited":       {"A field someone edited in the CMDB is drift.", map[string]string{"name": "shop", "short_description": "Online shop"}, map[string]string{"name": "shop", "short_description": "edited"}, `short_description: want "Online shop", got "edited"`},
		"Missing":      {"A field the backend lacks is drift.", map[string]string{"u_x": "1"}, map[string]string{}, `u_x: want "1", got ""`},
		"SortedFields": {"Several differences are listed in field order.", map[string]string{"b": "1", "a": "1"}, map[string]string{}, "a: want \"1\", got \"\"\nb: want \"1\", got \"\""},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, Diff(tc.desired, tc.observed)); diff != "" {
				t.Errorf("%s\nDiff -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestObservation(t *testing.T) {
	cases := map[string]struct {
		reason  string
		backend v1alpha1.Backend
		fields  map[string]string
		want    v1alpha1.ConfigurationItemObservation
	}{
		"ServiceNow": {
			reason:  "Codes map back to portable values.",
			backend: v1alpha1.BackendServiceNow,
			fields: map[string]string{"name": "shop", "short_description": "d", "support_group": "Platform", "environment": "Production",
				"busines_criticality": "3 - less critical", "install_status": "1", "operational_status": "2"},
			want: v1alpha1.ConfigurationItemObservation{Name: "shop", Description: "d", OwnerTeam: "Platform", Environment: "Production",
				Criticality: "Medium", LifecycleStatus: "NonOperational"},
		},
		"ServiceNowUnknownCodes": {
			reason:  "A state with no portable meaning (In Maintenance) is not guessed; an unknown criticality shows as it is.",
			backend: v1alpha1.BackendServiceNow,
			fields:  map[string]string{"name": "shop", "busines_criticality": "5 - odd", "install_status": "3", "operational_status": "1"},
			want:    v1alpha1.ConfigurationItemObservation{Name: "shop", Criticality: "5 - odd"},
		},
		"ITop": {
			reason:  "high reads back as High, inactive as NonOperational.",
			backend: v1alpha1.BackendITop,
			fields:  map[string]string{"name": "shop", "description": "d", "contacts_list": "Platform", "business_criticity": "high", "status": "inactive"},
			want: v1alpha1.ConfigurationItemObservation{Name: "shop", Description: "d", OwnerTeam: "Platform",
				Criticality: "High", LifecycleStatus: "NonOperational"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			tc.want.ID, tc.want.URL, tc.want.Class, tc.want.Fields = "1", "u", "c", tc.fields
			if diff := cmp.Diff(tc.want, Observation(tc.backend, "1", "u", "c", tc.fields)); diff != "" {
				t.Errorf("%s\nObservation -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestLateInitialize(t *testing.T) {
	type want struct {
		params  v1alpha1.ConfigurationItemParameters
		changed bool
	}
	cases := map[string]struct {
		reason string
		params v1alpha1.ConfigurationItemParameters
		obs    v1alpha1.ConfigurationItemObservation
		want   want
	}{
		"FillsEmpty": {
			reason: "Empty optional fields take the backend's values and the identity key its default.",
			params: params(),
			obs:    v1alpha1.ConfigurationItemObservation{Description: "d", OwnerTeam: "Platform", Environment: "Test", Criticality: "High", LifecycleStatus: "Operational"},
			want: want{changed: true, params: params(func(p *v1alpha1.ConfigurationItemParameters) {
				p.IdentityKey, p.Description, p.OwnerTeam, p.Environment = new("ns/shop"), new("d"), new("Platform"), new("Test")
				p.Criticality, p.LifecycleStatus = new(v1alpha1.CriticalityHigh), new(v1alpha1.LifecycleOperational)
			})},
		},
		"KeepsUserValues": {
			reason: "Fields the user set are never overwritten; that is drift for Update to fix.",
			params: params(withEverything, func(p *v1alpha1.ConfigurationItemParameters) { p.IdentityKey = new("mine") }),
			obs:    v1alpha1.ConfigurationItemObservation{Description: "other", OwnerTeam: "Other", Environment: "Test", Criticality: "Low", LifecycleStatus: "Operational"},
			want:   want{params: params(withEverything, func(p *v1alpha1.ConfigurationItemParameters) { p.IdentityKey = new("mine") })},
		},
		"SkipsNonPortable": {
			reason: "A backend value with no portable meaning is not copied into an enum field.",
			params: params(func(p *v1alpha1.ConfigurationItemParameters) { p.IdentityKey = new("ns/shop") }),
			obs:    v1alpha1.ConfigurationItemObservation{Criticality: "5 - odd"},
			want:   want{params: params(func(p *v1alpha1.ConfigurationItemParameters) { p.IdentityKey = new("ns/shop") })},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := tc.params
			changed := LateInitialize(&p, tc.obs, "ns/shop")
			if diff := cmp.Diff(tc.want, want{params: p, changed: changed}, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nLateInitialize -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestRetired(t *testing.T) {
	cases := map[string]struct {
		reason  string
		backend v1alpha1.Backend
		fields  map[string]string
		want    bool
	}{
		"SNRetired":    {"install_status 7 is retired.", v1alpha1.BackendServiceNow, RetireFields(v1alpha1.BackendServiceNow), true},
		"SNInstalled":  {"install_status 1 is not.", v1alpha1.BackendServiceNow, map[string]string{"install_status": "1"}, false},
		"ITopInactive": {"inactive is retired in iTop.", v1alpha1.BackendITop, RetireFields(v1alpha1.BackendITop), true},
		"ITopActive":   {"active is not.", v1alpha1.BackendITop, map[string]string{"status": "active"}, false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := Retired(tc.backend, tc.fields); got != tc.want {
				t.Errorf("%s\nRetired: want %t, got %t", tc.reason, tc.want, got)
			}
		})
	}
}

func TestIdentityKey(t *testing.T) {
	cases := map[string]struct {
		reason string
		key    *string
		want   string
	}{
		"Default": {"Without a key the identity is namespace/name.", nil, "shop/web"},
		"Given":   {"A given key is used as it is.", new("team-a/shop"), "team-a/shop"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cr := &v1alpha1.ConfigurationItem{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web"}}
			cr.Spec.ForProvider.IdentityKey = tc.key
			if got := IdentityKey(cr); got != tc.want {
				t.Errorf("%s\nIdentityKey: want %q, got %q", tc.reason, tc.want, got)
			}
		})
	}
}
