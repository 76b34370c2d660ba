package servicenow_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xapp-dev/xapp/provider/internal/clients"
	"github.com/xapp-dev/xapp/provider/internal/clients/cmdbtest"
)

// TestServerAnswers checks what the ServiceNow test server answers to requests the client does
// not make, against ServiceNow's documented answers, so the fake stays faithful on its own.
func TestServerAnswers(t *testing.T) {
	srv := cmdbtest.NewServiceNow("Platform")
	defer srv.Close()
	app := srv.Insert("cmdb_ci_business_app", map[string]string{"name": "shop", "support_group": srv.GroupID("Platform"), "install_status": "1"})
	group := srv.GroupID("Platform")
	cases := map[string]struct {
		reason string
		path   string
		status int
		want   string
	}{
		"MissingSysID": {reason: "A GET of a sys_id that does not exist is 404 with ServiceNow's body.",
			path: "/api/now/table/cmdb_ci/0123456789abcdef0123456789abcdef", status: http.StatusNotFound,
			want: `{"error":{"detail":"Record doesn't exist or ACL restricts the record retrieval","message":"No Record found"},"status":"failure"}`},
		"Fields": {reason: "sysparm_fields limits the answer to the fields asked for.",
			path: "/api/now/table/cmdb_ci/" + app + "?sysparm_fields=name,install_status", status: http.StatusOK,
			want: `{"result":{"install_status":"1","name":"shop"}}`},
		"ReferenceWithLink": {reason: "A reference field read with display values keeps its link unless excluded.",
			path: "/api/now/table/cmdb_ci/" + app + "?sysparm_fields=support_group&sysparm_display_value=all", status: http.StatusOK,
			want: `{"result":{"support_group":{"display_value":"Platform","link":"` + srv.URL + `/api/now/table/sys_user_group/` + group + `","value":"` + group + `"}}}`},
		"ChoiceLabel": {reason: "A choice field's display value is its label.",
			path: "/api/now/table/cmdb_ci/" + app + "?sysparm_fields=install_status&sysparm_display_value=true", status: http.StatusOK,
			want: `{"result":{"install_status":"Installed"}}`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, srv.URL+tc.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.SetBasicAuth("admin", "admin")
			rsp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer rsp.Body.Close()
			b, _ := io.ReadAll(rsp.Body)
			if diff := cmp.Diff([2]any{tc.status, tc.want}, [2]any{rsp.StatusCode, strings.TrimSpace(string(b))}); diff != "" {
				t.Errorf("%s\n[status, body] -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestIdentifyReconcileRefusesAnUnknownDataSource(t *testing.T) {
	// IRE only takes sources in cmdb_ci.discovery_source's choice list, and says so per item
	// (a live instance's words).
	srv := cmdbtest.NewServiceNow()
	defer srv.Close()
	item := shopApp()
	item.SourceName = "nope"
	_, err := newClient(t, srv, admin).IdentifyReconcile(context.Background(), item)
	want := &apiErr{Kind: clients.KindInvalid, Status: http.StatusOK, Message: "identification and reconciliation refused the item: INVALID_INPUT_DATA: " +
		"In payload invalid data source [nope] exist. You need to provide a valid choice value from field [discovery_source] in table [cmdb_ci]"}
	if diff := cmp.Diff(want, asAPIErr(err)); diff != "" {
		t.Errorf("-want +got:\n%s", diff)
	}
}
