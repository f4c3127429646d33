package otlpwire

import (
	"fmt"
	"math"
	"strings"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// OTLP times are unsigned nanoseconds since the Unix epoch; the sink keeps
// them as Go times, whose nanoseconds are signed: anything past
// math.MaxInt64 (2262-04-11) would wrap to a time before 1970. Such a
// request is refused, naming the field, rather than stored wrong.

// TimeError is a time field past the latest time the sink keeps.
type TimeError struct {
	Field string
	Value uint64
}

func (e *TimeError) Error() string {
	return fmt.Sprintf("%s %d is past 2262-04-11T23:47:16Z, the latest time the sink keeps; "+
		"send nanoseconds since the Unix epoch", e.Field, e.Value)
}

// checkTime refuses a time field's value past math.MaxInt64 nanoseconds.
func checkTime(field string, ns uint64) error {
	if ns > math.MaxInt64 {
		return &TimeError{Field: field, Value: ns}
	}
	return nil
}

// CheckTimes refuses a decoded OTLP request holding a time field (one
// named *_time_unix_nano) past the latest time the sink keeps. It walks the
// message once, by reflection: for the requests the sink decodes with
// protobuf (JSON bodies, logs, metrics), whose decoding costs far more.
func CheckTimes(m proto.Message) error {
	return checkTimes(m.ProtoReflect())
}

func checkTimes(m protoreflect.Message) error {
	var err error
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.Kind() == protoreflect.Fixed64Kind && !fd.IsList() && strings.HasSuffix(string(fd.Name()), "time_unix_nano"):
			err = checkTime(messageName(fd.ContainingMessage())+"."+string(fd.Name()), v.Uint())
		case fd.Message() != nil && fd.IsList():
			l := v.List()
			for i := 0; i < l.Len() && err == nil; i++ {
				err = checkTimes(l.Get(i).Message())
			}
		case fd.Message() != nil && !fd.IsMap():
			err = checkTimes(v.Message())
		}
		return err == nil
	})
	return err
}

// messageName is a message's name within its package: "Span.Event" for
// opentelemetry.proto.trace.v1.Span.Event.
func messageName(md protoreflect.MessageDescriptor) string {
	return strings.TrimPrefix(string(md.FullName()), string(md.ParentFile().Package())+".")
}
