#!/usr/bin/env bash
# Regenerates what controller-gen derives from the Go types and markers:
#   hack/generate.sh generate   deepcopy functions (api/v1alpha1/zz_generated.deepcopy.go)
#   hack/generate.sh manifests  the CRD (config/crd/bases) and the manager's ClusterRole (config/rbac/role.yaml)
#   hack/generate.sh            both
# controller-gen is pinned and installed into bin/ on first use, so the output
# is the same on every machine.
set -euo pipefail

CONTROLLER_TOOLS_VERSION=${CONTROLLER_TOOLS_VERSION:-v0.23.0}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CONTROLLER_GEN=${CONTROLLER_GEN:-$ROOT/bin/controller-gen}
cd "$ROOT"

ensure_controller_gen() {
	if [ -x "$CONTROLLER_GEN" ] && "$CONTROLLER_GEN" --version 2>/dev/null | grep -q "$CONTROLLER_TOOLS_VERSION"; then
		return
	fi
	GOBIN="$ROOT/bin" go install "sigs.k8s.io/controller-tools/cmd/controller-gen@$CONTROLLER_TOOLS_VERSION"
}

generate() {
	"$CONTROLLER_GEN" object:headerFile=hack/boilerplate.go.txt paths=./api/...
}

manifests() {
	"$CONTROLLER_GEN" crd rbac:roleName=manager-role \
		paths=./... \
		output:crd:artifacts:config=config/crd/bases \
		output:rbac:artifacts:config=config/rbac
}

ensure_controller_gen
case "${1:-all}" in
generate) generate ;;
manifests) manifests ;;
all) generate && manifests ;;
*) echo "usage: $0 [generate|manifests|all]" >&2; exit 2 ;;
esac
