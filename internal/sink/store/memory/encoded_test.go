package memory_test

import (
	"context"
	"testing"

	"github.com/spark-dev/telemetry-operator/internal/sink/config"
	"github.com/spark-dev/telemetry-operator/internal/sink/otlpwire"
	"github.com/spark-dev/telemetry-operator/internal/sink/otlpwire/otlpwiretest"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/memory"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/storetest"
)

// encodingStore writes spans the way the sink does for the memory store:
// as encoded trace requests (store.Encoded) that the receiver made, so that
// the whole conformance suite runs over the encoded path too.
type encodingStore struct {
	*memory.Store
	heads bool
}

func (s encodingStore) Write(ctx context.Context, b *store.Batch) error {
	if err := store.ValidateBatch(b); err != nil {
		return err
	}
	out := &store.Batch{Events: b.Events, Metrics: b.Metrics, Logs: b.Logs}
	if len(b.Spans) > 0 {
		raw, err := otlpwire.EncodeSpans(b.Spans)
		if err != nil {
			return err
		}
		enc, err := otlpwiretest.Encoded(raw, s.heads)
		if err != nil {
			return err
		}
		out.Encoded = []store.Encoded{enc}
	}
	return s.Store.Write(ctx, out)
}

// TestConformanceOfEncodedWrites runs the suite with the span heads made by
// the converter, as the sink does, and without, when the store reads them.
func TestConformanceOfEncodedWrites(t *testing.T) {
	for _, heads := range []bool{true, false} {
		t.Run(map[bool]string{true: "heads", false: "no heads"}[heads], func(t *testing.T) {
			storetest.Run(t, func(t *testing.T) store.Store {
				s := memory.New(config.Memory{})
				t.Cleanup(func() { _ = s.Close() })
				return encodingStore{Store: s, heads: heads}
			})
		})
	}
}
