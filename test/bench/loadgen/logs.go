package loadgen

import (
	"encoding/binary"
	"fmt"
	"time"

	collectorlogs "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	logspb "go.opentelemetry.io/proto/otlp/logs/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	"google.golang.org/protobuf/proto"
)

// LogTemplate is an encoded ExportLogsServiceRequest of plain log lines
// (a severity, a string body, attributes; no event name), with the offset
// of each record's time, so that every request sent is new: stores keep
// log records by an id computed from their contents.
type LogTemplate struct {
	raw    []byte
	timeAt []int
	base   uint64
}

// LogTemplateOf encodes records log records of attributes attributes each.
func LogTemplateOf(records, attributes int) (*LogTemplate, error) {
	scope := &logspb.ScopeLogs{}
	req := &collectorlogs.ExportLogsServiceRequest{ResourceLogs: []*logspb.ResourceLogs{{
		Resource:  &resourcepb.Resource{Attributes: []*commonpb.KeyValue{str("service.name", "loadgen")}},
		ScopeLogs: []*logspb.ScopeLogs{scope},
	}}}
	for i := 0; i < records; i++ {
		lr := &logspb.LogRecord{
			TimeUnixNano: timeMarker(i, 0), ObservedTimeUnixNano: timeMarker(i, 0) + 1,
			SeverityNumber: logspb.SeverityNumber_SEVERITY_NUMBER_INFO, SeverityText: "INFO",
			Body: &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: fmt.Sprintf("GET /cart/%d 200 in 12ms", i)}},
		}
		for a := 0; a < attributes; a++ {
			lr.Attributes = append(lr.Attributes, str(fmt.Sprintf("attr.%d", a), fmt.Sprintf("value-%d", a)))
		}
		scope.LogRecords = append(scope.LogRecords, lr)
	}
	raw, err := proto.Marshal(req)
	if err != nil {
		return nil, err
	}
	t := &LogTemplate{raw: raw, base: uint64(time.Now().UnixNano())}
	for i := 0; i < records; i++ {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], timeMarker(i, 0))
		o := offsets(raw, b[:])
		if len(o) != 1 {
			return nil, fmt.Errorf("loadgen: log record %d's time found %d times in the template", i, len(o))
		}
		t.timeAt = append(t.timeAt, o[0])
	}
	return t, nil
}

// Request returns the n-th request: every record's time is its own.
func (t *LogTemplate) Request(n uint64, buf []byte) []byte {
	buf = append(buf[:0], t.raw...)
	for i, at := range t.timeAt {
		binary.LittleEndian.PutUint64(buf[at:], t.base+n*requestStep+uint64(i)*spanStep)
	}
	return buf
}
