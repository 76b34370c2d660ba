package examples

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// GatewayRouteCRDs are the TLSRoute and TCPRoute CRDs of the gateway-api module the function is
// built with: ../shared/crds/gateway-api holds the standard channel's HTTP and gRPC routes only, and
// TCPRoute is in the experimental channel alone. Both are upstream's files, unchanged. The render
// tests validate against them and the live harness installs them.
func GatewayRouteCRDs(ctx context.Context) ([]string, error) {
	out, err := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{.Dir}}", "sigs.k8s.io/gateway-api").Output()
	if err != nil {
		return nil, errors.Wrap(err, "cannot find the gateway-api module")
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "config", "crd")
	return []string{
		filepath.Join(dir, "standard", "gateway.networking.k8s.io_tlsroutes.yaml"),
		filepath.Join(dir, "experimental", "gateway.networking.k8s.io_tcproutes.yaml"),
	}, nil
}
