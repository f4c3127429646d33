package attrjson

import (
	"reflect"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// Memo encodes attributes as Marshal does, remembering the last map it
// encoded. The records of one OTLP request share their resource map, so a
// batch encodes each resource once per request instead of once per record.
// A Memo serves one batch: the maps must not change while it is in use.
type Memo struct {
	last store.Attributes
	json string
	set  bool
}

// String encodes a, reusing the previous result when a is the same map.
func (m *Memo) String(a store.Attributes) (string, error) {
	if m.set && reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(m.last).UnsafePointer() {
		return m.json, nil
	}
	b, err := Marshal(a)
	if err != nil {
		return "", err
	}
	m.last, m.json, m.set = a, string(b), true
	return m.json, nil
}
