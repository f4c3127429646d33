package otlpwire

import (
	"fmt"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// TakesFastPath reports whether DecodeTraces decodes raw without falling
// back to protobuf, so that tests know which path they compared.
func TakesFastPath(raw []byte) bool {
	in := interners.Get().(*interner)
	defer interners.Put(in)
	d := traceDecoder{p: KeepAll, in: in, b: &store.Batch{}}
	err := d.request(raw)
	in.reset()
	return err == nil
}

// ValidUTF8 is the validator's UTF-8 check.
var ValidUTF8 = validUTF8

// ShortKeyValue and ShortAnyValue are the validator's short forms.
var (
	ShortKeyValue = shortKeyValue
	ShortAnyValue = shortAnyValue
)

// CollectedSpans validates a trace request, reading spans with
// validateSpan (short) or with validate alone, and returns what the
// collector gathered of each span.
func CollectedSpans(raw []byte, short bool) ([]string, error) {
	spanShortForm = short
	defer func() { spanShortForm = true }()
	col := &SpanCollector{}
	col.reset(raw)
	err := traceRequestSchema().validate(raw, 0, col, nil)
	out := make([]string, len(col.spans))
	for i, sf := range col.spans {
		out[i] = fmt.Sprintf("trace %x span %x events %d head %+v", sf.TraceID, sf.SpanID, sf.Events, sf.Head)
	}
	return out, err
}
