package clients

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

func TestRetryAfter(t *testing.T) {
	cases := map[string]struct {
		reason string
		header string
		limit  time.Duration
		want   time.Duration
	}{
		"Seconds": {"ServiceNow sends seconds.", "3", 0, 3 * time.Second},
		"Zero":    {"Zero means retry now.", "0", 0, 0},
		"Missing": {"No header means one second, not a hot loop.", "", 0, time.Second},
		"Garbage": {"An unreadable header means one second.", "soon", 0, time.Second},
		"Capped":  {"A very long wait is capped so a worker is not parked for an hour.", "3600", 30 * time.Second, 30 * time.Second},
		"Past":    {"An HTTP date in the past means now.", "Mon, 02 Jan 2006 15:04:05 GMT", 0, 0},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			h := http.Header{}
			if tc.header != "" {
				h.Set("Retry-After", tc.header)
			}
			if got := RetryAfter(h, tc.limit); got != tc.want {
				t.Errorf("%s\nRetryAfter(%q): want %s, got %s", tc.reason, tc.header, tc.want, got)
			}
		})
	}
}

func TestExplain(t *testing.T) {
	other := errors.New("cannot reach ServiceNow: connection refused")
	cases := map[string]struct {
		reason string
		err    error
		want   error
	}{
		"Nil":          {"No error stays no error.", nil, nil},
		"NotFromAPI":   {"Errors that are not the backend's pass through untouched.", other, other},
		"Unauthorized": {"Credentials problems say so, with the backend's words.", &APIError{Kind: KindUnauthorized, Message: "Error: Invalid login"}, errors.New("iTop rejected the credentials: Error: Invalid login")},
		"Forbidden":    {"", &APIError{Kind: KindForbidden, Message: "User Not Authorized"}, errors.New("iTop denied the operation: User Not Authorized")},
		"Invalid":      {"Validation failures name the record as refused.", &APIError{Kind: KindInvalid, Message: "Error: status: Value not allowed [bogus]"}, errors.New("iTop refused the record: Error: status: Value not allowed [bogus]")},
		"RateLimited":  {"", &APIError{Kind: KindRateLimited, Message: "Rate limit exceeded (retry after 5s)"}, errors.New("iTop is rate limiting: Rate limit exceeded (retry after 5s)")},
		"Server":       {"", &APIError{Kind: KindServer, Message: "Internal server error"}, errors.New("iTop failed: Internal server error")},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := Explain("iTop", tc.err)
			// Passed-through errors must be the same error; explained ones the same message.
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateErrors()); diff != "" && (got == nil || tc.want == nil || got.Error() != tc.want.Error()) {
				t.Errorf("%s\nExplain -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestNewHTTPClientRejectsBadCA(t *testing.T) {
	if _, err := NewHTTPClient([]byte("not a certificate")); err == nil || err.Error() != errBadCA {
		t.Errorf("want %q, got %v", errBadCA, err)
	}
}
