#!/usr/bin/env bash
# make demo: a kind cluster with the operator installed by Helm, a memory
# TelemetryBackend, the demo workload opted in by one annotation, and the
# traces it sent, read back from the sink's query API.
# KIND_NODE_IMAGE picks the node image (kind's default when unset).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
CLUSTER=${DEMO_CLUSTER:-telemetry-demo}
IMG=${IMG:-telemetry-operator:v0.1.0}
DEMO_IMG=${DEMO_IMG:-telemetry-demo:v0.1.0}
KUBECONFIG_FILE="$ROOT/bin/$CLUSTER.kubeconfig"
kind="$ROOT/bin/kind"
helm="$ROOT/bin/helm"
step() { printf '\n== %s\n' "$*"; }
k() { kubectl --kubeconfig "$KUBECONFIG_FILE" "$@"; }

step "kind cluster $CLUSTER"
if ! "$kind" get clusters 2>/dev/null | grep -qx "$CLUSTER"; then
	"$kind" create cluster --name "$CLUSTER" --wait 120s ${KIND_NODE_IMAGE:+--image "$KIND_NODE_IMAGE"}
fi
"$kind" export kubeconfig --name "$CLUSTER" --kubeconfig "$KUBECONFIG_FILE"

step "images $IMG and $DEMO_IMG"
make --no-print-directory docker-build IMG="$IMG"
make --no-print-directory docker-build-demo DEMO_IMG="$DEMO_IMG"
"$kind" load docker-image "$IMG" "$DEMO_IMG" --name "$CLUSTER"

step "helm install telemetry-operator"
"$helm" upgrade --install telemetry-operator charts/telemetry-operator --kubeconfig "$KUBECONFIG_FILE" \
	--namespace telemetry-system --create-namespace --wait --timeout 3m \
	--set image.repository="${IMG%:*}" --set image.tag="${IMG##*:}"

step "a memory TelemetryBackend and the demo workload in namespace demo"
k create namespace demo --dry-run=client -o yaml | k apply -f -
k apply -n demo -f - <<YAML
apiVersion: telemetry.spark.dev/v1alpha1
kind: TelemetryBackend
metadata:
  name: dev
spec:
  type: memory
  memory: {}
  buffer:
    exportInterval: 1s
YAML
k wait -n demo --for=condition=Ready telemetrybackend/dev --timeout=120s
k apply -n demo -f - <<YAML
apiVersion: apps/v1
kind: Deployment
metadata:
  name: demoapp
spec:
  replicas: 1
  selector:
    matchLabels: {app: demoapp}
  template:
    metadata:
      labels: {app: demoapp, app.kubernetes.io/name: demoapp}
      annotations:
        telemetry.spark.dev/inject: "true"
    spec:
      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
      containers:
        - name: demoapp
          image: $DEMO_IMG
          imagePullPolicy: IfNotPresent
          env: [{name: DEMO_INTERVAL, value: 1s}]
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: {drop: [ALL]}
YAML
k rollout status -n demo deployment/demoapp --timeout=120s
pod=$(k get pods -n demo -l app=demoapp -o jsonpath='{.items[0].metadata.name}')
echo "pod $pod: $(k get pod -n demo "$pod" -o jsonpath='{.metadata.annotations.telemetry\.spark\.dev/injection-status}')"
k get pod -n demo "$pod" -o jsonpath='{range .spec.containers[0].env[*]}{.name}={.value}{"\n"}{end}' | grep '^OTEL_'

step "traces of the demo workload, from the sink's query API"
path="/api/v1/namespaces/demo/services/dev-sink:8080/proxy/api/v1/traces?limit=10"
for _ in $(seq 1 60); do
	out=$(k get --raw "$path" 2>/dev/null || true)
	if echo "$out" | grep -q '"traceId"'; then break; fi
	sleep 2
done
echo "$out" | { command -v jq >/dev/null && jq . || cat; }
cat <<TXT

The cluster stays up: KUBECONFIG=$KUBECONFIG_FILE kubectl get tb -A
Query more:  kubectl --kubeconfig $KUBECONFIG_FILE get --raw '/api/v1/namespaces/demo/services/dev-sink:8080/proxy/api/v1/metrics/aggregate?name=demo.orders'
Remove it:   bin/kind delete cluster --name $CLUSTER
TXT
