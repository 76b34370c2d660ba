// Package itop is a typed client for iTop's REST/JSON API (webservices/rest.php), which
// answers HTTP 200 to everything and says in the body's code what happened.
package itop

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/xapp-dev/xapp/provider/internal/clients"
)

const (
	errNewRequest = "cannot build request"
	errDo         = "cannot reach iTop"
	errReadBody   = "cannot read iTop answer"
	errDecode     = "cannot decode iTop answer"
	errEncode     = "cannot encode request"
	errNoObject   = "iTop answered without the object"
	errNoToken    = "iTop has no token login (auth_token needs an extension stock iTop lacks): use Basic credentials" //nolint:gosec // A message, not a credential.

	pageSize = 100
)

// iTop result codes (webservices/rest.php).
const (
	CodeOK                 = 0
	CodeUnauthorized       = 1
	CodeMissingVersion     = 2
	CodeMissingJSON        = 3
	CodeInvalidJSON        = 4
	CodeMissingAuthUser    = 5
	CodeMissingAuthPwd     = 6
	CodeUnsupportedVersion = 10
	CodeUnknownOperation   = 11
	CodeUnsafeOperation    = 12
	CodeInvalidPage        = 13
	CodeInternalError      = 100
)

// A Value is a field value to write: a string, a search criteria for an external key
// ({"name": "Demo"} instead of an id), or a link set.
type Value struct {
	Str      string
	Criteria map[string]string
	Links    []map[string]Value
}

// S is a string Value.
func S(s string) Value { return Value{Str: s} }

// MarshalJSON writes whichever form is set.
func (v Value) MarshalJSON() ([]byte, error) {
	switch {
	case v.Criteria != nil:
		return json.Marshal(v.Criteria)
	case v.Links != nil:
		return json.Marshal(v.Links)
	default:
		return json.Marshal(v.Str)
	}
}

// Fields are the fields of an object to write.
type Fields map[string]Value

// A Key selects objects: an id, an OQL query or criteria.
type Key struct {
	ID       string
	OQL      string
	Criteria map[string]string
}

// MarshalJSON writes whichever form is set.
func (k Key) MarshalJSON() ([]byte, error) {
	switch {
	case k.OQL != "":
		return json.Marshal(k.OQL)
	case k.Criteria != nil:
		return json.Marshal(k.Criteria)
	default:
		return json.Marshal(k.ID)
	}
}

// Quote writes s as an OQL string literal: every value put into a query goes through it, so
// that a quote or backslash in it cannot end the literal.
func Quote(s string) string {
	return `"` + oqlEscaper.Replace(s) + `"`
}

var oqlEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// An Object is an iTop object as read with output_fields=*.
type Object struct {
	Class  string
	Key    string
	Fields map[string]json.RawMessage
}

// String returns a scalar field as a string ("" when absent or not a scalar).
func (o Object) String(name string) string {
	raw, ok := o.Fields[name]
	if !ok {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

// LinkSet returns a link set field as rows of string fields.
func (o Object) LinkSet(name string) []map[string]string {
	var rows []map[string]json.RawMessage
	if json.Unmarshal(o.Fields[name], &rows) != nil {
		return nil
	}
	out := make([]map[string]string, 0, len(rows))
	for _, r := range rows {
		row := Object{Fields: r}
		m := map[string]string{}
		for k := range r {
			m[k] = row.String(k)
		}
		out = append(out, m)
	}
	return out
}

// Client is what provider-cmdb needs from iTop.
type Client interface {
	// Get returns every object of class matching key (none is not an error).
	Get(ctx context.Context, class string, key Key) ([]Object, error)
	// Create makes an object. Not idempotent: look before you create.
	Create(ctx context.Context, class string, fields Fields, comment string) (Object, error)
	// Update writes fields of one object.
	Update(ctx context.Context, class, id string, fields Fields, comment string) (Object, error)
	// Delete removes an object; deleting one that is gone succeeds.
	Delete(ctx context.Context, class, id, comment string) error
	// ApplyStimulus moves an object through its lifecycle, writing fields first: iTop wants the
	// attributes the target state makes mandatory set by then, and writes nothing when it refuses.
	ApplyStimulus(ctx context.Context, class, id, stimulus string, fields Fields, comment string) (Object, error)
	// ObjectURL is where a person sees the object.
	ObjectURL(class, id string) string
}

// HTTPClient talks to one iTop.
type HTTPClient struct {
	base    *url.URL
	http    *http.Client
	creds   clients.Credentials
	version string
}

// New returns a client for the iTop at endpoint (its root, without webservices/).
func New(endpoint, version string, hc *http.Client, creds clients.Credentials) (*HTTPClient, error) {
	u, err := url.Parse(strings.TrimSuffix(endpoint, "/"))
	if err != nil {
		return nil, errors.Wrap(err, errNewRequest)
	}
	if creds.Token != "" {
		return nil, errors.New(errNoToken)
	}
	if version == "" {
		version = "1.3"
	}
	return &HTTPClient{base: u, http: hc, creds: creds, version: version}, nil
}

type request struct {
	Operation    string  `json:"operation"`
	Class        string  `json:"class,omitempty"`
	Key          *Key    `json:"key,omitempty"`
	Fields       *Fields `json:"fields,omitempty"`
	Stimulus     string  `json:"stimulus,omitempty"`
	Comment      string  `json:"comment,omitempty"`
	OutputFields string  `json:"output_fields,omitempty"`
	Limit        int     `json:"limit,omitempty"`
	Page         int     `json:"page,omitempty"`
	Simulate     *bool   `json:"simulate,omitempty"`
}

type response struct {
	Code    int                   `json:"code"`
	Message string                `json:"message"`
	Objects map[string]respObject `json:"objects"`
}

type respObject struct {
	Code    int                        `json:"code"`
	Message string                     `json:"message"`
	Class   string                     `json:"class"`
	Key     json.Number                `json:"key"`
	Fields  map[string]json.RawMessage `json:"fields"`
}

// Get implements Client.
func (c *HTTPClient) Get(ctx context.Context, class string, key Key) ([]Object, error) {
	var all []Object
	for page := 1; ; page++ {
		rsp, err := c.do(ctx, request{Operation: "core/get", Class: class, Key: &key, OutputFields: "*", Limit: pageSize, Page: page})
		if err != nil {
			return nil, err
		}
		objs := objects(rsp)
		all = append(all, objs...)
		if len(objs) < pageSize {
			return all, nil
		}
	}
}

// Create implements Client.
func (c *HTTPClient) Create(ctx context.Context, class string, fields Fields, comment string) (Object, error) {
	rsp, err := c.do(ctx, request{Operation: "core/create", Class: class, Fields: &fields, Comment: comment, OutputFields: "*"})
	if err != nil {
		return Object{}, err
	}
	return one(rsp)
}

// Update implements Client.
func (c *HTTPClient) Update(ctx context.Context, class, id string, fields Fields, comment string) (Object, error) {
	rsp, err := c.do(ctx, request{Operation: "core/update", Class: class, Key: &Key{ID: id}, Fields: &fields, Comment: comment, OutputFields: "*"})
	if err != nil {
		return Object{}, err
	}
	return one(rsp)
}

// Delete implements Client. iTop answers "Deleted: 0" for an object that is gone.
func (c *HTTPClient) Delete(ctx context.Context, class, id, comment string) error {
	no := false
	_, err := c.do(ctx, request{Operation: "core/delete", Class: class, Key: &Key{ID: id}, Comment: comment, Simulate: &no})
	return err
}

// ApplyStimulus implements Client. iTop requires the fields parameter, so none is sent as {}.
func (c *HTTPClient) ApplyStimulus(ctx context.Context, class, id, stimulus string, fields Fields, comment string) (Object, error) {
	if fields == nil {
		fields = Fields{}
	}
	rsp, err := c.do(ctx, request{Operation: "core/apply_stimulus", Class: class, Key: &Key{ID: id}, Stimulus: stimulus,
		Fields: &fields, Comment: comment, OutputFields: "*"})
	if err != nil {
		return Object{}, err
	}
	return one(rsp)
}

// ObjectURL implements Client.
func (c *HTTPClient) ObjectURL(class, id string) string {
	return c.base.String() + "/pages/UI.php?" + url.Values{"operation": {"details"}, "class": {class}, "id": {id}}.Encode()
}

func objects(rsp response) []Object {
	out := make([]Object, 0, len(rsp.Objects))
	for _, o := range rsp.Objects {
		out = append(out, Object{Class: o.Class, Key: o.Key.String(), Fields: o.Fields})
	}
	// iTop returns a JSON object; order by numeric key so callers see a stable order.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && keyLess(out[j].Key, out[j-1].Key); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func keyLess(a, b string) bool {
	x, _ := strconv.Atoi(a)
	y, _ := strconv.Atoi(b)
	return x < y
}

func one(rsp response) (Object, error) {
	for _, o := range rsp.Objects {
		if o.Code != CodeOK {
			return Object{}, &clients.APIError{Kind: clients.KindInvalid, Status: http.StatusOK, Code: o.Code, Message: o.Message}
		}
	}
	objs := objects(rsp)
	if len(objs) == 0 {
		return Object{}, &clients.APIError{Kind: clients.KindProtocol, Status: http.StatusOK, Message: errNoObject + ": " + rsp.Message}
	}
	return objs[0], nil
}

// do posts one operation as the json_data form field and maps a non-zero code to an
// APIError with iTop's message verbatim.
func (c *HTTPClient) do(ctx context.Context, op request) (response, error) {
	data, err := json.Marshal(op)
	if err != nil {
		return response{}, errors.Wrap(err, errEncode)
	}
	form := url.Values{"json_data": {string(data)}, "auth_user": {c.creds.Username}, "auth_pwd": {c.creds.Password}}
	body := []byte(form.Encode())
	u := *c.base
	u.Path = strings.TrimSuffix(u.Path, "/") + "/webservices/rest.php"
	u.RawQuery = url.Values{"version": {c.version}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return response{}, errors.Wrap(err, errNewRequest)
	}
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	rsp, err := c.http.Do(req)
	if err != nil {
		return response{}, errors.Wrap(err, errDo)
	}
	defer rsp.Body.Close() //nolint:errcheck // Nothing useful to do with a close error on a read body.
	b, err := io.ReadAll(rsp.Body)
	if err != nil {
		return response{}, errors.Wrap(err, errReadBody)
	}
	if rsp.StatusCode == http.StatusTooManyRequests {
		// iTop itself does not rate limit, but a reverse proxy in front of it may.
		return response{}, clients.RateLimited(rsp.Header, "")
	}
	if rsp.StatusCode != http.StatusOK {
		kind := clients.KindServer
		if rsp.StatusCode == http.StatusUnauthorized || rsp.StatusCode == http.StatusForbidden {
			kind = clients.KindUnauthorized
		}
		return response{}, &clients.APIError{Kind: kind, Status: rsp.StatusCode, Message: errDo + ": " + rsp.Status}
	}
	var out response
	if err := json.Unmarshal(b, &out); err != nil {
		return response{}, &clients.APIError{Kind: clients.KindProtocol, Status: rsp.StatusCode, Message: errDecode + ": " + err.Error()}
	}
	if out.Code != CodeOK {
		return out, &clients.APIError{Kind: kindOf(out.Code, out.Message), Status: rsp.StatusCode, Code: out.Code, Message: out.Message}
	}
	return out, nil
}

// What iTop's code 100 messages say about the request: the record or its references are wrong
// (the user's to fix), or the object named by id does not exist. Anything else under code 100
// (an OQL the server cannot run, a database failure) is the server's or this client's fault.
var (
	invalidMessages = []string{"Unexpected value for attribute", "Unknown attribute", "No item found", "Several items found",
		"Wrong format", "is not a valid class", "is already linked to", "Invalid object", "A link set must be",
		"Invalid stimulus: ", "Missing mandatory attribute(s) for applying the stimulus"}
	notFoundPrefix = "Error: Invalid object "
)

// kindOf classifies a non-zero code. Code 1 is both "who are you" and "you may not": iTop says
// the latter with "does not have enough permissions" (and portal users are refused outright).
func kindOf(code int, msg string) clients.Kind {
	switch code {
	case CodeUnauthorized, CodeMissingAuthUser, CodeMissingAuthPwd:
		if strings.Contains(msg, "does not have enough permissions") {
			return clients.KindForbidden
		}
		return clients.KindUnauthorized
	case CodeInternalError:
		if strings.HasPrefix(msg, notFoundPrefix) {
			return clients.KindNotFound
		}
		for _, m := range invalidMessages {
			if strings.Contains(msg, m) {
				return clients.KindInvalid
			}
		}
		return clients.KindServer
	default:
		return clients.KindProtocol
	}
}
