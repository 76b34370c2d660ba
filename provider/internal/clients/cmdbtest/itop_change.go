package cmdbtest

import (
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// The change class of the itop-change-mgmt module (the simple, non-ITIL change management of
// iTop's standard data model, datamodel.itop-change-mgmt.xml), its parent Ticket and the link
// from tickets to functional CIs (itop-tickets).
//
// Read from iTop's sources, not checked against a running iTop 3.2.0 (cmdb-protocols.md has no
// change class yet): the apply_stimulus messages and their order of checks (verbatim from
// core/restservices.class.inc.php); the order in which missing attributes are listed (the
// compiled model's, as inherit_flags_from builds it); the date-time format message
// (AttributeDate extends AttributeDateTime, whose message the checked date one is); the case
// log's JSON shape. Stricter than may be real: core/create refuses a change without caller_id
// with "Null not allowed". title, description and org_id are not nullable, but caller_id is
// mandatory only by state new's flags, and the DBObject::CheckValue read (an older iTop) checks
// attribute nullability only; whether 3.2 refuses it is unchecked (provider-cmdb always sends
// it). Not modelled, as CheckValue checks an external key only for existence: the filter that
// offers only the team's members as agent; nor the read-only flags of later states.

// An itopState is a lifecycle state: the attributes mandatory in it (in the order the compiled
// model lists them: the inherited state's flags, then the state's own) and its transitions.
type itopState struct {
	mandatory   []string
	transitions map[string]itopTransition
}

// An itopTransition leads to target and stamps the current time into the stamp attributes
// (the SetCurrentDate actions of the datamodel).
type itopTransition struct {
	target string
	stamp  []string
	reset  []string
}

// changeLifecycle is Change's lifecycle. Mandatory lists follow inherit_flags_from: assigned
// inherits new but clears caller_id's flags; approved and closed make every earlier mandatory
// attribute read-only, so nothing is mandatory in them; rejected wants a reject_reason.
var changeLifecycle = map[string]itopState{
	"new": {mandatory: []string{"org_id", "title", "description", "caller_id"},
		transitions: map[string]itopTransition{"ev_assign": {target: "assigned"}}},
	"assigned": {mandatory: []string{"org_id", "title", "description", "team_id", "agent_id", "changemanager_id"},
		transitions: map[string]itopTransition{"ev_plan": {target: "planned"}}},
	"planned": {mandatory: []string{"org_id", "title", "description", "caller_id", "team_id", "agent_id", "changemanager_id",
		"outage", "start_date", "end_date", "fallback_plan"},
		transitions: map[string]itopTransition{
			"ev_reject":  {target: "rejected"},
			"ev_approve": {target: "approved", stamp: []string{"approval_date"}, reset: []string{"reject_reason"}},
		}},
	"rejected": {mandatory: []string{"reject_reason"},
		transitions: map[string]itopTransition{"ev_reopen": {target: "assigned"}}},
	"approved": {transitions: map[string]itopTransition{"ev_finish": {target: "closed", stamp: []string{"close_date"}}}},
	"closed":   {},
}

var (
	attrDateTime   = itopAttr{datetime: true}
	ticketKeys     = map[string]string{"org_id": "Organization", "caller_id": "Person", "team_id": "Team", "agent_id": "Person"}
	ticketFields   = map[string]itopExtField{"org_name": {"org_id", "name"}}
	ticketLinkSets = map[string]itopLinkSet{"functionalcis_list": {"lnkFunctionalCIToTicket", "ticket_id", "functionalci_id"}}
)

func ticketAttrs(more map[string]itopAttr) map[string]itopAttr {
	a := map[string]itopAttr{"ref": {label: "Ref"}, "title": {label: "Title"}, "description": attrDescription,
		"start_date": attrDateTime, "end_date": attrDateTime, "last_update": attrDateTime, "close_date": attrDateTime,
		"private_log": {label: "Private log", caselog: true}}
	maps.Copy(a, more)
	return a
}

func init() {
	itopModel["Ticket"] = itopClass{abstract: true, attrs: ticketAttrs(nil), extKeys: ticketKeys, extFields: ticketFields,
		linkSets: ticketLinkSets, naming: []string{"ref"}}
	changeKeys := maps.Clone(ticketKeys)
	changeKeys["changemanager_id"] = "Person"
	itopModel["Change"] = itopClass{parent: "Ticket", extKeys: changeKeys, extFields: ticketFields, linkSets: ticketLinkSets,
		naming: []string{"ref"}, lifecycle: changeLifecycle,
		attrs: ticketAttrs(map[string]itopAttr{
			"status": {label: "Status", allowed: []string{"new", "assigned", "planned", "approved", "closed", "rejected"}, def: "new"},
			"category": {label: "Category", allowed: []string{"hardware", "software", "system", "network", "application", "other"},
				def: "hardware"},
			"outage":        {label: "Outage", allowed: []string{"yes", "no"}, def: "no"},
			"reject_reason": {label: "Reject reason"}, "fallback_plan": {label: "Fallback plan"},
			"creation_date": attrDateTime, "approval_date": attrDateTime,
		})}
	itopModel["lnkFunctionalCIToTicket"] = itopClass{link: true,
		attrs:     map[string]itopAttr{"impact_code": {label: "Impact code", allowed: []string{"manual", "computed", "not_impacted"}, def: "manual"}},
		extKeys:   map[string]string{"ticket_id": "Ticket", "functionalci_id": "FunctionalCI"},
		extFields: map[string]itopExtField{"ticket_ref": {"ticket_id", "ref"}, "ticket_title": {"ticket_id", "title"}, "functionalci_name": {"functionalci_id", "name"}},
		mandatory: []string{"ticket_id", "functionalci_id"}, naming: []string{"ticket_id_friendlyname", "functionalci_id_friendlyname"}}
	maps.Copy(itopKeyLabels, map[string]string{"caller_id": "Caller", "team_id": "Team", "agent_id": "Agent",
		"changemanager_id": "Change manager", "ticket_id": "Ticket"})
}

// itopTime is how iTop writes a date and time (the server's time zone; UTC here).
func itopTime(t time.Time) string { return t.UTC().Format(time.DateTime) }

// onInsert is a ticket's OnInsert: its reference from the class's counter (C-%06d for a
// change) and its creation date.
func (s *ITop) onInsert(class string, f map[string]string) {
	if !itopIsA(class, "Ticket") {
		return
	}
	s.tickets++
	f["ref"] = fmt.Sprintf("C-%06d", s.tickets)
	f["creation_date"], f["last_update"] = itopTime(time.Now()), itopTime(time.Now())
}

// mandatoryIn is what CheckToWrite wants set: the state's mandatory attributes for a class with
// a lifecycle (a change created without its caller is refused), the class's otherwise.
func mandatoryIn(class string, f map[string]string) []string {
	m := itopModel[class]
	if m.lifecycle == nil {
		return m.mandatory
	}
	return m.lifecycle[f["status"]].mandatory
}

// merge writes decoded scalars into f; a case log gains an entry instead of being replaced.
func merge(class, login string, f, in map[string]string) {
	for k, v := range in {
		if itopModel[class].attrs[k].caselog {
			f[k] = addCaseLogEntry(f[k], login, v)
			continue
		}
		f[k] = v
	}
}

type caseLogEntry struct {
	Date        string `json:"date"`
	UserLogin   string `json:"user_login"`
	UserID      string `json:"user_id"`
	Message     string `json:"message"`
	MessageHTML string `json:"message_html"`
}

// addCaseLogEntry puts a new entry first, as iTop lists a case log (newest first).
func addCaseLogEntry(stored, login, msg string) string {
	if msg == "" {
		return stored
	}
	var entries []caseLogEntry
	_ = json.Unmarshal([]byte(stored), &entries)
	e := caseLogEntry{Date: itopTime(time.Now()), UserLogin: login, UserID: "1", Message: msg,
		MessageHTML: strings.ReplaceAll(msg, "\n", "<br/>")}
	b, err := json.Marshal(append([]caseLogEntry{e}, entries...))
	if err != nil {
		return stored
	}
	return string(b)
}

// caseLog is a case log as REST answers it: {"entries": [...]}.
func caseLog(stored string) any {
	entries := []caseLogEntry{}
	_ = json.Unmarshal([]byte(stored), &entries)
	return map[string]any{"entries": entries}
}

// stimulus is core/apply_stimulus (core/restservices.class.inc.php): the fields are applied to
// the object first, then the transition must exist from its state (else code 100 "Invalid
// stimulus: ..."), then every attribute mandatory in the target state must be set (else code
// 100 "Missing mandatory attribute(s) ..."); neither message has the "Error: " prefix of an
// exception. A refused stimulus writes nothing, fields included.
func (s *ITop) stimulus(u ITopUser, op itopOp) (itopReply, error) {
	fields, err := s.prelude(op, true, true)
	if err != nil {
		return itopReply{}, err
	}
	if len(op.Fields) == 0 {
		return itopReply{}, errors.New("Missing parameter 'fields'")
	}
	if op.Stimulus == nil {
		return itopReply{}, errors.New("Missing parameter 'stimulus'")
	}
	id, in, f, err := s.modify(u, op)
	if err != nil {
		return itopReply{}, err
	}
	class := s.objects[id].class
	state := s.str(id, "status")
	tr, ok := itopModel[class].lifecycle[state].transitions[*op.Stimulus]
	if !ok {
		return itopReply{}, &itopError{100, fmt.Sprintf("Invalid stimulus: '%s' on the object %s in state '%s'", *op.Stimulus, s.str(id, "friendlyname"), state)}
	}
	var missing []string
	for _, a := range itopModel[class].lifecycle[tr.target].mandatory {
		if f[a] == "" && itopModel[class].attrs[a].def == "" {
			missing = append(missing, a)
		}
	}
	if len(missing) > 0 {
		return itopReply{}, &itopError{100, "Missing mandatory attribute(s) for applying the stimulus: " + strings.Join(missing, ", ") + "."}
	}
	f["status"] = tr.target
	for _, a := range tr.stamp {
		f[a] = itopTime(time.Now())
	}
	for _, a := range tr.reset {
		f[a] = ""
	}
	f["last_update"] = itopTime(time.Now())
	return s.save(id, f, in, fields)
}
