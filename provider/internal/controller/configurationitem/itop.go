package configurationitem

import (
	"context"
	"maps"
	"slices"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/xapp-dev/xapp/apis/cmdb/v1alpha1"
	"github.com/xapp-dev/xapp/provider/internal/clients/itop"
)

const (
	teamClass    = "Team"
	contactLinks = "lnkContactToFunctionalCI"
	comment      = "provider-cmdb"
	// itOrganization is the organisation's name as iTop reads it on a functional CI; it is
	// compared like a field so a record moved to another organisation is moved back.
	itOrganization = "organization_name"

	errNoTeam = "iTop has no Team named %q in organization %q (spec.forProvider.ownerTeam)"
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

// enforced: every record belongs to the ProviderConfig's organisation.
func (b *itopBackend) enforced() map[string]string { return map[string]string{itOrganization: b.org} }

func (b *itopBackend) find(ctx context.Context, cr *v1alpha1.ConfigurationItem) (string, error) {
	class := b.class(cr)
	objs, err := b.c.Get(ctx, class, itop.Key{OQL: "SELECT " + class + " WHERE name = " + itop.Quote(cr.Spec.ForProvider.Name) +
		" AND organization_name = " + itop.Quote(b.org)})
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
	f := map[string]string{itOrganization: o.String(itOrganization)}
	for _, k := range ManagedFields(v1alpha1.BackendITop) {
		f[k] = o.String(k)
	}
	for k := range cr.Spec.ForProvider.Attributes {
		f[k] = o.String(k)
	}
	f[itTeams] = ownerTeam(o.LinkSet(itTeams), cr)
	return record{ID: o.Key, Class: o.Class, URL: b.c.ObjectURL(o.Class, o.Key), Fields: f}, true, nil
}

// ownerTeam picks, among the Teams in contacts_list, the one this object owns: the team it
// wants, else the one it owned at the last poll (an owner change in progress), else, when it
// wants none, the only Team there is. Persons and other people's Teams are not its business.
func ownerTeam(rows []map[string]string, cr *v1alpha1.ConfigurationItem) string {
	var teams []string
	for _, r := range rows {
		if r["contact_id_finalclass_recall"] == teamClass {
			teams = append(teams, r["contact_id_friendlyname"])
		}
	}
	want, prev := cr.Spec.ForProvider.OwnerTeam, cr.Status.AtProvider.OwnerTeam
	switch {
	case want != nil && slices.Contains(teams, *want):
		return *want
	case prev != "" && slices.Contains(teams, prev):
		return prev
	case want == nil && len(teams) == 1:
		return teams[0]
	}
	return ""
}

// teamKey finds a Team by name in the ProviderConfig's organisation: team names are only
// unique within one.
func (b *itopBackend) teamKey(team string) itop.Key {
	return itop.Key{OQL: "SELECT " + teamClass + " WHERE name = " + itop.Quote(team) + " AND org_name = " + itop.Quote(b.org)}
}

// fields turns compared fields into what iTop writes: the organisation by name, and no owner
// team (its link is written on its own, so other people's contacts are never replaced).
func (b *itopBackend) fields(in map[string]string) itop.Fields {
	out := itop.Fields{}
	for k, v := range in {
		switch k {
		case itTeams:
		case itOrganization:
			out["org_id"] = itop.Value{Criteria: map[string]string{"name": v}}
		default:
			out[k] = itop.S(v)
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
	if team := fields[itTeams]; team != "" {
		// A new record has no contacts yet: the owner team is the whole set.
		f[itTeams] = itop.Value{Links: []map[string]itop.Value{{"contact_id": itop.S(b.teamKey(team).OQL)}}}
	}
	o, err := b.c.Create(ctx, b.class(cr), f, comment)
	if err != nil {
		return "", err
	}
	return o.Key, nil
}

func (b *itopBackend) update(ctx context.Context, cr *v1alpha1.ConfigurationItem, id string, fields map[string]string) error {
	scalars := maps.Clone(fields)
	delete(scalars, itTeams)
	if len(scalars) > 0 {
		if _, err := b.c.Update(ctx, b.class(cr), id, b.fields(scalars), comment); err != nil {
			return err
		}
	}
	team, ok := fields[itTeams]
	if !ok {
		return nil
	}
	if err := b.link(ctx, id, team); err != nil {
		return err
	}
	if prev := cr.Status.AtProvider.OwnerTeam; prev != "" && prev != team {
		return b.unlink(ctx, id, prev)
	}
	return nil
}

// teamIDs returns the ids of the Teams named team in the organisation.
func (b *itopBackend) teamIDs(ctx context.Context, team string) ([]string, error) {
	objs, err := b.c.Get(ctx, teamClass, b.teamKey(team))
	ids := make([]string, 0, len(objs))
	for _, o := range objs {
		ids = append(ids, o.Key)
	}
	return ids, err
}

func (b *itopBackend) contactLinks(ctx context.Context, id, contact string) ([]itop.Object, error) {
	return b.c.Get(ctx, contactLinks, itop.Key{OQL: "SELECT " + contactLinks + " WHERE functionalci_id = " + itop.Quote(id) +
		" AND contact_id = " + itop.Quote(contact)})
}

// link makes team a contact of the record unless it already is.
func (b *itopBackend) link(ctx context.Context, id, team string) error {
	if team == "" {
		return nil
	}
	ids, err := b.teamIDs(ctx, team)
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return errors.Errorf(errNoTeam, team, b.org)
	}
	links, err := b.contactLinks(ctx, id, ids[0])
	if err != nil || len(links) > 0 {
		return err
	}
	_, err = b.c.Create(ctx, contactLinks, itop.Fields{"functionalci_id": itop.S(id), "contact_id": itop.S(ids[0])}, comment)
	return err
}

// unlink removes the link to the team this object owned before, and only that one.
func (b *itopBackend) unlink(ctx context.Context, id, team string) error {
	ids, err := b.teamIDs(ctx, team)
	if err != nil {
		return err
	}
	for _, t := range ids {
		links, err := b.contactLinks(ctx, id, t)
		if err != nil {
			return err
		}
		for _, l := range links {
			if err := b.c.Delete(ctx, contactLinks, l.Key, comment); err != nil {
				return err
			}
		}
	}
	return nil
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
