package query_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spark-dev/telemetry-operator/internal/sink/config"
	"github.com/spark-dev/telemetry-operator/internal/sink/query"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
	"github.com/spark-dev/telemetry-operator/internal/sink/store/memory"
)

// endpoints are the query API's paths (the trace id of the second is the
// fuzzer's) and the parameters docs/query-api.md lists for each.
var endpoints = []struct {
	path   string
	params []string
}{
	{"/api/v1/traces", []string{"limit", "status", "name", "from", "to"}},
	{"/api/v1/traces/", []string{"traceId"}},
	{"/api/v1/spans", []string{"limit", "traceId", "name", "from", "to"}},
	{"/api/v1/events", []string{"limit", "traceId", "type", "name", "from", "to"}},
	{"/api/v1/metrics", []string{"limit", "name", "from", "to"}},
	{"/api/v1/metrics/aggregate", []string{"name", "from", "to", "step"}},
}

const fuzzTraceID = "0000000000000000000000000000a001"

// FuzzQueryParams sends random query strings to every endpoint over a
// memory store holding some of everything, NaN and infinities included:
// no answer is a 5xx, every body is valid JSON, and a 400 names a
// parameter of the request.
func FuzzQueryParams(f *testing.F) {
	h := query.New(fuzzStore(f))
	for _, seed := range querySeeds() {
		f.Add(seed.endpoint, seed.id, seed.query)
	}
	f.Fuzz(func(t *testing.T, endpoint uint8, id, rawQuery string) {
		ep := endpoints[int(endpoint)%len(endpoints)]
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.URL.Path, r.URL.RawQuery = ep.path, rawQuery
		if strings.HasSuffix(ep.path, "/") {
			if id == "" || id == "." || id == ".." || strings.Contains(id, "/") {
				t.Skip("the mux redirects or refuses this path before the API sees it")
			}
			r.URL.Path += id
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		checkAnswer(t, r, w, ep.params)
	})
}

// checkAnswer fails unless w is an answer the API may give to r, whose
// endpoint documents params.
func checkAnswer(t *testing.T, r *http.Request, w *httptest.ResponseRecorder, params []string) {
	t.Helper()
	what := fmt.Sprintf("GET %s?%s: %d %q", r.URL.Path, r.URL.RawQuery, w.Code, w.Body)
	switch {
	case w.Code >= 500:
		t.Fatalf("%s: a server error", what)
	case !json.Valid(w.Body.Bytes()):
		t.Fatalf("%s: not valid JSON", what)
	case w.Code == http.StatusBadRequest && !namesParameter(r, w.Body.Bytes(), params):
		t.Fatalf("%s: a 400 that names neither a parameter of the request nor one of the endpoint", what)
	}
}

// namesParameter reports whether an error names, quoted, a query parameter
// of r or one of params (a required one may be missing).
func namesParameter(r *http.Request, body []byte, params []string) bool {
	var e struct{ Error string }
	if json.Unmarshal(body, &e) != nil {
		return false
	}
	names := slices.Clone(params)
	for name := range r.URL.Query() {
		names = append(names, name)
	}
	for _, name := range names {
		if strings.Contains(e.Error, "query parameter "+strconv.Quote(name)+" ") {
			return true
		}
	}
	return false
}

type querySeed struct {
	endpoint uint8
	id       string
	query    string
}

// querySeeds are the parameter forms docs/query-api.md lists, good and bad.
func querySeeds() []querySeed {
	seeds := []querySeed{{1, fuzzTraceID, ""}, {1, strings.ToUpper(fuzzTraceID), ""}, {1, "not-a-trace-id", ""},
		{1, "0af7651916cd43dd8448eb211c80319c", ""}, {1, fuzzTraceID, "limit=1"}}
	for i, queries := range [][]string{
		{"limit=10", "status=completed&name=root", "status=failed", "status=weird", "attr.service.name=api",
			"attr.nan=NaN&attr.pinf=%2BInf", "attr.=x", "bogus=1"},
		nil,
		{"traceId=" + fuzzTraceID + "&limit=5", "traceId=xyz", "name=child&attr.f=2.5", "attr.list=x"},
		{"type=log&traceId=" + fuzzTraceID, "type=span_event&name=e", "attr.x=1", "limit=20000"},
		{"limit=1000&name=nf", "name=nf&attr.nan=NaN", "limit=-3", "limit=abc", "limit=99999999999999999999"},
		{"name=nf", "name=nf&step=1m", "name=nf&step=60", "name=nf&step=1ns", "name=nf&step=-1s", "step=1m",
			"name=nf&step=1h&from=1772366400000000000&to=1772370000000000000", "name=nf&step=0"},
	} {
		for _, q := range queries {
			seeds = append(seeds, querySeed{uint8(i), "", q})
		}
	}
	for _, times := range []string{"from=2026-03-01T12:00:00Z&to=2026-03-01T13:00:00.5Z",
		"from=2026-03-01T12:00:00%2B01:00", "from=1772366400000000000", "from=-1", "from=yesterday",
		"from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "to=9223372036854775807"} {
		for i := range endpoints {
			seeds = append(seeds, querySeed{uint8(i), fuzzTraceID, times})
		}
	}
	return seeds
}

// fuzzStore holds two traces, events and metric points, with NaN and
// infinite attributes and values.
func fuzzStore(f *testing.F) store.Store {
	s := memory.New(config.Memory{})
	f.Cleanup(func() { _ = s.Close() })
	base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	odd := store.Attributes{"nan": math.NaN(), "pinf": math.Inf(1), "f": 2.5, "list": []any{"x", math.Inf(-1)},
		"map": map[string]any{"k": math.NaN()}, "b": []byte("hi"), "s": "<&>"}
	var b store.Batch
	for i := range 2 {
		tid := fmt.Sprintf("%032x", 0xa001+i)
		b.Spans = append(b.Spans,
			store.Span{TraceID: tid, SpanID: fmt.Sprintf("%016x", 0xb001+2*i), Name: "root", Kind: "server",
				StartTime: base, EndTime: base.Add(time.Second), Duration: 1, Status: store.SpanStatusError,
				Attributes: odd, Resource: store.Attributes{"service.name": "api"}},
			store.Span{TraceID: tid, SpanID: fmt.Sprintf("%016x", 0xb002+2*i), ParentSpanID: fmt.Sprintf("%016x", 0xb001+2*i),
				Name: "child", Kind: "internal", StartTime: base.Add(time.Millisecond), EndTime: base.Add(time.Second),
				Duration: 0.999, Status: store.SpanStatusOK, Attributes: odd})
		b.Events = append(b.Events, store.Event{EventID: fmt.Sprintf("%032x", 0xe001+i), TraceID: tid, Type: "log",
			Name: "e", Timestamp: base.Add(time.Duration(i) * time.Minute), Attributes: odd})
	}
	for i, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1), 1, 2.5} {
		b.Metrics = append(b.Metrics, store.Metric{MetricID: fmt.Sprintf("%032x", 0xf001+i), Name: "nf", Value: v,
			AggregationType: store.AggregationGauge, Timestamp: base.Add(time.Duration(i) * time.Minute), Attributes: odd})
	}
	if err := s.Write(context.Background(), &b); err != nil {
		f.Fatal(err)
	}
	return s
}
