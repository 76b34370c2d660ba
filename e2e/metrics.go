package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// functionRequestLog is the message function-xapp logs at debug level once per request.
const functionRequestLog = "composed the app"

// FunctionRequests counts the requests the function has logged (one debug line each).
func (h *Harness) FunctionRequests() int {
	if h.Function == nil {
		return 0
	}
	b, err := os.ReadFile(h.Function.Log)
	if err != nil {
		return 0
	}
	return bytes.Count(b, []byte(functionRequestLog))
}

// Verdict is what the function answered about an app's readiness in one request, from its log.
type Verdict struct {
	At       time.Time
	AppReady string // "STATUS_CONDITION_TRUE Available: ..." and the like
}

// FunctionVerdicts reads the function's per-request log lines about xr since the given time: what
// the function said, as opposed to the conditions Crossplane shows (core v2.4 can write stale ones).
func (h *Harness) FunctionVerdicts(xr string, since time.Time) ([]Verdict, error) {
	b, err := os.ReadFile(h.Function.Log)
	if err != nil {
		return nil, errors.Wrap(err, "cannot read the function's log")
	}
	out := make([]Verdict, 0, bytes.Count(b, []byte(functionRequestLog)))
	for l := range strings.SplitSeq(string(b), "\n") {
		i := strings.Index(l, "{")
		if i < 0 || !strings.Contains(l, functionRequestLog) {
			continue
		}
		at, err := time.Parse("2006-01-02T15:04:05.000Z0700", strings.Fields(l)[0])
		if err != nil || at.Before(since) {
			continue
		}
		var f struct {
			XR       string `json:"xr"`
			AppReady string `json:"appReady"`
		}
		if json.Unmarshal([]byte(l[i:]), &f) != nil || f.XR != xr {
			continue
		}
		out = append(out, Verdict{At: at, AppReady: f.AppReady})
	}
	return out, nil
}

// writeVerbs are the API requests that change something.
var writeVerbs = map[string]bool{"POST": true, "PUT": true, "PATCH": true, "APPLY": true, "DELETE": true}

// apiWrites reads the API server's own count of write requests, by resource (and subresource) and
// verb: a create, an update and a delete of the same kind are different stories of churn.
func (h *Harness) apiWrites(ctx context.Context) (map[string]float64, error) {
	cs, err := kubernetes.NewForConfig(h.Config)
	if err != nil {
		return nil, errors.Wrap(err, "cannot make a client")
	}
	b, err := cs.Discovery().RESTClient().Get().AbsPath("/metrics").DoRaw(ctx)
	if err != nil {
		return nil, errors.Wrap(err, "cannot read the API server's metrics")
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(bytes.NewReader(b))
	if err != nil {
		return nil, errors.Wrap(err, "cannot parse the API server's metrics")
	}
	out := map[string]float64{}
	f := families["apiserver_request_total"]
	if f == nil {
		return nil, errors.New("the API server reports no apiserver_request_total")
	}
	for _, m := range f.GetMetric() {
		l := map[string]string{}
		for _, lp := range m.GetLabel() {
			l[lp.GetName()] = lp.GetValue()
		}
		if !writeVerbs[l["verb"]] {
			continue
		}
		r := l["resource"]
		if s := l["subresource"]; s != "" {
			r += "/" + s
		}
		out[r+" "+strings.ToLower(l["verb"])] += m.GetCounter().GetValue()
	}
	return out, nil
}

// WritesSince formats the API writes since before (from apiWrites), by resource, largest first.
func (h *Harness) WritesSince(ctx context.Context, before map[string]float64) (string, error) {
	after, err := h.apiWrites(ctx)
	if err != nil {
		return "", err
	}
	type rc struct {
		r string
		n float64
	}
	var l []rc
	for r, n := range after {
		if d := n - before[r]; d > 0 {
			l = append(l, rc{r, d})
		}
	}
	sort.Slice(l, func(i, j int) bool { return l[i].n > l[j].n })
	parts := make([]string, len(l))
	for i, x := range l {
		parts[i] = fmt.Sprintf("%s %.0f", x.r, x.n)
	}
	return strings.Join(parts, ", "), nil
}

// APIWrites reads the API server's count of write requests so far, by resource.
func (h *Harness) APIWrites(ctx context.Context) (map[string]float64, error) { return h.apiWrites(ctx) }

// SteadyWrites measures the API writes per app (of apps) per minute over window, by resource, when nothing
// should change: every write then is someone's needless churn.
//
// A write that changes nothing (core applies every composed object on every reconcile) leaves the
// object's resourceVersion alone, so the objects of namespace whose resourceVersion changed during
// the window say which writes changed something.
func (h *Harness) SteadyWrites(ctx context.Context, namespace string, apps int, window time.Duration) (string, error) {
	before, err := h.apiWrites(ctx)
	if err != nil {
		return "", err
	}
	versions, err := h.resourceVersions(ctx, namespace)
	if err != nil {
		return "", err
	}
	start := time.Now()
	time.Sleep(window)
	changed, err := h.changedSince(ctx, namespace, versions)
	if err != nil {
		return "", err
	}
	after, err := h.apiWrites(ctx)
	if err != nil {
		return "", err
	}
	var parts []string
	for r, n := range after {
		if d := n - before[r]; d > 0 {
			parts = append(parts, fmt.Sprintf("%s %.2f", r, d/float64(apps)*time.Minute.Seconds()/window.Seconds()))
		}
	}
	sort.Strings(parts)
	if len(parts) == 0 {
		return "none", nil
	}
	events, err := h.eventSources(ctx, start)
	if err != nil {
		return "", err
	}
	return strings.Join(parts, ", ") + "; objects changed in " + namespace + ": " + changed + "; events by source: " + events, nil
}

// resourceVersions maps every object of the leftover kinds in namespace to its resourceVersion.
func (h *Harness) resourceVersions(ctx context.Context, namespace string) (map[string]string, error) {
	out := map[string]string{}
	for _, gvk := range leftovers {
		l := &unstructured.UnstructuredList{}
		l.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
		if err := h.Client.List(ctx, l, client.InNamespace(namespace)); err != nil {
			return nil, errors.Wrapf(err, "cannot list %s", gvk.Kind)
		}
		for _, o := range l.Items {
			out[gvk.Kind+"/"+o.GetName()] = o.GetResourceVersion()
		}
	}
	return out, nil
}

// changedSince counts, by kind, the objects whose resourceVersion is not the one in before.
func (h *Harness) changedSince(ctx context.Context, namespace string, before map[string]string) (string, error) {
	now, err := h.resourceVersions(ctx, namespace)
	if err != nil {
		return "", err
	}
	n := map[string]int{}
	for k, v := range now {
		if before[k] != v {
			n[strings.SplitN(k, "/", 2)[0]]++
		}
	}
	if len(n) == 0 {
		return "none", nil
	}
	parts := make([]string, 0, len(n))
	for k, c := range n {
		parts = append(parts, fmt.Sprintf("%s %d", k, c))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", "), nil
}

// eventSources says who recorded the events seen since start, and why: events are writes too.
func (h *Harness) eventSources(ctx context.Context, since time.Time) (string, error) {
	l := &corev1.EventList{}
	if err := h.Client.List(ctx, l); err != nil {
		return "", errors.Wrap(err, "cannot list events")
	}
	n := map[string]int{}
	for _, e := range l.Items {
		last := e.LastTimestamp.Time
		if e.EventTime.After(last) {
			last = e.EventTime.Time
		}
		if e.Series != nil && e.Series.LastObservedTime.After(last) {
			last = e.Series.LastObservedTime.Time
		}
		if last.Before(since) {
			continue
		}
		src := e.Source.Component
		if src == "" {
			src = e.ReportingController
		}
		n[fmt.Sprintf("%s %s %s %q", src, e.InvolvedObject.Kind, e.Reason, firstWords(e.Message, 8))]++
	}
	keys := make([]string, 0, len(n))
	for k := range n {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return n[keys[i]] > n[keys[j]] })
	if len(keys) > 5 {
		keys = keys[:5]
	}
	if len(keys) == 0 {
		return "none written in the window", nil
	}
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = fmt.Sprintf("%d× %s", n[k], k)
	}
	return strings.Join(out, " | "), nil
}

func firstWords(s string, n int) string {
	w := strings.Fields(s)
	if len(w) > n {
		w = w[:n]
	}
	return strings.Join(w, " ")
}

// CircuitBreaker reports core's XR circuit breaker counters: how often it opened and what it did
// with watch events.
func (h *Harness) CircuitBreaker(ctx context.Context) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.coreMetrics, nil)
	if err != nil {
		return "", errors.Wrap(err, "cannot ask core for its metrics")
	}
	rsp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", errors.Wrap(err, "cannot read core's metrics")
	}
	defer rsp.Body.Close() //nolint:errcheck // Read-only.
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(rsp.Body)
	if err != nil {
		return "", errors.Wrap(err, "cannot parse core's metrics")
	}
	var parts []string
	for name, f := range families {
		if !strings.Contains(name, "circuit_breaker") {
			continue
		}
		sum := map[string]float64{}
		for _, m := range f.GetMetric() {
			k := ""
			for _, l := range m.GetLabel() {
				if l.GetName() == "result" {
					k = "{" + l.GetValue() + "}"
				}
			}
			sum[k] += m.GetCounter().GetValue()
		}
		for k, v := range sum {
			parts = append(parts, fmt.Sprintf("%s%s %.0f", strings.TrimPrefix(name, "crossplane_"), k, v))
		}
	}
	sort.Strings(parts)
	return strings.Join(parts, ", "), nil
}
