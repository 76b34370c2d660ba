package configurationitem

import (
	"context"
	"maps"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/xapp-dev/xapp/apis/cmdb/v1alpha1"
	"github.com/xapp-dev/xapp/provider/internal/clients"
	"github.com/xapp-dev/xapp/provider/internal/clients/servicenow"
)

const (
	errNoGroup   = "ServiceNow has no sys_user_group named %q (spec.forProvider.ownerTeam)"
	errIREsysID  = "identification and reconciliation answered without a sys_id"
	groupTable   = "sys_user_group"
	backendSNow  = "ServiceNow"
	backendITop  = "iTop"
	identityName = "name"
)

// snBackend keeps a configuration item in ServiceNow: created and found through
// Identification and Reconciliation keyed by the identity key, read and patched through the
// Table API.
type snBackend struct {
	c      servicenow.Client
	source string
}

func (b *snBackend) name() string { return backendSNow }

func (b *snBackend) class(cr *v1alpha1.ConfigurationItem) string {
	return BackendClass(v1alpha1.BackendServiceNow, cr.Spec.ForProvider.Class)
}

// enforced: ServiceNow records carry nothing beyond what the spec says.
func (b *snBackend) enforced() map[string]string { return nil }

func (b *snBackend) item(cr *v1alpha1.ConfigurationItem, values map[string]string) servicenow.Item {
	return servicenow.Item{ClassName: b.class(cr), Values: values, SourceName: b.source, NativeKey: IdentityKey(cr)}
}

func (b *snBackend) find(ctx context.Context, cr *v1alpha1.ConfigurationItem) (string, error) {
	res, err := b.c.Identify(ctx, b.item(cr, map[string]string{identityName: cr.Spec.ForProvider.Name}))
	if err != nil || res.Operation == "INSERT" {
		return "", err
	}
	return res.SysID, nil
}

func (b *snBackend) get(ctx context.Context, cr *v1alpha1.ConfigurationItem, id string) (record, bool, error) {
	class := b.class(cr)
	r, err := b.c.Get(ctx, class, id)
	if clients.IsNotFound(err) {
		return record{}, false, nil
	}
	if err != nil {
		return record{}, false, err
	}
	f := map[string]string{}
	for _, k := range ManagedFields(v1alpha1.BackendServiceNow) {
		f[k] = r.Get(k)
	}
	for k := range cr.Spec.ForProvider.Attributes {
		f[k] = r.Get(k)
	}
	// The owner team is compared by name, not by the group's sys_id.
	f[snTeam] = r[snTeam].Display
	return record{ID: id, Class: class, URL: b.c.RecordURL(class, id), Fields: f}, true, nil
}

// values resolves the owner team to the sys_id ServiceNow stores in support_group.
func (b *snBackend) values(ctx context.Context, fields map[string]string) (map[string]string, error) {
	v := maps.Clone(fields)
	team, ok := v[snTeam]
	if !ok || team == "" {
		return v, nil
	}
	groups, err := b.c.List(ctx, groupTable, "name="+team, 1)
	if err != nil {
		return nil, err
	}
	if len(groups) == 0 {
		return nil, errors.Errorf(errNoGroup, team)
	}
	v[snTeam] = groups[0].Get("sys_id")
	return v, nil
}

func (b *snBackend) create(ctx context.Context, cr *v1alpha1.ConfigurationItem, fields map[string]string) (string, error) {
	v, err := b.values(ctx, fields)
	if err != nil {
		return "", err
	}
	res, err := b.c.IdentifyReconcile(ctx, b.item(cr, v))
	if err != nil {
		return "", err
	}
	if res.SysID == "" {
		return "", errors.New(errIREsysID)
	}
	return res.SysID, nil
}

func (b *snBackend) update(ctx context.Context, cr *v1alpha1.ConfigurationItem, id string, fields map[string]string) error {
	v, err := b.values(ctx, fields)
	if err != nil {
		return err
	}
	_, err = b.c.Update(ctx, b.class(cr), id, v)
	return err
}

func (b *snBackend) remove(ctx context.Context, cr *v1alpha1.ConfigurationItem, id string) error {
	if deletionMode(cr) == v1alpha1.DeletionDelete {
		return b.c.Delete(ctx, b.class(cr), id)
	}
	_, err := b.c.Update(ctx, b.class(cr), id, RetireFields(v1alpha1.BackendServiceNow))
	if clients.IsNotFound(err) {
		return nil
	}
	return err
}
