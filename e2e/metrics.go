package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"k8s.io/client-go/kubernetes"

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

// writeVerbs are the API requests that change something.
var writeVerbs = map[string]bool{"POST": true, "PUT": true, "PATCH": true, "APPLY": true, "DELETE": true}

// apiWrites reads the API server's own count of write requests, by resource (and subresource).
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
		out[r] += m.GetCounter().GetValue()
	}
	return out, nil
}

// SteadyWrites measures the API writes per app (of apps) per minute over window, by resource, when nothing
// should change: every write then is someone's needless churn.
func (h *Harness) SteadyWrites(ctx context.Context, apps int, window time.Duration) (string, error) {
	before, err := h.apiWrites(ctx)
	if err != nil {
		return "", err
	}
	time.Sleep(window)
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
	return strings.Join(parts, ", "), nil
}
