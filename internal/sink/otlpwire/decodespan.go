package otlpwire

import (
	"bytes"
	"encoding/hex"

	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// wireSpan holds a span's fields until all of them are read: protobuf
// fields may come in any order.
type wireSpan struct {
	traceID, spanID, parentID []byte
	name                      string
	kind, statusCode          int32
	start, end                uint64
	statusMessage             string
	statusSeen                bool
	attrsFrom                 int
	events                    [][]byte
}

// span decodes one span and its events and keeps what the policy says,
// as Traces does.
func (d *traceDecoder) span(b []byte, scope string, res store.Attributes) error {
	sp := wireSpan{attrsFrom: len(d.in.kvs)}
	for len(b) > 0 {
		f, n := Next(b)
		if n < 0 {
			return errSlow
		}
		b = b[n:]
		if err := d.spanField(&sp, f); err != nil {
			return err
		}
	}
	attrs := d.in.attrs(sp.attrsFrom)
	keepSpan, keepEvents := d.p.Span(sp.traceID, sp.spanID, len(sp.events))
	if keepSpan {
		d.b.Spans = append(d.b.Spans, sp.store(scope, &d.ids, attrs, res))
	}
	for _, ev := range sp.events {
		if err := d.event(ev, &sp, res, keepEvents); err != nil {
			return err
		}
	}
	return nil
}

func (d *traceDecoder) spanField(sp *wireSpan, f Field) (err error) {
	switch f.Num {
	case SpanTraceID:
		err, sp.traceID = is(f, protowire.BytesType), f.Bytes
	case SpanSpanID:
		err, sp.spanID = is(f, protowire.BytesType), f.Bytes
	case SpanParentSpanID:
		err, sp.parentID = is(f, protowire.BytesType), f.Bytes
	case SpanName:
		var s []byte
		s, err = text(f)
		sp.name = d.in.str(s)
	case SpanKind:
		err, sp.kind = is(f, protowire.VarintType), int32(f.Value)
	case SpanStartTime:
		if err, sp.start = is(f, protowire.Fixed64Type), f.Value; err == nil {
			err = checkTime("Span.start_time_unix_nano", f.Value)
		}
	case SpanEndTime:
		if err, sp.end = is(f, protowire.Fixed64Type), f.Value; err == nil {
			err = checkTime("Span.end_time_unix_nano", f.Value)
		}
	case SpanAttributes:
		err = d.in.addKV(f, 0)
	case SpanEvents:
		err = is(f, protowire.BytesType)
		sp.events = append(sp.events, f.Bytes)
	case SpanStatus:
		if sp.statusSeen || f.Type != protowire.BytesType {
			return errSlow
		}
		sp.statusSeen = true
		err = d.status(sp, f.Bytes)
	default:
		err = unusedSpanField(f)
	}
	return err
}

func (d *traceDecoder) status(sp *wireSpan, b []byte) error {
	for len(b) > 0 {
		f, n := Next(b)
		if n < 0 {
			return errSlow
		}
		b = b[n:]
		var err error
		switch f.Num {
		case StatusMessage:
			var s []byte
			s, err = text(f)
			sp.statusMessage = d.in.str(s)
		case StatusCode:
			err, sp.statusCode = is(f, protowire.VarintType), int32(f.Value)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// store builds the span as span does.
func (sp *wireSpan) store(scope string, ids *hexIDs, attrs, res store.Attributes) store.Span {
	start, end := timestamp(sp.start), timestamp(sp.end)
	span, parent := ids.span(sp.spanID, sp.parentID)
	return store.Span{
		TraceID:       ids.trace(sp.traceID),
		SpanID:        span,
		ParentSpanID:  parent,
		Name:          sp.name,
		Kind:          spanKind(tracepb.Span_SpanKind(sp.kind)),
		StartTime:     start,
		EndTime:       end,
		Duration:      end.Sub(start).Seconds(),
		Status:        spanStatus(tracepb.Status_StatusCode(sp.statusCode)),
		StatusMessage: sp.statusMessage,
		Scope:         scope,
		Attributes:    attrs,
		Resource:      res,
	}
}

// event decodes one span event and, when keep is set, adds it as
// spanEvents converts it.
func (d *traceDecoder) event(b []byte, sp *wireSpan, res store.Attributes, keep bool) error {
	var ts uint64
	var name string
	from := len(d.in.kvs)
	for len(b) > 0 {
		f, n := Next(b)
		if n < 0 {
			return errSlow
		}
		b = b[n:]
		var err error
		switch f.Num {
		case SpanEventTime:
			if err, ts = is(f, protowire.Fixed64Type), f.Value; err == nil {
				err = checkTime("Span.Event.time_unix_nano", f.Value)
			}
		case SpanEventName:
			var s []byte
			s, err = text(f)
			name = d.in.str(s)
		case SpanEventAttributes:
			err = d.in.addKV(f, 0)
		case SpanEventDroppedAttributesCount:
			err = is(f, protowire.VarintType)
		}
		if err != nil {
			return err
		}
	}
	attrs := d.in.attrs(from)
	if keep {
		d.b.Events = append(d.b.Events, store.Event{
			TraceID: d.ids.trace(sp.traceID), SpanID: hex.EncodeToString(sp.spanID),
			Type: eventType(attrs, store.EventTypeSpan), Name: name,
			Timestamp: timestamp(ts), Attributes: attrs, Resource: res,
		})
		e := &d.b.Events[len(d.b.Events)-1]
		e.EventID = eventID(e)
	}
	return nil
}

// hexIDs renders ids with fewer allocations: consecutive spans mostly share
// their trace, whose id is rendered once, and a span's id and its parent's
// share one string.
type hexIDs struct {
	lastTrace []byte
	traceHex  string
}

func (h *hexIDs) trace(id []byte) string {
	if h.lastTrace == nil || !bytes.Equal(id, h.lastTrace) {
		h.lastTrace, h.traceHex = id, hex.EncodeToString(id)
	}
	return h.traceHex
}

// span renders a span id and its parent's as spanID does each.
func (h *hexIDs) span(id, parent []byte) (span, parentHex string) {
	var buf [32]byte
	if spanID(parent) == "" || hex.EncodedLen(len(id)+len(parent)) > len(buf) {
		return hex.EncodeToString(id), spanID(parent)
	}
	hex.Encode(buf[:], id)
	hex.Encode(buf[hex.EncodedLen(len(id)):], parent)
	both := string(buf[:hex.EncodedLen(len(id)+len(parent))])
	return both[:hex.EncodedLen(len(id))], both[hex.EncodedLen(len(id)):]
}
