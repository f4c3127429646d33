package receiver

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"

	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	colmetricspb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
	"google.golang.org/protobuf/proto"
)

// OTLP/JSON writes trace and span ids as hex, where protojson expects bytes
// in base64. Hex digits are all base64 digits, so protojson decodes a 32-digit
// hex trace id into 24 bytes and a 16-digit span id into 12; re-encoding those
// bytes gives back the exact hex text (the lengths are multiples of four, so
// base64 is lossless here), which fixHex then decodes as hex. Ids already of
// the binary length were sent as base64 and are kept.
func hexIDs(msg proto.Message) error {
	var err error
	fix := func(id *[]byte, size int) {
		if err == nil {
			err = fixHex(id, size)
		}
	}
	switch m := msg.(type) {
	case *coltracepb.ExportTraceServiceRequest:
		for _, rs := range m.GetResourceSpans() {
			for _, ss := range rs.GetScopeSpans() {
				for _, sp := range ss.GetSpans() {
					fix(&sp.TraceId, 16)
					fix(&sp.SpanId, 8)
					fix(&sp.ParentSpanId, 8)
					for _, l := range sp.GetLinks() {
						fix(&l.TraceId, 16)
						fix(&l.SpanId, 8)
					}
				}
			}
		}
	case *collogspb.ExportLogsServiceRequest:
		for _, rl := range m.GetResourceLogs() {
			for _, sl := range rl.GetScopeLogs() {
				for _, lr := range sl.GetLogRecords() {
					fix(&lr.TraceId, 16)
					fix(&lr.SpanId, 8)
				}
			}
		}
	case *colmetricspb.ExportMetricsServiceRequest:
		for _, ex := range exemplars(m) {
			fix(&ex.TraceId, 16)
			fix(&ex.SpanId, 8)
		}
	}
	return err
}

func fixHex(id *[]byte, size int) error {
	if len(*id) == 0 || len(*id) == size {
		return nil
	}
	text := base64.StdEncoding.EncodeToString(*id)
	b, err := hex.DecodeString(text)
	if err != nil || len(b) != size {
		return fmt.Errorf("id %q is not %d hex digits", text, 2*size)
	}
	*id = b
	return nil
}

// exemplars lists every exemplar of a metrics request; they carry ids too.
func exemplars(m *colmetricspb.ExportMetricsServiceRequest) []*metricspb.Exemplar {
	var out []*metricspb.Exemplar
	for _, rm := range m.GetResourceMetrics() {
		for _, sm := range rm.GetScopeMetrics() {
			for _, met := range sm.GetMetrics() {
				out = append(out, metricExemplars(met)...)
			}
		}
	}
	return out
}

func metricExemplars(met *metricspb.Metric) []*metricspb.Exemplar {
	var out []*metricspb.Exemplar
	for _, p := range met.GetGauge().GetDataPoints() {
		out = append(out, p.GetExemplars()...)
	}
	for _, p := range met.GetSum().GetDataPoints() {
		out = append(out, p.GetExemplars()...)
	}
	for _, p := range met.GetHistogram().GetDataPoints() {
		out = append(out, p.GetExemplars()...)
	}
	for _, p := range met.GetExponentialHistogram().GetDataPoints() {
		out = append(out, p.GetExemplars()...)
	}
	return out
}
