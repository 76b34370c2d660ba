// Package webhook delivers one notification to a webhook receiver: retried while the receiver
// is unavailable (5xx, 408, 429 honouring Retry-After, timeouts), never after it accepted.
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/xapp-dev/xapp/provider/internal/clients"
)

// Headers every delivery carries.
const (
	// HeaderDelivery is the delivery's id, the same on every attempt, so a receiver that saw
	// an attempt whose answer was lost can drop the retry.
	HeaderDelivery = "X-Xapp-Delivery"
	// HeaderSignature is sha256=<hex HMAC-SHA256 of the body>, when a signing key is set.
	HeaderSignature = "X-Xapp-Signature-256"

	// BodyExcerpt is how much of the receiver's answer is kept.
	BodyExcerpt = 256

	errRefused   = "receiver refused the notification: %d %s: %s"
	errGaveUp    = "receiver did not accept the notification after %d attempts: %s"
	errNewReq    = "cannot build the request"
	errBadURL    = "webhook URL must be an absolute http or https URL"
	errLastAgain = "%d %s: %s"
)

// Request is one notification: where it goes and what it says.
type Request struct {
	URL         string
	ContentType string
	Body        []byte
	// DeliveryID goes in HeaderDelivery.
	DeliveryID string
	// SigningKey, when not empty, signs the body in HeaderSignature.
	SigningKey []byte
}

// Answer is what the receiver said when it accepted the notification.
type Answer struct {
	StatusCode int
	Body       string
	Attempts   int
}

// Sender delivers requests.
type Sender struct {
	// HTTP sends each attempt; its Timeout bounds one attempt.
	HTTP *http.Client
	// MaxAttempts is the number of requests made in total, including the first.
	MaxAttempts int
	// Backoff is the wait after the first failed attempt; it doubles after each further one.
	Backoff time.Duration
	// MaxWait caps one wait, Retry-After included, so a receiver asking for an hour does not
	// park a worker: the reconcile fails and the managed reconciler retries later.
	MaxWait time.Duration
}

// Sign is the value of HeaderSignature for body under key.
func Sign(key, body []byte) string {
	m := hmac.New(sha256.New, key)
	_, _ = m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Send delivers r. A 2xx answer is success. 5xx, 408, 429 and transport failures (timeouts,
// refused connections) are retried with backoff, after Retry-After when the receiver sends
// one; any other status is a refusal that retrying the same body cannot fix.
func (s *Sender) Send(ctx context.Context, r Request) (Answer, error) {
	if !strings.HasPrefix(r.URL, "http://") && !strings.HasPrefix(r.URL, "https://") {
		return Answer{}, errors.New(errBadURL)
	}
	attempts := max(s.MaxAttempts, 1)
	wait := s.Backoff
	for i := 1; ; i++ {
		a, retryAfter, err := s.attempt(ctx, r)
		a.Attempts = i
		if err == nil {
			return a, nil
		}
		var refused *refusal
		if errors.As(err, &refused) {
			return a, err
		}
		last := err.Error()
		if i >= attempts {
			return a, errors.Errorf(errGaveUp, i, last)
		}
		d := wait
		if retryAfter > 0 {
			d = retryAfter
		}
		if s.MaxWait > 0 && d > s.MaxWait {
			return a, errors.Errorf(errGaveUp, i, last+" (asked to retry after "+d.String()+")")
		}
		select {
		case <-ctx.Done():
			return a, errors.Errorf(errGaveUp, i, last)
		case <-time.After(d):
		}
		wait *= 2
	}
}

// refusal is an answer retrying cannot change.
type refusal struct{ msg string }

func (r *refusal) Error() string { return r.msg }

// attempt makes one request. It returns the answer when accepted, otherwise an error and the
// wait the receiver asked for (0 when it asked for none).
func (s *Sender) attempt(ctx context.Context, r Request) (Answer, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		return Answer{}, 0, errors.Wrap(err, errNewReq)
	}
	req.Header.Set("Content-Type", r.ContentType)
	req.Header.Set("User-Agent", "provider-cmdb")
	if r.DeliveryID != "" {
		req.Header.Set(HeaderDelivery, r.DeliveryID)
	}
	if len(r.SigningKey) > 0 {
		req.Header.Set(HeaderSignature, Sign(r.SigningKey, r.Body))
	}
	rsp, err := s.HTTP.Do(req)
	if err != nil {
		return Answer{}, 0, err
	}
	defer func() { _ = rsp.Body.Close() }()
	body, _ := io.ReadAll(io.LimitReader(rsp.Body, 64<<10))
	a := Answer{StatusCode: rsp.StatusCode, Body: excerpt(body)}
	switch c := rsp.StatusCode; {
	case c >= 200 && c < 300:
		return a, 0, nil
	case c == http.StatusTooManyRequests || c == http.StatusRequestTimeout || c >= 500:
		var ra time.Duration
		if rsp.Header.Get("Retry-After") != "" {
			ra = clients.RetryAfter(rsp.Header, 0)
		}
		return a, ra, fmt.Errorf(errLastAgain, c, http.StatusText(c), a.Body)
	default:
		return a, 0, &refusal{msg: fmt.Sprintf(errRefused, c, http.StatusText(c), a.Body)}
	}
}

// excerpt is the start of a body as valid UTF-8, at most BodyExcerpt bytes.
func excerpt(b []byte) string {
	if len(b) > BodyExcerpt {
		b = b[:BodyExcerpt]
		for len(b) > 0 && !utf8.Valid(b) {
			b = b[:len(b)-1]
		}
	}
	return strings.TrimSpace(string(b))
}
