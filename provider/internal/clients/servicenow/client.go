// Package servicenow is a typed client for the parts of the ServiceNow REST API that
// provider-cmdb uses: the Table API for reading, patching and deleting records, and
// Identification and Reconciliation (IRE) for creating configuration items without
// duplicates.
package servicenow

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/xapp-dev/xapp/provider/internal/clients"
)

const (
	errNewRequest  = "cannot build request"
	errDo          = "cannot reach ServiceNow"
	errReadBody    = "cannot read ServiceNow answer"
	errDecode      = "cannot decode ServiceNow answer"
	errEncode      = "cannot encode request"
	errIRENoItem   = "identification and reconciliation answered without an item"
	errIREOperator = "identification and reconciliation refused the item"
	// unknownSysID is what IRE answers as the sys_id of an item it did not identify.
	unknownSysID = "Unknown"
)

// Field is one field of a record read with sysparm_display_value=all: the stored value
// (a sys_id for reference fields, a code for choice fields) and what a person sees.
type Field struct {
	Value   string `json:"value"`
	Display string `json:"display_value"`
}

// A Record is a row of a table, keyed by field name.
type Record map[string]Field

// Get returns the stored value of a field, "" when absent.
func (r Record) Get(name string) string { return r[name].Value }

// An Item is what IRE identifies and reconciles: a class, its values and where it comes
// from. SourceName plus NativeKey is the identity that makes a retried create an update.
type Item struct {
	ClassName  string
	Values     map[string]string
	SourceName string
	NativeKey  string
}

// An IREResult is IRE's verdict for one item.
type IREResult struct {
	ClassName string
	SysID     string
	// Operation is INSERT, UPDATE, NO_CHANGE or DELETE. A dry run that finds nothing
	// answers INSERT with no sys_id.
	Operation string
}

// Client is what provider-cmdb needs from ServiceNow.
type Client interface {
	// IdentifyReconcile inserts or updates item, idempotently.
	IdentifyReconcile(ctx context.Context, item Item) (IREResult, error)
	// Identify is IRE's dry run: which record item would update, if any.
	Identify(ctx context.Context, item Item) (IREResult, error)
	// Get reads one record; an APIError of kind NotFound when it does not exist.
	Get(ctx context.Context, table, sysID string) (Record, error)
	// List reads up to limit records matching an encoded query, following pagination.
	List(ctx context.Context, table, query string, limit int) ([]Record, error)
	// Create inserts a record.
	Create(ctx context.Context, table string, fields map[string]string) (Record, error)
	// Update patches a record.
	Update(ctx context.Context, table, sysID string, fields map[string]string) (Record, error)
	// Delete removes a record; deleting a record that is gone succeeds.
	Delete(ctx context.Context, table, sysID string) error
	// RecordURL is where a person sees the record.
	RecordURL(table, sysID string) string
}

// HTTPClient talks to one ServiceNow instance.
type HTTPClient struct {
	base  *url.URL
	http  *http.Client
	creds clients.Credentials
}

// New returns a client for the instance at endpoint.
func New(endpoint string, hc *http.Client, creds clients.Credentials) (*HTTPClient, error) {
	u, err := url.Parse(strings.TrimSuffix(endpoint, "/"))
	if err != nil {
		return nil, errors.Wrap(err, errNewRequest)
	}
	return &HTTPClient{base: u, http: hc, creds: creds}, nil
}

type ireItem struct {
	ClassName  string            `json:"className"`
	Values     map[string]string `json:"values"`
	SourceInfo *ireSource        `json:"sys_object_source_info,omitempty"`
	SysID      string            `json:"sysId,omitempty"`
	Operation  string            `json:"operation,omitempty"`
	Errors     []ireError        `json:"errors,omitempty"`
}

type ireSource struct {
	SourceName      string `json:"source_name"`
	SourceNativeKey string `json:"source_native_key"`
}

type ireError struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}

type irePayload struct {
	Items     []ireItem `json:"items"`
	Relations []any     `json:"relations"`
}

// IdentifyReconcile implements Client.
func (c *HTTPClient) IdentifyReconcile(ctx context.Context, item Item) (IREResult, error) {
	return c.ire(ctx, "/api/now/identifyreconcile", item)
}

// Identify implements Client.
func (c *HTTPClient) Identify(ctx context.Context, item Item) (IREResult, error) {
	return c.ire(ctx, "/api/now/identifyreconcile/query", item)
}

func (c *HTTPClient) ire(ctx context.Context, path string, item Item) (IREResult, error) {
	q := url.Values{"sysparm_data_source": {item.SourceName}}
	in := irePayload{Items: []ireItem{{
		ClassName:  item.ClassName,
		Values:     item.Values,
		SourceInfo: &ireSource{SourceName: item.SourceName, SourceNativeKey: item.NativeKey},
	}}, Relations: []any{}}
	var out struct {
		Result irePayload `json:"result"`
	}
	if _, err := c.do(ctx, http.MethodPost, path, q, in, &out); err != nil {
		return IREResult{}, err
	}
	if len(out.Result.Items) == 0 {
		return IREResult{}, &clients.APIError{Kind: clients.KindProtocol, Status: http.StatusOK, Message: errIRENoItem}
	}
	it := out.Result.Items[0]
	if len(it.Errors) > 0 {
		msgs := make([]string, 0, len(it.Errors))
		for _, e := range it.Errors {
			msgs = append(msgs, e.Error+": "+e.Message)
		}
		return IREResult{}, &clients.APIError{Kind: clients.KindInvalid, Status: http.StatusOK,
			Message: errIREOperator + ": " + strings.Join(msgs, "; ")}
	}
	id := it.SysID
	if id == unknownSysID {
		id = ""
	}
	return IREResult{ClassName: it.ClassName, SysID: id, Operation: it.Operation}, nil
}

// readParams make every read return both stored and display values, so reference fields
// compare by name and choice fields by code, and no per-field link objects come back.
func readParams() url.Values {
	return url.Values{"sysparm_display_value": {"all"}, "sysparm_exclude_reference_link": {"true"}}
}

// Get implements Client.
func (c *HTTPClient) Get(ctx context.Context, table, sysID string) (Record, error) {
	var out struct {
		Result Record `json:"result"`
	}
	_, err := c.do(ctx, http.MethodGet, tablePath(table, sysID), readParams(), nil, &out)
	return out.Result, err
}

// List implements Client.
func (c *HTTPClient) List(ctx context.Context, table, query string, limit int) ([]Record, error) {
	q := readParams()
	q.Set("sysparm_query", query)
	q.Set("sysparm_limit", strconv.Itoa(limit))
	path := tablePath(table, "")
	var all []Record
	for {
		var out struct {
			Result []Record `json:"result"`
		}
		h, err := c.do(ctx, http.MethodGet, path, q, nil, &out)
		if err != nil {
			return nil, err
		}
		all = append(all, out.Result...)
		next := nextLink(h.Get("Link"))
		if next == nil || len(out.Result) == 0 || len(all) >= limit {
			break
		}
		path, q = next.Path, next.Query()
	}
	if len(all) > limit {
		all = all[:limit]
	}
	return all, nil
}

// Create implements Client.
func (c *HTTPClient) Create(ctx context.Context, table string, fields map[string]string) (Record, error) {
	var out struct {
		Result Record `json:"result"`
	}
	_, err := c.do(ctx, http.MethodPost, tablePath(table, ""), readParams(), fields, &out)
	return out.Result, err
}

// Update implements Client.
func (c *HTTPClient) Update(ctx context.Context, table, sysID string, fields map[string]string) (Record, error) {
	var out struct {
		Result Record `json:"result"`
	}
	_, err := c.do(ctx, http.MethodPatch, tablePath(table, sysID), readParams(), fields, &out)
	return out.Result, err
}

// Delete implements Client.
func (c *HTTPClient) Delete(ctx context.Context, table, sysID string) error {
	_, err := c.do(ctx, http.MethodDelete, tablePath(table, sysID), nil, nil, nil)
	if clients.IsNotFound(err) {
		return nil
	}
	return err
}

// RecordURL implements Client.
func (c *HTTPClient) RecordURL(table, sysID string) string {
	return c.base.String() + "/nav_to.do?uri=" + url.QueryEscape(table+".do?sys_id="+sysID)
}

func tablePath(table, sysID string) string {
	p := "/api/now/table/" + url.PathEscape(table)
	if sysID != "" {
		p += "/" + url.PathEscape(sysID)
	}
	return p
}

var linkNext = regexp.MustCompile(`<([^>]+)>;\s*rel="next"`)

// nextLink finds rel="next" in a Link header.
func nextLink(h string) *url.URL {
	m := linkNext.FindStringSubmatch(h)
	if m == nil {
		return nil
	}
	u, err := url.Parse(m[1])
	if err != nil {
		return nil
	}
	return u
}

// do sends one request and decodes {"result": ...} into out, or turns ServiceNow's error
// body into an APIError carrying its message and detail verbatim.
func (c *HTTPClient) do(ctx context.Context, method, path string, q url.Values, in, out any) (http.Header, error) {
	var body io.Reader
	var raw []byte
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, errors.Wrap(err, errEncode)
		}
		raw = b
		body = bytes.NewReader(b)
	}
	u := *c.base
	u.Path = strings.TrimSuffix(u.Path, "/") + path
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, errors.Wrap(err, errNewRequest)
	}
	if raw != nil {
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(raw)), nil }
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	c.creds.Apply(req)
	rsp, err := c.http.Do(req)
	if err != nil {
		return nil, errors.Wrap(err, errDo)
	}
	defer rsp.Body.Close() //nolint:errcheck // Nothing useful to do with a close error on a read body.
	b, err := io.ReadAll(rsp.Body)
	if err != nil {
		return nil, errors.Wrap(err, errReadBody)
	}
	if rsp.StatusCode >= 300 {
		return rsp.Header, apiError(rsp, b)
	}
	if out == nil || len(b) == 0 {
		return rsp.Header, nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return rsp.Header, &clients.APIError{Kind: clients.KindProtocol, Status: rsp.StatusCode, Message: errDecode + ": " + err.Error()}
	}
	return rsp.Header, nil
}

// apiError maps a failed answer to an APIError. ServiceNow reports data policy violations
// as 403 "Operation Failed": they are the user's data, not missing rights, so they are
// Invalid, which the controller shows as a validation error.
func apiError(rsp *http.Response, body []byte) error {
	var e struct {
		Error struct {
			Message string `json:"message"`
			Detail  any    `json:"detail"`
		} `json:"error"`
	}
	msg := http.StatusText(rsp.StatusCode)
	if json.Unmarshal(body, &e) == nil && e.Error.Message != "" {
		msg = e.Error.Message
		if d, ok := e.Error.Detail.(string); ok && d != "" {
			msg += ": " + d
		}
	}
	if rsp.StatusCode == http.StatusTooManyRequests {
		return clients.RateLimited(rsp.Header, msg)
	}
	kind := clients.KindServer
	switch rsp.StatusCode {
	case http.StatusUnauthorized:
		kind = clients.KindUnauthorized
	case http.StatusForbidden:
		kind = clients.KindForbidden
		// A business rule's abort (the change state model's) refuses the data too.
		if strings.Contains(msg, "Data Policy Exception") || strings.Contains(msg, "aborted by Business Rule") {
			kind = clients.KindInvalid
		}
	case http.StatusNotFound:
		kind = clients.KindNotFound
	case http.StatusBadRequest:
		kind = clients.KindInvalid
	}
	return &clients.APIError{Kind: kind, Status: rsp.StatusCode, Message: msg}
}
