// Package storetest is the conformance suite of the store contract: every
// Store implementation's test calls Run, so that all stores answer the same
// questions the same way. A store's test is a short harness:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store {
//			s := open(t) // a new, empty store
//			t.Cleanup(func() { _ = s.Close() })
//			return s
//		})
//	}
//
// and its benchmarks call Bench the same way.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// NewStore opens an empty store for one test; it registers its own cleanup.
type NewStore func(t *testing.T) store.Store

// Run runs the whole suite as subtests. Each subtest opens its own store, so
// a failure in one never leaks records into another. A store whose
// Capabilities say NoQuery is checked for ErrUnsupported instead of answers.
func Run(t *testing.T, newStore NewStore) {
	probe := newStore(t)
	caps := probe.Capabilities()
	if err := probe.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if caps.NoQuery {
		runNoQuery(t, newStore, caps)
		return
	}
	for _, group := range [][]subtest{writeTests, traceTests, queryTests, signalTests,
		aggregateTests, logTests, lifecycleTests} {
		for _, st := range group {
			t.Run(st.name, func(t *testing.T) { st.run(t, newStore(t)) })
		}
	}
	if caps.NoRetention {
		t.Run("PruneIsUnsupported", func(t *testing.T) { testPruneUnsupported(t, newStore(t)) })
	} else {
		t.Run("PruneDeletesRecordsBeforeTheCutoff", func(t *testing.T) { testPrune(t, newStore(t)) })
	}
}

type subtest struct {
	name string
	run  func(t *testing.T, s store.Store)
}

// base is a whole second, and test times are whole microseconds, because
// PostgreSQL keeps microseconds.
var base = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func at(ms int) time.Time { return base.Add(time.Duration(ms) * time.Millisecond) }

func traceID(n int) string  { return fmt.Sprintf("%032x", 0xa000+n) }
func spanID(n int) string   { return fmt.Sprintf("%016x", 0xb000+n) }
func eventID(n int) string  { return fmt.Sprintf("%032x", 0xe000+n) }
func metricID(n int) string { return fmt.Sprintf("%032x", 0xf000+n) }
func logID(n int) string    { return fmt.Sprintf("%032x", 0xd000+n) }

// span builds span n of trace tr; parent 0 makes a root.
func span(tr, n, parent int, name string, startMs, endMs int) store.Span {
	sp := store.Span{
		TraceID: traceID(tr), SpanID: spanID(n), Name: name, Kind: "internal",
		StartTime: at(startMs), EndTime: at(endMs),
		Duration: float64(endMs-startMs) / 1000, Status: store.SpanStatusUnset,
	}
	if parent != 0 {
		sp.ParentSpanID = spanID(parent)
	}
	return sp
}

func event(n, tr int, typ, name string, ms int) store.Event {
	e := store.Event{EventID: eventID(n), Type: typ, Name: name, Timestamp: at(ms)}
	if tr != 0 {
		e.TraceID = traceID(tr)
	}
	return e
}

func metric(n int, name string, value float64, ms int, attrs store.Attributes) store.Metric {
	return store.Metric{MetricID: metricID(n), Name: name, Value: value, Unit: "ms",
		AggregationType: store.AggregationGauge, Timestamp: at(ms), Attributes: attrs}
}

func ctx(t *testing.T) context.Context { return t.Context() }

func write(t *testing.T, s store.Store, b *store.Batch) {
	t.Helper()
	if err := s.Write(ctx(t), b); err != nil {
		t.Fatalf("Write: %v", err)
	}
}

// opts compare records: times with Equal (cmp uses it), nil and empty alike,
// floats to a relative 1e-9 because databases sum and divide in their own
// order.
var opts = cmp.Options{cmpopts.EquateEmpty(), cmpopts.EquateApprox(1e-9, 1e-12)}

func check(t *testing.T, what string, want, got any) {
	t.Helper()
	if d := cmp.Diff(want, got, opts); d != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", what, d)
	}
}

func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: error %v, want %v", what, err, target)
	}
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return v
	}
}
