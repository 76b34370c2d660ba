package configurationitem

import (
	"context"
	"slices"
	"strings"

	"github.com/xapp-dev/xapp/apis/cmdb/v1alpha1"
	"github.com/xapp-dev/xapp/provider/internal/clients/itop"
)

const (
	teamClass = "Team"
	comment   = "provider-cmdb"
)

// itopBackend keeps a configuration item in iTop. core/create is not idempotent, so the
// record is always looked up by class, name and organization before one is created.
type itopBackend struct {
	c   itop.Client
	org string
}

func (b *itopBackend) name() string { return backendITop }

func (b *itopBackend) class(cr *v1alpha1.ConfigurationItem) string {
	return BackendClass(v1alpha1.BackendITop, cr.Spec.ForProvider.Class)
}

// oqlString quotes a value for an OQL string literal.
func oqlString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

func (b *itopBackend) find(ctx context.Context, cr *v1alpha1.ConfigurationItem) (string, error) {
	class := b.class(cr)
	objs, err := b.c.Get(ctx, class, itop.Key{OQL: "SELECT " + class + " WHERE name = " + oqlString(cr.Spec.ForProvider.Name) +
		" AND organization_name = " + oqlString(b.org)})
	if err != nil || len(objs) == 0 {
		return "", err
	}
	return objs[0].Key, nil
}

func (b *itopBackend) get(ctx context.Context, cr *v1alpha1.ConfigurationItem, id string) (record, bool, error) {
	class := b.class(cr)
	objs, err := b.c.Get(ctx, class, itop.Key{ID: id})
	if err != nil || len(objs) == 0 {
		return record{}, false, err
	}
	o := objs[0]
	f := map[string]string{}
	for _, k := range ManagedFields(v1alpha1.BackendITop) {
		f[k] = o.String(k)
	}
	for k := range cr.Spec.ForProvider.Attributes {
		f[k] = o.String(k)
	}
	rows := o.LinkSet(itTeams)
	teams := make([]string, 0, len(rows))
	for _, row := range rows {
		teams = append(teams, row["contact_name"])
	}
	slices.Sort(teams)
	f[itTeams] = strings.Join(teams, ",")
	return record{ID: o.Key, Class: o.Class, URL: b.c.ObjectURL(o.Class, o.Key), Fields: f}, true, nil
}

// fields turns compared fields into what iTop writes: the owner team becomes the one Team
// in contacts_list, found by name.
func (b *itopBackend) fields(in map[string]string) itop.Fields {
	out := itop.Fields{}
	for k, v := range in {
		out[k] = itop.S(v)
	}
	if team, ok := in[itTeams]; ok {
		out[itTeams] = itop.Value{Links: []map[string]itop.Value{}}
		if team != "" {
			out[itTeams] = itop.Value{Links: []map[string]itop.Value{{
				"contact_id": {Criteria: map[string]string{"name": team, "finalclass": teamClass}},
			}}}
		}
	}
	return out
}

func (b *itopBackend) create(ctx context.Context, cr *v1alpha1.ConfigurationItem, fields map[string]string) (string, error) {
	id, err := b.find(ctx, cr)
	if err != nil {
		return "", err
	}
	if id != "" {
		return id, b.update(ctx, cr, id, fields)
	}
	f := b.fields(fields)
	f["org_id"] = itop.Value{Criteria: map[string]string{"name": b.org}}
	o, err := b.c.Create(ctx, b.class(cr), f, comment)
	if err != nil {
		return "", err
	}
	return o.Key, nil
}

func (b *itopBackend) update(ctx context.Context, cr *v1alpha1.ConfigurationItem, id string, fields map[string]string) error {
	_, err := b.c.Update(ctx, b.class(cr), id, b.fields(fields), comment)
	return err
}

func (b *itopBackend) remove(ctx context.Context, cr *v1alpha1.ConfigurationItem, id string) error {
	if deletionMode(cr) == v1alpha1.DeletionDelete {
		return b.c.Delete(ctx, b.class(cr), id, comment)
	}
	objs, err := b.c.Get(ctx, b.class(cr), itop.Key{ID: id})
	if err != nil || len(objs) == 0 {
		return err
	}
	_, err = b.c.Update(ctx, b.class(cr), id, b.fields(RetireFields(v1alpha1.BackendITop)), comment)
	return err
}
