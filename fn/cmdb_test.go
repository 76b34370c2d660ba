package fn

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"google.golang.org/protobuf/types/known/structpb"

	cmdbv1alpha1 "github.com/xapp-dev/xapp/apis/cmdb/v1alpha1"
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
		reason       string
		mods         []specMod
		resourceName string
		golden       string
	}{
		"NoService": {reason: "No business service, no relationship.", mods: []specMod{withCMDB(&v1alpha1.CMDB{OwnerTeam: "Shop"})}},
		"Service": {
			reason:       "The business service (a raw CMDB id) depends on the app's record, referenced by name.",
			mods:         []specMod{withCMDB(&v1alpha1.CMDB{OwnerTeam: "Shop", BusinessService: "8c1a"})},
			resourceName: "cmdb-business-service-9bfe2c5b",
			golden:       "cmdb-business-service.yaml",
		},
		"OtherService": {
			reason:       "Another business service is another link under another resource name: a Relationship's parent cannot change.",
			mods:         []specMod{withCMDB(&v1alpha1.CMDB{OwnerTeam: "Shop", BusinessService: "ApplicationSolution::4"})},
			resourceName: "cmdb-business-service-08239592",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resourceName, rel := businessServiceLink(testApp(t, []inputMod{platform}, tc.mods...))
			if diff := cmp.Diff(tc.resourceName, resourceName); diff != "" {
				t.Errorf("%s\nbusinessServiceLink(): resource name -want, +got:\n%s", tc.reason, diff)
			}
			if rel != nil && rel.Name != "shop-business-service-"+resourceName[len(ResourceCMDBService)+1:] {
				t.Errorf("%s\nbusinessServiceLink(): object %q is not named after its resource name %q", tc.reason, rel.Name, resourceName)
			}
			if tc.resourceName == "" {
				if rel != nil {
					t.Errorf("%s\nbusinessServiceLink(): got %v, want nil", tc.reason, rel)
				}
				return
			}
			if tc.golden != "" {
				golden(t, tc.golden, rel)
			}
		})
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
		"Refused": {
			reason: "A backend that refuses the record will not change its mind: Failed, in the provider's words, on one line.",
			obs:    mr(`[{type: Ready, status: "False", reason: Creating}, {type: Synced, status: "False", reason: ReconcileError, message: "create failed: ServiceNow refused the record:\n  Operation against file 'cmdb_ci_business_app' was aborted"}]`),
			want:   health{failed: true, why: "ConfigurationItem shop: ReconcileError: create failed: ServiceNow refused the record: Operation against file 'cmdb_ci_business_app' was aborted"},
		},
		"Unreachable": {
			reason: "A backend that cannot be reached may come back: the app waits, and says why.",
			obs:    mr(`[{type: Ready, status: "False", reason: Creating}, {type: Synced, status: "False", reason: ReconcileError, message: "observe failed: cannot reach ServiceNow: connection refused"}]`),
			want:   health{why: "ConfigurationItem shop: ReconcileError: observe failed: cannot reach ServiceNow: connection refused"},
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

// TestImageAttributes checks what the app's record says it runs, in the fields the platform named.
func TestImageAttributes(t *testing.T) {
	const digest = "sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"
	cases := map[string]struct {
		reason string
		fields *v1beta1.CMDBImageFields
		image  string
		want   map[string]string
	}{
		"NoFields": {
			reason: "A platform that names no fields records no image.",
			image:  "ghcr.io/acme/shop:1.4.2",
		},
		"Tag": {
			reason: "A tag is the version; a tag pins no digest, so the digest is recorded empty, clearing an earlier one.",
			fields: &v1beta1.CMDBImageFields{Image: "u_image", Digest: "u_image_digest", Version: "version"},
			image:  "registry.acme.com:5000/shop:1.4.2",
			want:   map[string]string{"u_image": "registry.acme.com:5000/shop", "u_image_digest": "", "version": "1.4.2"},
		},
		"TagAndDigest": {
			reason: "A reference with both gives both, and the repository without either.",
			fields: &v1beta1.CMDBImageFields{Image: "u_image", Digest: "u_image_digest", Version: "version"},
			image:  "ghcr.io/acme/shop:1.4.2@" + digest,
			want:   map[string]string{"u_image": "ghcr.io/acme/shop", "u_image_digest": digest, "version": "1.4.2"},
		},
		"DigestOnly": {
			reason: "Only the fields named are written: here the digest, and no version for a reference without a tag.",
			fields: &v1beta1.CMDBImageFields{Digest: "u_image_digest", Version: "version"},
			image:  "ghcr.io/acme/shop@" + digest,
			want:   map[string]string{"u_image_digest": digest, "version": ""},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			platform := withPlatformCMDB(&v1beta1.CMDB{ProviderConfigRef: v1beta1.ProviderConfigRef{Name: "servicenow"}, ImageFields: tc.fields})
			a := testApp(t, []inputMod{platform}, withImage(tc.image), withCMDB(&v1alpha1.CMDB{OwnerTeam: "Shop"}))
			got := configurationItem(a).Spec.ForProvider.Attributes
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\nattributes: -want, +got:\n%s", tc.reason, diff)
			}
			if ds := dependencyRecords(a, "database", "ApplicationInstance", "team-shop/db", "db"); ds[0].obj.(*cmdbv1alpha1.ConfigurationItem).Spec.ForProvider.Attributes != nil {
				t.Errorf("%s\na data service's record carries the app's image", tc.reason)
			}
		})
	}
}
