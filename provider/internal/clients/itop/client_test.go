package itop_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/xapp-dev/xapp/provider/internal/clients"
	"github.com/xapp-dev/xapp/provider/internal/clients/cmdbtest"
	"github.com/xapp-dev/xapp/provider/internal/clients/itop"
)

var admin = clients.Credentials{Username: "admin", Password: "admin"}

func newClient(t *testing.T, srv *cmdbtest.ITop, version string, creds clients.Credentials) *itop.HTTPClient {
	t.Helper()
	hc, err := clients.NewHTTPClient(nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := itop.New(srv.URL, version, hc, creds)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

type apiErr struct {
	Kind    clients.Kind
	Code    int
	Message string
}

func asAPIErr(err error) *apiErr {
	if err == nil {
		return nil
	}
	var ae *clients.APIError
	if !errors.As(err, &ae) {
		return &apiErr{Message: err.Error()}
	}
	return &apiErr{Kind: ae.Kind, Code: ae.Code, Message: ae.Message}
}

func shop() itop.Fields {
	return itop.Fields{
		"name":               itop.S("shop"),
		"org_id":             {Criteria: map[string]string{"name": "Demo"}},
		"status":             itop.S("active"),
		"business_criticity": itop.S("high"),
		"contacts_list":      {Links: []map[string]itop.Value{{"contact_id": {Criteria: map[string]string{"name": "Platform"}}}}},
	}
}

func TestCreate(t *testing.T) {
	type args struct {
		version string
		creds   clients.Credentials
		setup   func(*cmdbtest.ITop)
		fields  func() itop.Fields
	}
	type want struct {
		fields map[string]string
		err    *apiErr
	}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"Created": {
			reason: "External keys given as criteria are resolved; the answer carries the object with friendly names and link sets.",
			args:   args{creds: admin, fields: shop},
			want: want{fields: map[string]string{"name": "shop", "organization_name": "Demo", "status": "active",
				"business_criticity": "high", "contact_name": "Platform"}},
		},
		"Defaults": {
			reason: "A new ApplicationSolution gets iTop's defaults: criticality low, status active, no redundancy.",
			args: args{creds: admin, fields: func() itop.Fields {
				return itop.Fields{"name": itop.S("shop"), "org_id": {Criteria: map[string]string{"name": "Demo"}}}
			}},
			want: want{fields: map[string]string{"name": "shop", "business_criticity": "low", "status": "active", "redundancy": "disabled"}},
		},
		"NotAllowedToCreate": {
			reason: "An account that may read but not create gets code 1 too: that is a permission, not a credentials problem.",
			args: args{creds: clients.Credentials{Username: "agent", Password: "a"}, setup: func(s *cmdbtest.ITop) {
				s.AddUser("agent", cmdbtest.ITopUser{Password: "a", Profiles: []string{"Service Desk Agent", cmdbtest.ProfileREST}})
			}, fields: shop},
			want: want{err: &apiErr{Kind: clients.KindForbidden, Code: 1,
				Message: "The current user does not have enough permissions for creating data of class ApplicationSolution"}},
		},
		"TeamInTwoOrganizations": {
			reason: "A team name found in two organisations is ambiguous; iTop names the link set and the criteria.",
			args: args{creds: admin, setup: func(s *cmdbtest.ITop) {
				other := s.Insert("Organization", map[string]string{"name": "Other"})
				s.Insert("Team", map[string]string{"name": "Platform", "org_id": strconv.Itoa(other)})
			}, fields: shop},
			want: want{err: &apiErr{Kind: clients.KindInvalid, Code: 100,
				Message: "Error: contacts_list: contact_id: Several items found (2) with criteria: name: Platform (Platform)"}},
		},
		"BadDate": {
			reason: "Dates are Y-m-d.",
			args: args{creds: admin, fields: func() itop.Fields {
				f := shop()
				f["move2production"] = itop.S("next tuesday")
				return f
			}},
			want: want{err: &apiErr{Kind: clients.KindInvalid, Code: 100,
				Message: `Error: move2production: Wrong format for date attribute move2production, expecting "Y-m-d" and got "next tuesday"`}},
		},
		"ValueNotAllowed": {
			reason: "iTop answers HTTP 200 with code 100 for a value outside the enumeration; that is a validation error with iTop's message.",
			args: args{creds: admin, fields: func() itop.Fields {
				f := shop()
				f["status"] = itop.S("bogus")
				return f
			}},
			want: want{err: &apiErr{Kind: clients.KindInvalid, Code: 100, Message: "Error: Unexpected value for attribute 'Status' (status) : Value not allowed [bogus]: " +
				"issues = {0=>Unexpected value for attribute 'Status' (status) : Value not allowed [bogus]}, class = ApplicationSolution, id = -1"}},
		},
		"UnknownOrganization": {
			reason: "An external key criteria that matches nothing is refused.",
			args: args{creds: admin, fields: func() itop.Fields {
				f := shop()
				f["org_id"] = itop.Value{Criteria: map[string]string{"name": "Nope"}}
				return f
			}},
			want: want{err: &apiErr{Kind: clients.KindInvalid, Code: 100, Message: "Error: org_id: No item found with criteria: name: Nope (Nope)"}},
		},
		"MissingMandatory": {
			reason: "An ApplicationSolution needs an organization.",
			args:   args{creds: admin, fields: func() itop.Fields { return itop.Fields{"name": itop.S("shop")} }},
			want: want{err: &apiErr{Kind: clients.KindInvalid, Code: 100, Message: "Error: Unexpected value for attribute 'Organization' (org_id) : Null not allowed: " +
				"issues = {0=>Unexpected value for attribute 'Organization' (org_id) : Null not allowed}, class = ApplicationSolution, id = -1"}},
		},
		"InvalidLogin": {
			reason: "Wrong credentials are code 1, still HTTP 200.",
			args:   args{creds: clients.Credentials{Username: "admin", Password: "nope"}, fields: shop},
			want:   want{err: &apiErr{Kind: clients.KindUnauthorized, Code: 1, Message: "Error: Invalid login"}},
		},
		"NoRESTProfile": {
			reason: "A user without the REST Services User profile is refused with iTop's explanation.",
			args: args{creds: clients.Credentials{Username: "portal", Password: "p"}, setup: func(s *cmdbtest.ITop) {
				s.AddUser("portal", cmdbtest.ITopUser{Password: "p", Profiles: []string{"Service Desk Agent"}})
			}, fields: shop},
			want: want{err: &apiErr{Kind: clients.KindUnauthorized, Code: 1,
				Message: "Error: This user is not authorized to use the web services. (The profile REST Services User is required to access the REST web services)"}},
		},
		"PortalUser": {
			reason: "Portal users may not use REST at all.",
			args: args{creds: clients.Credentials{Username: "portal", Password: "p"}, setup: func(s *cmdbtest.ITop) {
				s.AddUser("portal", cmdbtest.ITopUser{Password: "p", Profiles: []string{cmdbtest.ProfilePortal, cmdbtest.ProfileREST}})
			}, fields: shop},
			want: want{err: &apiErr{Kind: clients.KindUnauthorized, Code: 1, Message: "Error: Portal user is not allowed"}},
		},
		"MissingPassword": {
			reason: "An empty password is code 1, like a wrong one (not 6).",
			args:   args{creds: clients.Credentials{Username: "admin"}, fields: shop},
			want:   want{err: &apiErr{Kind: clients.KindUnauthorized, Code: 1, Message: "Error: Invalid login"}},
		},
		"UnsupportedVersion": {
			reason: "Only versions 1.0 to 1.4 are served: code 10.",
			args:   args{version: "9.9", creds: admin, fields: shop},
			want:   want{err: &apiErr{Kind: clients.KindProtocol, Code: 10, Message: "Error: There is no service available for version '9.9'"}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := cmdbtest.NewITop("Platform")
			defer srv.Close()
			if tc.args.setup != nil {
				tc.args.setup(srv)
			}
			o, err := newClient(t, srv, tc.args.version, tc.args.creds).Create(context.Background(), "ApplicationSolution", tc.args.fields(), "test")
			if diff := cmp.Diff(tc.want.err, asAPIErr(err)); diff != "" {
				t.Errorf("%s\nerror -want +got:\n%s", tc.reason, diff)
			}
			if tc.want.err != nil {
				return
			}
			got := map[string]string{}
			for k := range tc.want.fields {
				got[k] = o.String(k)
			}
			if rows := o.LinkSet("contacts_list"); len(rows) == 1 {
				got["contact_name"] = rows[0]["contact_name"]
			}
			if diff := cmp.Diff(tc.want.fields, got); diff != "" {
				t.Errorf("%s\nfields -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestCreateIsNotIdempotent(t *testing.T) {
	// The reason find-before-create exists: iTop makes a second object with the same name.
	srv := cmdbtest.NewITop("Platform")
	defer srv.Close()
	c := newClient(t, srv, "", admin)
	for range 2 {
		if _, err := c.Create(context.Background(), "ApplicationSolution", shop(), "test"); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(srv.Find("ApplicationSolution", "name", "shop")); n != 2 {
		t.Errorf("want 2 objects from 2 creates, got %d", n)
	}
}

func TestGet(t *testing.T) {
	srv := cmdbtest.NewITop("Platform")
	defer srv.Close()
	ids := make([]string, 0, 5)
	for i := range 5 {
		ids = append(ids, strconv.Itoa(srv.Insert("ApplicationSolution", map[string]string{"name": "app-" + strconv.Itoa(i), "org_id": "1", "status": "active"})))
	}
	srv.Insert("Server", map[string]string{"name": "app-0", "org_id": "1"})
	c := newClient(t, srv, "", admin)

	cases := map[string]struct {
		reason string
		class  string
		key    itop.Key
		want   []string
		err    *apiErr
	}{
		"ByID":       {reason: "A numeric key is an id.", class: "ApplicationSolution", key: itop.Key{ID: ids[2]}, want: ids[2:3]},
		"ByOQL":      {reason: "OQL with the organization's friendly name finds by name and organization.", class: "ApplicationSolution", key: itop.Key{OQL: `SELECT ApplicationSolution WHERE name = "app-1" AND organization_name = "Demo"`}, want: ids[1:2]},
		"ByCriteria": {reason: "Criteria objects work as keys.", class: "ApplicationSolution", key: itop.Key{Criteria: map[string]string{"status": "active"}}, want: ids},
		"Parent":     {reason: "A parent class finds objects of its subclasses.", class: "FunctionalCI", key: itop.Key{Criteria: map[string]string{"name": "app-0"}}, want: []string{ids[0], strconv.Itoa(len(ids) + 3)}},
		"NotFound":   {reason: "Nothing found is code 0 with objects null: an empty answer, not an error.", class: "ApplicationSolution", key: itop.Key{ID: "999"}},
		"BadOQL": {reason: "An OQL the server cannot run is code 100 too, but it is this client's fault, not the record's.", class: "ApplicationSolution",
			key: itop.Key{OQL: "SELECT ApplicationSolution WHERE name ~= 'x'"},
			err: &apiErr{Kind: clients.KindServer, Code: 100, Message: "Error: Query failed to execute: query = SELECT ApplicationSolution WHERE name ~= 'x', " +
				"exception_class = OQLException, exception_message = Syntax error near 'name ~= 'x''"}},
		"UnknownClass": {reason: "An unknown class is code 100, iTop's message verbatim (stray quote included).", class: "Nope", key: itop.Key{ID: "1"},
			err: &apiErr{Kind: clients.KindInvalid, Code: 100, Message: "Error: class: 'Nope' is not a valid class'"}},
		"CriteriaNamingAMissingObject": {reason: "Criteria whose external key names no object are an error, not an empty answer.",
			class: "lnkApplicationSolutionToFunctionalCI", key: itop.Key{Criteria: map[string]string{"applicationsolution_id": "987654", "functionalci_id": ids[0]}},
			err: &apiErr{Kind: clients.KindInvalid, Code: 100, Message: "Error: applicationsolution_id: Invalid object ApplicationSolution::987654"}},
		"OQLNamingAMissingObject": {reason: "The same condition in OQL finds nothing.", class: "lnkApplicationSolutionToFunctionalCI",
			key: itop.Key{OQL: "SELECT lnkApplicationSolutionToFunctionalCI WHERE applicationsolution_id = 987654 AND functionalci_id = " + ids[0]}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			objs, err := c.Get(context.Background(), tc.class, tc.key)
			if diff := cmp.Diff(tc.err, asAPIErr(err)); diff != "" {
				t.Errorf("%s\nerror -want +got:\n%s", tc.reason, diff)
			}
			var got []string
			for _, o := range objs {
				got = append(got, o.Key)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nkeys -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestGetPages(t *testing.T) {
	// The client pages through 100 objects at a time; 250 objects take three pages.
	srv := cmdbtest.NewITop()
	defer srv.Close()
	for i := range 250 {
		srv.Insert("ApplicationSolution", map[string]string{"name": "app-" + strconv.Itoa(i), "org_id": "1"})
	}
	objs, err := newClient(t, srv, "", admin).Get(context.Background(), "ApplicationSolution", itop.Key{OQL: "SELECT ApplicationSolution"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([2]int{250, 3}, [2]int{len(objs), len(srv.Requests())}); diff != "" {
		t.Errorf("[objects, requests] -want +got:\n%s", diff)
	}
}

func TestUpdateAndDelete(t *testing.T) {
	srv := cmdbtest.NewITop("Platform")
	defer srv.Close()
	c := newClient(t, srv, "", admin)
	ctx := context.Background()
	o, err := c.Create(ctx, "ApplicationSolution", shop(), "test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Update(ctx, "ApplicationSolution", o.Key, itop.Fields{"status": itop.S("inactive")}, "test"); err != nil {
		t.Fatal(err)
	}
	id, _ := strconv.Atoi(o.Key)
	if got := srv.Object(id)["status"]; got != "inactive" {
		t.Errorf("status after update: want inactive, got %q", got)
	}
	_, err = c.Update(ctx, "ApplicationSolution", "999", itop.Fields{"status": itop.S("inactive")}, "test")
	if diff := cmp.Diff(&apiErr{Kind: clients.KindNotFound, Code: 100, Message: "Error: Invalid object ApplicationSolution::999"}, asAPIErr(err)); diff != "" {
		t.Errorf("update of a missing object -want +got:\n%s", diff)
	}
	for i := range 2 { // "Deleted: 0" the second time is success.
		if err := c.Delete(ctx, "ApplicationSolution", o.Key, "test"); err != nil {
			t.Fatalf("delete %d: %v", i+1, err)
		}
	}
	if srv.Object(id) != nil {
		t.Error("object still exists after delete")
	}
	if links := srv.Find("lnkContactToFunctionalCI", "functionalci_id", o.Key); len(links) != 0 {
		t.Errorf("deleting the object left its links: %v", links)
	}
}

func TestLinkClassRefusesDuplicates(t *testing.T) {
	srv := cmdbtest.NewITop()
	defer srv.Close()
	c := newClient(t, srv, "", admin)
	app := strconv.Itoa(srv.Insert("ApplicationSolution", map[string]string{"name": "shop", "org_id": "1"}))
	node := strconv.Itoa(srv.Insert("Server", map[string]string{"name": "node", "org_id": "1"}))
	f := itop.Fields{"applicationsolution_id": itop.S(app), "functionalci_id": itop.S(node)}
	if _, err := c.Create(context.Background(), "lnkApplicationSolutionToFunctionalCI", f, "test"); err != nil {
		t.Fatal(err)
	}
	_, err := c.Create(context.Background(), "lnkApplicationSolutionToFunctionalCI", f, "test")
	if ae := asAPIErr(err); ae == nil || ae.Kind != clients.KindInvalid || !strings.HasPrefix(ae.Message, "Error: ApplicationSolution: shop is already linked to FunctionalCI: node, duplicates are not allowed on this relation.: issues = ") {
		t.Errorf("want a duplicate link refused with code 100, got %+v", ae)
	}
}

func TestProtocolErrors(t *testing.T) {
	// What the server answers to requests the client never sends, so the server's fidelity is
	// checked too: always HTTP 200, the outcome in code.
	srv := cmdbtest.NewITop("Platform")
	defer srv.Close()
	app := srv.Insert("ApplicationSolution", map[string]string{"name": "shop", "org_id": "1", "status": "active"})
	srv.Insert("lnkContactToFunctionalCI", map[string]string{"functionalci_id": strconv.Itoa(app), "contact_id": "2"})
	cases := map[string]struct {
		reason string
		query  string
		form   url.Values
		want   string
	}{
		"MissingVersion":   {reason: "code 2", form: url.Values{"auth_user": {"admin"}, "auth_pwd": {"admin"}, "json_data": {"{}"}}, want: `{"objects":null,"code":2,"message":"Error: Missing parameter 'version' (e.g. '1.0')"}`},
		"MissingJSON":      {reason: "code 3", query: "?version=1.3", form: url.Values{"auth_user": {"admin"}, "auth_pwd": {"admin"}}, want: `{"objects":null,"code":3,"message":"Error: Missing parameter 'json_data'"}`},
		"InvalidJSON":      {reason: "code 4", query: "?version=1.3", form: url.Values{"auth_user": {"admin"}, "auth_pwd": {"admin"}, "json_data": {"{"}}, want: `{"objects":null,"code":4,"message":"Error: Parameter json_data is not a valid JSON structure"}`},
		"MissingUser":      {reason: "code 1, not 5", query: "?version=1.3", form: url.Values{"json_data": {"{}"}}, want: `{"objects":null,"code":1,"message":"Error: Invalid login"}`},
		"TokenLogin":       {reason: "stock iTop has no token login", query: "?version=1.3", form: url.Values{"auth_token": {"tok"}, "json_data": {"{}"}}, want: `{"objects":null,"code":1,"message":"Error: Invalid login"}`},
		"UnknownVerb":      {reason: "code 11", query: "?version=1.3", form: url.Values{"auth_user": {"admin"}, "auth_pwd": {"admin"}, "json_data": {`{"operation":"core/frobnicate","class":"Team"}`}}, want: `{"objects":null,"code":11,"message":"Error: Unknown verb 'core/frobnicate' in version '1.3'"}`},
		"InvalidPage":      {reason: "code 13", query: "?version=1.3", form: url.Values{"auth_user": {"admin"}, "auth_pwd": {"admin"}, "json_data": {`{"operation":"core/get","class":"Team","key":"SELECT Team","limit":1,"page":0}`}}, want: `{"objects":null,"code":13,"message":"The request page number is not valid. It must be an integer greater than 0"}`},
		"MissingComment":   {reason: "writes need a comment", query: "?version=1.3", form: url.Values{"auth_user": {"admin"}, "auth_pwd": {"admin"}, "json_data": {`{"operation":"core/delete","class":"Team","key":2}`}}, want: `{"objects":null,"code":100,"message":"Error: Missing parameter 'comment'"}`},
		"OrgNameRefused":   {reason: "an ApplicationSolution's organisation name is organization_name", query: "?version=1.3", form: url.Values{"auth_user": {"admin"}, "auth_pwd": {"admin"}, "json_data": {`{"operation":"core/get","class":"ApplicationSolution","key":1,"output_fields":"org_name"}`}}, want: `{"objects":null,"code":100,"message":"Error: output_fields: invalid attribute code 'org_name'"}`},
		"UnknownAttribute": {reason: "fields are checked", query: "?version=1.3", form: url.Values{"auth_user": {"admin"}, "auth_pwd": {"admin"}, "json_data": {`{"operation":"core/create","class":"ApplicationSolution","comment":"c","fields":{"environment":"prod"}}`}}, want: `{"objects":null,"code":100,"message":"Error: environment: Unknown attribute"}`},
		"DeleteCascades": {reason: "deleting an object deletes its links and says so", query: "?version=1.3", form: url.Values{"auth_user": {"admin"}, "auth_pwd": {"admin"}, "json_data": {`{"operation":"core/delete","class":"ApplicationSolution","comment":"c","key":3}`}},
			want: `{"objects":{"ApplicationSolution::3":{"class":"ApplicationSolution","code":0,"fields":{"friendlyname":"shop","id":"3"},"key":"3","message":""},` +
				`"lnkContactToFunctionalCI::4":{"class":"lnkContactToFunctionalCI","code":2,"fields":{"friendlyname":"shop Platform","id":"4"},"key":"4","message":"Deleted automatically"}},"code":0,"message":"Deleted: 1 plus (for DB integrity) 1"}`},
		"DeleteTwice": {reason: "deleting what is gone is Deleted: 0", query: "?version=1.3", form: url.Values{"auth_user": {"admin"}, "auth_pwd": {"admin"}, "json_data": {`{"operation":"core/delete","class":"ApplicationSolution","comment":"c","key":99}`}}, want: `{"objects":null,"code":0,"message":"Deleted: 0"}`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			rsp, err := http.PostForm(srv.URL+"/webservices/rest.php"+tc.query, tc.form)
			if err != nil {
				t.Fatal(err)
			}
			defer rsp.Body.Close()
			b := new(strings.Builder)
			_, _ = io.Copy(b, rsp.Body)
			if diff := cmp.Diff([2]string{"200", tc.want}, [2]string{strconv.Itoa(rsp.StatusCode), strings.TrimSpace(b.String())}); diff != "" {
				t.Errorf("%s\n[status, body] -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestNewRefusesToken(t *testing.T) {
	// Stock iTop answers auth_token with "Invalid login": a token would only ever fail, so the
	// client says why up front instead.
	hc, err := clients.NewHTTPClient(nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = itop.New("http://127.0.0.1:1", "", hc, clients.Credentials{Token: "tok"})
	if err == nil || !strings.Contains(err.Error(), "iTop has no token login") {
		t.Errorf("want the token refused, got %v", err)
	}
}

func TestContactsListRows(t *testing.T) {
	// contacts_list holds Persons and Teams alike; each row names its contact, its final class
	// and friendly name, and carries no link id: what the provider reads to find its own Team.
	srv := cmdbtest.NewITop("Platform")
	defer srv.Close()
	app := srv.Insert("ApplicationSolution", map[string]string{"name": "shop", "org_id": "1"})
	person := srv.Insert("Person", map[string]string{"name": "Christie", "first_name": "Agatha", "org_id": "1"})
	for _, c := range []int{2, person} {
		srv.Insert("lnkContactToFunctionalCI", map[string]string{"functionalci_id": strconv.Itoa(app), "contact_id": strconv.Itoa(c)})
	}
	objs, err := newClient(t, srv, "", admin).Get(context.Background(), "ApplicationSolution", itop.Key{ID: strconv.Itoa(app)})
	if err != nil || len(objs) != 1 {
		t.Fatalf("want the app, got %v, %v", objs, err)
	}
	want := []map[string]string{
		{"contact_id": "2", "contact_name": "Platform", "contact_id_friendlyname": "Platform", "contact_id_finalclass_recall": "Team",
			"contact_id_obsolescence_flag": "", "friendlyname": "shop Platform"},
		{"contact_id": strconv.Itoa(person), "contact_name": "Christie", "contact_id_friendlyname": "Agatha Christie",
			"contact_id_finalclass_recall": "Person", "contact_id_obsolescence_flag": "", "friendlyname": "shop Agatha Christie"},
	}
	if diff := cmp.Diff(want, objs[0].LinkSet("contacts_list")); diff != "" {
		t.Errorf("contacts_list rows -want +got:\n%s", diff)
	}
	if got := string(objs[0].Fields["obsolescence_flag"]); got != "false" {
		t.Errorf("obsolescence_flag: want the JSON boolean false, got %s", got)
	}
}

func TestQuote(t *testing.T) {
	cases := map[string]struct {
		reason string
		in     string
		want   string
	}{
		"Plain":     {reason: "A plain value is only enclosed.", in: "shop", want: `"shop"`},
		"Quote":     {reason: "A quote cannot end the literal.", in: `a" OR 1=1 OR "`, want: `"a\" OR 1=1 OR \""`},
		"Backslash": {reason: "A backslash cannot escape the closing quote.", in: `a\`, want: `"a\\"`},
		"Wildcards": {reason: "LIKE's wildcards are the caller's to place: they are kept.", in: "%xapp:shop/a:1%", want: `"%xapp:shop/a:1%"`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := itop.Quote(tc.in); got != tc.want {
				t.Errorf("%s\nQuote(%q): got %s, want %s", tc.reason, tc.in, got, tc.want)
			}
		})
	}
}
