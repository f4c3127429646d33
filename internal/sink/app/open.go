package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spark-dev/telemetry-operator/internal/sink/config"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/memory"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/otlp"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/postgres"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/sqlite"
)

// Env is the process environment as the store factory reads it: secrets
// reach the sink only this way.
type Env struct {
	// Getenv looks up one variable (os.Getenv).
	Getenv func(string) string
	// Environ lists every variable as key=value (os.Environ).
	Environ func() []string
}

// OpenStore opens the backend the configuration names. The PostgreSQL URL
// and the OTLP headers come from the environment.
func OpenStore(ctx context.Context, cfg *config.Config, env Env) (store.Store, error) {
	switch cfg.Type {
	case config.TypeMemory:
		return memory.New(*cfg.Memory), nil
	case config.TypeSQLite:
		return sqlite.Open(ctx, cfg.SQLite.Path, cfg.SQLite.BusyTimeout.Duration)
	case config.TypePostgreSQL:
		url := env.Getenv(config.EnvPostgreSQLURL)
		if url == "" {
			return nil, fmt.Errorf("type postgresql needs the connection URL in the environment variable %s", config.EnvPostgreSQLURL)
		}
		return postgres.Open(ctx, url)
	case config.TypeOTLP:
		return otlp.New(ctx, otlp.Options{
			Endpoint: cfg.OTLP.Endpoint, Protocol: cfg.OTLP.Protocol, Insecure: cfg.OTLP.Insecure,
			Timeout: cfg.OTLP.Timeout.Duration, Headers: Headers(env.Environ()),
		})
	}
	return nil, fmt.Errorf("type: unknown backend %q", cfg.Type)
}

// Headers collects the OTLP export headers from variables named
// TELEMETRY_OTLP_HEADER_<header-name>.
func Headers(environ []string) map[string]string {
	h := map[string]string{}
	for _, kv := range environ {
		k, v, _ := strings.Cut(kv, "=")
		if name, ok := strings.CutPrefix(k, config.EnvOTLPHeaderPrefix); ok && name != "" {
			h[name] = v
		}
	}
	return h
}

// OpenURL opens a queryable store named by a URL, for `sink migrate`:
// memory:, sqlite:///abs/path.db or sqlite:relative.db, and
// postgres:// or postgresql:// URLs.
func OpenURL(ctx context.Context, url string) (store.Store, error) {
	switch {
	case url == "memory:" || url == "memory://":
		return memory.New(config.Memory{}), nil
	case strings.HasPrefix(url, "sqlite://"):
		return openSQLite(ctx, strings.TrimPrefix(url, "sqlite://"))
	case strings.HasPrefix(url, "sqlite:"):
		return openSQLite(ctx, strings.TrimPrefix(url, "sqlite:"))
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		return postgres.Open(ctx, url)
	}
	return nil, errors.New("store URL must be memory:, sqlite:///path/to.db, sqlite:relative.db or postgresql://user:pass@host/db")
}

func openSQLite(ctx context.Context, path string) (store.Store, error) {
	if path == "" {
		return nil, errors.New("sqlite URL needs a file path, such as sqlite:///var/lib/telemetry/telemetry.db")
	}
	return sqlite.Open(ctx, path, config.DefaultBusyTimeout)
}
