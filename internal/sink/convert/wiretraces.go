package convert

import (
	"encoding/hex"
	"slices"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// TracesProto converts an encoded ExportTraceServiceRequest, as
// proto.Unmarshal followed by Traces would, with the same error for bytes
// protobuf cannot decode.
func (c *Converter) TracesProto(raw []byte) (*store.Batch, error) {
	in := interners.Get().(*interner)
	defer interners.Put(in)
	d := traceDecoder{c: c, in: in, b: &store.Batch{}, t: newTally()}
	if err := d.request(raw); err == nil {
		d.t.flush(c.Telemetry)
		if len(d.b.Spans) == 0 {
			d.b.Spans = nil // room was made for spans that were not kept
		}
		return d.b, nil
	}
	clear(in.kvs)
	in.kvs = in.kvs[:0]
	req := &coltracepb.ExportTraceServiceRequest{}
	if err := proto.Unmarshal(raw, req); err != nil {
		return nil, err
	}
	return c.Traces(req), nil
}

// traceDecoder converts one request; it fails with errSlow where Traces
// over protobuf's decoding must do the work instead.
type traceDecoder struct {
	c   *Converter
	in  *interner
	b   *store.Batch
	t   *tally
	ids hexIDs
}

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

func (d *traceDecoder) request(b []byte) error {
	for len(b) > 0 {
		f, rest, err := next(b)
		if err != nil {
			return err
		}
		b = rest
		if f.num == 1 {
			if err := f.is(protowire.BytesType); err != nil {
				return err
			}
			if err := d.resourceSpans(f.bytes); err != nil {
				return err
			}
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
		f, rest, err := next(b)
		if err != nil {
			return err
		}
		b = rest
		switch f.num {
		case 1:
			if seen || f.typ != protowire.BytesType {
				return errSlow
			}
			resource, seen = f.bytes, true
		case 2:
			err = f.is(protowire.BytesType)
		case 3:
			_, err = f.text()
		}
		if err != nil {
			return err
		}
	}
	res, err := d.resource(resource)
	if err != nil {
		return err
	}
	return eachField(msg, 2, func(ss []byte) error { return d.scopeSpans(ss, res) })
}

// eachField calls fn with every field num of msg, which the caller has
// checked to be length-delimited.
func eachField(msg []byte, num protowire.Number, fn func([]byte) error) error {
	for b := msg; len(b) > 0; {
		f, rest, err := next(b)
		if err != nil {
			return err
		}
		b = rest
		if f.num == num {
			if err := fn(f.bytes); err != nil {
				return err
			}
		}
	}
	return nil
}

func (d *traceDecoder) resource(b []byte) (store.Attributes, error) {
	from := len(d.in.kvs)
	for len(b) > 0 {
		f, rest, err := next(b)
		if err != nil {
			return nil, err
		}
		b = rest
		switch f.num {
		case 1:
			err = d.in.addKV(f, 0)
		case 2:
			err = f.is(protowire.VarintType)
		case 3:
			err = errSlow
		}
		if err != nil {
			return nil, err
		}
	}
	return d.c.stamp(d.in.attrs(from)), nil
}

func (d *traceDecoder) scopeSpans(msg []byte, res store.Attributes) error {
	var scope string
	seen, spans := false, 0
	for b := msg; len(b) > 0; {
		f, rest, err := next(b)
		if err != nil {
			return err
		}
		b = rest
		switch f.num {
		case 1:
			if seen || f.typ != protowire.BytesType {
				return errSlow
			}
			seen = true
			scope, err = d.scope(f.bytes)
		case 2:
			err = f.is(protowire.BytesType)
			spans++
		case 3:
			_, err = f.text()
		}
		if err != nil {
			return err
		}
	}
	if d.c.Signals.Traces {
		d.b.Spans = slices.Grow(d.b.Spans, spans)
	}
	return eachField(msg, 2, func(sp []byte) error { return d.span(sp, scope, res) })
}

// scope reads an InstrumentationScope's name and checks the rest.
func (d *traceDecoder) scope(b []byte) (name string, err error) {
	for len(b) > 0 {
		var f field
		if f, b, err = next(b); err != nil {
			return "", err
		}
		switch f.num {
		case 1:
			var s []byte
			s, err = f.text()
			name = d.in.str(s)
		case 2:
			_, err = f.text()
		case 3:
			from := len(d.in.kvs)
			err = d.in.addKV(f, 0)
			d.in.kvs = d.in.kvs[:from]
		case 4:
			err = f.is(protowire.VarintType)
		}
		if err != nil {
			return "", err
		}
	}
	return name, nil
}

// unusedSpanField checks a span field that conversion ignores.
func unusedSpanField(f field) error {
	switch f.num {
	case 3:
		_, err := f.text()
		return err
	case 10, 12, 14:
		return f.is(protowire.VarintType)
	case 13:
		if err := f.is(protowire.BytesType); err != nil {
			return err
		}
		return proto.Unmarshal(f.bytes, &tracepb.Span_Link{})
	case 16:
		return f.is(protowire.Fixed32Type)
	}
	return nil
}

func hexID(b []byte) string { return hex.EncodeToString(b) }
