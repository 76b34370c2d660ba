package cmdbtest

import (
	"encoding/json"
	"net/http"
)

// writeJSON answers with v as a JSON body and the given status. The body is encoded before
// anything is written, so a value that cannot be encoded (a bug in the fake, not in the
// client under test) becomes a plain 500 the test sees, not a truncated 200.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "cmdbtest: cannot encode the reply: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	// Encoder.Encode ended every body with a newline; keep the bytes the same.
	_, _ = w.Write(append(b, '\n'))
}
