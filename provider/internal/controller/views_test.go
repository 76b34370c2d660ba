package controller

import (
	"slices"
	"strconv"
	"strings"

	"github.com/xapp-dev/xapp/apis/cmdb/v1alpha1"
	"github.com/xapp-dev/xapp/provider/internal/clients/cmdbtest"
)

// cmdbView is what the lifecycle and soak tests read and do in a CMDB behind the provider's
// back, the same way for both backends. Records are application records named by their
// ConfigurationItem; links are relationship records.
type cmdbView interface {
	backend() v1alpha1.Backend
	url() string
	close()
	// apps returns the ids of the application records named name.
	apps(name string) []string
	exists(id string) bool
	retired(id string) bool
	description(id string) string
	// insert makes an application record by hand, as a person in the CMDB's UI would.
	insert(name, description string) string
	// edit changes a record by hand: its description and, where the backend has it, its status.
	edit(id string)
	// remove deletes a record by hand.
	remove(id string)
}

// soakView is what the fault soak also reads and does: links, other people's links, moves.
type soakView interface {
	cmdbView
	// links returns the ids of relationship records from parent to child (record ids).
	links(parent, child string) []string
	// othersLinks adds other people's links to an application record (a contact and a link to
	// a server in iTop, relationship rows from and to other CIs in ServiceNow); their ids.
	othersLinks(app string) []string
	// owned reports whether team is the owner team of a record.
	owned(id, team string) bool
	// move puts a record in another organisation; false when the backend has none to move to.
	move(id string) bool
	// inPlace reports whether a record is where the provider keeps it (iTop: its organisation).
	inPlace(id string) bool
	// duplicates counts application records sharing a name, and links sharing their ends.
	duplicates() int
}

type itopView struct {
	s                     *cmdbtest.ITop
	person, server, other int
}

func newITopView() *itopView { return &itopView{s: cmdbtest.NewITop("Platform")} }

func (v *itopView) backend() v1alpha1.Backend { return v1alpha1.BackendITop }
func (v *itopView) url() string               { return v.s.URL }
func (v *itopView) close()                    { v.s.Close() }

func (v *itopView) apps(name string) []string {
	ids := v.s.Find("ApplicationSolution", "name", name)
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		out = append(out, strconv.Itoa(id))
	}
	return out
}

func (v *itopView) object(id string) map[string]string {
	n, _ := strconv.Atoi(id)
	return v.s.Object(n)
}

func (v *itopView) exists(id string) bool        { return v.object(id) != nil }
func (v *itopView) retired(id string) bool       { return v.object(id)["status"] == "inactive" }
func (v *itopView) description(id string) string { return v.object(id)["description"] }
func (v *itopView) insert(name, desc string) string {
	return strconv.Itoa(v.s.Insert("ApplicationSolution", map[string]string{"name": name, "org_id": "1", "description": desc, "status": "active"}))
}

// edit changes the description and status, and removes the owner team's contact link.
func (v *itopView) edit(id string) {
	n, _ := strconv.Atoi(id)
	v.s.Set(n, "description", "edited by hand")
	v.s.Set(n, "status", "inactive")
	for _, l := range v.s.Find("lnkContactToFunctionalCI", "functionalci_id", id) {
		if v.s.Find("Team", "id", v.s.Object(l)["contact_id"]) != nil {
			v.s.Delete(l)
		}
	}
}

func (v *itopView) owned(id, team string) bool { return slices.Contains(v.contacts(id), team) }

func (v *itopView) remove(id string) {
	n, _ := strconv.Atoi(id)
	v.s.Delete(n)
}

func (v *itopView) links(parent, child string) []string {
	var out []string
	for _, id := range v.s.Find("lnkApplicationSolutionToFunctionalCI", "applicationsolution_id", parent) {
		if v.s.Object(id)["functionalci_id"] == child {
			out = append(out, strconv.Itoa(id))
		}
	}
	return out
}

// contacts returns the sorted friendly names of the contacts linked to an application.
func (v *itopView) contacts(id string) []string {
	links := v.s.Find("lnkContactToFunctionalCI", "functionalci_id", id)
	out := make([]string, 0, len(links))
	for _, l := range links {
		c := v.s.Object(l)["contact_id"]
		n, _ := strconv.Atoi(c)
		o := v.s.Object(n)
		out = append(out, strings.TrimSpace(o["first_name"]+" "+o["name"]))
	}
	slices.Sort(out)
	return out
}

func (v *itopView) othersLinks(app string) []string {
	if v.person == 0 {
		v.person = v.s.Insert("Person", map[string]string{"name": "Christie", "first_name": "Agatha", "org_id": "1"})
		v.server = v.s.Insert("Server", map[string]string{"name": "someone-elses-server", "org_id": "1"})
	}
	return []string{
		strconv.Itoa(v.s.Insert("lnkContactToFunctionalCI", map[string]string{"functionalci_id": app, "contact_id": strconv.Itoa(v.person)})),
		strconv.Itoa(v.s.Insert("lnkApplicationSolutionToFunctionalCI", map[string]string{"applicationsolution_id": app, "functionalci_id": strconv.Itoa(v.server)})),
	}
}

func (v *itopView) move(id string) bool {
	if v.other == 0 {
		v.other = v.s.Insert("Organization", map[string]string{"name": "Other"})
	}
	n, _ := strconv.Atoi(id)
	v.s.Set(n, "org_id", strconv.Itoa(v.other))
	return true
}

func (v *itopView) inPlace(id string) bool { return v.object(id)["org_id"] == "1" }

func (v *itopView) duplicates() int {
	apps := map[string]int{}
	for _, id := range v.s.Find("ApplicationSolution", "finalclass", "ApplicationSolution") {
		o := v.s.Object(id)
		apps[o["name"]+"\x00"+o["org_id"]]++
	}
	links := map[string]int{}
	for _, id := range v.s.Find("lnkApplicationSolutionToFunctionalCI", "finalclass", "lnkApplicationSolutionToFunctionalCI") {
		o := v.s.Object(id)
		links[o["applicationsolution_id"]+"\x00"+o["functionalci_id"]]++
	}
	return excess(apps) + excess(links)
}

// excess counts the members of each group beyond the first.
func excess(groups map[string]int) int {
	n := 0
	for _, c := range groups {
		n += max(c-1, 0)
	}
	return n
}

type snView struct {
	s      *cmdbtest.ServiceNow
	server string
}

func newSNView() *snView { return &snView{s: cmdbtest.NewServiceNow("Platform")} }

func (v *snView) backend() v1alpha1.Backend { return v1alpha1.BackendServiceNow }
func (v *snView) url() string               { return v.s.URL }
func (v *snView) close()                    { v.s.Close() }

func (v *snView) apps(name string) []string {
	recs := v.s.Find("cmdb_ci_business_app", "name", name)
	out := make([]string, 0, len(recs))
	for _, r := range recs {
		out = append(out, r["sys_id"])
	}
	return out
}

func (v *snView) exists(id string) bool        { return v.s.Record(id) != nil }
func (v *snView) retired(id string) bool       { return v.s.Record(id)["install_status"] == "7" }
func (v *snView) description(id string) string { return v.s.Record(id)["short_description"] }
func (v *snView) insert(name, desc string) string {
	return v.s.Insert("cmdb_ci_business_app", map[string]string{"name": name, "short_description": desc, "install_status": "1", "operational_status": "1"})
}

func (v *snView) edit(id string) {
	v.s.Set(id, "short_description", "edited by hand")
	v.s.Set(id, "support_group", "")
	v.s.Set(id, "install_status", "7")
	v.s.Set(id, "operational_status", "6")
}

func (v *snView) remove(id string) { v.s.Delete(id) }

func (v *snView) links(parent, child string) []string {
	var out []string
	for _, r := range v.s.Find("cmdb_rel_ci", "parent", parent) {
		if r["child"] == child {
			out = append(out, r["sys_id"])
		}
	}
	return out
}

func (v *snView) othersLinks(app string) []string {
	if v.server == "" {
		v.server = v.s.Insert("cmdb_ci_db_instance", map[string]string{"name": "someone-elses-db"})
	}
	runsOn := v.s.Find("cmdb_rel_type", "name", "Runs on::Runs")[0]["sys_id"]
	dependsOn := v.s.Find("cmdb_rel_type", "name", "Depends on::Used by")[0]["sys_id"]
	return []string{
		v.s.Insert("cmdb_rel_ci", map[string]string{"parent": app, "child": v.server, "type": runsOn}),
		v.s.Insert("cmdb_rel_ci", map[string]string{"parent": v.server, "child": app, "type": dependsOn}),
	}
}

func (v *snView) owned(id, team string) bool {
	return v.s.Record(id)["support_group"] == v.s.GroupID(team)
}

func (v *snView) move(string) bool       { return false }
func (v *snView) inPlace(id string) bool { return v.s.Record(id) != nil }

func (v *snView) duplicates() int {
	apps, links := map[string]int{}, map[string]int{}
	for _, r := range v.s.Find("cmdb_ci_business_app", "sys_class_name", "cmdb_ci_business_app") {
		apps[r["name"]]++
	}
	for _, r := range v.s.Find("cmdb_rel_ci", "sys_class_name", "cmdb_rel_ci") {
		links[r["parent"]+"\x00"+r["child"]+"\x00"+r["type"]]++
	}
	return excess(apps) + excess(links)
}
