package cmdbtest

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
)

// Identification and Reconciliation: /api/now/identifyreconcile and its dry run.

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
