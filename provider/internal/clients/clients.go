// Package clients holds what both CMDB clients share: the error kinds the controllers turn
// into conditions, an HTTP transport that honours Retry-After, and building that transport
// from a ProviderConfig's TLS settings.
package clients

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

const (
	errBadCA       = "cannot parse the CA bundle: no PEM certificate found"
	errRateLimited = "rate limited by the CMDB"
)

// Kind classifies a failure the backend reported, so the controller can say what the user
// must do (fix credentials, fix a field) without parsing messages.
type Kind string

// Failure kinds.
const (
	KindUnauthorized Kind = "Unauthorized" // wrong or missing credentials
	KindForbidden    Kind = "Forbidden"    // authenticated, but lacks a role or ACL
	KindInvalid      Kind = "Invalid"      // the backend refused the data (validation, data policy, iTop code 100 about the record)
	KindNotFound     Kind = "NotFound"     // the record does not exist
	KindRateLimited  Kind = "RateLimited"  // still throttled after honouring Retry-After
	KindServer       Kind = "Server"       // the backend failed (5xx; iTop code 100 that is not about the record)
	KindProtocol     Kind = "Protocol"     // an answer this client does not understand
)

// An APIError is a failure reported by the backend. Message is the backend's own words and
// is what users see in the Synced condition.
type APIError struct {
	Kind    Kind
	Status  int    // HTTP status (ServiceNow) or 200 (iTop)
	Code    int    // iTop's code; 0 for ServiceNow
	Message string // verbatim from the backend
}

func (e *APIError) Error() string { return e.Message }

// IsKind reports whether err is an APIError of kind k.
func IsKind(err error, k Kind) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Kind == k
}

// IsNotFound reports whether the backend said the record does not exist.
func IsNotFound(err error) bool { return IsKind(err, KindNotFound) }

// RetryTransport retries a request answered with 429 after the Retry-After the backend
// asked for, as long as the request's context allows it. Waiting here rather than
// failing the reconcile keeps the managed reconciler's error backoff for real failures.
type RetryTransport struct {
	Base http.RoundTripper
	// MaxAttempts is the number of requests made in total, including the first.
	MaxAttempts int
	// MaxWait caps a single wait, so a backend asking for an hour does not park a worker.
	MaxWait time.Duration
}

// RoundTrip implements http.RoundTripper.
func (t *RetryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	attempts := max(t.MaxAttempts, 1)
	for i := 1; ; i++ {
		r := req
		if i > 1 && req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			r = req.Clone(req.Context())
			r.Body = body
		}
		rsp, err := base.RoundTrip(r)
		if err != nil || rsp.StatusCode != http.StatusTooManyRequests || i >= attempts {
			return rsp, err
		}
		wait := RetryAfter(rsp.Header, t.MaxWait)
		if dl, ok := req.Context().Deadline(); ok && time.Until(dl) < wait {
			return rsp, nil
		}
		_, _ = io.Copy(io.Discard, rsp.Body)
		_ = rsp.Body.Close()
		if err := sleep(req.Context(), wait); err != nil {
			return nil, err
		}
	}
}

// CloseIdleConnections closes the base transport's idle connections, so http.Client's
// CloseIdleConnections reaches through this wrapper.
func (t *RetryTransport) CloseIdleConnections() {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	if c, ok := base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// RetryAfter reads a Retry-After header in seconds (what ServiceNow sends) or as an HTTP
// date, capped at limit when limit > 0. A missing or unreadable header means one second.
func RetryAfter(h http.Header, limit time.Duration) time.Duration {
	d := time.Second
	v := h.Get("Retry-After")
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		d = time.Duration(s) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = max(time.Until(t), 0)
	}
	if limit > 0 && d > limit {
		d = limit
	}
	return d
}

// RateLimited builds the error returned when the backend still throttles after retries.
func RateLimited(h http.Header, message string) error {
	if message == "" {
		message = errRateLimited
	}
	return &APIError{Kind: KindRateLimited, Status: http.StatusTooManyRequests,
		Message: message + " (retry after " + RetryAfter(h, 0).String() + ")"}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// NewHTTPClient returns the HTTP client both backends use: Retry-After honoured on 429, a
// private CA trusted when given (PEM), and a timeout so a hung CMDB cannot hold a worker.
func NewHTTPClient(caPEM []byte) (*http.Client, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if len(caPEM) > 0 {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(caPEM) {
			return nil, errors.New(errBadCA)
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return &http.Client{
		Transport: &RetryTransport{Base: tr, MaxAttempts: 3, MaxWait: 30 * time.Second},
		Timeout:   60 * time.Second,
	}, nil
}

// Credentials authenticate a request: HTTP Basic or an OAuth bearer token.
type Credentials struct {
	Username string
	Password string
	Token    string
}

// Apply sets the Authorization header.
func (c Credentials) Apply(r *http.Request) {
	if c.Token != "" {
		r.Header.Set("Authorization", "Bearer "+c.Token)
		return
	}
	r.SetBasicAuth(c.Username, c.Password)
}

// Explain turns a backend failure into the one error users read in the Synced condition:
// what kind of problem it is and the backend's own message, with no chain of wraps.
// Errors that did not come from the backend are returned as they are.
func Explain(backend string, err error) error {
	var ae *APIError
	if !errors.As(err, &ae) {
		return err
	}
	switch ae.Kind {
	case KindUnauthorized:
		return errors.Errorf("%s rejected the credentials: %s", backend, ae.Message)
	case KindForbidden:
		return errors.Errorf("%s denied the operation: %s", backend, ae.Message)
	case KindInvalid:
		return errors.Errorf("%s refused the record: %s", backend, ae.Message)
	case KindRateLimited:
		return errors.Errorf("%s is rate limiting: %s", backend, ae.Message)
	default:
		return errors.Errorf("%s failed: %s", backend, ae.Message)
	}
}
