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
	"github.com/spark-dev/telemetry-operator/internal/sink/store/attrjson"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/tracerow"
)

// Write copies the batch into the staging tables and moves it into the
// real ones in one transaction. Any error, including a lost connection,
// leaves nothing written, so the caller may retry the batch.
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
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for _, step := range rows.steps() {
			if len(step.rows) == 0 {
				continue
			}
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{step.table}, step.cols, pgx.CopyFromRows(step.rows)); err != nil {
				return fmt.Errorf("copy to %s: %w", step.table, err)
			}
			if step.then != "" {
				if _, err := tx.Exec(ctx, step.then); err != nil {
					return fmt.Errorf("move %s: %w", step.table, err)
				}
			}
		}
		return nil
	})
	if err == nil && len(b.Metrics) > 0 {
		s.compactAfterWrite(ctx)
	}
	return wrap("write", classify(err))
}

// classify marks errors that retrying the same batch cannot fix: data the
// server refuses (class 22, such as a NUL byte in text) or cannot index
// (class 54, such as an oversized key).
func classify(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && (strings.HasPrefix(pgErr.Code, "22") || strings.HasPrefix(pgErr.Code, "54")) {
		return fmt.Errorf("%w: %w", store.ErrInvalid, err)
	}
	return err
}

// encoded holds a batch's rows as COPY wants them.
type encoded struct {
	spans, traces, events, metrics [][]any
}

type copyStep struct {
	table string
	cols  []string
	rows  [][]any
	then  string // the statement that moves the staged rows, if any
}

// Staging table columns, in the order encodeBatch renders rows.
var (
	traceStageCols  = strings.Fields("trace_id name start_time end_time status attributes")
	spanStageCols   = strings.Fields("span_id trace_id parent_span_id name kind start_time end_time duration status status_message scope attributes resource")
	eventStageCols  = strings.Fields("event_id trace_id span_id type name timestamp attributes resource")
	metricStageCols = strings.Fields("metric_id trace_id name value unit aggregation_type timestamp attributes resource")
)

// steps orders the copies: trace rows are staged before the statement
// that inserts spans and upserts traces from both.
func (e *encoded) steps() []copyStep {
	return []copyStep{
		{"stage_traces", traceStageCols, e.traces, ""},
		{"stage_spans", spanStageCols, e.spans, writeSpansSQL},
		{"stage_events", eventStageCols, e.events, insertEventsSQL},
		{"stage_metrics", metricStageCols, e.metrics, insertMetricsSQL},
	}
}

// encodeBatch renders every row before the transaction starts, so that the
// transaction holds its locks for as short a time as possible.
func encodeBatch(b *store.Batch) (*encoded, error) {
	var e encoded
	var memo attrjson.Memo
	for i := range b.Spans {
		sp := &b.Spans[i]
		attrs, res, err := attrjson.MarshalPair(sp.Attributes, sp.Resource, &memo)
		if err != nil {
			return nil, err
		}
		e.spans = append(e.spans, []any{sp.SpanID, uuid(sp.TraceID), nullable(sp.ParentSpanID), sp.Name, sp.Kind,
			sp.StartTime, sp.EndTime, sp.Duration, sp.Status, sp.StatusMessage, sp.Scope, attrs, res})
	}
	for _, r := range tracerow.FromSpans(b.Spans) {
		attrs, err := attrjson.Marshal(r.Attributes)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", store.ErrInvalid, err)
		}
		var name any
		if r.HasRoot {
			name = r.Name
		}
		e.traces = append(e.traces, []any{uuid(r.TraceID), name, r.StartTime, r.EndTime, r.Status, string(attrs)})
	}
	for i := range b.Events {
		ev := &b.Events[i]
		attrs, res, err := attrjson.MarshalPair(ev.Attributes, ev.Resource, &memo)
		if err != nil {
			return nil, err
		}
		e.events = append(e.events, []any{uuid(ev.EventID), uuid(ev.TraceID), nullable(ev.SpanID), ev.Type, ev.Name,
			ev.Timestamp, attrs, res})
	}
	for i := range b.Metrics {
		m := &b.Metrics[i]
		attrs, res, err := attrjson.MarshalPair(m.Attributes, m.Resource, &memo)
		if err != nil {
			return nil, err
		}
		e.metrics = append(e.metrics, []any{uuid(m.MetricID), uuid(m.TraceID), m.Name, m.Value, m.Unit,
			m.AggregationType, m.Timestamp, attrs, res})
	}
	return &e, nil
}

// uuid renders a 32-hex-digit id (ValidateBatch checked it) for a UUID
// column, or NULL when absent. COPY encodes pgtype.UUID directly; a string
// would first fail to encode, building an error per value, then be parsed.
func uuid(id string) any {
	if id == "" {
		return nil
	}
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
