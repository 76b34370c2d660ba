package cmdbtest

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// itopOp is json_data. Optional parameters are pointers: iTop tells absent from empty.
type itopOp struct {
	Operation    string          `json:"operation"`
	Class        string          `json:"class"`
	Key          json.RawMessage `json:"key"`
	Fields       json.RawMessage `json:"fields"`
	Comment      *string         `json:"comment"`
	OutputFields *string         `json:"output_fields"`
	Limit        *int            `json:"limit"`
	Page         *int            `json:"page"`
	Simulate     bool            `json:"simulate"`
	Stimulus     *string         `json:"stimulus"`
}

// Labels of the external keys, as iTop's English dictionary names them.
var itopKeyLabels = map[string]string{"org_id": "Organization", "contact_id": "Contact", "functionalci_id": "Functional CI",
	"applicationsolution_id": "Application solution"}

const errPermission = "The current user does not have enough permissions for %s data of class %s"

// prelude checks what every operation checks first, in iTop's order: the tracking comment
// (writes only), the class, the key and the output fields.
func (s *ITop) prelude(op itopOp, write, needKey bool) ([]string, error) {
	if write && op.Comment == nil {
		return nil, errors.New("Missing parameter 'comment'")
	}
	if _, ok := itopModel[op.Class]; !ok {
		return nil, errors.Errorf("class: '%s' is not a valid class'", op.Class)
	}
	if needKey && len(op.Key) == 0 {
		return nil, errors.New("Missing parameter 'key'")
	}
	return outputFields(op)
}

// outputFields is the list of attributes to answer: "*" is all of them, the default (and what
// core/delete answers) is id and friendlyname.
func outputFields(op itopOp) ([]string, error) {
	if op.OutputFields == nil || op.Operation == "core/delete" {
		return []string{"id", "friendlyname"}, nil
	}
	if *op.OutputFields == "*" || *op.OutputFields == "*+" {
		return itopAttCodes(op.Class), nil
	}
	out := make([]string, 0, strings.Count(*op.OutputFields, ",")+1)
	for f := range strings.SplitSeq(*op.OutputFields, ",") {
		f = strings.TrimSpace(f)
		if !itopValidAttCode(op.Class, f) {
			return nil, errors.Errorf("output_fields: invalid attribute code '%s'", f)
		}
		out = append(out, f)
	}
	return out, nil
}

func permission(action, class string) error {
	return &itopError{1, fmt.Sprintf(errPermission, action, class)}
}

func (s *ITop) get(u ITopUser, op itopOp) (itopReply, error) {
	fields, err := s.prelude(op, false, true)
	if err != nil {
		return itopReply{}, err
	}
	ids, err := s.selectSet(op.Class, op.Key)
	if err != nil {
		return itopReply{}, err
	}
	if !u.may("reading") {
		return itopReply{}, permission("reading", op.Class)
	}
	total := len(ids)
	if op.Limit != nil && *op.Limit > 0 {
		page := 1
		if op.Page != nil {
			page = *op.Page
		}
		if page < 1 {
			return itopReply{}, &itopError{13, "The request page number is not valid. It must be an integer greater than 0"}
		}
		ids = ids[min((page-1)**op.Limit, len(ids)):min(page**op.Limit, len(ids))]
	}
	out := map[string]any{}
	for _, id := range ids {
		out[s.objectKey(id)] = s.render(id, "", fields)
	}
	return itopReply{Objects: out, Message: "Found: " + strconv.Itoa(total)}, nil
}

func (s *ITop) create(u ITopUser, op itopOp) (itopReply, error) {
	fields, err := s.prelude(op, true, false)
	if err != nil {
		return itopReply{}, err
	}
	if !u.may("creating") {
		return itopReply{}, permission("creating", op.Class)
	}
	in, err := s.decodeFields(op.Class, op.Fields)
	if err != nil {
		return itopReply{}, err
	}
	f := map[string]string{}
	for k, a := range itopModel[op.Class].attrs {
		if a.def != "" {
			f[k] = a.def
		}
	}
	merge(op.Class, u.login, f, in.scalars)
	s.onInsert(op.Class, f)
	if err := s.check(op.Class, 0, f); err != nil {
		return itopReply{}, err
	}
	id := s.insert(op.Class, f)
	s.writeLinks(op.Class, id, in.links)
	return itopReply{Objects: map[string]any{s.objectKey(id): s.render(id, "created", fields)}}, nil
}

func (s *ITop) update(u ITopUser, op itopOp) (itopReply, error) {
	fields, err := s.prelude(op, true, true)
	if err != nil {
		return itopReply{}, err
	}
	id, in, f, err := s.modify(u, op)
	if err != nil {
		return itopReply{}, err
	}
	return s.save(id, f, in, fields)
}

// modify is the common start of core/update and core/apply_stimulus: the right to modify, the
// object, and its fields with the request's written over them (not stored yet).
func (s *ITop) modify(u ITopUser, op itopOp) (int, itopFields, map[string]string, error) {
	if !u.may("modifying") {
		return 0, itopFields{}, nil, permission("modifying", op.Class)
	}
	id, err := s.findOne(op.Class, op.Key, false)
	if err != nil {
		return 0, itopFields{}, nil, err
	}
	class := s.objects[id].class
	in, err := s.decodeFields(class, op.Fields)
	if err != nil {
		return 0, itopFields{}, nil, err
	}
	f := maps.Clone(s.objects[id].fields)
	merge(class, u.login, f, in.scalars)
	return id, in, f, nil
}

// save is DBUpdate: CheckToWrite, then the fields and link sets are stored.
func (s *ITop) save(id int, f map[string]string, in itopFields, fields []string) (itopReply, error) {
	class := s.objects[id].class
	if err := s.check(class, id, f); err != nil {
		return itopReply{}, err
	}
	s.objects[id].fields = f
	s.writeLinks(class, id, in.links)
	return itopReply{Objects: map[string]any{s.objectKey(id): s.render(id, "updated", fields)}}, nil
}

func (s *ITop) del(u ITopUser, op itopOp) (itopReply, error) {
	fields, err := s.prelude(op, true, true)
	if err != nil {
		return itopReply{}, err
	}
	ids, err := s.selectSet(op.Class, op.Key)
	if err != nil {
		return itopReply{}, err
	}
	if !u.may("deleting") {
		return itopReply{}, permission("deleting", op.Class)
	}
	out := map[string]any{}
	indirect := 0
	for _, id := range ids {
		out[s.objectKey(id)] = s.render(id, "", fields)
		for _, lid := range s.cascade(id) {
			r := s.render(lid, "Deleted automatically", fields)
			r["code"] = 2
			out[s.objectKey(lid)] = r
			indirect++
		}
	}
	if !op.Simulate {
		for _, id := range ids {
			s.remove(id)
		}
	}
	msg := "Deleted: " + strconv.Itoa(len(ids))
	if indirect > 0 {
		msg += " plus (for DB integrity) " + strconv.Itoa(indirect)
	}
	if op.Simulate {
		msg = "SIMULATING: " + msg
	}
	return itopReply{Objects: out, Message: msg}, nil
}

// cascade lists the links deleting id deletes with it.
func (s *ITop) cascade(id int) []int {
	var out []int
	for _, lid := range s.ids() {
		o := s.objects[lid]
		for k := range itopModel[o.class].extKeys {
			if itopModel[o.class].link && o.fields[k] == strconv.Itoa(id) {
				out = append(out, lid)
				break
			}
		}
	}
	return out
}

func (s *ITop) objectKey(id int) string { return s.objects[id].class + "::" + strconv.Itoa(id) }

type itopFields struct {
	scalars map[string]string
	links   map[string][]string // link set -> ids of the remote objects, in order
}

// decodeFields is MakeObjectFromFields: every field through makeValue, link sets row by row
// (errors prefixed with the link set's code, as iTop nests them).
func (s *ITop) decodeFields(class string, raw json.RawMessage) (itopFields, error) {
	out := itopFields{scalars: map[string]string{}, links: map[string][]string{}}
	members, ok := ordered(raw)
	if !ok {
		return out, errors.New("Missing parameter 'fields'")
	}
	for _, m := range members {
		ls, isSet := itopModel[class].linkSets[m.k]
		if !isSet {
			v, err := s.makeValue(class, m.k, m.v)
			if err != nil {
				return out, err
			}
			out.scalars[m.k] = v
			continue
		}
		var rows []json.RawMessage
		if json.Unmarshal(m.v, &rows) != nil {
			return out, errors.New(m.k + ": A link set must be defined by an array of objects")
		}
		out.links[m.k] = []string{}
		for _, row := range rows {
			cols, _ := ordered(row)
			remote := ""
			for _, c := range cols {
				v, err := s.makeValue(ls.linkClass, c.k, c.v)
				if err != nil {
					return out, errors.New(m.k + ": " + err.Error())
				}
				if c.k == ls.remote {
					remote = v
				}
			}
			if remote != "" { // a row whose remote end is 0 is skipped
				out.links[m.k] = append(out.links[m.k], remote)
			}
		}
	}
	return out, nil
}

// check is CheckToWrite: allowed values, mandatory attributes and unique links, reported as
// iTop's CoreCannotSaveObjectException message.
func (s *ITop) check(class string, id int, f map[string]string) error {
	m := itopModel[class]
	var issues []string
	for _, k := range slices.Sorted(maps.Keys(f)) {
		if a := m.attrs[k]; a.allowed != nil && f[k] != "" && !slices.Contains(a.allowed, f[k]) {
			issues = append(issues, fmt.Sprintf("Unexpected value for attribute '%s' (%s) : Value not allowed [%s]", a.label, k, f[k]))
		}
	}
	for _, k := range mandatoryIn(class, f) {
		if f[k] == "" {
			label := m.attrs[k].label
			if label == "" {
				label = itopKeyLabels[k]
			}
			issues = append(issues, fmt.Sprintf("Unexpected value for attribute '%s' (%s) : Null not allowed", label, k))
		}
	}
	if m.link {
		for _, oid := range s.match(class, f) {
			if oid != id {
				keys := slices.Sorted(maps.Keys(m.extKeys))
				issues = append(issues, fmt.Sprintf("%s: %s is already linked to %s: %s, duplicates are not allowed on this relation.",
					m.extKeys[keys[0]], s.field(f[keys[0]], "friendlyname"), m.extKeys[keys[1]], s.field(f[keys[1]], "friendlyname")))
				break
			}
		}
	}
	if len(issues) == 0 {
		return nil
	}
	pairs := make([]string, 0, len(issues))
	for i, is := range issues {
		pairs = append(pairs, fmt.Sprintf("%d=>%s", i, is))
	}
	if id == 0 {
		id = -1
	}
	return errors.Errorf("%s: issues = {%s}, class = %s, id = %d", strings.Join(issues, ", "), strings.Join(pairs, "; "), class, id)
}

// writeLinks replaces whole link sets, as writing a link set does in iTop.
func (s *ITop) writeLinks(class string, id int, sets map[string][]string) {
	for set, remotes := range sets {
		ls := itopModel[class].linkSets[set]
		for _, lid := range s.ids() {
			if o := s.objects[lid]; o.class == ls.linkClass && o.fields[ls.self] == strconv.Itoa(id) {
				delete(s.objects, lid)
			}
		}
		for _, r := range remotes {
			s.insert(ls.linkClass, map[string]string{ls.self: strconv.Itoa(id), ls.remote: r})
		}
	}
}
