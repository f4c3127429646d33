package loadgen

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"testing"
	"time"
)

// TestRunReportsTheRequestsItNeverSawAcknowledged proves the bookkeeping a
// reader of the receiver relies on: every number handed out is either
// acknowledged or listed in Unacked, and none is counted twice. The
// receiver refuses request 3 until the run ends, and holds every other odd
// one past the run's end, so both ways a run leaves requests behind occur.
func TestRunReportsTheRequestsItNeverSawAcknowledged(t *testing.T) {
	const run = 300 * time.Millisecond
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		n, _ := strconv.Atoi(string(b))
		switch {
		case n == 3:
			w.WriteHeader(http.StatusTooManyRequests)
		case n%2 == 1 && n > 20:
			time.Sleep(2 * run)
		}
	}))
	defer srv.Close()
	res, err := Run(context.Background(), Options{HTTPURL: srv.URL, Workers: 4, Duration: run}, "/v1/traces",
		func(n uint64, _ []byte) []byte { return []byte(strconv.FormatUint(n, 10)) })
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(res.Unacked, 3) {
		t.Errorf("request 3 was refused throughout, yet Unacked = %v", res.Unacked)
	}
	if res.Refused == 0 {
		t.Error("no refusal counted")
	}
	if got := res.Acked + uint64(len(res.Unacked)); got != res.Issued {
		t.Errorf("acked %d + unacked %d = %d, want every issued request (%d) once", res.Acked, len(res.Unacked), got, res.Issued)
	}
	for _, n := range res.Unacked {
		if n >= res.Issued {
			t.Errorf("unacked request %d was never issued (issued %d)", n, res.Issued)
		}
	}
}
