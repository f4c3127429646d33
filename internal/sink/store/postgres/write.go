package postgres

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// Write stores the batch in one transaction. Any error, including a lost
// connection, leaves nothing written, so the caller may retry the batch.
//
// Spans are usually all new, so the first attempt copies them straight
// into spans and counts each trace's spans in the batch. A span id already
// stored (a retried batch) makes that COPY fail; the second attempt then
// stages the spans and inserts only the new ones, counting those.
func (s *Store) Write(ctx context.Context, b *store.Batch) error {
	if err := s.open(ctx); err != nil {
		return err
	}
	if err := store.ValidateBatch(b); err != nil {
		return err
	}
	rows, err := encodeBatch(b)
	if err != nil {
		return err
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return rows.write(ctx, tx, false) })
	if isSpanRepeat(err) {
		err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return rows.write(ctx, tx, true) })
	}
	if err == nil && len(b.Metrics) > 0 {
		s.compactAfterWrite(ctx)
	}
	return wrap("write", classify(err))
}

// write runs a batch's statements in tx: spans and their traces, then
// events and metrics through their staging tables. staged writes spans as
// the second attempt does.
func (e *encoded) write(ctx context.Context, tx pgx.Tx, staged bool) error {
	if len(e.spans) > 0 {
		if err := e.writeSpans(ctx, tx, staged); err != nil {
			return err
		}
	}
	for _, step := range []copyStep{
		{"stage_events", eventStageCols, e.events, insertEventsSQL},
		{"stage_metrics", metricStageCols, e.metrics, insertMetricsSQL},
		{"stage_logs", logStageCols, e.logs, insertLogsSQL},
	} {
		if len(step.rows) == 0 {
			continue
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{step.table}, step.cols, pgx.CopyFromRows(step.rows)); err != nil {
			return fmt.Errorf("copy to %s: %w", step.table, err)
		}
		if _, err := tx.Exec(ctx, step.then); err != nil {
			return fmt.Errorf("move %s: %w", step.table, err)
		}
	}
	return nil
}

// writeSpans stores the spans, then folds the batch's trace rows into
// the stored ones with the counts of the spans that were new. Spans go
// first, so that concurrent writers of the same spans, of this version or
// an earlier one, take their locks in one order: span keys, then trace
// rows. The spans' statement queues the check of traces it does not find
// yet for commit (schema/0006_span_trace_check.sql).
func (e *encoded) writeSpans(ctx context.Context, tx pgx.Tx, staged bool) error {
	traces := &e.traces
	if !staged {
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"spans"}, spanCopyCols, pgx.CopyFromRows(e.spans)); err != nil {
			return fmt.Errorf("copy to spans: %w", err)
		}
	} else {
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"stage_spans"}, spanCopyCols, pgx.CopyFromRows(e.spans)); err != nil {
			return fmt.Errorf("copy to stage_spans: %w", err)
		}
		rows, err := tx.Query(ctx, writeSpansSQL)
		added, err := collect(rows, err, pgx.RowTo[pgtype.UUID])
		if err != nil {
			return fmt.Errorf("move stage_spans: %w", err)
		}
		traces = traces.recount(added)
	}
	if len(traces.ids) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, writeTracesSQL, traces.args()...); err != nil {
		return fmt.Errorf("write traces: %w", err)
	}
	return nil
}

// isSpanRepeat tells the failure of a first attempt that met a stored span.
func isSpanRepeat(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505" && pgErr.ConstraintName == "spans_pkey"
}

// classify marks errors that retrying the same batch cannot fix: data the
// server refuses (class 22, such as a NUL byte in text), a row a CHECK or
// NOT NULL constraint refuses (23514, 23502: a constraint the database's
// owner added), or a value it cannot index (class 54, such as an
// oversized key).
func classify(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && (strings.HasPrefix(pgErr.Code, "22") || strings.HasPrefix(pgErr.Code, "54") ||
		pgErr.Code == "23514" || pgErr.Code == "23502") {
		return fmt.Errorf("%w: %w", store.ErrInvalid, err)
	}
	return err
}

type copyStep struct {
	table string
	cols  []string
	rows  [][]any
	then  string // the statement that moves the staged rows
}

// Columns of spans and the staging tables, in the order encodeBatch
// renders rows.
var (
	spanCopyCols    = strings.Fields("span_id trace_id parent_span_id name kind start_time end_time duration status status_message scope attributes resource")
	eventStageCols  = strings.Fields("event_id trace_id span_id type name timestamp attributes resource")
	metricStageCols = strings.Fields("metric_id trace_id name value unit aggregation_type timestamp attributes resource")
	logStageCols    = strings.Fields("log_id timestamp time_unix_nano observed_time severity_number severity_text " +
		"body body_text event_name trace_id span_id flags scope attributes resource")
)

// uuid renders a 32-hex-digit id (ValidateBatch checked it) for a UUID
// column, or NULL when absent. COPY encodes pgtype.UUID directly; a string
// would first fail to encode, building an error per value, then be parsed.
func uuid(id string) any {
	if id == "" {
		return nil
	}
	return uuidOf(id)
}

func uuidOf(id string) pgtype.UUID {
	u := pgtype.UUID{Valid: true}
	_, _ = hex.Decode(u.Bytes[:], []byte(id))
	return u
}

// nullable maps an absent id to NULL, as the seed's schema has it.
func nullable(id string) any {
	if id == "" {
		return nil
	}
	return id
}
