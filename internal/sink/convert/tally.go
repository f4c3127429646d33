package convert

import "github.com/spark-dev/telemetry-operator/internal/sink/telemetry"

// outcome is what became of some records of one signal; reason is empty for
// received, "sampled" for sampled out, else a telemetry drop reason.
type outcome struct{ signal, reason string }

const (
	received = ""
	sampled  = "sampled"
)

// tally counts the outcomes of one request, so that the shared Prometheus
// counters are touched once per request rather than once per record.
type tally map[outcome]int

func (t tally) add(signal, reason string, n int) {
	if n > 0 {
		t[outcome{signal, reason}] += n
	}
}

func (t tally) flush(m *telemetry.Metrics) {
	for o, n := range t {
		switch o.reason {
		case received:
			m.Received.WithLabelValues(o.signal).Add(float64(n))
		case sampled:
			m.SampledOut.WithLabelValues(o.signal).Add(float64(n))
		default:
			m.Dropped.WithLabelValues(o.signal, o.reason).Add(float64(n))
		}
	}
}
