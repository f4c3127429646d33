package convert

import (
	"bytes"
	"encoding/hex"

	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// span decodes one span and its events and converts them as addSpan does.
func (d *traceDecoder) span(b []byte, scope string, res store.Attributes) error {
	sp := wireSpan{attrsFrom: len(d.in.kvs)}
	for len(b) > 0 {
		f, rest, err := next(b)
		if err != nil {
			return err
		}
		b = rest
		if err := d.spanField(&sp, f); err != nil {
			return err
		}
	}
	attrs := d.in.attrs(sp.attrsFrom)
	keepSpan, keepEvents := d.c.admit(d.t, sp.traceID, sp.spanID, len(sp.events))
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

func (d *traceDecoder) spanField(sp *wireSpan, f field) (err error) {
	switch f.num {
	case 1:
		err = f.is(protowire.BytesType)
		sp.traceID = f.bytes
	case 2:
		err = f.is(protowire.BytesType)
		sp.spanID = f.bytes
	case 4:
		err = f.is(protowire.BytesType)
		sp.parentID = f.bytes
	case 5:
		var s []byte
		s, err = f.text()
		sp.name = d.in.str(s)
	case 6:
		err = f.is(protowire.VarintType)
		sp.kind = int32(f.num64)
	case 7:
		err = f.is(protowire.Fixed64Type)
		sp.start = f.num64
	case 8:
		err = f.is(protowire.Fixed64Type)
		sp.end = f.num64
	case 9:
		err = d.in.addKV(f, 0)
	case 11:
		err = f.is(protowire.BytesType)
		sp.events = append(sp.events, f.bytes)
	case 15:
		if sp.statusSeen || f.typ != protowire.BytesType {
			return errSlow
		}
		sp.statusSeen = true
		err = d.status(sp, f.bytes)
	default:
		err = unusedSpanField(f)
	}
	return err
}

func (d *traceDecoder) status(sp *wireSpan, b []byte) error {
	for len(b) > 0 {
		f, rest, err := next(b)
		if err != nil {
			return err
		}
		b = rest
		switch f.num {
		case 2:
			var s []byte
			s, err = f.text()
			sp.statusMessage = d.in.str(s)
		case 3:
			err = f.is(protowire.VarintType)
			sp.statusCode = int32(f.num64)
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
		f, rest, err := next(b)
		if err != nil {
			return err
		}
		b = rest
		switch f.num {
		case 1:
			err = f.is(protowire.Fixed64Type)
			ts = f.num64
		case 2:
			var s []byte
			s, err = f.text()
			name = d.in.str(s)
		case 3:
			err = d.in.addKV(f, 0)
		case 4:
			err = f.is(protowire.VarintType)
		}
		if err != nil {
			return err
		}
	}
	attrs := d.in.attrs(from)
	if keep {
		d.b.Events = append(d.b.Events, store.Event{
			EventID: newID(), TraceID: d.ids.trace(sp.traceID), SpanID: hexID(sp.spanID),
			Type: eventType(attrs, store.EventTypeSpan), Name: name,
			Timestamp: timestamp(ts), Attributes: attrs, Resource: res,
		})
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
		h.lastTrace, h.traceHex = id, hexID(id)
	}
	return h.traceHex
}

// span renders a span id and its parent's as spanID does each.
func (h *hexIDs) span(id, parent []byte) (span, parentHex string) {
	var buf [32]byte
	if spanID(parent) == "" || hex.EncodedLen(len(id)+len(parent)) > len(buf) {
		return hexID(id), spanID(parent)
	}
	hex.Encode(buf[:], id)
	hex.Encode(buf[hex.EncodedLen(len(id)):], parent)
	both := string(buf[:hex.EncodedLen(len(id)+len(parent))])
	return both[:hex.EncodedLen(len(id))], both[hex.EncodedLen(len(id)):]
}
