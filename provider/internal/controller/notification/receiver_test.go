package notification

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/xapp-dev/xapp/provider/internal/clients/webhook"
)

// fault is what the loopback receiver does with one request.
type fault int

const (
	accept      fault = iota // 202 Accepted
	unavailable              // 503, as a receiver behind a restarting gateway
	throttle                 // 429 with Retry-After: 1
	hang                     // answers only after the client's timeout, never accepting
)

// receiver is a loopback webhook receiver that fails as told and counts what it sees: every
// request (attempted), every one it accepted, and accepted deliveries whose id it had already
// accepted (duplicates).
type receiver struct {
	*httptest.Server
	t   *testing.T
	key []byte

	mu        sync.Mutex
	plan      func(n int) fault // n counts requests from 1
	hangFor   time.Duration
	attempted int
	accepted  map[string]int
	bodies    map[string][]byte
	lastWait  map[string]time.Time // when a delivery was last throttled
	early     int                  // retries that came before the Retry-After had passed
	faults    map[fault]int        // requests answered with each fault
}

func newReceiver(t *testing.T, key []byte, plan func(n int) fault) *receiver {
	t.Helper()
	r := &receiver{t: t, key: key, plan: plan, hangFor: 300 * time.Millisecond,
		accepted: map[string]int{}, faults: map[fault]int{}, bodies: map[string][]byte{}, lastWait: map[string]time.Time{}}
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve)) // listens on 127.0.0.1, port chosen now
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	id := req.Header.Get(webhook.HeaderDelivery)
	r.mu.Lock()
	r.attempted++
	f := r.plan(r.attempted)
	r.faults[f]++
	if t, ok := r.lastWait[id]; ok && time.Since(t) < time.Second {
		r.early++
	}
	delete(r.lastWait, id)
	r.mu.Unlock()
	if len(r.key) > 0 && req.Header.Get(webhook.HeaderSignature) != webhook.Sign(r.key, body) {
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	switch f {
	case unavailable:
		http.Error(w, "upstream connect error", http.StatusServiceUnavailable)
		return
	case throttle:
		r.mu.Lock()
		r.lastWait[id] = time.Now()
		r.mu.Unlock()
		w.Header().Set("Retry-After", strconv.Itoa(1))
		http.Error(w, "rate limited", http.StatusTooManyRequests)
		return
	case hang:
		time.Sleep(r.hangFor)
		http.Error(w, "too late", http.StatusServiceUnavailable)
		return
	case accept:
	}
	r.mu.Lock()
	r.accepted[id]++
	r.bodies[id] = body
	r.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
	_, _ = w.Write([]byte(`{"status":"queued"}`))
}

// counts are attempted requests, accepted deliveries, and duplicates among them.
func (r *receiver) counts() (attempted, accepted, duplicates int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, n := range r.accepted {
		accepted += n
		duplicates += n - 1
	}
	return r.attempted, accepted, duplicates
}
