package postgres_test

import (
	"testing"

	"github.com/spark-dev/telemetry-operator/internal/pgtest"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/postgres"
)

func TestWriteParallelismIsHalfThePoolUpToFour(t *testing.T) {
	url := pgtest.NewDatabase(t)
	for _, tc := range []struct {
		maxSize string
		want    int
	}{{"1", 1}, {"2", 1}, {"6", 3}, {"20", 4}} {
		t.Run("max_size="+tc.maxSize, func(t *testing.T) {
			s, err := postgres.Open(t.Context(), withParam(url, "max_size="+tc.maxSize))
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = s.Close() }()
			if got := s.WriteParallelism(); got != tc.want {
				t.Errorf("WriteParallelism() = %d, want %d", got, tc.want)
			}
		})
	}
}
