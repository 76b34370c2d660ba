package cmdbtest

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// iTop classes the server knows: their parent, scalar fields with allowed values (nil means
// free text), external keys and the class they point to, and link sets.
type itopClass struct {
	parent    string
	fields    map[string][]string
	extKeys   map[string]string
	mandatory []string
	linkSets  map[string]itopLinkSet
	link      bool // a link class: duplicates are refused
}

type itopLinkSet struct {
	linkClass, self, remote, remoteName string
}

var itopModel = map[string]itopClass{
	"Organization": {fields: map[string][]string{"name": nil}, mandatory: []string{"name"}},
	"Contact":      {fields: map[string][]string{"name": nil}, extKeys: map[string]string{"org_id": "Organization"}},
	"Team": {parent: "Contact", fields: map[string][]string{"name": nil, "email": nil},
		extKeys: map[string]string{"org_id": "Organization"}, mandatory: []string{"name", "org_id"}},
	"FunctionalCI": {fields: map[string][]string{"name": nil}},
	"ApplicationSolution": {parent: "FunctionalCI",
		fields: map[string][]string{
			"name": nil, "description": nil, "move2production": nil,
			"status":             {"active", "inactive"},
			"business_criticity": {"high", "medium", "low"},
			"redundancy":         nil,
		},
		extKeys:   map[string]string{"org_id": "Organization"},
		mandatory: []string{"name", "org_id"},
		linkSets: map[string]itopLinkSet{
			"contacts_list":      {"lnkContactToFunctionalCI", "functionalci_id", "contact_id", "contact_name"},
			"functionalcis_list": {"lnkApplicationSolutionToFunctionalCI", "applicationsolution_id", "functionalci_id", "functionalci_name"},
		}},
	"Server": {parent: "FunctionalCI", fields: map[string][]string{"name": nil, "status": {"production", "implementation", "obsolete"}},
		extKeys: map[string]string{"org_id": "Organization"}, mandatory: []string{"name", "org_id"}},
	"lnkContactToFunctionalCI": {link: true, extKeys: map[string]string{"contact_id": "Contact", "functionalci_id": "FunctionalCI"},
		mandatory: []string{"contact_id", "functionalci_id"}},
	"lnkApplicationSolutionToFunctionalCI": {link: true,
		extKeys:   map[string]string{"applicationsolution_id": "ApplicationSolution", "functionalci_id": "FunctionalCI"},
		mandatory: []string{"applicationsolution_id", "functionalci_id"}},
}

// ITopUser is an account; REST needs the "REST Services User" profile.
type ITopUser struct {
	Password string
	Profiles []string
}

// ProfileREST is the profile iTop requires for webservices/rest.php.
const ProfileREST = "REST Services User"

type itopObject struct {
	class  string
	fields map[string]string
}

// ITop is an iTop 3.2 answering webservices/rest.php.
type ITop struct {
	*httptest.Server

	mu       sync.Mutex
	users    map[string]ITopUser
	tokens   map[string]string
	objects  map[int]*itopObject
	next     int
	requests []string
}

// NewITop starts an iTop with user "admin"/"admin" (REST profile), organization "Demo" and
// the given teams in it.
func NewITop(teams ...string) *ITop {
	s := &ITop{
		users:   map[string]ITopUser{"admin": {Password: "admin", Profiles: []string{"Administrator", ProfileREST}}},
		tokens:  map[string]string{},
		objects: map[int]*itopObject{},
		next:    1,
	}
	org := s.insert("Organization", map[string]string{"name": "Demo"})
	for _, t := range teams {
		s.insert("Team", map[string]string{"name": t, "org_id": strconv.Itoa(org)})
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// AddUser adds an account.
func (s *ITop) AddUser(name string, u ITopUser) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[name] = u
}

// AddToken lets an application token (auth_token) act as user.
func (s *ITop) AddToken(token, user string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[token] = user
}

// Insert adds an object directly and returns its id.
func (s *ITop) Insert(class string, fields map[string]string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.insert(class, fields)
}

// Object returns a copy of an object's stored fields (external keys as ids), nil when gone.
func (s *ITop) Object(id int) map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o, ok := s.objects[id]; ok {
		return maps.Clone(o.fields)
	}
	return nil
}

// Find returns the ids of objects of class (or a subclass) whose field equals value.
func (s *ITop) Find(class, field, value string) []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []int
	for _, id := range s.ids() {
		if o := s.objects[id]; itopIsA(o.class, class) && s.get(o, field) == value {
			out = append(out, id)
		}
	}
	return out
}

// Set edits an object behind the provider's back.
func (s *ITop) Set(id int, field, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.objects[id].fields[field] = value
}

// Delete removes an object behind the provider's back, with the links iTop deletes with it.
func (s *ITop) Delete(id int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.remove(id)
}

// Requests returns the operation of every request so far.
func (s *ITop) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

func (s *ITop) insert(class string, fields map[string]string) int {
	id := s.next
	s.next++
	s.objects[id] = &itopObject{class: class, fields: maps.Clone(fields)}
	if s.objects[id].fields == nil {
		s.objects[id].fields = map[string]string{}
	}
	return id
}

func (s *ITop) ids() []int { return slices.Sorted(maps.Keys(s.objects)) }

func itopIsA(class, want string) bool {
	for c := class; c != ""; c = itopModel[c].parent {
		if c == want {
			return true
		}
	}
	return false
}

// get reads a field the way OQL and output_fields see it, including the friendly names of
// external keys (organization_name, contact_name...) and finalclass.
func (s *ITop) get(o *itopObject, field string) string {
	switch {
	case field == "id":
		for id, x := range s.objects {
			if x == o {
				return strconv.Itoa(id)
			}
		}
	case field == "finalclass":
		return o.class
	case field == "organization_name":
		return s.name(o.fields["org_id"])
	case strings.HasSuffix(field, "_name") && o.fields[strings.TrimSuffix(field, "_name")+"_id"] != "":
		return s.name(o.fields[strings.TrimSuffix(field, "_name")+"_id"])
	}
	return o.fields[field]
}

func (s *ITop) name(id string) string {
	n, _ := strconv.Atoi(id)
	if o, ok := s.objects[n]; ok {
		return o.fields["name"]
	}
	return ""
}

type itopReply struct {
	Objects map[string]any `json:"objects"`
	Code    int            `json:"code"`
	Message *string        `json:"message"`
}

func itopFail(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, http.StatusOK, itopReply{Code: code, Message: &msg})
}

func itopOK(w http.ResponseWriter, objects map[string]any, msg string) {
	var m *string
	if msg != "" {
		m = &msg
	}
	if len(objects) == 0 {
		objects = nil
	}
	writeJSON(w, http.StatusOK, itopReply{Objects: objects, Code: 0, Message: m})
}

var itopVersions = []string{"1.0", "1.1", "1.2", "1.3", "1.4"}

// serve answers like webservices/rest.php: always HTTP 200, the outcome in code.
func (s *ITop) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.URL.Path != "/webservices/rest.php" {
		http.NotFound(w, r)
		return
	}
	_ = r.ParseForm()
	v := r.Form.Get("version")
	switch {
	case v == "":
		itopFail(w, 2, "Missing parameter 'version'")
		return
	case !slices.Contains(itopVersions, v):
		itopFail(w, 10, "Unsupported version '"+v+"'")
		return
	}
	if code, msg := s.authenticate(r); code != 0 {
		itopFail(w, code, msg)
		return
	}
	data := r.Form.Get("json_data")
	if data == "" {
		itopFail(w, 3, "Missing parameter 'json_data'")
		return
	}
	var op struct {
		Operation    string                     `json:"operation"`
		Class        string                     `json:"class"`
		Key          json.RawMessage            `json:"key"`
		Fields       map[string]json.RawMessage `json:"fields"`
		OutputFields string                     `json:"output_fields"`
		Limit        int                        `json:"limit"`
		Page         *int                       `json:"page"`
		Simulate     bool                       `json:"simulate"`
	}
	if err := json.Unmarshal([]byte(data), &op); err != nil {
		itopFail(w, 4, "Error: Invalid JSON: "+err.Error())
		return
	}
	s.requests = append(s.requests, op.Operation+" "+op.Class)
	if _, ok := itopModel[op.Class]; !ok && op.Operation != "list_operations" {
		itopFail(w, 100, fmt.Sprintf("Error: class: Unknown class '%s'", op.Class))
		return
	}
	switch op.Operation {
	case "list_operations":
		itopOK(w, nil, "Operations: 7")
	case "core/get":
		ids, err := s.selectKey(op.Class, op.Key)
		if err != "" {
			itopFail(w, 100, err)
			return
		}
		total := len(ids)
		if op.Limit > 0 {
			page := 1
			if op.Page != nil {
				page = *op.Page
			}
			if page < 1 {
				itopFail(w, 13, "Error: Invalid page number "+strconv.Itoa(page))
				return
			}
			ids = ids[min((page-1)*op.Limit, len(ids)):min(page*op.Limit, len(ids))]
		}
		out := map[string]any{}
		for _, id := range ids {
			out[s.objectKey(id)] = s.render(id, "")
		}
		itopOK(w, out, "Found: "+strconv.Itoa(total))
	case "core/create":
		f, msg := s.decodeFields(op.Class, op.Fields)
		if msg == "" {
			msg = s.validate(op.Class, f, 0)
		}
		if msg != "" {
			itopFail(w, 100, msg)
			return
		}
		id := s.write(op.Class, 0, f)
		itopOK(w, map[string]any{s.objectKey(id): s.render(id, "created")}, "")
	case "core/update":
		ids, err := s.selectKey(op.Class, op.Key)
		if err == "" && len(ids) != 1 {
			err = fmt.Sprintf("Error: key: Expected exactly one object, found %d", len(ids))
		}
		if err != "" {
			itopFail(w, 100, err)
			return
		}
		f, msg := s.decodeFields(op.Class, op.Fields)
		if msg == "" {
			msg = s.validate(op.Class, f, ids[0])
		}
		if msg != "" {
			itopFail(w, 100, msg)
			return
		}
		s.write(op.Class, ids[0], f)
		itopOK(w, map[string]any{s.objectKey(ids[0]): s.render(ids[0], "updated")}, "")
	case "core/delete":
		ids, err := s.selectKey(op.Class, op.Key)
		if err != "" {
			itopFail(w, 100, err)
			return
		}
		out := map[string]any{}
		for _, id := range ids {
			out[s.objectKey(id)] = map[string]any{"code": 0, "message": "deleted", "class": s.objects[id].class, "key": strconv.Itoa(id)}
			if !op.Simulate {
				s.remove(id)
			}
		}
		itopOK(w, out, "Deleted: "+strconv.Itoa(len(ids)))
	default:
		itopFail(w, 11, "Error: Unknown operation '"+op.Operation+"'")
	}
}

func (s *ITop) authenticate(r *http.Request) (int, string) {
	name, pw := r.Form.Get("auth_user"), r.Form.Get("auth_pwd")
	if t := r.Form.Get("auth_token"); t != "" {
		u, ok := s.tokens[t]
		if !ok {
			return 1, "Error: Invalid login"
		}
		name, pw = u, s.users[u].Password
	} else if bu, bp, ok := r.BasicAuth(); ok && name == "" {
		name, pw = bu, bp
	}
	switch {
	case name == "":
		return 5, "Missing parameter 'auth_user'"
	case pw == "":
		return 6, "Missing parameter 'auth_pwd'"
	}
	u, ok := s.users[name]
	if !ok || u.Password != pw {
		return 1, "Error: Invalid login"
	}
	if !slices.Contains(u.Profiles, ProfileREST) {
		return 1, "Error: This user is not authorized to use the web services. (The profile REST Services User is required to access the REST web services)"
	}
	return 0, ""
}

func (s *ITop) objectKey(id int) string {
	return s.objects[id].class + "::" + strconv.Itoa(id)
}

var oqlRe = regexp.MustCompile(`^SELECT\s+(\w+)(?:\s+WHERE\s+(.+))?$`)
var oqlCond = regexp.MustCompile(`^(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|(\d+))$`)

// selectKey finds the objects a key names: an id, an OQL SELECT with = conditions joined
// by AND, or a criteria object.
func (s *ITop) selectKey(class string, raw json.RawMessage) ([]int, string) {
	var conds map[string]string
	var str string
	var num json.Number
	switch {
	case json.Unmarshal(raw, &num) == nil && num != "":
		str = num.String()
		fallthrough
	case json.Unmarshal(raw, &str) == nil:
		if id, err := strconv.Atoi(str); err == nil {
			if o, ok := s.objects[id]; ok && itopIsA(o.class, class) {
				return []int{id}, ""
			}
			return nil, ""
		}
		m := oqlRe.FindStringSubmatch(strings.TrimSpace(str))
		if m == nil {
			return nil, "Error: key: OQL syntax error in '" + str + "'"
		}
		if m[1] != class && !itopIsA(m[1], class) {
			return nil, fmt.Sprintf("Error: key: the OQL class %s is not a %s", m[1], class)
		}
		class, conds = m[1], map[string]string{}
		if m[2] != "" {
			for c := range strings.SplitSeq(m[2], " AND ") {
				cm := oqlCond.FindStringSubmatch(strings.TrimSpace(c))
				if cm == nil {
					return nil, "Error: key: OQL syntax error near '" + c + "'"
				}
				conds[cm[1]] = strings.ReplaceAll(cm[2]+cm[3]+cm[4], `\"`, `"`)
			}
		}
	default:
		var crit map[string]json.RawMessage
		if err := json.Unmarshal(raw, &crit); err != nil {
			return nil, "Error: key: wrong format"
		}
		conds = map[string]string{}
		for k, v := range crit {
			conds[k] = rawString(v)
		}
	}
	var out []int
	for _, id := range s.ids() {
		o := s.objects[id]
		if !itopIsA(o.class, class) {
			continue
		}
		if !slices.ContainsFunc(slices.Collect(maps.Keys(conds)), func(k string) bool { return s.get(o, k) != conds[k] }) {
			out = append(out, id)
		}
	}
	return out, ""
}

func rawString(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return string(raw)
}

type itopFields struct {
	scalars map[string]string
	links   map[string][]map[string]string // link set -> rows of remote key ids
}

// decodeFields resolves external keys given as ids or criteria and link sets.
func (s *ITop) decodeFields(class string, in map[string]json.RawMessage) (itopFields, string) {
	m := itopModel[class]
	out := itopFields{scalars: map[string]string{}, links: map[string][]map[string]string{}}
	for k, raw := range in {
		switch {
		case m.fields[k] != nil || slices.Contains(slices.Collect(maps.Keys(m.fields)), k):
			out.scalars[k] = rawString(raw)
		case m.extKeys[k] != "":
			id, msg := s.resolve(m.extKeys[k], k, raw)
			if msg != "" {
				return out, msg
			}
			out.scalars[k] = id
		case m.linkSets[k].linkClass != "":
			ls := m.linkSets[k]
			var rows []map[string]json.RawMessage
			if err := json.Unmarshal(raw, &rows); err != nil {
				return out, fmt.Sprintf("Error: %s: a link set must be an array", k)
			}
			out.links[k] = []map[string]string{}
			for _, row := range rows {
				id, msg := s.resolve(itopModel[ls.linkClass].extKeys[ls.remote], ls.remote, row[ls.remote])
				if msg != "" {
					return out, msg
				}
				out.links[k] = append(out.links[k], map[string]string{ls.remote: id})
			}
		default:
			return out, fmt.Sprintf("Error: fields: Unknown attribute '%s' for class '%s'", k, class)
		}
	}
	return out, ""
}

func (s *ITop) resolve(class, field string, raw json.RawMessage) (string, string) {
	ids, msg := s.selectKey(class, raw)
	if msg != "" {
		return "", msg
	}
	if len(ids) != 1 {
		return "", fmt.Sprintf("Error: %s: No item found with criteria: %s", field, string(raw))
	}
	return strconv.Itoa(ids[0]), ""
}

// validate applies the data model: allowed values, mandatory attributes, unique links.
func (s *ITop) validate(class string, f itopFields, id int) string {
	m := itopModel[class]
	for k, v := range f.scalars {
		if allowed := m.fields[k]; allowed != nil && !slices.Contains(allowed, v) {
			return fmt.Sprintf("Error: %s: Value not allowed [%s]", k, v)
		}
	}
	for _, k := range m.mandatory {
		cur := ""
		if id != 0 {
			cur = s.objects[id].fields[k]
		}
		if v, set := f.scalars[k]; (set && v == "") || (!set && cur == "") {
			return "Error: Missing mandatory attribute(s): " + k
		}
	}
	if m.link {
		for _, oid := range s.ids() {
			o := s.objects[oid]
			if o.class == class && oid != id && maps.Equal(o.fields, f.scalars) {
				return "Error: This link already exists: " + class + "::" + strconv.Itoa(oid)
			}
		}
	}
	return ""
}

func (s *ITop) write(class string, id int, f itopFields) int {
	if id == 0 {
		id = s.insert(class, f.scalars)
	} else {
		maps.Copy(s.objects[id].fields, f.scalars)
	}
	for set, rows := range f.links {
		ls := itopModel[class].linkSets[set]
		for _, lid := range s.ids() {
			if o := s.objects[lid]; o.class == ls.linkClass && o.fields[ls.self] == strconv.Itoa(id) {
				delete(s.objects, lid)
			}
		}
		for _, row := range rows {
			s.insert(ls.linkClass, map[string]string{ls.self: strconv.Itoa(id), ls.remote: row[ls.remote]})
		}
	}
	return id
}

func (s *ITop) remove(id int) {
	delete(s.objects, id)
	for lid, o := range s.objects {
		for k := range itopModel[o.class].extKeys {
			if itopModel[o.class].link && o.fields[k] == strconv.Itoa(id) {
				delete(s.objects, lid)
			}
		}
	}
}

func (s *ITop) render(id int, msg string) map[string]any {
	o := s.objects[id]
	m := itopModel[o.class]
	fields := map[string]any{"id": strconv.Itoa(id), "finalclass": o.class, "friendlyname": o.fields["name"]}
	for k := range m.fields {
		fields[k] = o.fields[k]
	}
	for k := range m.extKeys {
		fields[k] = o.fields[k]
		fields[strings.TrimSuffix(k, "_id")+"_name"] = s.name(o.fields[k])
		if k == "org_id" {
			fields["organization_name"] = s.name(o.fields[k])
		}
	}
	for set, ls := range m.linkSets {
		rows := []map[string]string{}
		for _, lid := range s.ids() {
			l := s.objects[lid]
			if l.class == ls.linkClass && l.fields[ls.self] == strconv.Itoa(id) {
				rows = append(rows, map[string]string{"id": strconv.Itoa(lid), ls.remote: l.fields[ls.remote], ls.remoteName: s.name(l.fields[ls.remote])})
			}
		}
		fields[set] = rows
	}
	return map[string]any{"code": 0, "message": msg, "class": o.class, "key": strconv.Itoa(id), "fields": fields}
}
