// Package postgres is the shared-database store: a pgx connection pool,
// COPY for bulk writes, one transaction per batch. Spans are copied
// straight into their table, and a batch that repeats a stored span (a
// retry) is written again through a staging table; events and metric
// points always go through per-connection staging tables and one INSERT
// ... SELECT ... ON CONFLICT each. Several sink replicas may write to one
// database. The staging tables are temporary tables of each pooled
// connection, so the store connects to PostgreSQL directly or through a
// session-mode pooler, not a transaction-mode one.
//
// Trace, event and metric ids are UUID columns (32 hex digits fit one
// exactly). Span ids are TEXT holding 16 lowercase hex digits, since UUID
// cannot hold OTLP's 8-byte ids: TEXT is the form every API and trace view
// shows, so hand-written SQL can take a pasted id, and matches the SQLite
// store; BYTEA would save 8 bytes per id but need decode() in every query.
package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/internal/sqlquery"
)

var _ store.Store = (*Store)(nil)

var (
	//go:embed schema/*.sql
	schemaFS embed.FS
	//go:embed sql/*.sql
	sqlFS embed.FS
)

func mustSQL(name string) string {
	b, err := sqlFS.ReadFile("sql/" + name + ".sql")
	if err != nil {
		panic(err) // The file is embedded: only a build mistake gets here.
	}
	return string(b)
}

var (
	stagingSQL       = mustSQL("staging")
	writeSpansSQL    = mustSQL("write_spans")
	writeTracesSQL   = mustSQL("write_traces")
	insertEventsSQL  = mustSQL("insert_events")
	insertLogsSQL    = mustSQL("insert_logs")
	insertMetricsSQL = mustSQL("insert_metrics")
	migrateSQL       = mustSQL("migrate")
	pruneSQL         = mustSQL("prune")
)

// Store keeps records in PostgreSQL. The queries are those the SQL stores
// share (sqlquery), run on the pool.
type Store struct {
	sqlquery.Queries
	pool       *pgxpool.Pool
	compaction compaction
	closed     atomic.Bool
}

// Open connects to the database at rawURL (postgres:// or postgresql://),
// creating or upgrading the schema. The URL's min_size and max_size
// parameters, the seed's names, size the pool; other parameters (sslmode,
// pgx's own pool_* ones) pass through.
func Open(ctx context.Context, rawURL string) (*Store, error) {
	connString, err := translateURL(rawURL)
	if err != nil {
		return nil, err
	}
	cfg, err := pgxpool.ParseConfig(connString)
	if err != nil {
		return nil, fmt.Errorf("%w: postgresql URL: %w", store.ErrInvalid, err)
	}
	cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
		_, err := c.Exec(ctx, stagingSQL)
		return err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	s := &Store{pool: pool}
	s.Queries = sqlquery.New(&dialect, &tables, sqlquery.DB{Open: s.open, Query: s.query, Wrap: wrap},
		s.aggregateRuns, s.aggregatePoints)
	return s, nil
}

// maxWriters bounds WriteParallelism: past a few concurrent COPY
// transactions the server's commits, not the overlap, limit throughput.
const maxWriters = 4

// WriteParallelism asks the sink's pipeline for concurrent writers, so that
// the server works on one batch while the sink encodes and sends the next:
// up to half the pool, leaving the rest to queries. Concurrent writes are
// safe: they lock trace rows in key order (see sql/write_spans.sql).
func (s *Store) WriteParallelism() int {
	return min(maxWriters, max(1, int(s.pool.Config().MaxConns)/2))
}

// translateURL renames min_size and max_size to pgxpool's pool_min_conns
// and pool_max_conns.
func translateURL(rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", fmt.Errorf("%w: postgresql URL must be postgres://user:password@host:port/database", store.ErrInvalid)
	}
	q := u.Query()
	for from, to := range map[string]string{"min_size": "pool_min_conns", "max_size": "pool_max_conns"} {
		if v := q.Get(from); v != "" {
			if n, err := strconv.Atoi(v); err != nil || n < 0 {
				return "", fmt.Errorf("%w: postgresql URL: %s=%q is not a count", store.ErrInvalid, from, v)
			}
			q.Set(to, v)
			q.Del(from)
		}
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// migrate applies, under an advisory lock, the embedded schema files
// numbered above the recorded version, in one transaction.
func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, migrateSQL); err != nil {
			return fmt.Errorf("schema version table: %w", err)
		}
		var version int
		if err := tx.QueryRow(ctx, "SELECT COALESCE(max(version), 0) FROM schema_version").Scan(&version); err != nil {
			return err
		}
		names, err := fs.Glob(schemaFS, "schema/*.sql")
		if err != nil {
			return err
		}
		sort.Strings(names)
		for i, name := range names[min(version, len(names)):] {
			body, _ := schemaFS.ReadFile(name) // Listed by Glob just above.
			if _, err := tx.Exec(ctx, string(body)); err != nil {
				return fmt.Errorf("migration %s: %w", strings.TrimPrefix(name, "schema/"), err)
			}
			if _, err := tx.Exec(ctx, "INSERT INTO schema_version (version) VALUES ($1)", version+i+1); err != nil {
				return err
			}
		}
		return nil
	})
}

// Capabilities reports that the postgres store implements the whole
// contract.
func (s *Store) Capabilities() store.Capabilities { return store.Capabilities{} }

// Close closes the pool; it is idempotent.
func (s *Store) Close() error {
	if !s.closed.Swap(true) {
		s.pool.Close()
	}
	return nil
}

func (s *Store) open(ctx context.Context) error {
	if s.closed.Load() {
		return fmt.Errorf("postgres: %w", store.ErrClosed)
	}
	return ctx.Err()
}

func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("postgres: %s: %w", what, err)
}

// PoolSize reports the pool's minimum and maximum connection counts.
func (s *Store) PoolSize() (minConns, maxConns int32) {
	c := s.pool.Config()
	return c.MinConns, c.MaxConns
}
