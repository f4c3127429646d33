package convert

import "github.com/spark-dev/telemetry-operator/internal/sink/sinkmetrics"

const (
	received = ""
	sampled  = "sampled"
)

// The signals and outcomes a tally counts; an outcome is received, sampled
// out, or a telemetry drop reason.
var (
	tallySignals = [...]string{sinkmetrics.SignalSpans, sinkmetrics.SignalEvents, sinkmetrics.SignalMetrics, sinkmetrics.SignalLogs}
	tallyReasons = [...]string{received, sampled, sinkmetrics.ReasonInvalid, sinkmetrics.ReasonDisabled}
)

// tally counts the outcomes of one request, so that the shared Prometheus
// counters are touched once per request rather than once per record. It is
// an array, not a map: it is updated for every span.
type tally struct {
	n [len(tallySignals)][len(tallyReasons)]int
}

func newTally() *tally { return &tally{} }

func (t *tally) add(signal, reason string, n int) {
	if n <= 0 {
		return
	}
	s, r := index(tallySignals[:], signal), index(tallyReasons[:], reason)
	if s < 0 || r < 0 {
		panic("convert: tally of an unknown signal or reason: " + signal + "/" + reason)
	}
	t.n[s][r] += n
}

// count is what the tally holds of one signal and outcome.
func (t *tally) count(signal, reason string) int {
	return t.n[index(tallySignals[:], signal)][index(tallyReasons[:], reason)]
}

func index(names []string, name string) int {
	for i, n := range names {
		if n == name {
			return i
		}
	}
	return -1
}

func (t *tally) flush(m *sinkmetrics.Metrics) {
	for s, counts := range t.n {
		for r, n := range counts {
			if n == 0 {
				continue
			}
			signal, reason := tallySignals[s], tallyReasons[r]
			switch reason {
			case received:
				m.Received.WithLabelValues(signal).Add(float64(n))
			case sampled:
				m.SampledOut.WithLabelValues(signal).Add(float64(n))
			default:
				m.Dropped.WithLabelValues(signal, reason).Add(float64(n))
			}
		}
	}
}
