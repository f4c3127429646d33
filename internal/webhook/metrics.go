package webhook

import (
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/spark-dev/telemetry-operator/internal/webhook/inject"
)

// injections counts outcomes on the manager's /metrics, so a rise in
// failures shows on a dashboard before anyone reads a pod's annotations.
var injections = prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: "telemetry_operator_pod_injections_total",
	Help: "Pods seen by the injection webhook that opted in or out, by outcome (injected, skipped, error).",
}, []string{"outcome"})

func init() {
	metrics.Registry.MustRegister(injections)
}

// countOutcome adds status to the counter under its first word.
func countOutcome(status string) {
	outcome, _, _ := strings.Cut(status, ":")
	if status == inject.StatusInjected {
		outcome = status
	}
	injections.WithLabelValues(outcome).Inc()
}
