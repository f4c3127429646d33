# telemetry-operator: build, test and package the operator and its sink.
# Every tool is pinned here and installed into bin/ on first use.

IMG ?= telemetry-operator:v0.1.0
DEMO_IMG ?= telemetry-demo:v0.1.0
POSTGRES_IMG ?= telemetry-e2e-postgres:v0.1.0
KIND_CLUSTER ?= telemetry-e2e
GOOS ?= linux
GOARCH ?= $(shell go env GOARCH)

LOCALBIN := $(CURDIR)/bin
export PATH := $(LOCALBIN):$(PATH)
GO_TEST_FLAGS ?=

CONTROLLER_TOOLS_VERSION ?= v0.23.0
GOLANGCI_LINT_VERSION ?= v2.15.0
KUSTOMIZE_VERSION ?= v5.7.1
KIND_VERSION ?= v0.33.0

CONTROLLER_GEN := $(LOCALBIN)/controller-gen
GOLANGCI_LINT := $(LOCALBIN)/golangci-lint
KUSTOMIZE := $(LOCALBIN)/kustomize
KIND := $(LOCALBIN)/kind
HELM := $(LOCALBIN)/helm
HELM_VERSION ?= v3.22.0

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
manifests: $(CONTROLLER_GEN) ## Generate the CRD and RBAC manifests and copy them into the Helm chart.
	CONTROLLER_GEN=$(CONTROLLER_GEN) hack/generate.sh manifests
	hack/sync-chart.sh

.PHONY: verify
verify: generate manifests ## Fail when generated files are stale.
	@if [ -n "$$(git status --porcelain -- api config charts)" ]; then \
		echo "generated files are stale; run 'make generate manifests' and commit:"; \
		git status --porcelain -- api config charts; git diff --stat -- api config charts; exit 1; fi
	@echo "generated files are up to date"

.PHONY: tidy
tidy: ## Fail when go.mod or go.sum (of the project or of hack/collector) is not what go mod tidy makes.
	@go mod tidy -diff || { echo "go.mod is not tidy; run 'go mod tidy' and commit"; exit 1; }
	@cd hack/collector && { go mod tidy -diff || { echo "hack/collector/go.mod is not tidy; run 'go mod tidy' there and commit"; exit 1; }; }
	@echo "go.mod and go.sum are tidy"

.PHONY: helm-lint
helm-lint: $(HELM) ## Lint the Helm chart.
	$(HELM) lint --strict charts/telemetry-operator

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
test: envtest postgres ## Install what the tests need, then run every test and each fuzz target for FUZZTIME (10s).
	KUBEBUILDER_ASSETS="$$(hack/envtest.sh)" go test $(GO_TEST_FLAGS) ./... -count=1
	hack/fuzz.sh

.PHONY: fuzz
fuzz: ## Run each native fuzz target for FUZZTIME (default 10s; FUZZ_MATCH narrows them).
	hack/fuzz.sh

.PHONY: bench
bench: envtest postgres ## Benchmark the sink (ingest and queries per store, one table), the stores and the webhook.
	hack/bench.sh

.PHONY: bench-compare
bench-compare: postgres ## Compare the sink with the OpenTelemetry Collector on this machine (builds both), one table.
	hack/bench-compare.sh

##@ Build

.PHONY: build
build: ## Build the manager and sink binaries into bin/.
	CGO_ENABLED=0 go build -o $(LOCALBIN)/manager ./cmd/manager
	CGO_ENABLED=0 go build -o $(LOCALBIN)/sink ./cmd/sink

.PHONY: docker-build
docker-build: ## Build the operator image (manager and sink binaries) as $(IMG).
	CGO_ENABLED=0 GOOS=$(GOOS) GOARCH=$(GOARCH) go build -trimpath -o bin/$(GOOS)_$(GOARCH)/manager ./cmd/manager
	CGO_ENABLED=0 GOOS=$(GOOS) GOARCH=$(GOARCH) go build -trimpath -o bin/$(GOOS)_$(GOARCH)/sink ./cmd/sink
	docker build --build-arg TARGETOS=$(GOOS) --build-arg TARGETARCH=$(GOARCH) -t $(IMG) .

.PHONY: docker-build-demo
docker-build-demo: ## Build the demo workload's image $(DEMO_IMG).
	CGO_ENABLED=0 GOOS=$(GOOS) GOARCH=$(GOARCH) go build -trimpath -o bin/$(GOOS)_$(GOARCH)/demoapp ./test/e2e/demoapp
	docker build --build-arg TARGETOS=$(GOOS) --build-arg TARGETARCH=$(GOARCH) -f test/e2e/images/demoapp/Dockerfile -t $(DEMO_IMG) .

.PHONY: docker-build-e2e
docker-build-e2e: docker-build-demo ## Build the e2e images: the demo workload and PostgreSQL ($(POSTGRES_IMG)).
	docker build -t $(POSTGRES_IMG) test/e2e/images/postgres

.PHONY: build-installer
build-installer: $(HELM) ## Render dist/install.yaml, the whole operator for kubectl apply -f.
	hack/build-installer.sh $(IMG)

##@ Test on kind

.PHONY: test-e2e
test-e2e: $(KIND) $(HELM) ## Run the e2e suite on a kind cluster (node image from KIND_NODE_IMAGE when set).
	IMG=$(IMG) DEMO_IMG=$(DEMO_IMG) POSTGRES_IMG=$(POSTGRES_IMG) KIND_CLUSTER=$(KIND_CLUSTER) \
		go test -tags e2e ./test/e2e/ -v -count=1 -timeout 45m

.PHONY: demo
demo: $(KIND) $(HELM) ## Start a kind cluster with the operator, a memory backend and the demo workload; print its traces.
	IMG=$(IMG) DEMO_IMG=$(DEMO_IMG) hack/demo.sh

##@ Dependencies

.PHONY: envtest
envtest: ## Provide kube-apiserver and etcd for envtest in bin/k8s (downloaded, cached or built).
	@hack/envtest.sh >/dev/null

.PHONY: postgres
postgres: ## Install PostgreSQL's server binaries for the store tests when missing.
	@hack/postgres.sh

.PHONY: tools
tools: $(CONTROLLER_GEN) $(GOLANGCI_LINT) $(KUSTOMIZE) $(KIND) $(HELM) ## Install every pinned tool into bin/.

$(CONTROLLER_GEN):
	GOBIN=$(LOCALBIN) go install sigs.k8s.io/controller-tools/cmd/controller-gen@$(CONTROLLER_TOOLS_VERSION)

$(GOLANGCI_LINT):
	GOBIN=$(LOCALBIN) go install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)

$(KUSTOMIZE):
	GOBIN=$(LOCALBIN) go install sigs.k8s.io/kustomize/kustomize/v5@$(KUSTOMIZE_VERSION)

$(KIND):
	GOBIN=$(LOCALBIN) go install sigs.k8s.io/kind@$(KIND_VERSION)

$(HELM):
	GOBIN=$(LOCALBIN) go install helm.sh/helm/v3/cmd/helm@$(HELM_VERSION)
