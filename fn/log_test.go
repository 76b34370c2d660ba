package fn

import (
	"strings"
	"testing"

	"github.com/go-logr/logr/funcr"
	"k8s.io/utils/ptr"

	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// TestLogResultSaysTheVerdict: the debug line per request carries the AppReady the function
// answered, so what Crossplane shows (core v2.4 can write stale conditions back) can be checked
// against what the function said.
func TestLogResultSaysTheVerdict(t *testing.T) {
	var lines []string
	log := logging.NewLogrLogger(funcr.New(func(_, args string) { lines = append(lines, args) }, funcr.Options{Verbosity: 1}))
	rsp := &fnv1.RunFunctionResponse{Conditions: []*fnv1.Condition{{
		Type: ConditionAppReady, Status: fnv1.Status_STATUS_CONDITION_FALSE, Reason: ReasonWaiting,
		Message: ptr.To("Deployment shop: applying the app's new spec"),
	}}}
	New(log).logResult("team-shop/shop", rsp)
	want := `"appReady"="STATUS_CONDITION_FALSE Waiting: Deployment shop: applying the app's new spec"`
	if len(lines) != 1 || !strings.Contains(lines[0], want) || !strings.Contains(lines[0], `"xr"="team-shop/shop"`) {
		t.Errorf("logResult() logged %q, want one line with %s", lines, want)
	}
}
