package sqlquery

import (
	"context"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// Scanner reads the columns of the current row.
type Scanner interface{ Scan(dest ...any) error }

// Rows are a statement's result being read: *sql.Rows, or pgx.Rows with a
// Close that returns the nil error pgx reports through Err instead.
type Rows interface {
	Scanner
	Next() bool
	Err() error
	Close() error
}

// Table is a record type's select list and the function that reads a row
// of it, scanning the columns in the list's order.
type Table[T any] struct {
	Cols string
	Read func(Scanner) (T, error)
}

// Tables are the select lists and row readers of a store's record types.
type Tables struct {
	Traces  Table[store.Trace]
	Spans   Table[store.Span]
	Events  Table[store.Event]
	Metrics Table[store.Metric]
	Logs    Table[store.LogRecord]
}

// DB is how Queries reaches a store's database.
type DB struct {
	// Open fails once the store is closed, or when ctx is done.
	Open func(ctx context.Context) error
	// Query runs a statement on the connections that serve reads.
	Query func(ctx context.Context, sql string, args ...any) (Rows, error)
	// Wrap adds the store's name and the operation to an error.
	Wrap func(what string, err error) error
}

// Aggregation answers an aggregation one of a store's two ways: from the
// value runs, which keep no attributes, or from the points that match an
// attribute filter.
type Aggregation func(ctx context.Context, q store.AggregateQuery) ([]store.Aggregate, error)

// collect runs a statement and reads every row with read; it returns an
// empty, non-nil slice when there is none, as the contract asks.
func collect[T any](ctx context.Context, db DB, read func(Scanner) (T, error), st Statement) ([]T, error) {
	rows, err := db.Query(ctx, st.SQL, st.Args...)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }()
	out := []T{}
	for rows.Next() {
		v, err := read(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}
