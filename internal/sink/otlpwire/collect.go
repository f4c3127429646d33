package otlpwire

import (
	"encoding/binary"
	"fmt"
	"sync"
	"unsafe"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// ValidateTraces checks that raw is an ExportTraceServiceRequest that
// proto.Unmarshal accepts, and collects its spans into col. It returns the
// request to go on with: raw itself or, should protobuf accept bytes the
// validator refuses (none are known: FuzzValidateTraces looks for them),
// protobuf's own encoding of them. Bytes protobuf refuses get protobuf's
// error.
func ValidateTraces(raw []byte, col *SpanCollector) ([]byte, error) {
	col.reset(raw)
	if err := traceRequestSchema().validate(raw, 0, col, nil); err == nil {
		return raw, col.timeErr
	}
	req := &coltracepb.ExportTraceServiceRequest{}
	if err := proto.Unmarshal(raw, req); err != nil {
		return nil, err
	}
	raw, err := proto.Marshal(req)
	if err != nil {
		return nil, err
	}
	col.reset(raw)
	if err := traceRequestSchema().validate(raw, 0, col, nil); err != nil {
		return nil, fmt.Errorf("otlpwire: protobuf's own encoding of the request does not validate: %w", err)
	}
	return raw, col.timeErr
}

// SpanCollector gathers, while ValidateTraces checks a request, what the
// policy and the stores need of each span, in request order.
type SpanCollector struct {
	data      []byte // the request, which names point into
	resources int    // ResourceSpans met so far
	spans     []SpanInfo
	timeErr   error // the first time field past what the sink keeps
}

// SpanInfo is what a SpanCollector gathers of one span.
type SpanInfo struct {
	// TraceID and SpanID are the id fields as sent (any length).
	TraceID, SpanID []byte
	// Events counts the span's events.
	Events int
	// Head is the span's head for stores that index encoded spans; its
	// Resource counts the request's ResourceSpans.
	Head store.SpanHead
}

// Spans are the spans collected, in request order; they live until the
// collector is released or reused.
func (c *SpanCollector) Spans() []SpanInfo { return c.spans }

var collectors = sync.Pool{New: func() any { return &SpanCollector{} }}

// AcquireCollector returns a collector whose slices were allocated by
// earlier requests; Release gives it back.
func AcquireCollector() *SpanCollector { return collectors.Get().(*SpanCollector) }

// Release returns the collector to the pool without the request's bytes.
func (c *SpanCollector) Release() {
	clear(c.spans)
	c.reset(nil)
	collectors.Put(c)
}

func (c *SpanCollector) reset(data []byte) {
	c.data, c.resources, c.spans, c.timeErr = data, 0, c.spans[:0], nil
}

// time notes a time field's value when it is past what the sink keeps.
func (c *SpanCollector) time(field string, ns uint64) {
	if c.timeErr == nil {
		c.timeErr = checkTime(field, ns)
	}
}

// message validates a nested message v, noting it when it has a role.
func (c *SpanCollector) message(m *schema, v []byte, depth int) error {
	switch m.role {
	case roleResourceSpans:
		c.resources++
	case roleSpanEvent:
		if err := m.validate(v, depth+1, c, nil); err != nil {
			return err
		}
		EachField(v, func(f Field) {
			if f.Num == SpanEventTime && f.Type == protowire.Fixed64Type {
				c.time("Span.Event.time_unix_nano", f.Value)
			}
		})
		return nil
	case roleSpan:
		c.spans = append(c.spans, SpanInfo{Head: store.SpanHead{Resource: int32(c.resources - 1)}})
		// No span nests in a span: the pointer stays valid.
		sf := (*spanFields)(&c.spans[len(c.spans)-1])
		check := m.validateSpan
		if !spanShortForm {
			check = m.validate
		}
		if err := check(v, depth+1, c, sf); err != nil {
			return err
		}
		sf.finish()
		c.time("Span.start_time_unix_nano", uint64(sf.Head.Start))
		c.time("Span.end_time_unix_nano", uint64(sf.Head.End))
		return nil
	}
	return m.validate(v, depth+1, c, nil)
}

// spanFields is a SpanInfo being read, field by field.
type spanFields SpanInfo

// bytesField reads a length-delimited field of the span. Of a repeated
// singular field the last counts, and repeated statuses merge, as in
// protobuf.
func (f *spanFields) bytesField(data []byte, num protowire.Number, v []byte) {
	switch num {
	case SpanTraceID:
		f.TraceID = v
	case SpanSpanID:
		f.SpanID = v
	case SpanParentSpanID:
		f.Head.HasParent = validSpanID(v)
	case SpanName:
		f.Head.NameAt, f.Head.NameLen = uint32(offset(data, v)), uint32(len(v))
	case SpanEvents:
		f.Events++
	case SpanStatus:
		f.status(v)
	}
}

// status reads whether a span's status is an error.
func (f *spanFields) status(v []byte) {
	for len(v) > 0 {
		st, n := Next(v)
		if n < 0 {
			return
		}
		if st.Num == StatusCode && st.Type == protowire.VarintType {
			f.Head.Failed = tracepb.Status_StatusCode(int32(st.Value)) == tracepb.Status_STATUS_CODE_ERROR
		}
		v = v[n:]
	}
}

// fixed64Field reads a fixed64 field of the span: its start and end times.
func (f *spanFields) fixed64Field(num protowire.Number, v uint64) {
	switch num {
	case SpanStartTime:
		f.Head.Start = int64(v)
	case SpanEndTime:
		f.Head.End = int64(v)
	}
}

// finish fills the head's ids once every field is read.
func (f *spanFields) finish() {
	copy(f.Head.TraceID[:], f.TraceID)
	if len(f.SpanID) == 8 {
		f.Head.SpanID = binary.BigEndian.Uint64(f.SpanID)
	}
}

// validSpanID reports whether b is a span id: 8 bytes, not all zero.
func validSpanID(b []byte) bool { return len(b) == 8 && [8]byte(b) != [8]byte{} }

// offset is where sub, a slice of data, starts in it.
func offset(data, sub []byte) int {
	if len(sub) == 0 {
		return 0
	}
	return int(uintptr(unsafe.Pointer(&sub[0])) - uintptr(unsafe.Pointer(&data[0])))
}
