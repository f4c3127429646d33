package postgres

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

func TestTranslateURLRenamesPoolSizesAndKeepsTheRest(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		invalid  bool
	}{
		{in: "postgresql://u:p@db:5432/telemetry?sslmode=require&min_size=2&max_size=10",
			want: "postgresql://u:p@db:5432/telemetry?pool_max_conns=10&pool_min_conns=2&sslmode=require"},
		{in: "postgres://db/telemetry", want: "postgres://db/telemetry"},
		{in: "postgres://db/t?max_size=many", invalid: true},
		{in: "mysql://db/t", invalid: true},
	} {
		got, err := translateURL(tc.in)
		if tc.invalid {
			if !errors.Is(err, store.ErrInvalid) {
				t.Errorf("translateURL(%q): error %v, want ErrInvalid", tc.in, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("translateURL(%q): %v", tc.in, err)
		}
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("translateURL(%q) (-want +got):\n%s", tc.in, d)
		}
	}
}
