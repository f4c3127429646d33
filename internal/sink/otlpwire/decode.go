package otlpwire

import (
	"errors"
	"slices"
	"unicode/utf8"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// errSlow is how the fast decoder gives up on an encoding outside its
// path (a field repeated that protobuf would merge, a value kind it does
// not read, malformed bytes): DecodeTraces then decodes with protobuf, so
// the result and the errors are protobuf's in every case.
var errSlow = errors.New("otlpwire: encoding outside the fast decoder's path")

// is checks a known field's wire type; protobuf would keep a mismatch as an
// unknown field, which the fast decoder leaves to it.
func is(f Field, typ protowire.Type) error {
	if f.Type != typ {
		return errSlow
	}
	return nil
}

// text is a string field's bytes, which proto3 requires to be UTF-8.
func text(f Field) ([]byte, error) {
	if f.Type != protowire.BytesType || !utf8.Valid(f.Bytes) {
		return nil, errSlow
	}
	return f.Bytes, nil
}

// DecodeTraces decodes an encoded ExportTraceServiceRequest into records
// as proto.Unmarshal followed by Traces would, with protobuf's error for
// bytes it cannot decode. It reads the encoding straight into records
// where it can: building protobuf's message tree first was most of the
// ingest path's allocations and CPU.
func DecodeTraces(raw []byte, p Policy) (*store.Batch, error) {
	in := interners.Get().(*interner)
	defer interners.Put(in)
	d := traceDecoder{p: p, in: in, b: &store.Batch{}}
	err := d.request(raw)
	if err == nil {
		if len(d.b.Spans) == 0 {
			d.b.Spans = nil // room was made for spans that were not kept
		}
		return d.b, nil
	}
	in.reset()
	p.Restart()
	req := &coltracepb.ExportTraceServiceRequest{}
	if err := proto.Unmarshal(raw, req); err != nil {
		return nil, err
	}
	if err := CheckTimes(req); err != nil {
		return nil, err
	}
	return Traces(req, p), nil
}

// traceDecoder decodes one request; it fails with errSlow where Traces
// over protobuf's decoding must do the work instead.
type traceDecoder struct {
	p   Policy
	in  *interner
	b   *store.Batch
	ids hexIDs
}

func (d *traceDecoder) request(b []byte) error {
	return eachMessage(b, TraceRequestResourceSpans, d.resourceSpans)
}

// eachMessage calls fn with every field num of msg, which must be
// length-delimited, until fn fails.
func eachMessage(msg []byte, num protowire.Number, fn func([]byte) error) error {
	for len(msg) > 0 {
		f, n := Next(msg)
		if n < 0 {
			return errSlow
		}
		msg = msg[n:]
		if f.Num != num {
			continue
		}
		if err := is(f, protowire.BytesType); err != nil {
			return err
		}
		if err := fn(f.Bytes); err != nil {
			return err
		}
	}
	return nil
}

// resourceSpans reads the resource first, wherever it is, because every
// span carries its attributes.
func (d *traceDecoder) resourceSpans(msg []byte) error {
	var resource []byte
	seen := false
	for b := msg; len(b) > 0; {
		f, n := Next(b)
		if n < 0 {
			return errSlow
		}
		b = b[n:]
		var err error
		switch f.Num {
		case ResourceSpansResource:
			if seen || f.Type != protowire.BytesType {
				return errSlow
			}
			resource, seen = f.Bytes, true
		case ResourceSpansSchemaURL:
			_, err = text(f)
		}
		if err != nil {
			return err
		}
	}
	res, err := d.resource(resource)
	if err != nil {
		return err
	}
	return eachMessage(msg, ResourceSpansScopeSpans, func(ss []byte) error { return d.scopeSpans(ss, res) })
}

func (d *traceDecoder) resource(b []byte) (store.Attributes, error) {
	from := len(d.in.kvs)
	for len(b) > 0 {
		f, n := Next(b)
		if n < 0 {
			return nil, errSlow
		}
		b = b[n:]
		var err error
		switch f.Num {
		case ResourceAttributes:
			err = d.in.addKV(f, 0)
		case ResourceDroppedAttributesCount:
			err = is(f, protowire.VarintType)
		case ResourceEntityRefs:
			err = errSlow
		}
		if err != nil {
			return nil, err
		}
	}
	return d.p.Resource(d.in.attrs(from)), nil
}

func (d *traceDecoder) scopeSpans(msg []byte, res store.Attributes) error {
	var scope string
	seen, spans := false, 0
	for b := msg; len(b) > 0; {
		f, n := Next(b)
		if n < 0 {
			return errSlow
		}
		b = b[n:]
		var err error
		switch f.Num {
		case ScopeSpansScope:
			if seen || f.Type != protowire.BytesType {
				return errSlow
			}
			seen = true
			scope, err = d.scope(f.Bytes)
		case ScopeSpansSpans:
			spans++
		case ScopeSpansSchemaURL:
			_, err = text(f)
		}
		if err != nil {
			return err
		}
	}
	d.b.Spans = slices.Grow(d.b.Spans, spans)
	return eachMessage(msg, ScopeSpansSpans, func(sp []byte) error { return d.span(sp, scope, res) })
}

// scope reads an InstrumentationScope's name and checks the rest.
func (d *traceDecoder) scope(b []byte) (name string, err error) {
	for len(b) > 0 {
		f, n := Next(b)
		if n < 0 {
			return "", errSlow
		}
		b = b[n:]
		switch f.Num {
		case ScopeName:
			var s []byte
			s, err = text(f)
			name = d.in.str(s)
		case ScopeVersion:
			_, err = text(f)
		case ScopeAttributes:
			from := len(d.in.kvs)
			err = d.in.addKV(f, 0)
			d.in.kvs = d.in.kvs[:from]
		case ScopeDroppedAttributesCount:
			err = is(f, protowire.VarintType)
		}
		if err != nil {
			return "", err
		}
	}
	return name, nil
}

// unusedSpanField checks a span field that decoding ignores.
func unusedSpanField(f Field) error {
	switch f.Num {
	case SpanTraceState:
		_, err := text(f)
		return err
	case SpanDroppedAttributesCount, SpanDroppedEventsCount, SpanDroppedLinksCount:
		return is(f, protowire.VarintType)
	case SpanLinks:
		if err := is(f, protowire.BytesType); err != nil {
			return err
		}
		return proto.Unmarshal(f.Bytes, &tracepb.Span_Link{})
	case SpanFlags:
		return is(f, protowire.Fixed32Type)
	}
	return nil
}
