package cmdbtest

import (
	"maps"
	"slices"
	"strconv"
	"strings"
)

// An itopAttr is a scalar attribute: its label (iTop's messages quote it), its allowed values
// (nil: free text), its default on create, whether it is a Y-m-d date or a Y-m-d H:i:s date
// and time, and whether it is a case log (a write adds an entry).
type itopAttr struct {
	label    string
	allowed  []string
	def      string
	date     bool
	datetime bool
	caselog  bool
}

// itopExtField is an external field: the value of remote on the object extKey points to.
type itopExtField struct{ extKey, remote string }

type itopLinkSet struct {
	linkClass string
	self      string // the link's external key to the object holding the set
	remote    string // the link's external key to the other end
}

// An itopClass is a class of iTop's standard data model, reduced to what provider-cmdb and its
// tests touch.
type itopClass struct {
	parent    string
	abstract  bool
	attrs     map[string]itopAttr
	extKeys   map[string]string // external key -> target class
	extFields map[string]itopExtField
	mandatory []string
	linkSets  map[string]itopLinkSet
	link      bool     // a link class: the same two ends are refused twice
	naming    []string // attributes making the friendly name, joined by a space
	// obsolete reports when an object of the class is obsolete, from its fields.
	obsolete func(f map[string]string) bool
	// lifecycle is the class's state machine (nil: none); its states' mandatory attributes
	// replace mandatory.
	lifecycle map[string]itopState
}

var (
	attrName        = itopAttr{label: "Name"}
	attrDescription = itopAttr{label: "Description"}
	attrCriticality = itopAttr{label: "Business criticality", allowed: []string{"high", "medium", "low"}, def: "low"}
	attrMove2Prod   = itopAttr{label: "Move to production date", date: true}
	attrContactStat = itopAttr{label: "Status", allowed: []string{"active", "inactive"}, def: "active"}
	orgKey          = map[string]string{"org_id": "Organization"}
	ciOrgField      = map[string]itopExtField{"organization_name": {"org_id", "name"}}
	contactOrgField = map[string]itopExtField{"org_name": {"org_id", "name"}}
	statusInactive  = func(f map[string]string) bool { return f["status"] == "inactive" }
)

var itopModel = map[string]itopClass{
	"Organization": {attrs: map[string]itopAttr{"name": attrName}, mandatory: []string{"name"}, naming: []string{"name"}},
	"Contact": {abstract: true, attrs: map[string]itopAttr{"name": attrName, "status": attrContactStat},
		extKeys: orgKey, extFields: contactOrgField, naming: []string{"name"}, obsolete: statusInactive},
	"Person": {parent: "Contact", attrs: map[string]itopAttr{"name": attrName, "first_name": {label: "First name"}, "email": {label: "Email"},
		"status": attrContactStat},
		extKeys: orgKey, extFields: contactOrgField, mandatory: []string{"name", "org_id"}, naming: []string{"first_name", "name"}, obsolete: statusInactive},
	"Team": {parent: "Contact", attrs: map[string]itopAttr{"name": attrName, "email": {label: "Email"}, "status": attrContactStat},
		extKeys: orgKey, extFields: contactOrgField, mandatory: []string{"name", "org_id"}, naming: []string{"name"}, obsolete: statusInactive},
	"FunctionalCI": {abstract: true, attrs: map[string]itopAttr{"name": attrName, "description": attrDescription,
		"business_criticity": attrCriticality, "move2production": attrMove2Prod},
		extKeys: orgKey, extFields: ciOrgField, naming: []string{"name"}},
	"ApplicationSolution": {parent: "FunctionalCI",
		attrs: map[string]itopAttr{"name": attrName, "description": attrDescription, "business_criticity": attrCriticality,
			"move2production": attrMove2Prod,
			"status":          {label: "Status", allowed: []string{"active", "inactive"}, def: "active"},
			"redundancy":      {label: "High availability", def: "disabled"}},
		extKeys: orgKey, extFields: ciOrgField, mandatory: []string{"name", "org_id"}, naming: []string{"name"}, obsolete: statusInactive,
		linkSets: map[string]itopLinkSet{
			"contacts_list":      {"lnkContactToFunctionalCI", "functionalci_id", "contact_id"},
			"functionalcis_list": {"lnkApplicationSolutionToFunctionalCI", "applicationsolution_id", "functionalci_id"},
		}},
	"Server": {parent: "FunctionalCI", attrs: map[string]itopAttr{"name": attrName, "description": attrDescription,
		"business_criticity": attrCriticality, "move2production": attrMove2Prod,
		"status": {label: "Status", allowed: []string{"production", "implementation", "obsolete"}, def: "production"}},
		extKeys: orgKey, extFields: ciOrgField, mandatory: []string{"name", "org_id"}, naming: []string{"name"},
		obsolete: func(f map[string]string) bool { return f["status"] == "obsolete" }},
	"lnkContactToFunctionalCI": {link: true, extKeys: map[string]string{"contact_id": "Contact", "functionalci_id": "FunctionalCI"},
		extFields: map[string]itopExtField{"contact_name": {"contact_id", "name"}, "functionalci_name": {"functionalci_id", "name"}},
		mandatory: []string{"contact_id", "functionalci_id"}, naming: []string{"functionalci_id_friendlyname", "contact_id_friendlyname"}},
	"lnkApplicationSolutionToFunctionalCI": {link: true,
		extKeys: map[string]string{"applicationsolution_id": "ApplicationSolution", "functionalci_id": "FunctionalCI"},
		extFields: map[string]itopExtField{"applicationsolution_name": {"applicationsolution_id", "name"},
			"functionalci_name": {"functionalci_id", "name"}},
		mandatory: []string{"applicationsolution_id", "functionalci_id"},
		naming:    []string{"applicationsolution_id_friendlyname", "functionalci_id_friendlyname"}},
}

func itopIsA(class, want string) bool {
	for c := class; c != ""; c = itopModel[c].parent {
		if c == want {
			return true
		}
	}
	return false
}

// hasChildren reports whether a class has subclasses, which is when iTop adds the
// <key>_finalclass_recall attribute to the external keys pointing to it.
func hasChildren(class string) bool {
	for _, c := range itopModel {
		if c.parent == class {
			return true
		}
	}
	return false
}

// itopAttCodes lists every attribute code of a class as output_fields "*" returns them.
func itopAttCodes(class string) []string {
	m := itopModel[class]
	codes := []string{"friendlyname"}
	if m.parent != "" || hasChildren(class) {
		codes = append(codes, "finalclass")
	}
	codes = append(codes, slices.Collect(maps.Keys(m.attrs))...)
	codes = append(codes, slices.Collect(maps.Keys(m.extFields))...)
	codes = append(codes, slices.Collect(maps.Keys(m.linkSets))...)
	for k, target := range m.extKeys {
		codes = append(codes, k, k+"_friendlyname", k+"_obsolescence_flag")
		if hasChildren(target) {
			codes = append(codes, k+"_finalclass_recall")
		}
	}
	if m.obsolete != nil {
		codes = append(codes, "obsolescence_flag")
	}
	slices.Sort(codes)
	return codes
}

func itopValidAttCode(class, code string) bool {
	return code == "id" || slices.Contains(itopAttCodes(class), code)
}

// value reads a field the way OQL and output_fields see it: stored attributes, external
// fields, friendly names, final classes and obsolescence flags.
func (s *ITop) value(id int, field string) any {
	o := s.objects[id]
	m := itopModel[o.class]
	if ef, ok := m.extFields[field]; ok {
		return s.field(o.fields[ef.extKey], ef.remote)
	}
	for k := range m.extKeys {
		switch field {
		case k + "_friendlyname":
			return s.field(o.fields[k], "friendlyname")
		case k + "_finalclass_recall":
			return s.field(o.fields[k], "finalclass")
		case k + "_obsolescence_flag":
			return s.field(o.fields[k], "obsolescence_flag") == true
		}
	}
	switch field {
	case "id":
		return strconv.Itoa(id)
	case "finalclass":
		return o.class
	case "obsolescence_flag":
		return m.obsolete != nil && m.obsolete(o.fields)
	case "friendlyname":
		parts := make([]string, 0, len(m.naming))
		for _, n := range m.naming {
			if v, _ := s.value(id, n).(string); v != "" {
				parts = append(parts, v)
			}
		}
		return strings.Join(parts, " ")
	}
	if a, ok := m.attrs[field]; ok && a.caselog {
		return caseLog(o.fields[field])
	}
	if a, ok := m.attrs[field]; ok && o.fields[field] == "" {
		return a.def
	}
	return o.fields[field]
}

// field reads a field of the object whose id is given as a string; "" when there is none.
func (s *ITop) field(id, name string) any {
	n, _ := strconv.Atoi(id)
	if _, ok := s.objects[n]; !ok {
		if name == "obsolescence_flag" {
			return false
		}
		return ""
	}
	return s.value(n, name)
}

// str is value as OQL compares it.
func (s *ITop) str(id int, field string) string {
	switch v := s.value(id, field).(type) {
	case bool:
		if v {
			return "1"
		}
		return "0"
	case string:
		return v
	}
	return ""
}

// render is an object as core/get answers it with output_fields.
func (s *ITop) render(id int, msg string, fields []string) map[string]any {
	o := s.objects[id]
	out := map[string]any{}
	for _, f := range fields {
		if ls, ok := itopModel[o.class].linkSets[f]; ok {
			out[f] = s.renderLinks(id, ls)
			continue
		}
		out[f] = s.value(id, f)
	}
	return map[string]any{"code": 0, "message": msg, "class": o.class, "key": strconv.Itoa(id), "fields": out}
}

// renderLinks is a link set: every attribute of each link except those about the object
// holding the set, and no link id (what iTop's REST answers).
func (s *ITop) renderLinks(id int, ls itopLinkSet) []map[string]any {
	rows := []map[string]any{}
	for _, lid := range s.ids() {
		l := s.objects[lid]
		if l.class != ls.linkClass || l.fields[ls.self] != strconv.Itoa(id) {
			continue
		}
		row := map[string]any{}
		for _, f := range itopAttCodes(ls.linkClass) {
			if f == "finalclass" || strings.HasPrefix(f, ls.self) || itopModel[ls.linkClass].extFields[f].extKey == ls.self {
				continue
			}
			row[f] = s.value(lid, f)
		}
		rows = append(rows, row)
	}
	return rows
}
