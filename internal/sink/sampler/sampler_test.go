package sampler_test

import (
	"context"
	"crypto/rand"
	"math"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/spark-dev/telemetry-operator/internal/sink/sampler"
)

func randomIDs(t *testing.T, n int) [][16]byte {
	t.Helper()
	ids := make([][16]byte, n)
	for i := range ids {
		if _, err := rand.Read(ids[i][:]); err != nil {
			t.Fatal(err)
		}
	}
	return ids
}

func TestKeepsTheConfiguredShareWithinTolerance(t *testing.T) {
	ids := randomIDs(t, 10000)
	for _, tc := range []struct {
		rate, tolerance float64
	}{{0, 0}, {0.1, 0.02}, {0.5, 0.03}, {1, 0}} {
		s := sampler.New(tc.rate)
		kept := 0
		for _, id := range ids {
			if s.Keep(id) {
				kept++
			}
		}
		share := float64(kept) / float64(len(ids))
		if math.Abs(share-tc.rate) > tc.tolerance {
			t.Errorf("rate %v kept share %v, want %v±%v", tc.rate, share, tc.rate, tc.tolerance)
		}
	}
}

func TestDecidesLikeTheOpenTelemetrySDK(t *testing.T) {
	ids := randomIDs(t, 2000)
	for _, rate := range []float64{0, 0.01, 0.1, 0.25, 0.5, 0.9, 1} {
		ours := sampler.New(rate)
		sdk := sdktrace.TraceIDRatioBased(rate)
		for _, id := range ids {
			res := sdk.ShouldSample(sdktrace.SamplingParameters{ParentContext: context.Background(), TraceID: trace.TraceID(id)})
			want := res.Decision == sdktrace.RecordAndSample
			if got := ours.Keep(id); got != want {
				t.Fatalf("rate %v id %x: Keep=%v, SDK sampled=%v", rate, id, got, want)
			}
		}
	}
}
