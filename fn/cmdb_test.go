package fn

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
	"github.com/xapp-dev/xapp/input/v1beta1"
)

func withCMDB(c *v1alpha1.CMDB) specMod { return func(s *v1alpha1.XAppSpec) { s.CMDB = c } }

func withPlatformCMDB(c *v1beta1.CMDB) inputMod { return func(in *v1beta1.Input) { in.CMDB = c } }

func TestConfigurationItem(t *testing.T) {
	platform := &v1beta1.CMDB{ProviderConfigRef: v1beta1.ProviderConfigRef{Name: "servicenow"}, Environment: "Production"}
	cases := map[string]struct {
		reason string
		in     []inputMod
		mods   []specMod
		golden string
	}{
		"NotAsked":       {reason: "An app without spec.cmdb is not registered.", in: []inputMod{withPlatformCMDB(platform)}},
		"NoPlatformCMDB": {reason: "Without a platform CMDB nothing is composed (policy refuses the app first).", mods: []specMod{withCMDB(&v1alpha1.CMDB{OwnerTeam: "Shop"})}},
		"Registered": {
			reason: "The record is named <namespace>/<app>, with the owner, criticality and the platform's environment.",
			in:     []inputMod{withPlatformCMDB(platform)},
			mods:   []specMod{withCMDB(&v1alpha1.CMDB{OwnerTeam: "Shop Team", Criticality: "High", Description: "The web shop"})},
			golden: "cmdb-item.yaml",
		},
		"RawClassNamespacedConfig": {
			reason: "A platform may choose a backend class and a namespaced ProviderConfig.",
			in:     []inputMod{withPlatformCMDB(&v1beta1.CMDB{Class: "cmdb_ci_appl", ProviderConfigRef: v1beta1.ProviderConfigRef{Kind: "ProviderConfig", Name: "itop"}})},
			mods:   []specMod{withCMDB(&v1alpha1.CMDB{OwnerTeam: "Shop Team"})},
			golden: "cmdb-item-raw-class.yaml",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			ci := configurationItem(testApp(t, tc.in, tc.mods...))
			if tc.golden == "" {
				if ci != nil {
					t.Errorf("%s\nconfigurationItem(): got %v, want nil", tc.reason, ci)
				}
				return
			}
			golden(t, tc.golden, ci)
		})
	}
}

func TestBusinessServiceLink(t *testing.T) {
	platform := withPlatformCMDB(&v1beta1.CMDB{ProviderConfigRef: v1beta1.ProviderConfigRef{Name: "servicenow"}})
	cases := map[string]struct {
		reason string
		mods   []specMod
		golden string
	}{
		"NoService": {reason: "No business service, no relationship.", mods: []specMod{withCMDB(&v1alpha1.CMDB{OwnerTeam: "Shop"})}},
		"Service": {
			reason: "The business service (a raw CMDB id) depends on the app's record, referenced by name.",
			mods:   []specMod{withCMDB(&v1alpha1.CMDB{OwnerTeam: "Shop", BusinessService: "8c1a"})},
			golden: "cmdb-business-service.yaml",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, rel := businessServiceLink(testApp(t, []inputMod{platform}, tc.mods...))
			if tc.golden == "" {
				if rel != nil {
					t.Errorf("%s\nbusinessServiceLink(): got %v, want nil", tc.reason, rel)
				}
				return
			}
			golden(t, tc.golden, rel)
		})
	}
}

// TestBusinessServiceLinkFollowsService: a Relationship's parent cannot change, so another business
// service must be another Relationship under another composition resource name, or the app is
// stuck on the old one forever.
func TestBusinessServiceLinkFollowsService(t *testing.T) {
	platform := withPlatformCMDB(&v1beta1.CMDB{ProviderConfigRef: v1beta1.ProviderConfigRef{Name: "servicenow"}})
	link := func(service string) (string, string) {
		n, rel := businessServiceLink(testApp(t, []inputMod{platform}, withCMDB(&v1alpha1.CMDB{OwnerTeam: "Shop", BusinessService: service})))
		return n, rel.Name
	}
	n1, o1 := link("8c1a")
	n2, o2 := link("9d2b")
	again, _ := link("8c1a")
	if n1 == n2 || o1 == o2 {
		t.Errorf("services 8c1a and 9d2b share resource name %q or object name %q", n1, o1)
	}
	if again != n1 {
		t.Errorf("the same service gave resource names %q and %q: the link would be re-created on every reconcile", n1, again)
	}
}

func TestObservedRecord(t *testing.T) {
	cases := map[string]struct {
		reason string
		obs    *structpb.Struct
		want   *v1alpha1.CMDBStatus
	}{
		"Missing": {reason: "No record yet, nothing to show."},
		"NotCreated": {
			reason: "A record the provider has not created has no id to show.",
			obs:    mustStruct(t, `{status: {conditions: [{type: Ready, status: "False", reason: Creating}]}}`),
		},
		"Created": {
			reason: "Once created, the status shows the id and the URL people open.",
			obs:    mustStruct(t, `{status: {atProvider: {id: "46d4", url: "https://cmdb.example.com/46d4"}}}`),
			want:   &v1alpha1.CMDBStatus{ID: "46d4", URL: "https://cmdb.example.com/46d4"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, observedRecord(tc.obs)); diff != "" {
				t.Errorf("%s\nobservedRecord(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestManagedHealth(t *testing.T) {
	mr := func(conditions string) *structpb.Struct {
		return mustStruct(t, `{status: {conditions: `+conditions+`}}`)
	}
	cases := map[string]struct {
		reason string
		obs    *structpb.Struct
		want   health
	}{
		"Missing":  {reason: "Not created yet.", want: health{why: "ConfigurationItem shop: not created yet"}},
		"NoStatus": {reason: "The provider has not looked at it yet.", obs: mr(`[]`), want: health{why: "ConfigurationItem shop: waiting for its provider to report Ready"}},
		"SyncFailed": {
			reason: "A failing reconcile says why in the provider's words, before the Ready reason.",
			obs:    mr(`[{type: Ready, status: "False", reason: Creating}, {type: Synced, status: "False", reason: ReconcileError, message: "create failed: ServiceNow rejected the credentials"}]`),
			want:   health{why: "ConfigurationItem shop: ReconcileError: create failed: ServiceNow rejected the credentials"},
		},
		"Creating":  {reason: "Synced but not ready: the Ready reason.", obs: mr(`[{type: Ready, status: "False", reason: Creating}, {type: Synced, status: "True", reason: ReconcileSuccess}]`), want: health{why: "ConfigurationItem shop: Creating"}},
		"Available": {reason: "Ready is ready.", obs: mr(`[{type: Ready, status: "True", reason: Available}]`), want: ready()},
		"ReadyButNotSynced": {
			reason: "A resource that is available stays ready while a later update fails: it still serves.",
			obs:    mr(`[{type: Ready, status: "True", reason: Available}, {type: Synced, status: "False", reason: ReconcileError, message: "update failed"}]`),
			want:   ready(),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, managedHealth("ConfigurationItem", "shop")(tc.obs), cmp.AllowUnexported(health{})); diff != "" {
				t.Errorf("%s\nmanagedHealth(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestDataServiceRecords(t *testing.T) {
	platform := withPlatformCMDB(&v1beta1.CMDB{ProviderConfigRef: v1beta1.ProviderConfigRef{Name: "servicenow"}})
	plan := &dataPlan{
		database: &v1alpha1.DataServiceStatus{Provider: "aws", Name: "acme-team-shop-shop-db"},
		bucket:   &v1alpha1.DataServiceStatus{Provider: "aws", Name: "acme-team-shop-shop"},
	}
	cases := map[string]struct {
		reason string
		in     []inputMod
		mods   []specMod
		plan   *dataPlan
		golden string
	}{
		"NotRegistered": {reason: "An app not in the CMDB registers no data services.", in: []inputMod{platform}, plan: plan},
		"NoDataServices": {
			reason: "A registered app without data services has no data-service records.",
			in:     []inputMod{platform},
			mods:   []specMod{withCMDB(&v1alpha1.CMDB{OwnerTeam: "Shop"})},
		},
		"DatabaseAndBucket": {
			reason: "Each data service gets a record and a relationship saying the app depends on it.",
			in:     []inputMod{platform},
			mods:   []specMod{withCMDB(&v1alpha1.CMDB{OwnerTeam: "Shop"})},
			plan:   plan,
			golden: "cmdb-data-services.yaml",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			objs := dataServiceRecords(testApp(t, tc.in, tc.mods...), tc.plan)
			if tc.golden == "" {
				if len(objs) != 0 {
					t.Errorf("%s\ndataServiceRecords(): got %d objects, want none", tc.reason, len(objs))
				}
				return
			}
			got := map[string]any{}
			for _, o := range objs {
				got[o.name] = o.obj
			}
			golden(t, tc.golden, got)
		})
	}
}

func TestCMDBHealth(t *testing.T) {
	synced := func(msg string) string {
		return `{status: {conditions: [{type: Synced, status: "False", reason: ReconcileError, message: ` + msg + `}]}}`
	}
	cases := map[string]struct {
		reason string
		obs    string
		want   health
	}{
		"Ready": {
			reason: "A record the provider reports Ready is ready.",
			obs:    `{status: {conditions: [{type: Ready, status: "True", reason: Available}]}}`,
			want:   health{ready: true},
		},
		"Refused": {
			reason: "A record the backend refuses will never be created by retrying: Failed, in one line.",
			obs:    synced(`"create failed: ServiceNow refused the record: Data Policy Exception: \n Invalid reference parent: 8c1a"`),
			want: health{failed: true, why: "Relationship shop-business-service: ReconcileError: create failed: ServiceNow refused the record: " +
				"Data Policy Exception: Invalid reference parent: 8c1a"},
		},
		"RateLimited": {
			reason: "A backend that asks to wait is waited for.",
			obs:    synced(`"create failed: ServiceNow is rate limiting: rate limited by the CMDB (retry after 2s)"`),
			want:   health{why: "Relationship shop-business-service: ReconcileError: create failed: ServiceNow is rate limiting: rate limited by the CMDB (retry after 2s)"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := cmdbHealth("Relationship", "shop-business-service")(mustStruct(t, tc.obs))
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(health{})); diff != "" {
				t.Errorf("%s\ncmdbHealth(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
