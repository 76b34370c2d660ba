package cmdbtest

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// The Table API: /api/now/table/{table}[/{sys_id}].

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
			if table == snChangeTable && !s.changeWrite(w, nil, maps.Clone(values), values) {
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
		if table == snChangeTable && !s.changeWrite(w, rec, merged, values) {
			return
		}
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
// need parent, child and type (change requests have their own rules, changeWrite). Violations are 403 "Operation Failed", as on a real instance.
func (s *ServiceNow) dataPolicy(table string, values map[string]string, _ bool) string {
	var missing []string
	need := []string{"name"}
	switch table {
	case "cmdb_rel_ci":
		need = []string{"parent", "child", "type"}
	case snChangeTable:
		need = nil
	}
	for _, f := range need {
		if values[f] == "" {
			missing = append(missing, f)
		}
	}
	for f := range snRefs {
		t, ok := snRef(table, f)
		if v := values[f]; ok && v != "" && (s.records[v] == nil || !snIsA(s.records[v]["sys_class_name"], t)) {
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
		t, isRef := snRef(rec["sys_class_name"], k)
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
