package query

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"sync"
)

// maxPooledBuffer is the largest answer buffer kept for reuse, so that one
// answer of 10000 rows does not pin its memory for good.
const maxPooledBuffer = 1 << 20

var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// writeJSON answers code with v as JSON. The whole answer is encoded before
// anything is written: once the status line is out, an encoding failure
// could only cut the body short, and a client would read a 200 with an
// empty or broken answer. So it answers 500 with the reason instead.
func writeJSON(w http.ResponseWriter, code int, v any) {
	buf := buffers.Get().(*bytes.Buffer)
	defer putBuffer(buf)
	if err := encodeJSON(buf, v); err != nil {
		buf.Reset()
		code = http.StatusInternalServerError
		_ = encodeJSON(buf, map[string]string{"error": "encoding the answer: " + err.Error()}) // Strings always encode.
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(code)
	_, _ = w.Write(buf.Bytes())
}

func putBuffer(buf *bytes.Buffer) {
	if buf.Cap() <= maxPooledBuffer {
		buf.Reset()
		buffers.Put(buf)
	}
}

// encodeJSON writes v and a newline as encoding/json's Encoder does, except
// that NaN and infinite floats, which encoding/json refuses because JSON has
// no such numbers, are written as the strings "NaN", "+Inf" and "-Inf", as
// the API documents. Nearly every answer holds none, and encoding/json
// writes those; only an answer it refused is encoded again by
// encodeNonFinite.
func encodeJSON(buf *bytes.Buffer, v any) error {
	err := json.NewEncoder(buf).Encode(v)
	var unsupported *json.UnsupportedValueError
	if !errors.As(err, &unsupported) {
		return err
	}
	buf.Reset()
	if err := encodeNonFinite(buf, v); err != nil {
		return err
	}
	buf.WriteByte('\n')
	return nil
}
