package memory

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/config"
	"github.com/spark-dev/telemetry-operator/internal/sink/otlpwire"
	"github.com/spark-dev/telemetry-operator/internal/sink/otlpwire/otlpwiretest"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// Chunks whose spans were all evicted are let go, and their slots reused,
// so that a long-running store holds only what its limits allow.
func TestEvictedChunksAreReleased(t *testing.T) {
	s := New(config.Memory{MaxTraces: 5})
	t0 := time.Unix(1000, 0)
	for n := range 200 {
		spans := make([]store.Span, 3)
		for i := range spans {
			spans[i] = store.Span{TraceID: fmt.Sprintf("%032x", n+1), SpanID: fmt.Sprintf("%016x", 3*n+i+1),
				Name: "op", Kind: "internal", Status: store.SpanStatusUnset, StartTime: t0, EndTime: t0}
		}
		raw, err := otlpwire.EncodeSpans(spans)
		if err != nil {
			t.Fatal(err)
		}
		enc, err := otlpwiretest.Encoded(raw, true)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Write(context.Background(), &store.Batch{Encoded: []store.Encoded{enc}}); err != nil {
			t.Fatal(err)
		}
	}
	live := 0
	for _, c := range s.chunks.all {
		if c != nil {
			live++
		}
	}
	if live != 5 || len(s.chunks.all) > 7 || s.spanCount != 15 {
		t.Fatalf("%d chunks live in a table of %d, %d spans; want 5 chunks (one per kept trace) and 15 spans",
			live, len(s.chunks.all), s.spanCount)
	}
}
