package cmdbtest

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// iTop profiles the server knows. REST needs ProfileREST; data rights come from the others.
const (
	ProfileREST          = "REST Services User"
	ProfileAdmin         = "Administrator"
	ProfileConfigManager = "Configuration Manager"
	ProfilePortal        = "Portal user"
)

// ITopUser is an account. Administrator and Configuration Manager may read, create, modify and
// delete; any other profile only reads; REST Services User alone gives no data rights.
type ITopUser struct {
	Password string
	Profiles []string

	login string // the name it logged in with, which case log entries carry
}

func (u ITopUser) may(action string) bool {
	for _, p := range u.Profiles {
		switch p {
		case ProfileAdmin, ProfileConfigManager:
			return true
		case ProfileREST, ProfilePortal:
		default:
			if action == "reading" {
				return true
			}
		}
	}
	return false
}

type itopObject struct {
	class  string
	fields map[string]string
}

// ITop is an iTop 3.2 answering webservices/rest.php as a real one does (see
// cmdb-protocols.md, "What a real iTop 3.2.0 answers"): always HTTP 200, the outcome in code,
// iTop's own messages.
type ITop struct {
	*httptest.Server

	mu       sync.Mutex
	users    map[string]ITopUser
	objects  map[int]*itopObject
	next     int
	tickets  int // the ticket counter references are made from
	requests []string
}

// NewITop starts an iTop with user "admin"/"admin" (Administrator, REST), organization "Demo"
// (id 1) and the given teams in it.
func NewITop(teams ...string) *ITop {
	s := &ITop{
		users:   map[string]ITopUser{"admin": {Password: "admin", Profiles: []string{ProfileAdmin, ProfileREST}}},
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

// Insert adds an object directly (external keys as ids) and returns its id.
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

// Find returns the ids of objects of class (or a subclass) whose field reads value.
func (s *ITop) Find(class, field, value string) []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.match(class, map[string]string{field: value})
}

// Set edits an object behind the provider's back, as a person in the console would.
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

// Requests returns "operation class" of every request so far.
func (s *ITop) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

func (s *ITop) insert(class string, fields map[string]string) int {
	id := s.next
	s.next++
	f := maps.Clone(fields)
	if f == nil {
		f = map[string]string{}
	}
	s.objects[id] = &itopObject{class: class, fields: f}
	return id
}

func (s *ITop) ids() []int { return slices.Sorted(maps.Keys(s.objects)) }

// remove deletes an object and, as iTop does for DB integrity, the links pointing to it.
func (s *ITop) remove(id int) {
	for _, lid := range s.cascade(id) {
		delete(s.objects, lid)
	}
	delete(s.objects, id)
}

// itopReply is webservices/rest.php's answer; objects is null when there are none.
type itopReply struct {
	Objects map[string]any `json:"objects"`
	Code    int            `json:"code"`
	Message string         `json:"message"`
}

// An itopError is a failure with its code; any other error is an exception, code 100.
type itopError struct {
	code int
	msg  string
}

func (e *itopError) Error() string { return e.msg }

var itopVersions = []string{"1.0", "1.1", "1.2", "1.3", "1.4"}

// serve answers like webservices/rest.php: HTTP 200 always, the outcome in code.
func (s *ITop) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.URL.Path != "/webservices/rest.php" {
		http.NotFound(w, r)
		return
	}
	rep, err := s.answer(r)
	if err != nil {
		var ie *itopError
		if !errors.As(err, &ie) {
			ie = &itopError{code: 100, msg: "Error: " + err.Error()}
		}
		rep = itopReply{Code: ie.code, Message: ie.msg}
	}
	if len(rep.Objects) == 0 {
		rep.Objects = nil
	}
	// An operation that sets no message (core/create, core/update) answers "message": null.
	var msg *string
	if rep.Message != "" {
		msg = &rep.Message
	}
	writeJSON(w, http.StatusOK, struct {
		Objects map[string]any `json:"objects"`
		Code    int            `json:"code"`
		Message *string        `json:"message"`
	}{rep.Objects, rep.Code, msg})
}

func (s *ITop) answer(r *http.Request) (itopReply, error) {
	_ = r.ParseForm()
	v := r.Form.Get("version")
	switch {
	case v == "":
		return itopReply{}, &itopError{2, "Error: Missing parameter 'version' (e.g. '1.0')"}
	case !slices.Contains(itopVersions, v):
		return itopReply{}, &itopError{10, "Error: There is no service available for version '" + v + "'"}
	}
	user, err := s.authenticate(r)
	if err != nil {
		return itopReply{}, err
	}
	data := r.Form.Get("json_data")
	if data == "" {
		return itopReply{}, &itopError{3, "Error: Missing parameter 'json_data'"}
	}
	var op itopOp
	if err := json.Unmarshal([]byte(data), &op); err != nil {
		return itopReply{}, &itopError{4, "Error: Parameter json_data is not a valid JSON structure"}
	}
	s.requests = append(s.requests, op.Operation+" "+op.Class)
	switch op.Operation {
	case "list_operations":
		return itopReply{Message: "Operations: 7"}, nil
	case "core/get":
		return s.get(user, op)
	case "core/create":
		return s.create(user, op)
	case "core/update":
		return s.update(user, op)
	case "core/delete":
		return s.del(user, op)
	case "core/apply_stimulus":
		return s.stimulus(user, op)
	}
	return itopReply{}, &itopError{11, "Error: Unknown verb '" + op.Operation + "' in version '" + v + "'"}
}

// authenticate checks auth_user/auth_pwd (or HTTP Basic). Every failure is code 1, stock iTop
// has no token login, and portal users may not use REST.
func (s *ITop) authenticate(r *http.Request) (ITopUser, error) {
	name, pw := r.Form.Get("auth_user"), r.Form.Get("auth_pwd")
	if bu, bp, ok := r.BasicAuth(); ok && name == "" {
		name, pw = bu, bp
	}
	u, ok := s.users[name]
	if !ok || name == "" || pw == "" || u.Password != pw {
		return ITopUser{}, &itopError{1, "Error: Invalid login"}
	}
	if slices.Contains(u.Profiles, ProfilePortal) {
		return ITopUser{}, &itopError{1, "Error: Portal user is not allowed"}
	}
	if !slices.Contains(u.Profiles, ProfileREST) {
		return ITopUser{}, &itopError{1, "Error: This user is not authorized to use the web services. (The profile REST Services User is required to access the REST web services)"}
	}
	u.login = name
	return u, nil
}
