# xapp: `make help` lists the targets. Heavy tools are built once from the pinned modules in tools/
# into $(CACHE); a folder is keyed by its module's go.mod + go.sum, so bumping a pin rebuilds it.

SHELL := /usr/bin/env bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/xapp
FUZZTIME ?= 10s
# What go generate writes; generate-check fails when a run changes any of it.
GENERATED := apis input package fn provider README.md

# A tool's folder is keyed by its pins and by any ldflags it is built with ($(2)), so a changed flag
# rebuilds it too.
toolhash = $(shell { cat tools/$(1)/go.mod tools/$(1)/go.sum; echo '$(2)'; } | sha256sum | cut -c1-12)
tooldir = $(CACHE)/tools/$(1)-$(call toolhash,$(1),$(2))

CROSSPLANE      := $(call tooldir,crossplane-cli)/crossplane
# Core refuses every package ("invalid semantic version") unless it knows its own version.
CORE_LDFLAGS    := -X github.com/crossplane/crossplane-runtime/v2/pkg/version.version=v2.4.0
CROSSPLANE_CORE := $(call tooldir,crossplane-core,$(CORE_LDFLAGS))/crossplane
CODEGEN_DIR     := $(call tooldir,codegen)
ETCD_DIR        := $(call tooldir,etcd)
KUBE_DIR        := $(call tooldir,kube)
KWOK            := $(call tooldir,kwok)/kwok
GOLANGCI_LINT   := $(call tooldir,golangci-lint)/golangci-lint
# The project's own binaries are per checkout: two worktrees must never test each other's builds.
FUNCTION_BIN    := $(abspath _output/bin)/function-xapp
PROVIDER_BIN    := $(abspath _output/bin)/provider-cmdb
ENVTEST_DIR     := $(CACHE)/envtest/$(call toolhash,etcd)-$(call toolhash,kube)

# Where the packages are published: the Configuration depends on the function and provider there.
REGISTRY ?= registry.example.com/xapp
VERSION  ?= v0.1.0

KUBE_VERSION := v1.35.4
KUBE_LDFLAGS := -X k8s.io/component-base/version.gitVersion=$(KUBE_VERSION) \
	-X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=35

# What the tests read to find the real binaries (they fail with this hint when one is missing).
TEST_ENV := XAPP_CROSSPLANE=$(CROSSPLANE) XAPP_CROSSPLANE_CORE=$(CROSSPLANE_CORE) \
	XAPP_FUNCTION_BIN=$(FUNCTION_BIN) XAPP_PROVIDER_BIN=$(PROVIDER_BIN) XAPP_SHARED=$(abspath ../shared) \
	KUBEBUILDER_ASSETS=$(or $(KUBEBUILDER_ASSETS),$(ENVTEST_DIR))

# What the end-to-end tests read (they skip without XAPP_E2E, and fail with a hint when a path is
# missing). The core module's folder holds the CRDs, webhook configurations and Helm chart of the
# same version as the core binary; it is read lazily, only when e2e runs.
E2E_ENV = XAPP_E2E=1 XAPP_CROSSPLANE=$(CROSSPLANE) XAPP_ETCD=$(ETCD_DIR)/etcd XAPP_KUBE_DIR=$(KUBE_DIR) XAPP_KWOK=$(KWOK) \
	XAPP_CROSSPLANE_CORE=$(CROSSPLANE_CORE) \
	XAPP_CROSSPLANE_SOURCE=$$(cd tools/crossplane-core && GOFLAGS=-mod=readonly go list -m -f '{{.Dir}}' github.com/crossplane/crossplane/v2) \
	XAPP_PACKAGES=$(abspath _output) XAPP_REGISTRY=$(REGISTRY) XAPP_VERSION=$(VERSION) \
	XAPP_FUNCTION_BIN=$(FUNCTION_BIN) XAPP_PROVIDER_BIN=$(PROVIDER_BIN) XAPP_SHARED=$(abspath ../shared) \
	XAPP_RBAC=$(abspath package/rbac/clusterrole.yaml)

##@ Main

.PHONY: render
render: $(CROSSPLANE) $(CROSSPLANE_CORE) build ## Render the example app through the real Crossplane CLI and print the resources.
	@XAPP_CROSSPLANE=$(CROSSPLANE) XAPP_CROSSPLANE_CORE=$(CROSSPLANE_CORE) XAPP_FUNCTION_BIN=$(FUNCTION_BIN) \
		go run ./hack/render $(or $(EXAMPLE),examples/full)

.PHONY: test
test: tools build generate-check lint ## Everything: generated code current, lint, unit, fuzz, render + validate, provider tests, e2e.
	$(TEST_ENV) go test -count=1 ./...
	$(MAKE) --no-print-directory e2e
	$(MAKE) --no-print-directory fuzz
	go test -count=1 -run='^$$' -bench=. -benchtime=200x ./fn/

.PHONY: e2e
e2e: $(ETCD_DIR)/etcd $(KUBE_DIR)/kube-apiserver $(KWOK) $(CROSSPLANE_CORE) package ## Live end to end: a real control plane with Crossplane, xapp installed from its packages (see e2e/).
	$(E2E_ENV) go test -count=1 -v -timeout=15m ./e2e/

##@ Development

# The fast loop: packages whose tests need no built tool (no CLI, control plane or binaries); with
# -short the provider's controller package runs its reconcilers against the fakes and the short fault
# soak, and skips its envtest tests; the policy package judges its corpus by the Go path and skips
# the agreement test, which needs a kube-apiserver.
UNIT_PKGS := ./fn/... ./internal/pbjson/... ./internal/policy/... ./apis/... ./input/... ./hack/... ./provider/...
# Fuzz targets, as package:target.
FUZZ_TARGETS := ./fn/:FuzzRunFunction ./internal/pbjson/:FuzzDecode ./internal/pbjson/:FuzzAppendWire

.PHONY: unit
unit: ## Tests that need no built tool: the function, the codec, the provider's clients, reconcilers and short fault soak.
	go test -short -count=1 $(UNIT_PKGS)

.PHONY: fuzz
fuzz: ## Run each fuzz target for FUZZTIME (default 10s; e.g. FUZZTIME=10m, or FUZZTIME=1000000x executions).
	@for t in $(FUZZ_TARGETS); do \
		echo "fuzzing $${t#*:} for $(FUZZTIME)"; \
		go test -count=1 -run='^$$' -fuzz="^$${t#*:}$$" -fuzztime=$(FUZZTIME) -fuzzminimizetime=5s $${t%%:*} || exit 1; \
	done

.PHONY: build
build: ## Build the function and provider binaries into _output/bin.
	CGO_ENABLED=0 go build -trimpath -o $(FUNCTION_BIN) ./fn/cmd/function-xapp
	CGO_ENABLED=0 go build -trimpath -o $(PROVIDER_BIN) ./provider/cmd/provider-cmdb

.PHONY: generate
generate: $(CODEGEN_DIR)/controller-gen ## Regenerate CRDs, XRDs and deepcopy code (go generate ./...).
	PATH=$(CODEGEN_DIR):$$PATH go generate ./...

.PHONY: generate-check
generate-check: $(CODEGEN_DIR)/controller-gen ## Fail when go generate changes the tree (generated code is stale).
	@state() { git diff HEAD -- $(GENERATED); git ls-files -o --exclude-standard -- $(GENERATED) | xargs -r sha256sum; }; \
	before=$$(state | sha256sum); PATH=$(CODEGEN_DIR):$$PATH go generate ./...; after=$$(state | sha256sum); \
	if [[ "$$before" != "$$after" ]]; then git status --short -- $(GENERATED); \
		echo "generated files were stale: go generate changed them; review and commit the result" >&2; exit 1; fi

.PHONY: lint
lint: $(GOLANGCI_LINT) ## Run golangci-lint (config: .golangci.yml).
	$(GOLANGCI_LINT) run --allow-parallel-runners ./...

.PHONY: soak
soak: ## Long fault soak: provider-cmdb's reconcilers against both CMDB test servers, 20% of calls failing; prints the counts.
	XAPP_SOAK=long go test -count=1 -timeout 30m -run '^TestFaultSoak$$' -v ./provider/internal/controller/

.PHONY: bench
bench: build ## Go benchmarks plus fnbench over gRPC against the real binary (see hack/fnbench.sh).
	go test -run='^$$' -bench=. -benchmem -count=5 ./fn/
	hack/fnbench.sh $(FUNCTION_BIN) $(CACHE)/bin

.PHONY: package
package: $(CROSSPLANE) build ## Build the function, provider and configuration packages into _output/ (no Docker).
	go run ./hack/package -crossplane $(CROSSPLANE) -function-bin $(FUNCTION_BIN) -provider-bin $(PROVIDER_BIN) \
		-registry $(REGISTRY) -version $(VERSION) -out _output

.PHONY: tools
tools: $(CROSSPLANE) $(CROSSPLANE_CORE) $(CODEGEN_DIR)/controller-gen $(ETCD_DIR)/etcd $(KUBE_DIR)/kube-apiserver $(KWOK) $(GOLANGCI_LINT) $(ENVTEST_DIR) ## Build every pinned tool into $(CACHE) (once).

.PHONY: envtest
envtest: $(ENVTEST_DIR) ## Build kube-apiserver + etcd for envtest and print the KUBEBUILDER_ASSETS folder.
	@echo $(ENVTEST_DIR)

.PHONY: clean
clean: ## Remove this project's cache folder (tools rebuild on next use).
	rm -rf $(CACHE)

.PHONY: help
help: ## Show this help.
	@awk 'BEGIN {FS = ":.*##"} /^[a-zA-Z_-]+:.*##/ {printf "  \033[36m%-15s\033[0m %s\n", $$1, $$2} /^##@/ {printf "\n%s\n", substr($$0, 5)}' $(MAKEFILE_LIST)

# Tool binaries: the targets are files, so make skips them when the cache already has them.
$(CROSSPLANE):
	hack/build-tool.sh tools/crossplane-cli $(@D) "" github.com/crossplane/cli/v2/cmd/crossplane
$(CROSSPLANE_CORE):
	hack/build-tool.sh tools/crossplane-core $(@D) "$(CORE_LDFLAGS)" github.com/crossplane/crossplane/v2/cmd/crossplane
$(CODEGEN_DIR)/controller-gen:
	hack/build-tool.sh tools/codegen $(@D) "" sigs.k8s.io/controller-tools/cmd/controller-gen github.com/crossplane/crossplane-tools/cmd/angryjet
$(ETCD_DIR)/etcd:
	hack/build-tool.sh tools/etcd $(@D) "" go.etcd.io/etcd/server/v3=etcd
$(KUBE_DIR)/kube-apiserver:
	hack/build-tool.sh tools/kube $(@D) "$(KUBE_LDFLAGS)" k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl
$(KWOK):
	hack/build-tool.sh tools/kwok $(@D) "" sigs.k8s.io/kwok/cmd/kwok
$(GOLANGCI_LINT):
	hack/build-tool.sh tools/golangci-lint $(@D) "" github.com/golangci/golangci-lint/v2/cmd/golangci-lint
# envtest wants kube-apiserver and etcd side by side (KUBEBUILDER_ASSETS).
$(ENVTEST_DIR): $(ETCD_DIR)/etcd $(KUBE_DIR)/kube-apiserver
	mkdir -p $@ && ln -sf $(ETCD_DIR)/etcd $(KUBE_DIR)/kube-apiserver $(KUBE_DIR)/kube-controller-manager $(KUBE_DIR)/kubectl $@/
