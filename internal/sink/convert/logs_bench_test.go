package convert_test

import (
	"testing"

	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	"google.golang.org/protobuf/proto"

	"github.com/spark-dev/telemetry-operator/internal/sink/convert"
	"github.com/spark-dev/telemetry-operator/internal/sink/sampler"
	"github.com/spark-dev/telemetry-operator/internal/sink/sinkmetrics"
	"github.com/spark-dev/telemetry-operator/test/bench/loadgen"
)

// BenchmarkLogs is the receiver's work per log export request of 100
// plain lines (loadgen's shape): protobuf's decoding, then the mapping onto
// records with their content ids.
func BenchmarkLogs(b *testing.B) {
	tmpl, err := loadgen.LogTemplateOf(100, 4)
	if err != nil {
		b.Fatal(err)
	}
	raw := tmpl.Request(1, nil)
	c := &convert.Converter{Sampler: sampler.New(1), Signals: all, Telemetry: sinkmetrics.New(), LogEvents: true}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		req := &collogspb.ExportLogsServiceRequest{}
		if err := proto.Unmarshal(raw, req); err != nil {
			b.Fatal(err)
		}
		c.Logs(req)
	}
}
