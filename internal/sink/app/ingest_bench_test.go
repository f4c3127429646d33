package app_test

import (
	"context"
	"testing"

	"github.com/spark-dev/telemetry-operator/internal/sink/config"
	"github.com/spark-dev/telemetry-operator/internal/sink/convert"
	"github.com/spark-dev/telemetry-operator/internal/sink/sampler"
	"github.com/spark-dev/telemetry-operator/internal/sink/sinkmetrics"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/memory"
	"github.com/spark-dev/telemetry-operator/test/bench/loadgen"
)

// BenchmarkIngest is the sink's work per request between the receiver and
// the memory store, without the transport: converting a 100-span request
// (loadgen's shape, fresh ids each time) and writing it, through the
// encoded path the sink takes and through the record path it took before.
func BenchmarkIngest(b *testing.B) {
	tmpl, err := loadgen.TraceTemplate(loadgen.Shape{Traces: 10, SpansPerTrace: 10, Attributes: 4})
	if err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		encoded bool
	}{{"encoded", true}, {"records", false}} {
		b.Run(tc.name, func(b *testing.B) {
			conv := &convert.Converter{Sampler: sampler.New(1), Telemetry: sinkmetrics.New(), Encoded: tc.encoded, Heads: tc.encoded,
				Signals: convert.Signals{Traces: true, Events: true, Metrics: true}}
			s := memory.New(config.Memory{})
			defer func() { _ = s.Close() }()
			var buf []byte
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				buf = tmpl.Request(uint64(i), buf)
				raw := append([]byte(nil), buf...) // as the receiver owns each request
				var batch convert.Converted
				if tc.encoded {
					batch, err = conv.TracesEncoded(raw)
				} else {
					batch, err = conv.TracesProto(raw)
				}
				if err != nil {
					b.Fatal(err)
				}
				if err := s.Write(context.Background(), batch.Batch); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*100)/b.Elapsed().Seconds(), "spans/s")
		})
	}
}
