package query

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

var when = time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.UTC)

func TestEncodeJSONWritesNonFiniteFloatsAsTheDocumentedStrings(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, tc := range []struct {
		name string
		v    any
		want string
	}{
		{"metric value", map[string]any{"metrics": []store.Metric{{MetricID: "m", Name: "n", Value: nan,
			AggregationType: "gauge", Timestamp: when}}}, `{"metrics":[{"metricId":"m","name":"n","value":"NaN",` +
			`"aggregationType":"gauge","timestamp":"2026-03-01T12:00:00.123456789Z"}]}`},
		{"attributes, nested too", store.Span{Attributes: store.Attributes{"a": -inf, "l": []any{1.5, nan},
			"m": map[string]any{"x": inf, "<": "&"}}, Resource: store.Attributes{"r": float32(inf)}},
			`{"traceId":"","spanId":"","name":"","kind":"","startTime":"0001-01-01T00:00:00Z",` +
				`"endTime":"0001-01-01T00:00:00Z","duration":0,"status":"","attributes":{"a":"-Inf",` +
				`"l":[1.5,"NaN"],"m":{"\u003c":"\u0026","x":"+Inf"}},"resource":{"r":"+Inf"}}`},
		{"aggregate", store.Aggregate{Start: when, Count: 2, Sum: nan, Avg: nan, Min: -inf, Max: inf, P50: 1e21,
			P95: inf, P99: inf}, `{"start":"2026-03-01T12:00:00.123456789Z","count":2,"sum":"NaN","avg":"NaN",` +
			`"min":"-Inf","max":"+Inf","p50":1e+21,"p95":"+Inf","p99":"+Inf"}`},
		{"durations", store.TraceDetail{Trace: store.Trace{Duration: inf}, Spans: []store.Span{{Duration: nan}}},
			`{"trace":{"traceId":"","name":"","startTime":"0001-01-01T00:00:00Z","endTime":"0001-01-01T00:00:00Z",` +
				`"duration":"+Inf","status":"","spanCount":0},"spans":[{"traceId":"","spanId":"","name":"",` +
				`"kind":"","startTime":"0001-01-01T00:00:00Z","endTime":"0001-01-01T00:00:00Z",` +
				`"duration":"NaN","status":""}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := encodeJSON(&buf, tc.v); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want+"\n", buf.String()); d != "" {
				t.Errorf("encoding (-want +got):\n%s", d)
			}
			if !json.Valid(buf.Bytes()) {
				t.Errorf("invalid JSON: %s", buf.Bytes())
			}
		})
	}
}

// TestEncodeNonFiniteWritesFiniteValuesAsEncodingJSONDoes: an answer with
// one NaN is encoded by encodeNonFinite, which must write everything else
// exactly as encoding/json writes answers without one.
func TestEncodeNonFiniteWritesFiniteValuesAsEncodingJSONDoes(t *testing.T) {
	for i, v := range parityValues() {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			want, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			if err := encodeNonFinite(&got, v); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(string(want), got.String()); d != "" {
				t.Errorf("encodeNonFinite(%#v) (-encoding/json +got):\n%s", v, d)
			}
		})
	}
}

func TestWriteJSONAnswers500RatherThanACutBody(t *testing.T) {
	cyclic := map[string]any{}
	cyclic["self"] = cyclic
	for name, v := range map[string]any{
		"a value JSON cannot hold": map[string]any{"a": math.NaN(), "f": func() {}},
		"a cycle":                  map[string]any{"n": math.NaN(), "c": cyclic},
		"a failing marshaler":      map[string]any{"n": math.NaN(), "t": time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
	} {
		t.Run(name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			writeJSON(rec, http.StatusOK, v)
			var e struct{ Error string }
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || rec.Code != http.StatusInternalServerError ||
				e.Error == "" || rec.Header().Get("Content-Length") != strconv.Itoa(rec.Body.Len()) {
				t.Errorf("answered %d %q (%v), want 500 with a JSON error and its length", rec.Code, rec.Body, err)
			}
		})
	}
}
