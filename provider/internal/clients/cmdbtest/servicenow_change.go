package cmdbtest

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Change requests: the change_request table under the change state model.
//
// A real instance enforces the model with the business rule "State model - Can change state?"
// (through com.snc.state_model.StateTransitionValidator): a write moving `state` along a
// transition the change's type does not allow is aborted, and the Table API answers 403
// "Operation Failed" naming the rule. The rule checks inserts as well as updates here, so a
// change cannot be born in a later state: a client must walk the model.

// snChangeTable is the table of change requests.
const snChangeTable = "change_request"

// Change states (change_request.state).
const (
	snChangeNew       = "-5"
	snChangeAssess    = "-4"
	snChangeAuthorize = "-3"
	snChangeScheduled = "-2"
	snChangeImplement = "-1"
	snChangeReview    = "0"
	snChangeClosed    = "3"
	snChangeCanceled  = "4"
)

// snStateRule is the business rule that enforces the change state model, as it names itself in
// an abort message (name^sys_id).
const snStateRule = "State model - Can change state?"

const snStateRuleID = "2ea8b7e9c0a80164006a6a5ab8b3d42c"

// snChangeModels are the legacy state models' transitions per change type. A transition in
// approved needs the change approved first (an approval engine's verdict a client cannot give).
var snChangeModels = map[string]struct {
	next     map[string][]string
	approved []string
}{
	"standard": {next: map[string][]string{
		snChangeNew: {snChangeScheduled, snChangeCanceled}, snChangeScheduled: {snChangeImplement, snChangeCanceled},
		snChangeImplement: {snChangeReview, snChangeCanceled}, snChangeReview: {snChangeClosed},
	}},
	"normal": {next: map[string][]string{
		snChangeNew: {snChangeAssess, snChangeCanceled}, snChangeAssess: {snChangeAuthorize, snChangeNew, snChangeCanceled},
		snChangeAuthorize: {snChangeScheduled, snChangeNew, snChangeCanceled}, snChangeScheduled: {snChangeImplement, snChangeCanceled},
		snChangeImplement: {snChangeReview, snChangeCanceled}, snChangeReview: {snChangeClosed},
	}, approved: []string{snChangeAuthorize, snChangeScheduled}},
	"emergency": {next: map[string][]string{
		snChangeNew: {snChangeAuthorize, snChangeCanceled}, snChangeAuthorize: {snChangeScheduled, snChangeNew, snChangeCanceled},
		snChangeScheduled: {snChangeImplement, snChangeCanceled}, snChangeImplement: {snChangeReview, snChangeCanceled},
		snChangeReview: {snChangeClosed},
	}, approved: []string{snChangeScheduled}},
}

// snCloseInfo are the fields a change must carry from Review on, by label as the data policy
// names them.
var snCloseInfo = [][2]string{{"close_code", "Close code"}, {"close_notes", "Close notes"}}

// changeWrite checks a write of a change request whose result would be after (before is nil on
// insert) and answers the refusal; on insert it first sets what the instance defaults: type
// normal, state New, approval (a standard change is pre-approved). values are what the write
// stores, to which the instance's own stamps (number, closed_at) are added.
func (s *ServiceNow) changeWrite(w http.ResponseWriter, before, after, values map[string]string) bool {
	if before == nil {
		for k, v := range map[string]string{"type": "normal", "state": snChangeNew, "approval": "not requested"} {
			if after[k] == "" {
				after[k] = v
			}
		}
		if after["type"] == "standard" && values["approval"] == "" {
			after["approval"] = "approved"
		}
	}
	if detail := changeRules(before, after); detail != "" {
		snError(w, http.StatusForbidden, "Operation Failed", detail)
		return false
	}
	if before == nil {
		maps.Copy(values, after)
		s.changes++
		values["number"] = fmt.Sprintf("CHG%07d", 30000+s.changes)
	}
	if after["state"] == snChangeClosed && (before == nil || before["state"] != snChangeClosed) {
		values["closed_at"] = time.Now().UTC().Format(time.DateTime)
	}
	return true
}

// changeRules checks the state model first (a business rule runs before the data policy is
// checked), then the close information. It returns the Table API's refusal detail, "" when the
// write passes.
func changeRules(before, after map[string]string) string {
	from, to := snChangeNew, after["state"]
	if before != nil {
		from = before["state"]
	}
	if from != to && !snTransitionAllowed(after["type"], after["approval"], from, to) {
		return fmt.Sprintf("Operation against file '%s' was aborted by Business Rule '%s^%s'. Business Rule Stack:%s",
			snChangeTable, snStateRule, snStateRuleID, snStateRule)
	}
	if to != snChangeReview && to != snChangeClosed {
		return ""
	}
	var missing []string
	for _, f := range snCloseInfo {
		if strings.TrimSpace(after[f[0]]) == "" {
			missing = append(missing, f[1])
		}
	}
	if len(missing) == 0 {
		return ""
	}
	return "Data Policy Exception: \n The following fields are mandatory: " + strings.Join(missing, ", ")
}

func snTransitionAllowed(typ, approval, from, to string) bool {
	m, ok := snChangeModels[typ]
	if !ok {
		return false
	}
	if !slices.Contains(m.next[from], to) {
		return false
	}
	return !slices.Contains(m.approved, to) || approval == "approved"
}
