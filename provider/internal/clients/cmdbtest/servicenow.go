package cmdbtest

import (
	"crypto/rand"
	"encoding/hex"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// ServiceNow CI classes the server knows, child -> parent, so a record of a child class is
// also found through its parent table (cmdb_ci), as in a real instance.
var snCIClasses = map[string]string{
	"cmdb_ci_business_app":       "cmdb_ci",
	"cmdb_ci_appl":               "cmdb_ci",
	"cmdb_ci_service_auto":       "cmdb_ci",
	"cmdb_ci_service_discovered": "cmdb_ci_service_auto",
	"cmdb_ci_db_instance":        "cmdb_ci",
	"cmdb_ci":                    "",
}

var snPlainTables = []string{"sys_user_group", "cmdb_rel_type", "cmdb_rel_ci", snChangeTable}

// Choice labels shown as display values.
var snChoices = map[string]map[string]string{
	"install_status":     {"1": "Installed", "2": "On Order", "3": "In Maintenance", "6": "In Stock", "7": "Retired", "100": "Absent"},
	"operational_status": {"1": "Operational", "2": "Non-Operational", "3": "Repair in Progress", "6": "Retired"},
	"state": {snChangeNew: "New", snChangeAssess: "Assess", snChangeAuthorize: "Authorize", snChangeScheduled: "Scheduled",
		snChangeImplement: "Implement", snChangeReview: "Review", snChangeClosed: "Closed", snChangeCanceled: "Canceled"},
	"close_code": {"successful": "Successful", "successful_issues": "Successful with issues", "unsuccessful": "Unsuccessful"},
}

// Reference fields and the table they point to.
var snRefs = map[string]string{
	"support_group": "sys_user_group", "managed_by_group": "sys_user_group",
	"parent": "cmdb_ci", "child": "cmdb_ci", "type": "cmdb_rel_type",
	"cmdb_ci": "cmdb_ci", "assignment_group": "sys_user_group",
}

// snRef is the table a reference field of class points to: `type` is a reference only on
// relationship rows (a change request's type is a choice).
func snRef(class, field string) (string, bool) {
	if field == "type" && class != "cmdb_rel_ci" {
		return "", false
	}
	t, ok := snRefs[field]
	return t, ok
}

// SNUser is an account on the instance.
type SNUser struct {
	Password string
	Roles    []string
}

// ServiceNow is a ServiceNow instance: Table API and Identification and Reconciliation.
type ServiceNow struct {
	*httptest.Server

	mu      sync.Mutex
	users   map[string]SNUser
	tokens  map[string]string // OAuth bearer token -> user
	records map[string]map[string]string
	sources map[string]string // source_name \x00 native key -> sys_id
	// dataSources is cmdb_ci.discovery_source's choice list: IRE refuses any other source.
	dataSources []string
	changes     int // change requests numbered so far
	pageSize    int
	throttle    int
	retry       int
	fail        int
	hold        chan struct{}
	requests    []string
}

// NewServiceNow starts an instance with the admin user "admin"/"admin" (roles itil,
// asset), the three standard relationship types and the given support groups.
func NewServiceNow(groups ...string) *ServiceNow {
	s := &ServiceNow{
		users:       map[string]SNUser{"admin": {Password: "admin", Roles: []string{"itil", "asset"}}},
		tokens:      map[string]string{},
		records:     map[string]map[string]string{},
		sources:     map[string]string{},
		dataSources: []string{"ServiceNow", "Manual Entry", "ImportSet", "Other Automated", "xapp"},
	}
	for _, t := range []string{"Depends on::Used by", "Runs on::Runs", "Contains::Contained by"} {
		s.insert("cmdb_rel_type", map[string]string{"name": t})
	}
	for _, g := range groups {
		s.insert("sys_user_group", map[string]string{"name": g})
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// AddUser adds an account.
func (s *ServiceNow) AddUser(name string, u SNUser) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[name] = u
}

// AddToken lets an OAuth bearer token act as user.
func (s *ServiceNow) AddToken(token, user string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[token] = user
}

// SetPageSize caps sysparm_limit, so pagination shows with a handful of records.
func (s *ServiceNow) SetPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pageSize = n
}

// Throttle answers the next n requests with 429 and Retry-After: seconds.
func (s *ServiceNow) Throttle(n, seconds int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttle, s.retry = n, seconds
}

// FailNext answers the next n requests with 500.
func (s *ServiceNow) FailNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = n
}

// Requests returns "METHOD /path" of every request so far.
func (s *ServiceNow) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Record returns a copy of a record's stored values, nil when it does not exist.
func (s *ServiceNow) Record(sysID string) map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.records[sysID]; ok {
		return maps.Clone(r)
	}
	return nil
}

// Find returns copies of the records of class (or a child class) whose field equals value.
func (s *ServiceNow) Find(class, field, value string) []map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]string
	for _, id := range s.sortedIDs() {
		r := s.records[id]
		if snIsA(r["sys_class_name"], class) && r[field] == value {
			out = append(out, maps.Clone(r))
		}
	}
	return out
}

// Set edits a record behind the provider's back, as a person in the UI would.
func (s *ServiceNow) Set(sysID, field, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.records[sysID][field] = value
}

// Delete removes a record behind the provider's back, as a person in the UI would.
func (s *ServiceNow) Delete(sysID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.records, sysID)
}

// Insert adds a record directly, e.g. one that exists before the provider adopts it.
func (s *ServiceNow) Insert(class string, values map[string]string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.insert(class, values)
}

// GroupID returns the sys_id of a support group.
func (s *ServiceNow) GroupID(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lookup("sys_user_group", name)
}

func (s *ServiceNow) lookup(table, name string) string {
	for id, r := range s.records {
		if r["sys_class_name"] == table && r["name"] == name {
			return id
		}
	}
	return ""
}

func (s *ServiceNow) insert(class string, values map[string]string) string {
	id := newSysID()
	r := maps.Clone(values)
	if r == nil {
		r = map[string]string{}
	}
	r["sys_id"] = id
	r["sys_class_name"] = class
	r["sys_mod_count"] = "0"
	s.records[id] = r
	return id
}

func (s *ServiceNow) sortedIDs() []string {
	return slices.Sorted(maps.Keys(s.records))
}

func newSysID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func snIsA(class, table string) bool {
	for c := class; c != ""; c = snCIClasses[c] {
		if c == table {
			return true
		}
	}
	return false
}

func snKnownTable(t string) bool {
	_, ci := snCIClasses[t]
	return ci || slices.Contains(snPlainTables, t)
}

func snError(w http.ResponseWriter, status int, msg string, detail any) {
	writeJSON(w, status, map[string]any{
		"error": map[string]any{"message": msg, "detail": detail}, "status": "failure",
	})
}

func snResult(w http.ResponseWriter, status int, result any) {
	writeJSON(w, status, map[string]any{"result": result})
}

// HoldNextCreate makes the next identifyreconcile apply the item and then never answer,
// as when the provider dies between the CMDB's create and writing the id down. The
// returned channel closes once the record exists; the request ends when its client gives up.
func (s *ServiceNow) HoldNextCreate() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hold = make(chan struct{})
	return s.hold
}

func (s *ServiceNow) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	held := s.handle(w, r)
	s.mu.Unlock()
	if held != nil {
		close(held)
		<-r.Context().Done()
	}
}

func (s *ServiceNow) handle(w http.ResponseWriter, r *http.Request) chan struct{} {
	s.requests = append(s.requests, r.Method+" "+r.URL.Path)

	// ServiceNow documents these as X-RateLimit-*; HTTP header names are case-insensitive and
	// net/http sends them canonicalised, so they are written the way they go on the wire.
	w.Header().Set("X-Ratelimit-Limit", "1000")
	w.Header().Set("X-Ratelimit-Rule", "xapp-test")
	if s.throttle > 0 {
		s.throttle--
		w.Header().Set("Retry-After", strconv.Itoa(s.retry))
		w.Header().Set("X-Ratelimit-Reset", strconv.Itoa(s.retry))
		snError(w, http.StatusTooManyRequests, "Rate limit exceeded", "Rate limit of 1000 requests per hour exceeded for rule xapp-test")
		return nil
	}
	user, ok := s.authenticate(r)
	if !ok {
		w.Header().Set("WWW-Authenticate", `Basic realm="Service-now"`)
		snError(w, http.StatusUnauthorized, "User Not Authenticated", "Required to provide Auth information")
		return nil
	}
	if s.fail > 0 {
		s.fail--
		snError(w, http.StatusInternalServerError, "Internal server error", "Transaction cancelled: maximum execution time exceeded")
		return nil
	}
	write := r.Method != http.MethodGet
	if write && !slices.Contains(user.Roles, "itil") && !slices.Contains(user.Roles, "admin") {
		snError(w, http.StatusForbidden, "User Not Authorized", "Failed API level ACL Validation")
		return nil
	}
	switch p := r.URL.Path; {
	case p == "/api/now/identifyreconcile" && r.Method == http.MethodPost:
		if held := s.hold; held != nil {
			s.hold = nil
			s.ire(httptest.NewRecorder(), r, false)
			return held
		}
		s.ire(w, r, false)
	case p == "/api/now/identifyreconcile/query" && r.Method == http.MethodPost:
		s.ire(w, r, true)
	case strings.HasPrefix(p, "/api/now/table/"):
		s.table(w, r, strings.Split(strings.TrimPrefix(p, "/api/now/table/"), "/"))
	default:
		snError(w, http.StatusBadRequest, "Requested URI does not represent any resource", p)
	}
	return nil
}

func (s *ServiceNow) authenticate(r *http.Request) (SNUser, bool) {
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
		name, ok := s.tokens[strings.TrimPrefix(h, "Bearer ")]
		return s.users[name], ok
	}
	name, pw, ok := r.BasicAuth()
	u, known := s.users[name]
	return u, ok && known && u.Password == pw
}

// apply writes values into a record and reports whether anything changed.
func (s *ServiceNow) apply(id string, values map[string]string) bool {
	rec := s.records[id]
	changed := false
	for k, v := range values {
		if k == "sys_id" || k == "sys_class_name" {
			continue
		}
		if rec[k] != v {
			rec[k], changed = v, true
		}
	}
	if changed {
		n, _ := strconv.Atoi(rec["sys_mod_count"])
		rec["sys_mod_count"] = strconv.Itoa(n + 1)
	}
	return changed
}
