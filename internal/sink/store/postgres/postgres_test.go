package postgres_test

import (
	"strings"
	"testing"

	"github.com/spark-dev/telemetry-operator/internal/pgtest"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/postgres"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/storetest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestConformance(t *testing.T) { storetest.Run(t, open) }

func TestAggregateConsistency(t *testing.T) { storetest.AggregateConsistency(t, open) }

func open(t *testing.T) store.Store {
	s, err := postgres.Open(t.Context(), withParam(pgtest.NewDatabase(t), "max_size=8"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// withParam appends a query parameter, as a user's URL would carry it.
func withParam(url, param string) string {
	if strings.Contains(url, "?") {
		return url + "&" + param
	}
	return url + "?" + param
}
