// Package e2e runs xapp the way a platform team installs it, in a real control plane on one machine,
// without Docker: etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok (simulated
// nodes, so pods run and Deployments become Available), Crossplane core with its webhooks, its RBAC
// manager and the External package runtime, and an in-process loopback OCI registry holding the
// packages `make package` built. Only the Configuration is installed; Crossplane resolves the function
// and the provider from its dependencies, and the harness then does what a package runtime would: it
// runs their binaries with the certificates Crossplane expects and reports their endpoints.
//
// Everything a test may need to see live is real except the systems outside Kubernetes: the CMDBs are
// the protocol-faithful test servers of provider-cmdb, and a gateway controller and CloudNativePG are
// stood in for by small controllers that write the status the real ones write.
//
// Core runs as its ServiceAccount with exactly the permissions Crossplane's Helm chart grants it plus
// what xapp ships, so a permission xapp forgot fails here as it would in a user's cluster.
//
// The harness is plain Go so later tests (policy, day two) can reuse it; the tests in this package
// are its first users. They run under `make e2e` (part of `make test`), which builds the binaries once
// and passes their paths in XAPP_* variables; plain `go test ./...` skips them.
package e2e
