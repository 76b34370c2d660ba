package cmdbtest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
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

var snPlainTables = []string{"sys_user_group", "cmdb_rel_type", "cmdb_rel_ci"}

// Choice labels shown as display values.
var snChoices = map[string]map[string]string{
	"install_status":     {"1": "Installed", "2": "On Order", "3": "In Maintenance", "6": "In Stock", "7": "Retired", "100": "Absent"},
	"operational_status": {"1": "Operational", "2": "Non-Operational", "3": "Repair in Progress", "6": "Retired"},
}

// Reference fields and the table they point to.
var snRefs = map[string]string{
	"support_group": "sys_user_group", "managed_by_group": "sys_user_group",
	"parent": "cmdb_ci", "child": "cmdb_ci", "type": "cmdb_rel_type",
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

type snIREItem struct {
	ClassName  string            `json:"className"`
	Values     map[string]string `json:"values"`
	SourceInfo *struct {
		SourceName      string `json:"source_name"`
		SourceNativeKey string `json:"source_native_key"`
	} `json:"sys_object_source_info"`
}

func (s *ServiceNow) ire(w http.ResponseWriter, r *http.Request, dryRun bool) {
	var in struct {
		Items []snIREItem `json:"items"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		snError(w, http.StatusBadRequest, "Invalid input payload", err.Error())
		return
	}
	source := r.URL.Query().Get("sysparm_data_source")
	if source == "" {
		snError(w, http.StatusBadRequest, "Missing parameter sysparm_data_source", nil)
		return
	}
	out := make([]map[string]any, 0, len(in.Items))
	for i, it := range in.Items {
		out = append(out, s.ireItem(i, it, source, dryRun))
	}
	snResult(w, http.StatusOK, map[string]any{"items": out, "relations": []any{}})
}

// ireItem identifies an item by its source native key first, then by the identification
// rule (class and name), and inserts or updates it unless dryRun.
func (s *ServiceNow) ireItem(i int, it snIREItem, source string, dryRun bool) map[string]any {
	// The bookkeeping every item result carries, as a live instance answers it.
	res := map[string]any{"className": it.ClassName, "identifierEntrySysId": "Unknown", "identificationAttempts": []any{},
		"info": []any{}, "errorCount": 0, "markers": []any{}, "warningCount": 0, "inputIndices": []int{i},
		"mergedPayloadIds": []any{}, "errors": []any{}, "sysId": "Unknown"}
	fail := func(code, msg string) map[string]any {
		res["errors"] = []map[string]string{{"error": code, "message": msg}}
		res["errorCount"] = 1
		return res
	}
	if !slices.Contains(s.dataSources, source) {
		return fail("INVALID_INPUT_DATA", "In payload invalid data source ["+source+"] exist. You need to provide a valid choice value from field [discovery_source] in table [cmdb_ci]")
	}
	if _, ok := snCIClasses[it.ClassName]; !ok || it.ClassName == "cmdb_ci" {
		return fail("INVALID_INPUT_DATA", fmt.Sprintf("Invalid className '%s'", it.ClassName))
	}
	if it.Values["name"] == "" {
		return fail("MISSING_MATCHING_ATTRIBUTES", "In payload missing minimum set of input values for criterion (identification) attributes from IRE rule for className: "+it.ClassName)
	}
	key := ""
	if it.SourceInfo != nil && it.SourceInfo.SourceNativeKey != "" {
		key = source + "\x00" + it.SourceInfo.SourceNativeKey
	}
	id := ""
	if sid, ok := s.sources[key]; ok && key != "" && s.records[sid] != nil {
		id = sid
	}
	if id == "" {
		for _, sid := range s.sortedIDs() {
			if rec := s.records[sid]; rec["sys_class_name"] == it.ClassName && rec["name"] == it.Values["name"] {
				id = sid
				break
			}
		}
	}
	if dryRun {
		res["operation"] = "INSERT"
		if id != "" {
			res["sysId"], res["operation"] = id, "UPDATE"
		}
		return res
	}
	if id == "" {
		v := maps.Clone(it.Values)
		v["discovery_source"] = source
		id = s.insert(it.ClassName, v)
		res["operation"] = "INSERT"
	} else {
		res["operation"] = "NO_CHANGE"
		if s.apply(id, it.Values) {
			res["operation"] = "UPDATE"
		}
	}
	if key != "" {
		s.sources[key] = id
	}
	res["sysId"] = id
	return res
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

func (s *ServiceNow) table(w http.ResponseWriter, r *http.Request, parts []string) {
	table := parts[0]
	if !snKnownTable(table) {
		snError(w, http.StatusBadRequest, "Invalid table "+table, nil)
		return
	}
	q := r.URL.Query()
	if len(parts) == 1 {
		switch r.Method {
		case http.MethodGet:
			s.list(w, r, table)
		case http.MethodPost:
			values, ok := decodeValues(w, r)
			if !ok {
				return
			}
			if msg := s.dataPolicy(table, values, true); msg != "" {
				snError(w, http.StatusForbidden, "Operation Failed", msg)
				return
			}
			id := s.insert(table, values)
			snResult(w, http.StatusCreated, s.render(s.records[id], q))
		default:
			snError(w, http.StatusMethodNotAllowed, "Method not Supported", "Method "+r.Method+" not supported on a table")
		}
		return
	}
	id := parts[1]
	rec, ok := s.records[id]
	if !ok || !snIsA(rec["sys_class_name"], table) {
		snError(w, http.StatusNotFound, "No Record found", "Record doesn't exist or ACL restricts the record retrieval")
		return
	}
	switch r.Method {
	case http.MethodGet:
		snResult(w, http.StatusOK, s.render(rec, q))
	case http.MethodPatch, http.MethodPut:
		values, ok := decodeValues(w, r)
		if !ok {
			return
		}
		merged := maps.Clone(rec)
		maps.Copy(merged, values)
		if msg := s.dataPolicy(table, merged, false); msg != "" {
			snError(w, http.StatusForbidden, "Operation Failed", msg)
			return
		}
		s.apply(id, values)
		snResult(w, http.StatusOK, s.render(rec, q))
	case http.MethodDelete:
		delete(s.records, id)
		w.WriteHeader(http.StatusNoContent)
	default:
		snError(w, http.StatusMethodNotAllowed, "Method not Supported", "Method "+r.Method+" not supported on a record")
	}
}

// dataPolicy is the instance's data policy: CIs and groups need a name; relationship rows
// need parent, child and type. Violations are 403 "Operation Failed", as on a real instance.
func (s *ServiceNow) dataPolicy(table string, values map[string]string, _ bool) string {
	var missing []string
	need := []string{"name"}
	if table == "cmdb_rel_ci" {
		need = []string{"parent", "child", "type"}
	}
	for _, f := range need {
		if values[f] == "" {
			missing = append(missing, f)
		}
	}
	for f, t := range snRefs {
		if v := values[f]; v != "" && (s.records[v] == nil || !snIsA(s.records[v]["sys_class_name"], t)) {
			return fmt.Sprintf("Data Policy Exception: \n Invalid reference %s: %s", f, v)
		}
	}
	if len(missing) == 0 {
		return ""
	}
	return "Data Policy Exception: \n The following fields are mandatory: " + strings.Join(missing, ", ")
}

func decodeValues(w http.ResponseWriter, r *http.Request) (map[string]string, bool) {
	var values map[string]string
	if err := json.NewDecoder(r.Body).Decode(&values); err != nil {
		snError(w, http.StatusBadRequest, "Exception while reading request", "The payload is not valid JSON: "+err.Error())
		return nil, false
	}
	return values, true
}

func (s *ServiceNow) list(w http.ResponseWriter, r *http.Request, table string) {
	q := r.URL.Query()
	query := q.Get("sysparm_query")
	conds := make([][2]string, 0, strings.Count(query, "^")+1)
	for c := range strings.SplitSeq(query, "^") {
		if c == "" || strings.HasPrefix(c, "ORDERBY") {
			continue
		}
		k, v, ok := strings.Cut(c, "=")
		if !ok {
			snError(w, http.StatusBadRequest, "Invalid query", "Unsupported encoded query term "+c)
			return
		}
		conds = append(conds, [2]string{k, v})
	}
	var match []map[string]string
	for _, id := range s.sortedIDs() {
		rec := s.records[id]
		if !snIsA(rec["sys_class_name"], table) {
			continue
		}
		if !slices.ContainsFunc(conds, func(c [2]string) bool { return rec[c[0]] != c[1] }) {
			match = append(match, rec)
		}
	}
	limit, offset := 10000, 0
	if v, err := strconv.Atoi(q.Get("sysparm_limit")); err == nil && v > 0 {
		limit = v
	}
	if s.pageSize > 0 {
		limit = min(limit, s.pageSize)
	}
	if v, err := strconv.Atoi(q.Get("sysparm_offset")); err == nil && v > 0 {
		offset = v
	}
	total := len(match)
	page := match[min(offset, total):min(offset+limit, total)]
	out := make([]any, 0, len(page))
	for _, rec := range page {
		out = append(out, s.render(rec, q))
	}
	link := func(rel string, off int) string {
		u := *r.URL
		u.Scheme, u.Host = "http", r.Host
		v := u.Query()
		v.Set("sysparm_offset", strconv.Itoa(off))
		v.Set("sysparm_limit", strconv.Itoa(limit))
		u.RawQuery = v.Encode()
		return fmt.Sprintf(`<%s>;rel="%s"`, u.String(), rel)
	}
	links := []string{link("first", 0)}
	if offset > 0 {
		links = append(links, link("prev", max(offset-limit, 0)))
	}
	if offset+limit < total {
		links = append(links, link("next", offset+limit))
	}
	links = append(links, link("last", max(total-1, 0)/limit*limit))
	w.Header().Set("Link", strings.Join(links, ","))
	w.Header().Set("X-Total-Count", strconv.Itoa(total))
	snResult(w, http.StatusOK, out)
}

// render shapes a record as the Table API does for the request's sysparm_display_value
// and sysparm_exclude_reference_link.
func (s *ServiceNow) render(rec map[string]string, q map[string][]string) map[string]any {
	dv := first(q["sysparm_display_value"])
	noLink := first(q["sysparm_exclude_reference_link"]) == "true"
	var only []string
	if f := first(q["sysparm_fields"]); f != "" {
		only = strings.Split(f, ",")
	}
	out := map[string]any{}
	for k, v := range rec {
		if only != nil && !slices.Contains(only, k) {
			continue
		}
		display := v
		if c, ok := snChoices[k]; ok && c[v] != "" {
			display = c[v]
		}
		t, isRef := snRefs[k]
		if isRef && v != "" && s.records[v] != nil {
			display = s.records[v]["name"]
		}
		link := ""
		if isRef && v != "" && !noLink {
			link = s.URL + "/api/now/table/" + t + "/" + v
		}
		switch {
		case dv == "all" && link != "":
			out[k] = map[string]string{"value": v, "display_value": display, "link": link}
		case dv == "all":
			out[k] = map[string]string{"value": v, "display_value": display}
		case dv == "true" && link != "":
			out[k] = map[string]string{"display_value": display, "link": link}
		case dv == "true":
			out[k] = display
		case link != "":
			out[k] = map[string]string{"link": link, "value": v}
		default:
			out[k] = v
		}
	}
	return out
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}
