package controller

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/xapp-dev/xapp/apis/cmdb/v1alpha1"
	"github.com/xapp-dev/xapp/provider/internal/clients/cmdbtest"
	"github.com/xapp-dev/xapp/provider/internal/controller/controllertest"
)

// pollInterval is short so drift made behind the provider's back is corrected in seconds.
const pollInterval = time.Second

// startControlPlane runs a real kube-apiserver and etcd with the provider's CRDs.
func startControlPlane(t *testing.T) (*rest.Config, *runtime.Scheme) {
	t.Helper()
	return controllertest.ControlPlane(t)
}

// startProvider runs the provider's controllers, as the provider-cmdb binary does, until
// the returned stop function is called (or the test ends). stop waits for the manager to
// exit, which is how the test kills the provider mid-create.
func startProvider(t *testing.T, cfg *rest.Config, s *runtime.Scheme) (stop func()) {
	t.Helper()
	mgr := controllertest.Manager(t, cfg, s)
	if err := Setup(mgr, controllertest.Options(2, pollInterval)); err != nil {
		t.Fatal(err)
	}
	return controllertest.Start(t, mgr)
}

// eventually polls fn until it returns "" or the timeout expires, then fails with fn's
// last answer, which says what was still wrong.
func eventually(t *testing.T, timeout time.Duration, what string, fn func() string) time.Duration {
	t.Helper()
	start := time.Now()
	last := ""
	for time.Since(start) < timeout {
		if last = fn(); last == "" {
			return time.Since(start)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s: still not true after %s: %s", what, timeout, last)
	return 0
}

func condition(o interface {
	GetCondition(xpv2.ConditionType) xpv2.Condition
}, ct xpv2.ConditionType) xpv2.Condition {
	return o.GetCondition(ct)
}

// readyOrWhy answers "" when the object is Ready and Synced, else its conditions.
func readyOrWhy(ctx context.Context, c client.Client, o client.Object) string {
	if err := c.Get(ctx, client.ObjectKeyFromObject(o), o); err != nil {
		return err.Error()
	}
	co, ok := o.(interface {
		GetCondition(xpv2.ConditionType) xpv2.Condition
	})
	if !ok {
		return "not a managed resource"
	}
	r, s := condition(co, xpv2.TypeReady), condition(co, xpv2.TypeSynced)
	if r.Status == corev1.ConditionTrue && s.Status == corev1.ConditionTrue {
		return ""
	}
	return "Ready=" + string(r.Status) + " " + r.Message + "; Synced=" + string(s.Status) + " " + s.Message
}

func gone(ctx context.Context, c client.Client, o client.Object) string {
	err := c.Get(ctx, client.ObjectKeyFromObject(o), o)
	if kerrors.IsNotFound(err) {
		return ""
	}
	if err != nil {
		return err.Error()
	}
	why := ""
	if co, ok := o.(interface {
		GetCondition(xpv2.ConditionType) xpv2.Condition
	}); ok {
		why = "; Synced: " + co.GetCondition(xpv2.TypeSynced).Message
	}
	return "still exists with finalizers " + strings.Join(o.GetFinalizers(), ",") + why
}

type ciModifier func(*v1alpha1.ConfigurationItem)

func ci(ns, name string, mods ...ciModifier) *v1alpha1.ConfigurationItem {
	c := &v1alpha1.ConfigurationItem{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: v1alpha1.ConfigurationItemSpec{
			ManagedResourceSpec: xpv2.ManagedResourceSpec{
				ProviderConfigReference: &xpv2.ProviderConfigReference{Kind: v1alpha1.ProviderConfigKind, Name: "cmdb"},
			},
			ForProvider: v1alpha1.ConfigurationItemParameters{Class: v1alpha1.ClassApplication, Name: name},
		},
	}
	for _, m := range mods {
		m(c)
	}
	return c
}

func withConfig(name string) ciModifier {
	return func(c *v1alpha1.ConfigurationItem) { c.Spec.ProviderConfigReference.Name = name }
}

func withClass(class string) ciModifier {
	return func(c *v1alpha1.ConfigurationItem) { c.Spec.ForProvider.Class = class }
}

func withParams(fn func(*v1alpha1.ConfigurationItemParameters)) ciModifier {
	return func(c *v1alpha1.ConfigurationItem) { fn(&c.Spec.ForProvider) }
}

func withPolicies(p ...xpv2.ManagementAction) ciModifier {
	return func(c *v1alpha1.ConfigurationItem) { c.Spec.ManagementPolicies = p }
}

func withConnectionSecret(name string) ciModifier {
	return func(c *v1alpha1.ConfigurationItem) {
		c.Spec.WriteConnectionSecretToReference = &xpv2.LocalSecretReference{Name: name}
	}
}

func providerConfig(ns, name, endpoint string, backend v1alpha1.Backend, secret string) *v1alpha1.ProviderConfig {
	pc := &v1alpha1.ProviderConfig{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: v1alpha1.ProviderConfigSpec{
			Backend:     backend,
			Endpoint:    endpoint,
			Credentials: v1alpha1.Credentials{Method: v1alpha1.AuthBasic, SecretRef: v1alpha1.SecretRef{Name: secret}},
		},
	}
	if backend == v1alpha1.BackendITop {
		pc.Spec.ITop = &v1alpha1.ITopConfig{Organization: "Demo", Changes: &v1alpha1.ITopChangeConfig{
			CallerEmail: "ada@example.com", Team: "Platform", AgentEmail: "grace@example.com"}}
	}
	return pc
}

// adminSecret holds Basic credentials for the test servers' account "admin".
func adminSecret(ns, name, password string) *corev1.Secret {
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Data:       map[string][]byte{"username": []byte("admin"), "password": []byte(password)},
	}
}

func mustCreate(ctx context.Context, t *testing.T, c client.Client, objs ...client.Object) {
	t.Helper()
	for _, o := range objs {
		if err := c.Create(ctx, o); err != nil {
			t.Fatalf("cannot create %T %s: %v", o, o.GetName(), err)
		}
	}
}

func TestProviderAgainstRealAPIServer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts kube-apiserver and etcd")
	}
	cfg, s := startControlPlane(t)
	ctx := context.Background()
	kube, err := client.New(cfg, client.Options{Scheme: s})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("ServiceNow", serviceNowTest(ctx, cfg, s, kube))
	t.Run("iTop", iTopTest(ctx, cfg, s, kube))
}

// serviceNowTest returns the ServiceNow subtest of TestProviderAgainstRealAPIServer.
func serviceNowTest(ctx context.Context, cfg *rest.Config, s *runtime.Scheme, kube client.Client) func(*testing.T) {
	return func(t *testing.T) {
		sn := cmdbtest.NewServiceNow("Platform", "Payments")
		defer sn.Close()
		ns := "shop"
		mustCreate(ctx, t, kube,
			&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}},
			adminSecret(ns, "cmdb-creds", "admin"),
			adminSecret(ns, "wrong-creds", "nope"),
			providerConfig(ns, "cmdb", sn.URL, v1alpha1.BackendServiceNow, "cmdb-creds"),
			providerConfig(ns, "wrong", sn.URL, v1alpha1.BackendServiceNow, "wrong-creds"),
		)
		stop := startProvider(t, cfg, s)
		// The provider restarted after the simulated crash must outlive that subtest.
		outer := t

		shop := ci(ns, "shop", withConnectionSecret("shop-cmdb"), withParams(func(p *v1alpha1.ConfigurationItemParameters) {
			p.Description = new("Online shop")
			p.OwnerTeam = new("Platform")
			p.Environment = new("Production")
			p.Criticality = new(v1alpha1.CriticalityHigh)
			p.LifecycleStatus = new(v1alpha1.LifecycleOperational)
			p.Attributes = map[string]string{"u_cost_center": "cc-42"}
		}))
		db := ci(ns, "shop-db", withClass("cmdb_ci_db_instance"))
		rel := &v1alpha1.Relationship{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "shop-depends-on-db"},
			Spec: v1alpha1.RelationshipSpec{
				ManagedResourceSpec: xpv2.ManagedResourceSpec{
					ProviderConfigReference: &xpv2.ProviderConfigReference{Kind: v1alpha1.ProviderConfigKind, Name: "cmdb"},
				},
				ForProvider: v1alpha1.RelationshipParameters{
					ParentRef: &xpv2.NamespacedReference{Name: "shop"},
					ChildRef:  &xpv2.NamespacedReference{Name: "shop-db"},
					Type:      v1alpha1.RelationshipDependsOn,
				},
			},
		}
		created := time.Now()
		mustCreate(ctx, t, kube, shop, db, rel)
		for _, o := range []client.Object{shop, db} {
			eventually(t, 30*time.Second, o.GetName()+" ready", func() string { return readyOrWhy(ctx, kube, o) })
			t.Logf("ConfigurationItem %s Ready %s after create", o.GetName(), time.Since(created).Round(time.Millisecond))
		}
		eventually(t, 30*time.Second, "relationship ready", func() string { return readyOrWhy(ctx, kube, rel) })
		t.Logf("Relationship Ready %s after create", time.Since(created).Round(time.Millisecond))

		id := meta.GetExternalName(shop)
		t.Run("RecordHasTheFields", func(t *testing.T) {
			got := sn.Record(id)
			want := map[string]string{
				"sys_id": id, "sys_class_name": "cmdb_ci_business_app", "name": "shop", "short_description": "Online shop",
				"support_group": sn.GroupID("Platform"), "environment": "Production", "busines_criticality": "2 - somewhat critical",
				"install_status": "1", "operational_status": "1", "u_cost_center": "cc-42", "discovery_source": "xapp",
				"sys_mod_count": got["sys_mod_count"],
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("record -want +got:\n%s", diff)
			}
			t.Logf("ServiceNow record of shop: %v", got)
			if shop.Status.AtProvider.ID != id || !strings.Contains(shop.Status.AtProvider.URL, id) {
				t.Errorf("status.atProvider: want id %s and its URL, got %+v", id, shop.Status.AtProvider)
			}
			sec := &corev1.Secret{}
			if err := kube.Get(ctx, types.NamespacedName{Namespace: ns, Name: "shop-cmdb"}, sec); err != nil {
				t.Fatal(err)
			}
			if string(sec.Data["url"]) != shop.Status.AtProvider.URL {
				t.Errorf("connection secret url: want %q, got %q", shop.Status.AtProvider.URL, sec.Data["url"])
			}
		})

		t.Run("LateInitialisesEmptyFields", func(t *testing.T) {
			if err := kube.Get(ctx, client.ObjectKeyFromObject(db), db); err != nil {
				t.Fatal(err)
			}
			p := db.Spec.ForProvider
			if p.IdentityKey == nil || *p.IdentityKey != "shop/shop-db" || p.LifecycleStatus == nil || *p.LifecycleStatus != v1alpha1.LifecycleOperational {
				t.Errorf("want identityKey shop/shop-db and lifecycleStatus Operational late-initialised, got %+v", p)
			}
			t.Logf("ServiceNow record of shop-db: %v", sn.Record(meta.GetExternalName(db)))
		})

		t.Run("RelationshipRow", func(t *testing.T) {
			rows := sn.Find("cmdb_rel_ci", "parent", id)
			if len(rows) != 1 || rows[0]["child"] != meta.GetExternalName(db) || rows[0]["sys_id"] != meta.GetExternalName(rel) {
				t.Fatalf("want one cmdb_rel_ci row shop -> shop-db with the relationship's id, got %v", rows)
			}
			if typ := sn.Record(rows[0]["type"])["name"]; typ != "Depends on::Used by" {
				t.Errorf("relationship type: want Depends on::Used by, got %q", typ)
			}
			t.Logf("ServiceNow cmdb_rel_ci row: %v", rows[0])
		})

		t.Run("DriftIsCorrected", func(t *testing.T) {
			sn.Set(id, "short_description", "edited by hand")
			sn.Set(id, "support_group", sn.GroupID("Payments"))
			d := eventually(t, 15*time.Second, "drift corrected", func() string {
				r := sn.Record(id)
				if r["short_description"] != "Online shop" || r["support_group"] != sn.GroupID("Platform") {
					return "record still has " + r["short_description"] + " / " + r["support_group"]
				}
				return ""
			})
			t.Logf("drift corrected %s after the edit (poll interval %s)", d.Round(time.Millisecond), pollInterval)
		})

		t.Run("AuthFailureCondition", func(t *testing.T) {
			bad := ci(ns, "bad-creds", withConfig("wrong"))
			mustCreate(ctx, t, kube, bad)
			want := "ServiceNow rejected the credentials: User Not Authenticated: Required to provide Auth information"
			eventually(t, 15*time.Second, "auth failure condition", func() string {
				_ = kube.Get(ctx, client.ObjectKeyFromObject(bad), bad)
				if c := bad.GetCondition(xpv2.TypeSynced); c.Status != corev1.ConditionFalse || !strings.HasSuffix(c.Message, want) {
					return "Synced: " + string(c.Status) + " " + c.Message
				}
				return ""
			})
			t.Logf("Synced message: %s", bad.GetCondition(xpv2.TypeSynced).Message)
			_ = kube.Delete(ctx, bad)
		})

		t.Run("ValidationErrorCondition", func(t *testing.T) {
			bad := ci(ns, "bad-class", withClass("cmdb_ci_nope"))
			mustCreate(ctx, t, kube, bad)
			want := "ServiceNow refused the record: identification and reconciliation refused the item: INVALID_INPUT_DATA: Invalid className 'cmdb_ci_nope'"
			eventually(t, 15*time.Second, "validation error condition", func() string {
				_ = kube.Get(ctx, client.ObjectKeyFromObject(bad), bad)
				if c := bad.GetCondition(xpv2.TypeSynced); c.Status != corev1.ConditionFalse || !strings.HasSuffix(c.Message, want) {
					return "Synced: " + string(c.Status) + " " + c.Message
				}
				return ""
			})
			t.Logf("Synced message: %s", bad.GetCondition(xpv2.TypeSynced).Message)
			_ = kube.Delete(ctx, bad)
		})

		t.Run("ObserveOnlyAdoptsWithoutTouching", func(t *testing.T) {
			legacyID := sn.Insert("cmdb_ci_business_app", map[string]string{"name": "legacy-billing", "short_description": "kept by hand", "install_status": "1", "operational_status": "1"})
			before := sn.Record(legacyID)
			legacy := ci(ns, "legacy-billing", withPolicies(xpv2.ManagementActionObserve), withParams(func(p *v1alpha1.ConfigurationItemParameters) {
				p.Description = new("what the spec says")
			}))
			mustCreate(ctx, t, kube, legacy)
			eventually(t, 15*time.Second, "observed", func() string {
				_ = kube.Get(ctx, client.ObjectKeyFromObject(legacy), legacy)
				if legacy.Status.AtProvider.ID != legacyID {
					return "atProvider.id " + legacy.Status.AtProvider.ID + " " + readyOrWhy(ctx, kube, legacy)
				}
				return ""
			})
			time.Sleep(2 * pollInterval)
			if diff := cmp.Diff(before, sn.Record(legacyID)); diff != "" {
				t.Errorf("Observe-only changed the record -before +after:\n%s", diff)
			}
			_ = kube.Delete(ctx, legacy)
			eventually(t, 15*time.Second, "observe-only deleted", func() string { return gone(ctx, kube, legacy) })
			if sn.Record(legacyID)["install_status"] != "1" {
				t.Errorf("deleting an Observe-only resource retired the record: %v", sn.Record(legacyID))
			}
		})

		t.Run("CrashBetweenCreateAndExternalNameMakesNoDuplicate", func(t *testing.T) {
			held := sn.HoldNextCreate()
			crashy := ci(ns, "crashy", withParams(func(p *v1alpha1.ConfigurationItemParameters) {
				p.DeletionMode = new(v1alpha1.DeletionDelete)
			}))
			mustCreate(ctx, t, kube, crashy)
			select {
			case <-held:
			case <-time.After(30 * time.Second):
				t.Fatal("the provider never sent the create")
			}
			stop() // The provider dies with the record created and its id not written down.
			if err := kube.Get(ctx, client.ObjectKeyFromObject(crashy), crashy); err != nil {
				t.Fatal(err)
			}
			t.Logf("after the crash: external-name %q, create pending %v, succeeded %v, failed %v",
				meta.GetExternalName(crashy), !meta.GetExternalCreatePending(crashy).IsZero(),
				!meta.GetExternalCreateSucceeded(crashy).IsZero(), !meta.GetExternalCreateFailed(crashy).IsZero())
			if meta.GetExternalName(crashy) != "" {
				t.Fatalf("the crash did not lose the external name: %q", meta.GetExternalName(crashy))
			}
			if n := len(sn.Find("cmdb_ci", "name", "crashy")); n != 1 {
				t.Fatalf("want the one record the crashed create made, got %d", n)
			}

			restarted := time.Now()
			startProvider(outer, cfg, s)
			eventually(t, 30*time.Second, "crashy ready after restart", func() string { return readyOrWhy(ctx, kube, crashy) })
			t.Logf("crashy Ready %s after the provider restarted", time.Since(restarted).Round(time.Millisecond))
			recs := sn.Find("cmdb_ci", "name", "crashy")
			if len(recs) != 1 || recs[0]["sys_id"] != meta.GetExternalName(crashy) {
				t.Fatalf("want exactly one record named crashy, adopted as the external name %q, got %v", meta.GetExternalName(crashy), recs)
			}
			t.Logf("ServiceNow record of crashy: %v", recs[0])
		})

		t.Run("DeleteRetiresOrDeletes", func(t *testing.T) {
			crashy := &v1alpha1.ConfigurationItem{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "crashy"}}
			if err := kube.Get(ctx, client.ObjectKeyFromObject(crashy), crashy); err != nil {
				t.Fatal(err)
			}
			crashyID := meta.GetExternalName(crashy)
			relID := meta.GetExternalName(rel)
			deleted := time.Now()
			for _, o := range []client.Object{rel, crashy} {
				if err := kube.Delete(ctx, o); err != nil {
					t.Fatal(err)
				}
			}
			for _, o := range []client.Object{rel, crashy} {
				eventually(t, 30*time.Second, o.GetName()+" deleted", func() string { return gone(ctx, kube, o) })
			}
			if err := kube.Delete(ctx, shop); err != nil {
				t.Fatal(err)
			}
			eventually(t, 30*time.Second, "shop deleted", func() string { return gone(ctx, kube, shop) })
			t.Logf("relationship, crashy and shop deleted in %s", time.Since(deleted).Round(time.Millisecond))
			if r := sn.Record(relID); r != nil {
				t.Errorf("relationship row still exists: %v", r)
			}
			if r := sn.Record(crashyID); r != nil {
				t.Errorf("crashy (deletionMode Delete) still exists: %v", r)
			}
			r := sn.Record(id)
			if r["install_status"] != "7" || r["operational_status"] != "6" {
				t.Errorf("shop not retired: %v", r)
			}
			t.Logf("ServiceNow record of shop after delete: %v", r)
		})
	}
}
