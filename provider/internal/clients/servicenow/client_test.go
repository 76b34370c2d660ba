package servicenow_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/xapp-dev/xapp/provider/internal/clients"
	"github.com/xapp-dev/xapp/provider/internal/clients/cmdbtest"
	"github.com/xapp-dev/xapp/provider/internal/clients/servicenow"
)

func newClient(t *testing.T, srv *cmdbtest.ServiceNow, creds clients.Credentials) *servicenow.HTTPClient {
	t.Helper()
	hc, err := clients.NewHTTPClient(nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := servicenow.New(srv.URL, hc, creds)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var admin = clients.Credentials{Username: "admin", Password: "admin"}

// apiErr is what a failure looks like to callers: its kind, HTTP status and message.
type apiErr struct {
	Kind    clients.Kind
	Status  int
	Message string
}

func asAPIErr(err error) *apiErr {
	if err == nil {
		return nil
	}
	var ae *clients.APIError
	if !errorsAs(err, &ae) {
		return &apiErr{Message: err.Error()}
	}
	return &apiErr{Kind: ae.Kind, Status: ae.Status, Message: ae.Message}
}

// shopApp is the business application the tests register: shop, from source xapp.
func shopApp() servicenow.Item {
	return servicenow.Item{ClassName: "cmdb_ci_business_app", Values: map[string]string{"name": "shop", "short_description": "Online shop"},
		SourceName: "xapp", NativeKey: "shop/shop"}
}

func TestIdentifyReconcile(t *testing.T) {
	type args struct {
		setup func(*cmdbtest.ServiceNow)
		creds clients.Credentials
		items []servicenow.Item
	}
	type want struct {
		ops     []string // operation of each call, in order
		records int      // records named like the first item afterwards
		err     *apiErr
	}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"InsertThenNoChange": {
			reason: "A retried create with the same source_native_key must not make a second record.",
			args:   args{creds: admin, items: []servicenow.Item{shopApp(), shopApp()}},
			want:   want{ops: []string{"INSERT", "NO_CHANGE"}, records: 1},
		},
		"UpdateChangedValues": {
			reason: "The same identity with other values updates the record.",
			args: args{creds: admin, items: []servicenow.Item{shopApp(), func() servicenow.Item {
				i := shopApp()
				i.Values["short_description"] = "changed"
				return i
			}()}},
			want: want{ops: []string{"INSERT", "UPDATE"}, records: 1},
		},
		"IdentifiedByNameWithoutKey": {
			reason: "A record made by someone else (no source key) is identified by class and name, not duplicated.",
			args: args{creds: admin, setup: func(s *cmdbtest.ServiceNow) {
				s.Insert("cmdb_ci_business_app", map[string]string{"name": "shop", "short_description": "Online shop"})
			}, items: []servicenow.Item{shopApp()}},
			want: want{ops: []string{"NO_CHANGE"}, records: 1},
		},
		"OAuthToken": {
			reason: "A bearer token authenticates like a password.",
			args: args{creds: clients.Credentials{Token: "t0k"}, setup: func(s *cmdbtest.ServiceNow) { s.AddToken("t0k", "admin") },
				items: []servicenow.Item{shopApp()}},
			want: want{ops: []string{"INSERT"}, records: 1},
		},
		"InvalidClass": {
			reason: "IRE refuses an unknown class in the item's errors; the message must reach the user.",
			args: args{creds: admin, items: []servicenow.Item{{ClassName: "cmdb_ci_nope", Values: map[string]string{"name": "shop"},
				SourceName: "xapp", NativeKey: "k"}}},
			want: want{err: &apiErr{Kind: clients.KindInvalid, Status: http.StatusOK,
				Message: "identification and reconciliation refused the item: INVALID_INPUT_DATA: Invalid className 'cmdb_ci_nope'"}},
		},
		"MissingIdentifyingAttributes": {
			reason: "IRE cannot identify an item without a name.",
			args: args{creds: admin, items: []servicenow.Item{{ClassName: "cmdb_ci_appl", Values: map[string]string{},
				SourceName: "xapp", NativeKey: "k"}}},
			want: want{err: &apiErr{Kind: clients.KindInvalid, Status: http.StatusOK,
				Message: "identification and reconciliation refused the item: MISSING_MATCHING_ATTRIBUTES: In payload missing minimum set of input values for criterion (identification) attributes from IRE rule for className: cmdb_ci_appl"}},
		},
		"WrongPassword": {
			reason: "401 is an authentication failure with ServiceNow's message and detail.",
			args:   args{creds: clients.Credentials{Username: "admin", Password: "nope"}, items: []servicenow.Item{shopApp()}},
			want: want{err: &apiErr{Kind: clients.KindUnauthorized, Status: http.StatusUnauthorized,
				Message: "User Not Authenticated: Required to provide Auth information"}},
		},
		"UnknownToken": {
			reason: "An unknown bearer token is an authentication failure too.",
			args:   args{creds: clients.Credentials{Token: "nope"}, items: []servicenow.Item{shopApp()}},
			want: want{err: &apiErr{Kind: clients.KindUnauthorized, Status: http.StatusUnauthorized,
				Message: "User Not Authenticated: Required to provide Auth information"}},
		},
		"MissingRole": {
			reason: "A user without itil may read but not write: 403.",
			args: args{creds: clients.Credentials{Username: "viewer", Password: "v"}, setup: func(s *cmdbtest.ServiceNow) {
				s.AddUser("viewer", cmdbtest.SNUser{Password: "v"})
			}, items: []servicenow.Item{shopApp()}},
			want: want{err: &apiErr{Kind: clients.KindForbidden, Status: http.StatusForbidden,
				Message: "User Not Authorized: Failed API level ACL Validation"}},
		},
		"ServerError": {
			reason: "A 500 is a server failure with its message.",
			args:   args{creds: admin, setup: func(s *cmdbtest.ServiceNow) { s.FailNext(1) }, items: []servicenow.Item{shopApp()}},
			want: want{err: &apiErr{Kind: clients.KindServer, Status: http.StatusInternalServerError,
				Message: "Internal server error: Transaction cancelled: maximum execution time exceeded"}},
		},
		"RateLimitedThenServed": {
			reason: "A 429 is retried after Retry-After and the request then succeeds.",
			args:   args{creds: admin, setup: func(s *cmdbtest.ServiceNow) { s.Throttle(1, 1) }, items: []servicenow.Item{shopApp()}},
			want:   want{ops: []string{"INSERT"}, records: 1},
		},
		"RateLimitedForGood": {
			reason: "When the backend keeps throttling past the attempts, the error says so and when to retry.",
			args:   args{creds: admin, setup: func(s *cmdbtest.ServiceNow) { s.Throttle(10, 0) }, items: []servicenow.Item{shopApp()}},
			want: want{err: &apiErr{Kind: clients.KindRateLimited, Status: http.StatusTooManyRequests,
				Message: "Rate limit exceeded: Rate limit of 1000 requests per hour exceeded for rule xapp-test (retry after 0s)"}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := cmdbtest.NewServiceNow()
			defer srv.Close()
			if tc.args.setup != nil {
				tc.args.setup(srv)
			}
			c := newClient(t, srv, tc.args.creds)
			var ops []string
			var err error
			start := time.Now()
			for _, it := range tc.args.items {
				var res servicenow.IREResult
				if res, err = c.IdentifyReconcile(context.Background(), it); err != nil {
					break
				}
				ops = append(ops, res.Operation)
			}
			if diff := cmp.Diff(tc.want.err, asAPIErr(err)); diff != "" {
				t.Errorf("%s\nerror -want +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.ops, ops); diff != "" {
				t.Errorf("%s\noperations -want +got:\n%s", tc.reason, diff)
			}
			if got := len(srv.Find("cmdb_ci", "name", tc.args.items[0].Values["name"])); tc.want.err == nil && got != tc.want.records {
				t.Errorf("%s\nrecords: want %d, got %d", tc.reason, tc.want.records, got)
			}
			if name == "RateLimitedThenServed" && time.Since(start) < time.Second {
				t.Errorf("%s\nanswered in %s: Retry-After 1s was not honoured", tc.reason, time.Since(start))
			}
		})
	}
}

func TestIdentifyIsADryRun(t *testing.T) {
	srv := cmdbtest.NewServiceNow()
	defer srv.Close()
	c := newClient(t, srv, admin)
	ctx := context.Background()

	res, err := c.Identify(ctx, shopApp())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(servicenow.IREResult{ClassName: "cmdb_ci_business_app", Operation: "INSERT"}, res); diff != "" {
		t.Errorf("before create -want +got:\n%s", diff)
	}
	if n := len(srv.Find("cmdb_ci", "name", "shop")); n != 0 {
		t.Fatalf("the dry run created %d records", n)
	}
	made, err := c.IdentifyReconcile(ctx, shopApp())
	if err != nil {
		t.Fatal(err)
	}
	res, err = c.Identify(ctx, shopApp())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(servicenow.IREResult{ClassName: "cmdb_ci_business_app", SysID: made.SysID, Operation: "UPDATE"}, res); diff != "" {
		t.Errorf("after create -want +got:\n%s", diff)
	}
}

func TestTableAPI(t *testing.T) {
	type want struct {
		fields map[string]servicenow.Field
		err    *apiErr
	}
	cases := map[string]struct {
		reason string
		run    func(ctx context.Context, c *servicenow.HTTPClient, s *cmdbtest.ServiceNow) (servicenow.Record, error)
		want   want
	}{
		"GetShowsValueAndDisplay": {
			reason: "Reads return the stored value and the display value, references by the group's name.",
			run: func(ctx context.Context, c *servicenow.HTTPClient, s *cmdbtest.ServiceNow) (servicenow.Record, error) {
				id := s.Insert("cmdb_ci_appl", map[string]string{"name": "shop", "support_group": s.GroupID("Platform"), "install_status": "7"})
				return c.Get(ctx, "cmdb_ci_appl", id)
			},
			want: want{fields: map[string]servicenow.Field{
				"name":           {Value: "shop", Display: "shop"},
				"install_status": {Value: "7", Display: "Retired"},
				"support_group":  {Display: "Platform"},
			}},
		},
		"GetThroughParentTable": {
			reason: "A cmdb_ci_appl record is also a cmdb_ci record.",
			run: func(ctx context.Context, c *servicenow.HTTPClient, s *cmdbtest.ServiceNow) (servicenow.Record, error) {
				return c.Get(ctx, "cmdb_ci", s.Insert("cmdb_ci_appl", map[string]string{"name": "shop"}))
			},
			want: want{fields: map[string]servicenow.Field{"name": {Value: "shop", Display: "shop"}}},
		},
		"GetMissing": {
			reason: "A missing record is NotFound with ServiceNow's words.",
			run: func(ctx context.Context, c *servicenow.HTTPClient, _ *cmdbtest.ServiceNow) (servicenow.Record, error) {
				return c.Get(ctx, "cmdb_ci_appl", "0123456789abcdef0123456789abcdef")
			},
			want: want{err: &apiErr{Kind: clients.KindNotFound, Status: http.StatusNotFound,
				Message: "No Record found: Record doesn't exist or ACL restricts the record retrieval"}},
		},
		"InvalidTable": {
			reason: "An unknown table is a 400.",
			run: func(ctx context.Context, c *servicenow.HTTPClient, _ *cmdbtest.ServiceNow) (servicenow.Record, error) {
				return c.Get(ctx, "cmdb_ci_nope", "x")
			},
			want: want{err: &apiErr{Kind: clients.KindInvalid, Status: http.StatusBadRequest, Message: "Invalid table cmdb_ci_nope"}},
		},
		"UpdateDataPolicy": {
			reason: "Blanking a mandatory field is refused by the data policy (403 Operation Failed), which is the user's data: Invalid.",
			run: func(ctx context.Context, c *servicenow.HTTPClient, s *cmdbtest.ServiceNow) (servicenow.Record, error) {
				return c.Update(ctx, "cmdb_ci_appl", s.Insert("cmdb_ci_appl", map[string]string{"name": "shop"}), map[string]string{"name": ""})
			},
			want: want{err: &apiErr{Kind: clients.KindInvalid, Status: http.StatusForbidden,
				Message: "Operation Failed: Data Policy Exception: \n The following fields are mandatory: name"}},
		},
		"UpdateWrites": {
			reason: "PATCH changes the fields and answers the record.",
			run: func(ctx context.Context, c *servicenow.HTTPClient, s *cmdbtest.ServiceNow) (servicenow.Record, error) {
				return c.Update(ctx, "cmdb_ci_appl", s.Insert("cmdb_ci_appl", map[string]string{"name": "shop"}), map[string]string{"install_status": "1"})
			},
			want: want{fields: map[string]servicenow.Field{"name": {Value: "shop", Display: "shop"}, "install_status": {Value: "1", Display: "Installed"}}},
		},
		"CreateRow": {
			reason: "POST makes a relationship row with reference fields.",
			run: func(ctx context.Context, c *servicenow.HTTPClient, s *cmdbtest.ServiceNow) (servicenow.Record, error) {
				p := s.Insert("cmdb_ci_appl", map[string]string{"name": "shop"})
				ch := s.Insert("cmdb_ci_appl", map[string]string{"name": "db"})
				types := s.Find("cmdb_rel_type", "name", "Runs on::Runs")
				return c.Create(ctx, "cmdb_rel_ci", map[string]string{"parent": p, "child": ch, "type": types[0]["sys_id"]})
			},
			want: want{fields: map[string]servicenow.Field{"type": {Display: "Runs on::Runs"}, "parent": {Display: "shop"}, "child": {Display: "db"}}},
		},
		"DeleteTwice": {
			reason: "Deleting a record that is already gone succeeds.",
			run: func(ctx context.Context, c *servicenow.HTTPClient, s *cmdbtest.ServiceNow) (servicenow.Record, error) {
				id := s.Insert("cmdb_ci_appl", map[string]string{"name": "shop"})
				if err := c.Delete(ctx, "cmdb_ci_appl", id); err != nil {
					return nil, err
				}
				return nil, c.Delete(ctx, "cmdb_ci_appl", id)
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := cmdbtest.NewServiceNow("Platform")
			defer srv.Close()
			rec, err := tc.run(context.Background(), newClient(t, srv, admin), srv)
			if diff := cmp.Diff(tc.want.err, asAPIErr(err)); diff != "" {
				t.Errorf("%s\nerror -want +got:\n%s", tc.reason, diff)
			}
			got := map[string]servicenow.Field{}
			for k, w := range tc.want.fields {
				got[k] = rec[k]
				if w.Value == "" { // sys_ids differ per run: compare the display only
					got[k] = servicenow.Field{Display: rec[k].Display}
				}
			}
			if diff := cmp.Diff(tc.want.fields, got, cmpEmptyMap); diff != "" {
				t.Errorf("%s\nfields -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestListFollowsPagination(t *testing.T) {
	srv := cmdbtest.NewServiceNow()
	defer srv.Close()
	srv.SetPageSize(2)
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		srv.Insert("cmdb_ci_appl", map[string]string{"name": n, "environment": "Production"})
	}
	srv.Insert("cmdb_ci_appl", map[string]string{"name": "f", "environment": "Test"})
	c := newClient(t, srv, admin)

	cases := map[string]struct {
		reason string
		limit  int
		want   int // records
		pages  int // requests
	}{
		"AllPages":   {reason: "Pages of 2 are followed through rel=next until the query is exhausted.", limit: 100, want: 5, pages: 3},
		"UpToLimit":  {reason: "The limit stops paging early.", limit: 3, want: 3, pages: 2},
		"SinglePage": {reason: "A limit within one page needs no next link.", limit: 1, want: 1, pages: 1},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			before := len(srv.Requests())
			recs, err := c.List(context.Background(), "cmdb_ci_appl", "environment=Production^ORDERBYname", tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range recs {
				if r.Get("environment") != "Production" {
					t.Errorf("%s\nthe query was not applied: got %v", tc.reason, r)
				}
			}
			if diff := cmp.Diff([2]int{tc.want, tc.pages}, [2]int{len(recs), len(srv.Requests()) - before}); diff != "" {
				t.Errorf("%s\n[records, requests] -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}
