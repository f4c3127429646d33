// Package loadgen drives an OTLP receiver at saturation with pre-encoded
// requests, so that the generator spends almost no CPU per span and what is
// measured is the receiver. Every request carries fresh trace and span ids
// (stores deduplicate by id, so replaying the same spans would flatter
// them), spread as random ids are: ids are patched into a template's
// encoded bytes in place.
package loadgen

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"

	collectormetrics "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	collectortrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

// Shape is what one trace request holds: Traces traces of SpansPerTrace
// spans (a root and its children), each span with Attributes attributes.
type Shape struct {
	Traces        int
	SpansPerTrace int
	Attributes    int
}

// Spans is the number of spans per request.
func (s Shape) Spans() int { return s.Traces * s.SpansPerTrace }

// template is an encoded request and where its ids and times sit in the
// bytes.
type template struct {
	raw       []byte
	traceAt   [][]int // per trace: offsets of its 16-byte id
	spanAt    [][]int // per span: offsets of its 8-byte id (as id and as parent)
	spanTrace []int   // trace index of each span
	timesAt   [][2]int
	base      uint64 // Unix ns: when the template was made
}

// Request n's span k starts at base + n*requestStep + k*spanStep and lasts
// spanLength: every request later than the one before, as real traffic's
// spans are. With one start time for every trace (before), listings by
// time order had nothing but the trace id to go by.
const (
	requestStep = 100_000
	spanStep    = 1_000
	spanLength  = 50_000
)

// TraceTemplate encodes one ExportTraceServiceRequest of the given shape.
func TraceTemplate(s Shape) (*template, error) {
	req := &collectortrace.ExportTraceServiceRequest{}
	scope := &tracepb.ScopeSpans{}
	req.ResourceSpans = []*tracepb.ResourceSpans{{
		Resource:   &resourcepb.Resource{Attributes: []*commonpb.KeyValue{str("service.name", "loadgen")}},
		ScopeSpans: []*tracepb.ScopeSpans{scope},
	}}
	t := &template{}
	var traceIDs [][]byte
	var spanIDs [][]byte
	for ti := 0; ti < s.Traces; ti++ {
		tid := marker(16, len(traceIDs))
		traceIDs = append(traceIDs, tid)
		var root []byte
		for si := 0; si < s.SpansPerTrace; si++ {
			sid := marker(8, 1000+len(spanIDs))
			spanIDs = append(spanIDs, sid)
			t.spanTrace = append(t.spanTrace, ti)
			sp := &tracepb.Span{
				TraceId: tid, SpanId: sid, Name: fmt.Sprintf("op-%d", si),
				Kind:              tracepb.Span_SPAN_KIND_INTERNAL,
				StartTimeUnixNano: timeMarker(len(spanIDs)-1, 0), EndTimeUnixNano: timeMarker(len(spanIDs)-1, 1),
			}
			if si == 0 {
				root, sp.Name, sp.Kind = sid, "request", tracepb.Span_SPAN_KIND_SERVER
			} else {
				sp.ParentSpanId = root
			}
			for a := 0; a < s.Attributes; a++ {
				sp.Attributes = append(sp.Attributes, str(fmt.Sprintf("attr.%d", a), fmt.Sprintf("value-%d", a)))
			}
			scope.Spans = append(scope.Spans, sp)
		}
	}
	raw, err := proto.Marshal(req)
	if err != nil {
		return nil, err
	}
	t.raw, t.base = raw, uint64(time.Now().UnixNano())
	for k := range spanIDs {
		var at [2]int
		for which := range at {
			var b [8]byte
			binary.LittleEndian.PutUint64(b[:], timeMarker(k, which))
			o := offsets(raw, b[:])
			if len(o) != 1 {
				return nil, fmt.Errorf("loadgen: span %d's time %d found %d times in the template", k, which, len(o))
			}
			at[which] = o[0]
		}
		t.timesAt = append(t.timesAt, at)
	}
	for _, id := range traceIDs {
		t.traceAt = append(t.traceAt, offsets(raw, id))
	}
	for _, id := range spanIDs {
		t.spanAt = append(t.spanAt, offsets(raw, id))
	}
	return t, nil
}

// Request returns the n-th request: the template with ids unique to n.
func (t *template) Request(n uint64, buf []byte) []byte {
	buf = append(buf[:0], t.raw...)
	for i, at := range t.traceAt {
		id := TraceID(n, i)
		for _, o := range at {
			copy(buf[o:o+16], id[:])
		}
	}
	for k, at := range t.timesAt {
		start := t.base + n*requestStep + uint64(k)*spanStep
		binary.LittleEndian.PutUint64(buf[at[0]:], start)
		binary.LittleEndian.PutUint64(buf[at[1]:], start+spanLength)
	}
	for i, at := range t.spanAt {
		var id [8]byte
		binary.BigEndian.PutUint64(id[:], mix(n<<20|uint64(i)+1))
		for _, o := range at {
			copy(buf[o:o+8], id[:])
		}
	}
	return buf
}

// TraceID is the id of the i-th trace of the n-th request, so that a query
// benchmark can ask for traces it knows are stored.
func TraceID(n uint64, i int) [16]byte {
	var id [16]byte
	binary.BigEndian.PutUint64(id[:8], mix(n+1))
	binary.BigEndian.PutUint64(id[8:], uint64(i)<<32|0x5eed)
	return id
}

// mix spreads counters over the id space as SDKs' random ids are spread
// (splitmix64's finalizer: a bijection that keeps ids unique, and nonzero
// for nonzero counters). Ids in counter order would let a store's B-trees
// append at their right edge, as real traffic never does.
func mix(z uint64) uint64 {
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// pointStep spaces the points of successive metrics requests: a million
// of them cover the hour before the first request.
const pointStep = time.Hour / 1_000_000

// MetricsRequest encodes the n-th ExportMetricsServiceRequest of points
// gauge points named name, with distinct attributes. Point j of the
// sequence (j = n*points + i) is stamped an hour before now plus j steps:
// in time order, as an exporter sends a series, where points used to run
// backwards within a request and wrap around every 3600, which no exporter
// does and which sent the memory store's aggregation down its regrouping
// path. BenchAggregate1M keeps a shuffled case for out-of-order writes.
func MetricsRequest(name string, points int, n uint64) ([]byte, error) {
	now := time.Now()
	gauge := &metricspb.Gauge{}
	for i := 0; i < points; i++ {
		ts := now.Add(-time.Hour + time.Duration(int(n)*points+i)*pointStep)
		gauge.DataPoints = append(gauge.DataPoints, &metricspb.NumberDataPoint{
			TimeUnixNano: uint64(ts.UnixNano()),
			Value:        &metricspb.NumberDataPoint_AsDouble{AsDouble: float64((int(n)*points + i) % 1000)},
			Attributes:   []*commonpb.KeyValue{str("point", fmt.Sprint(int(n)*points+i))},
		})
	}
	req := &collectormetrics.ExportMetricsServiceRequest{ResourceMetrics: []*metricspb.ResourceMetrics{{
		Resource: &resourcepb.Resource{Attributes: []*commonpb.KeyValue{str("service.name", "loadgen")}},
		ScopeMetrics: []*metricspb.ScopeMetrics{{Metrics: []*metricspb.Metric{{
			Name: name, Unit: "ms", Data: &metricspb.Metric_Gauge{Gauge: gauge},
		}}}},
	}}}
	return proto.Marshal(req)
}

// marker is a recognisable id that cannot occur elsewhere in the encoding.
func marker(size, i int) []byte {
	b := bytes.Repeat([]byte{0xA5}, size)
	binary.BigEndian.PutUint32(b[size-4:], uint32(0xC0DE0000+i))
	return b
}

// timeMarker stands for span k's start (which 0) or end (1) time in the
// template: a fixed64 that occurs nowhere else in it.
func timeMarker(k, which int) uint64 { return 0x7E7E7E7E<<32 | uint64(0xC1DE0000+2*k+which) }

func offsets(raw, id []byte) []int {
	var out []int
	for from := 0; ; {
		i := bytes.Index(raw[from:], id)
		if i < 0 {
			return out
		}
		out = append(out, from+i)
		from += i + len(id)
	}
}

func str(k, v string) *commonpb.KeyValue {
	return &commonpb.KeyValue{Key: k, Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: v}}}
}
