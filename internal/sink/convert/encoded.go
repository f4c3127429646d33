package convert

import (
	"github.com/spark-dev/telemetry-operator/internal/sink/otlpwire"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// The encoded path serves stores that pass requests on (store.EncodedWriter):
// instead of decoding a request into records, the converter has otlpwire
// check it, decides span by span what to keep, and hands the request over
// as bytes. A request the policy leaves alone (every span kept, no metadata
// to add) goes on as it came, without a copy; otherwise otlpwire writes it
// again, copying every kept span's bytes unchanged.

// CanEncodeTraces reports whether TracesEncoded can apply this converter's
// policy: it cannot turn span events into stand-alone events, which a
// configuration that keeps events but not spans would need.
func (c *Converter) CanEncodeTraces() bool { return c.Signals.Traces }

// TracesEncoded applies the policy to an encoded ExportTraceServiceRequest
// and returns it as a batch of one store.Encoded (or an empty batch when
// nothing is kept). Bytes protobuf cannot decode get protobuf's error, as
// from TracesProto. raw must not change afterwards: the batch may share it.
func (c *Converter) TracesEncoded(raw []byte) (Converted, error) {
	col := otlpwire.AcquireCollector()
	defer col.Release()
	raw, err := otlpwire.ValidateTraces(raw, col)
	if err != nil {
		return Converted{}, err
	}
	p := c.policy()
	d := c.decide(raw, col.Spans(), p)
	enc := store.Encoded{Signal: store.SignalTraces, Data: raw, Spans: d.keptSpans, Events: d.keptEvents}
	if d.rewrite {
		enc.Data = otlpwire.RewriteTraces(raw, otlpwire.Rewrite{Drop: d.drop, StripEvents: !c.Signals.Events, Metadata: c.Metadata})
		if c.Heads { // The names must point into the request as built.
			d.heads, d.resources = otlpwire.SpanHeads(enc.Data)
		}
	}
	enc.Heads, enc.Resources = d.heads, d.resources
	if enc.Len() == 0 {
		return p.converted(&store.Batch{}), nil
	}
	return p.converted(&store.Batch{Encoded: []store.Encoded{enc}}), nil
}

// decision is what the policy keeps of one request.
type decision struct {
	keptSpans, keptEvents int
	rewrite               bool
	// drop marks, in request order, the spans not kept.
	drop []bool
	// heads and resources of the kept spans, when the converter makes them.
	heads     []store.SpanHead
	resources []store.Attributes
}

// decide asks the policy, span by span in request order, what to keep of
// a request whose spans ValidateTraces collected.
func (c *Converter) decide(req []byte, spans []otlpwire.SpanInfo, p policy) decision {
	d := decision{rewrite: len(c.Metadata) > 0, drop: make([]bool, len(spans))}
	if c.Heads {
		d.heads = make([]store.SpanHead, 0, len(spans))
		otlpwire.EachBytes(req, otlpwire.TraceRequestResourceSpans, func(rs []byte) {
			d.resources = append(d.resources, p.Resource(otlpwire.ResourceOf(rs)))
		})
	}
	for i := range spans {
		sp := &spans[i]
		keepSpan, keepEvents := p.Span(sp.TraceID, sp.SpanID, sp.Events)
		if !keepSpan {
			d.drop[i], d.rewrite = true, true
			continue
		}
		d.keptSpans++
		if c.Heads {
			d.heads = append(d.heads, sp.Head)
		}
		if keepEvents {
			d.keptEvents += sp.Events
		} else if sp.Events > 0 {
			d.rewrite = true
		}
	}
	return d
}
