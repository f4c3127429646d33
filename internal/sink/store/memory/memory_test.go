package memory_test

import (
	"testing"

	"github.com/spark-dev/telemetry-operator/internal/sink/config"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/memory"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s := memory.New(config.Memory{})
		t.Cleanup(func() { _ = s.Close() })
		return s
	})
}
