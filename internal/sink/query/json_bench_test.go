package query

import (
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// BenchmarkWriteJSON measures writing answers as the handlers do: a page of
// 10 traces, 1000 metric points, and the same points with one NaN value,
// which encodeNonFinite encodes again.
func BenchmarkWriteJSON(b *testing.B) {
	resource := store.Attributes{"service.name": "checkout", "k8s.namespace.name": "shop",
		"k8s.pod.name": "checkout-7d9f8-abcde", "host.name": "node-1", "telemetry.sdk.language": "go"}
	traces := make([]store.Trace, 10)
	for i := range traces {
		traces[i] = store.Trace{TraceID: fmt.Sprintf("%032x", i), Name: "GET /cart", StartTime: when,
			EndTime: when.Add(time.Second), Duration: 1, Status: store.TraceCompleted, SpanCount: 10, Attributes: resource}
	}
	metrics := make([]store.Metric, 1000)
	for i := range metrics {
		metrics[i] = store.Metric{MetricID: fmt.Sprintf("%032x", i), Name: "latency", Value: float64(i) / 7,
			Unit: "ms", AggregationType: store.AggregationGauge, Timestamp: when,
			Attributes: store.Attributes{"route": "/cart", "code": int64(200)}, Resource: resource}
	}
	withNaN := append([]store.Metric(nil), metrics...)
	withNaN[500].Value = math.NaN()
	for _, bc := range []struct {
		name string
		v    any
	}{
		{"10 traces", map[string]any{"traces": traces}},
		{"1000 metrics", map[string]any{"metrics": metrics}},
		{"1000 metrics with a NaN", map[string]any{"metrics": withNaN}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			w := httptest.NewRecorder()
			for b.Loop() {
				w.Body.Reset()
				writeJSON(w, http.StatusOK, bc.v)
			}
			b.SetBytes(int64(w.Body.Len()))
		})
	}
}
