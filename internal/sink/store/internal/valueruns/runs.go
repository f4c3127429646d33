// Package valueruns keeps metric points pre-sorted for aggregation, so that
// the SQL stores answer AggregateMetrics without sorting every value at
// query time.
//
// A run holds the points of one metric name and one minute of timestamps
// that one write stored, sorted by value, NaN left out. A store keeps runs
// beside its metrics table, one row each: name, minute start, count and
// the points encoded by Encode. To aggregate, it hands the runs that
// overlap the query's time range to an Aggregator, which drops points
// outside the range, splits runs into the query's buckets (a split run stays
// sorted) and computes each bucket's statistics exactly, the percentiles by
// selecting ranks across the sorted runs.
//
// Results do not depend on how the points are divided into runs, so a
// store may keep a run in several rows that fit its pages (Run.Chunks),
// and merges the small runs that many small writes leave in a minute
// (Compact), since every run costs a row to read and a step of every
// percentile's selection.
package valueruns

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// Minute is the span of timestamps one run covers, in nanoseconds.
const Minute = int64(time.Minute)

// PairSize is the encoded size of one point: the value's IEEE 754 bits,
// then the Unix nanosecond timestamp, both big-endian (the byte order of
// PostgreSQL's float8send and int8send, so either side can encode).
const PairSize = 16

// MinuteStart is the start of ts's minute, in Unix nanoseconds.
func MinuteStart(ts int64) int64 { return store.BucketStart(ts, time.Minute) }

// Point is one metric value and its timestamp in Unix nanoseconds.
type Point struct {
	Value float64
	TS    int64
}

// Encode sorts the points by value, in place, and encodes them.
func Encode(pts []Point) []byte {
	slices.SortFunc(pts, func(a, b Point) int { return cmp.Compare(a.Value, b.Value) })
	out := make([]byte, len(pts)*PairSize)
	for i, p := range pts {
		binary.BigEndian.PutUint64(out[i*PairSize:], math.Float64bits(p.Value))
		binary.BigEndian.PutUint64(out[i*PairSize+8:], uint64(p.TS))
	}
	return out
}

// Decode returns the points of an encoded run, in value order.
func Decode(b []byte) ([]Point, error) {
	if len(b)%PairSize != 0 {
		return nil, fmt.Errorf("value run of %d bytes is not whole points", len(b))
	}
	out := make([]Point, len(b)/PairSize)
	for i := range out {
		out[i] = Point{Value: value(b, i), TS: timestamp(b, i)}
	}
	return out, nil
}

func value(b []byte, i int) float64 {
	return math.Float64frombits(binary.BigEndian.Uint64(b[i*PairSize:]))
}

func timestamp(b []byte, i int) int64 { return int64(binary.BigEndian.Uint64(b[i*PairSize+8:])) }

// Run is one row of a store's runs table.
type Run struct {
	// ID is the row's id when Compact reuses one, else zero.
	ID    int64
	Name  string
	Start int64 // the minute's start, Unix nanoseconds
	Count int
	// Points is the encoded points, sorted by value.
	Points []byte
}

// Chunks splits the run into runs of at most maxBytes of points each (one
// point at least), consecutive in value order, so each is sorted too. A
// store whose rows hold less inline than a whole run (SQLite keeps a row's
// payload above about 4 KB in overflow pages) stores the chunks as runs.
func (r Run) Chunks(maxBytes int) []Run {
	per := max(1, maxBytes/PairSize)
	if r.Count <= per {
		return []Run{r}
	}
	out := make([]Run, 0, (r.Count+per-1)/per)
	for i := 0; i < r.Count; i += per {
		n := min(per, r.Count-i)
		out = append(out, Run{ID: r.ID, Name: r.Name, Start: r.Start, Count: n,
			Points: r.Points[i*PairSize : (i+n)*PairSize]})
	}
	return out
}

type runKey struct {
	name   string
	minute int64
}

// Builder groups points into runs, one per name and minute. The zero value
// is ready to use.
type Builder struct {
	groups map[runKey][]Point
	n      int
}

// Add adds a point; NaN values are left out, as aggregations leave them.
func (b *Builder) Add(name string, v float64, ts int64) {
	if math.IsNaN(v) {
		return
	}
	if b.groups == nil {
		b.groups = map[runKey][]Point{}
	}
	k := runKey{name, MinuteStart(ts)}
	b.groups[k] = append(b.groups[k], Point{v, ts})
	b.n++
}

// Len is the number of points added since the last Runs.
func (b *Builder) Len() int { return b.n }

// Runs returns the runs of the points added, ordered by name and minute,
// and empties the builder.
func (b *Builder) Runs() []Run {
	out := make([]Run, 0, len(b.groups))
	for k, pts := range b.groups {
		out = append(out, Run{Name: k.name, Start: k.minute, Count: len(pts), Points: Encode(pts)})
	}
	slices.SortFunc(out, func(x, y Run) int {
		return cmp.Or(strings.Compare(x.Name, y.Name), cmp.Compare(x.Start, y.Start))
	})
	b.groups, b.n = nil, 0
	return out
}
