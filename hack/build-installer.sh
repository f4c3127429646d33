#!/usr/bin/env bash
# Renders the Helm chart with its defaults into dist/install.yaml, a single
# file for `kubectl apply -f` that installs the operator in telemetry-system.
# Usage: hack/build-installer.sh IMAGE (repository:tag).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
IMG=${1:?usage: $0 repository:tag}
NS=${NAMESPACE:-telemetry-system}
mkdir -p "$ROOT/dist"
{
	cat <<YAML
# telemetry-operator: kubectl apply -f dist/install.yaml
apiVersion: v1
kind: Namespace
metadata:
  name: $NS
  labels:
    pod-security.kubernetes.io/enforce: restricted
YAML
	"$ROOT/bin/helm" template telemetry-operator "$ROOT/charts/telemetry-operator" \
		--namespace "$NS" --kube-version "${KUBE_VERSION:-1.37.0}" --set image.repository="${IMG%:*}" --set image.tag="${IMG##*:}"
} >"$ROOT/dist/install.yaml"
echo "wrote dist/install.yaml ($(grep -c '^kind:' "$ROOT/dist/install.yaml") objects)"
