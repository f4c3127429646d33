package otlpwire

import (
	"slices"

	"google.golang.org/protobuf/encoding/protowire"
)

// Rewrite says what RewriteTraces changes in a request.
type Rewrite struct {
	// Drop marks, in request order, the spans to leave out.
	Drop []bool
	// StripEvents leaves out every kept span's events.
	StripEvents bool
	// Metadata is added to every resource as string attributes, never
	// overriding a key the resource carries.
	Metadata map[string]string
}

// RewriteTraces writes a valid trace request (one ValidateTraces accepted)
// again as r says. Other fields are copied as they are, every kept span's
// bytes unchanged (but for its events when stripped); ResourceSpans and
// ScopeSpans left without spans are left out.
func RewriteTraces(req []byte, r Rewrite) []byte {
	w := rewriter{r: r, out: make([]byte, 0, len(req)+64)}
	for len(req) > 0 {
		f, n := Next(req)
		if f.Num == TraceRequestResourceSpans && f.Type == protowire.BytesType {
			w.resourceSpans(f.Bytes)
		} else {
			w.out = append(w.out, req[:n]...)
		}
		req = req[n:]
	}
	return w.out
}

// rewriter holds the output and scratch buffers of one RewriteTraces.
type rewriter struct {
	r                     Rewrite
	out                   []byte
	next                  int // index into r.Drop
	scratch, rsBuf, ssBuf []byte
}

func (w *rewriter) resourceSpans(v []byte) {
	w.rsBuf = w.rsBuf[:0]
	var resource []byte
	hasResource, spans := false, 0
	for len(v) > 0 {
		f, n := Next(v)
		switch {
		case f.Type != protowire.BytesType:
			w.rsBuf = append(w.rsBuf, v[:n]...)
		case f.Num == ResourceSpansResource:
			resource, hasResource = append(resource, f.Bytes...), true // protobuf merges repeats
		case f.Num == ResourceSpansScopeSpans:
			if kept := w.scopeSpans(f.Bytes); kept > 0 {
				spans += kept
				w.rsBuf = appendBytesField(w.rsBuf, ResourceSpansScopeSpans, w.ssBuf)
			}
		default:
			w.rsBuf = append(w.rsBuf, v[:n]...)
		}
		v = v[n:]
	}
	if spans == 0 {
		return
	}
	if !hasResource && len(w.r.Metadata) == 0 {
		w.out = appendBytesField(w.out, TraceRequestResourceSpans, w.rsBuf)
		return
	}
	w.scratch = AppendResource(w.scratch[:0], resource, w.r.Metadata)
	w.out = protowire.AppendTag(w.out, TraceRequestResourceSpans, protowire.BytesType)
	w.out = protowire.AppendVarint(w.out, uint64(len(w.rsBuf)+protowire.SizeTag(ResourceSpansResource)+protowire.SizeBytes(len(w.scratch))))
	w.out = appendBytesField(w.out, ResourceSpansResource, w.scratch)
	w.out = append(w.out, w.rsBuf...)
}

// scopeSpans writes the ScopeSpans v with its kept spans into ssBuf and
// returns how many were kept.
func (w *rewriter) scopeSpans(v []byte) (kept int) {
	w.ssBuf = w.ssBuf[:0]
	for len(v) > 0 {
		f, n := Next(v)
		field := v[:n]
		v = v[n:]
		if f.Num != ScopeSpansSpans || f.Type != protowire.BytesType {
			w.ssBuf = append(w.ssBuf, field...)
			continue
		}
		dropped := w.r.Drop[w.next]
		w.next++
		if dropped {
			continue
		}
		kept++
		if w.r.StripEvents {
			w.scratch = withoutField(w.scratch[:0], f.Bytes, SpanEvents)
			w.ssBuf = appendBytesField(w.ssBuf, ScopeSpansSpans, w.scratch)
		} else {
			w.ssBuf = append(w.ssBuf, field...)
		}
	}
	return kept
}

// withoutField appends msg to dst without any occurrence of field num.
func withoutField(dst, msg []byte, num protowire.Number) []byte {
	for len(msg) > 0 {
		f, n := Next(msg)
		if f.Num != num {
			dst = append(dst, msg[:n]...)
		}
		msg = msg[n:]
	}
	return dst
}

// AppendResource appends to dst the valid encoded Resource res with extra
// added as string attributes, never overriding a key the resource carries,
// in key order so that the same request always encodes the same way.
func AppendResource(dst, res []byte, extra map[string]string) []byte {
	dst = append(dst, res...)
	if len(extra) == 0 {
		return dst
	}
	taken := map[string]bool{}
	EachBytes(res, ResourceAttributes, func(kv []byte) {
		var key []byte
		EachBytes(kv, KeyValueKey, func(k []byte) { key = k })
		taken[string(key)] = true
	})
	keys := make([]string, 0, len(extra))
	for k := range extra {
		if !taken[k] {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var kv, val []byte
	for _, k := range keys {
		val = protowire.AppendTag(val[:0], AnyString, protowire.BytesType)
		val = protowire.AppendString(val, extra[k])
		kv = protowire.AppendTag(kv[:0], KeyValueKey, protowire.BytesType)
		kv = protowire.AppendString(kv, k)
		kv = appendBytesField(kv, KeyValueValue, val)
		dst = appendBytesField(dst, ResourceAttributes, kv)
	}
	return dst
}
