package attrjson

import (
	"fmt"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// MarshalPair encodes a record's attributes and, through the batch's memo,
// its resource: the two JSON columns every SQL store writes. An attribute
// that cannot be encoded is the record's fault, so the error wraps
// store.ErrInvalid.
func MarshalPair(attrs, resource store.Attributes, memo *Memo) (a, r string, err error) {
	ab, err := Marshal(attrs)
	if err != nil {
		return "", "", fmt.Errorf("%w: %w", store.ErrInvalid, err)
	}
	r, err = memo.String(resource)
	if err != nil {
		return "", "", fmt.Errorf("%w: %w", store.ErrInvalid, err)
	}
	return string(ab), r, nil
}

// UnmarshalPair decodes the two JSON columns MarshalPair wrote.
func UnmarshalPair(attrs, res []byte, a, r *store.Attributes) error {
	var err error
	if *a, err = Unmarshal(attrs); err != nil {
		return err
	}
	*r, err = Unmarshal(res)
	return err
}

// MarshalBody encodes a log record's body, any attribute value or none, as
// the object {"v": body}, so that every kind of value round-trips as
// attributes do; no body encodes as {}. A body that cannot be encoded is
// the record's fault, so the error wraps store.ErrInvalid.
func MarshalBody(body any) ([]byte, error) {
	if body == nil {
		return []byte("{}"), nil
	}
	b, err := Marshal(store.Attributes{"v": body})
	if err != nil {
		return nil, fmt.Errorf("%w: log body: %w", store.ErrInvalid, err)
	}
	return b, nil
}

// UnmarshalBody decodes what MarshalBody wrote.
func UnmarshalBody(data []byte) (any, error) {
	m, err := Unmarshal(data)
	if err != nil {
		return nil, err
	}
	return m["v"], nil
}
