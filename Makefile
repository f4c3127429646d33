# telemetry-operator: build, test and package the operator and its sink.
# Every tool is pinned here and installed into bin/ on first use.

IMG ?= telemetry-operator:v0.1.0
KIND_CLUSTER ?= telemetry-e2e

LOCALBIN := $(CURDIR)/bin
export PATH := $(LOCALBIN):$(PATH)
GO_TEST_FLAGS ?=

CONTROLLER_TOOLS_VERSION ?= v0.23.0
GOLANGCI_LINT_VERSION ?= v2.15.0
KUSTOMIZE_VERSION ?= v5.8.3
KIND_VERSION ?= v0.33.0

CONTROLLER_GEN := $(LOCALBIN)/controller-gen
GOLANGCI_LINT := $(LOCALBIN)/golangci-lint
KUSTOMIZE := $(LOCALBIN)/kustomize
KIND := $(LOCALBIN)/kind

.DEFAULT_GOAL := help

##@ General

.PHONY: help
help: ## Show the targets.
	@awk 'BEGIN {FS = ":.*##"; printf "Usage: make <target>\n"} /^[a-zA-Z_0-9-]+:.*?##/ { printf "  %-18s %s\n", $$1, $$2 } /^##@/ { printf "\n%s\n", substr($$0, 5) }' $(MAKEFILE_LIST)

##@ Development

.PHONY: generate
generate: $(CONTROLLER_GEN) ## Generate deepcopy code for the API types.
	CONTROLLER_GEN=$(CONTROLLER_GEN) hack/generate.sh generate

.PHONY: manifests
manifests: $(CONTROLLER_GEN) ## Generate the CRD, RBAC and webhook manifests.
	CONTROLLER_GEN=$(CONTROLLER_GEN) hack/generate.sh manifests

.PHONY: verify
verify: generate manifests ## Fail when generated files are stale.
	@if [ -n "$$(git status --porcelain -- api config)" ]; then \
		echo "generated files are stale; run 'make generate manifests' and commit:"; \
		git status --porcelain -- api config; git diff --stat -- api config; exit 1; fi
	@echo "generated files are up to date"

.PHONY: fmt
fmt: ## Run go fmt.
	go fmt ./...

.PHONY: vet
vet: ## Run go vet.
	go vet ./...

.PHONY: lint
lint: $(GOLANGCI_LINT) ## Run golangci-lint with .golangci.yml.
	$(GOLANGCI_LINT) run ./...

.PHONY: test
test: envtest postgres ## Install what the tests need, then run every test.
	KUBEBUILDER_ASSETS="$$(hack/envtest.sh)" go test $(GO_TEST_FLAGS) ./... -count=1

.PHONY: bench
bench: postgres ## Run the store and sink benchmarks and print one table.
	hack/bench.sh

##@ Build

.PHONY: build
build: ## Build the manager and sink binaries into bin/.
	CGO_ENABLED=0 go build -o $(LOCALBIN)/manager ./cmd/manager
	CGO_ENABLED=0 go build -o $(LOCALBIN)/sink ./cmd/sink

##@ Dependencies

.PHONY: envtest
envtest: ## Provide kube-apiserver and etcd for envtest in bin/k8s (downloaded, cached or built).
	@hack/envtest.sh >/dev/null

.PHONY: postgres
postgres: ## Install PostgreSQL's server binaries for the store tests when missing.
	@hack/postgres.sh

$(CONTROLLER_GEN):
	GOBIN=$(LOCALBIN) go install sigs.k8s.io/controller-tools/cmd/controller-gen@$(CONTROLLER_TOOLS_VERSION)

$(GOLANGCI_LINT):
	GOBIN=$(LOCALBIN) go install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)

$(KUSTOMIZE):
	GOBIN=$(LOCALBIN) go install sigs.k8s.io/kustomize/kustomize/v5@$(KUSTOMIZE_VERSION)

$(KIND):
	GOBIN=$(LOCALBIN) go install sigs.k8s.io/kind@$(KIND_VERSION)
