package controller

import (
	"bytes"
	"context"
	"io"
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
)

// A fault is one way a call to the CMDB goes wrong between the provider and the CMDB.
type fault string

const (
	faultNone fault = ""
	// fault5xx starts a burst: this call and the next few are answered 503 by the proxy.
	fault5xx fault = "5xx burst"
	// fault429 is a throttled call: 429 with Retry-After, as ServiceNow (or a proxy before iTop) sends.
	fault429 fault = "429 Retry-After"
	// faultTimeout never answers; the CMDB may or may not have applied the call.
	faultTimeoutLost    fault = "timeout, call lost"
	faultTimeoutApplied fault = "timeout, call applied"
	// faultReset drops the connection with a TCP reset, before or after the CMDB applied the call.
	faultResetLost    fault = "reset, call lost"
	faultResetApplied fault = "reset, call applied"
)

// The mix of faults a failing call gets: timeouts are rarer because each costs a client timeout.
var faultMix = []fault{fault5xx, fault5xx, fault429, fault429, fault429, faultTimeoutLost, faultTimeoutApplied,
	faultResetLost, faultResetApplied, faultResetApplied}

// faultProxy sits between the provider and a CMDB test server on 127.0.0.1 and makes a share
// of the calls fail in the ways networks and CMDBs fail. Down makes every call fail, as when
// the CMDB is unreachable.
type faultProxy struct {
	*httptest.Server

	backend string
	fwd     *http.Client

	mu       sync.Mutex
	rnd      *rand.Rand
	rate     float64
	burst    int
	down     bool
	calls    int
	injected map[fault]int
}

func newFaultProxy(backend string, seed uint64) *faultProxy {
	p := &faultProxy{backend: backend, fwd: &http.Client{}, rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), injected: map[fault]int{}}
	p.Server = httptest.NewServer(http.HandlerFunc(p.serve))
	return p
}

// setRate makes a share (0 to 1) of the calls fail, bursts included.
func (p *faultProxy) setRate(r float64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rate, p.burst = r, 0
}

func (p *faultProxy) setDown(down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = down
}

// stats returns the calls seen and the faults injected by kind.
func (p *faultProxy) stats() (int, map[fault]int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls, maps.Clone(p.injected)
}

func (p *faultProxy) pick() fault {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls++
	switch {
	case p.down:
		return fault5xx
	case p.rate == 0:
		return faultNone
	case p.burst > 0:
		p.burst--
		p.injected[fault5xx]++
		return fault5xx
	case float64(p.failed()) >= p.rate*float64(p.calls) || p.rnd.Float64() >= 2*p.rate:
		// Bursts make more calls fail than the faults drawn: draw while under the share.
		return faultNone
	}
	f := faultMix[p.rnd.IntN(len(faultMix))]
	if f == fault5xx {
		p.burst = 1 + p.rnd.IntN(3)
	}
	p.injected[f]++
	return f
}

func (p *faultProxy) failed() int {
	n := 0
	for _, v := range p.injected {
		n += v
	}
	return n
}

func (p *faultProxy) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	switch f := p.pick(); f {
	case faultNone:
		p.forward(w, r, body)
	case fault5xx:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, "<html><body><h1>503 Service Unavailable</h1>No server is available to handle this request.</body></html>\n")
	case fault429:
		w.Header().Set("Retry-After", "1")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = io.WriteString(w, `{"error":{"message":"Rate limit exceeded","detail":"Rate limit of 1000 requests per hour exceeded"},"status":"failure"}`+"\n")
	case faultTimeoutLost, faultTimeoutApplied:
		if f == faultTimeoutApplied {
			p.forward(httptest.NewRecorder(), r, body)
		}
		<-r.Context().Done() // the client gives up; nothing is ever answered
	case faultResetLost, faultResetApplied:
		if f == faultResetApplied {
			p.forward(httptest.NewRecorder(), r, body)
		}
		reset(w)
	}
}

// forward makes the call on the CMDB. It is not tied to the client's request, so a call the
// client gave up on still completes, as on a real server.
func (p *faultProxy) forward(w http.ResponseWriter, r *http.Request, body []byte) {
	req, err := http.NewRequestWithContext(context.Background(), r.Method, p.backend+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	req.Header = r.Header.Clone()
	rsp, err := p.fwd.Do(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer rsp.Body.Close()
	for k, v := range rsp.Header {
		w.Header()[k] = slices.Clone(v)
	}
	w.WriteHeader(rsp.StatusCode)
	_, _ = io.Copy(w, rsp.Body)
}

// reset closes the connection with a TCP RST (SO_LINGER 0), as a crashed proxy or server does.
func reset(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		return
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}
