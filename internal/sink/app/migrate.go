package app

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// MigrateCounts says how many records a migration copied.
type MigrateCounts struct {
	Spans, Events, Metrics int
}

// Migrate copies every record of from into to, batch by batch. Traces are
// derived by the destination from the spans. Stores are idempotent by
// record id, so running it again after a failure copies nothing twice.
func Migrate(ctx context.Context, from, to store.Store, batchSize int) (MigrateCounts, error) {
	var c MigrateCounts
	err := from.ReadAll(ctx, batchSize, func(b *store.Batch) error {
		if err := to.Write(ctx, b); err != nil {
			return fmt.Errorf("write to the destination: %w", err)
		}
		c.Spans += len(b.Spans)
		c.Events += len(b.Events)
		c.Metrics += len(b.Metrics)
		return nil
	})
	return c, err
}

func migrateMain(ctx context.Context, args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("sink migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", "", "source store URL: memory:, sqlite:///abs/path.db, sqlite:relative.db or postgresql://user:pass@host/db")
	to := fs.String("to", "", "destination store URL, in the same forms")
	batch := fs.Int("batch-size", 1000, "records per write")
	fs.Usage = func() {
		_, _ = fmt.Fprint(stderr, "Usage: sink migrate --from URL --to URL [--batch-size N]\n\n"+
			"Copies every span, event and metric point from one store to another (for example SQLite to\n"+
			"PostgreSQL). It is safe to run again: records already copied are not duplicated.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return exitCode(err)
	}
	if *from == "" || *to == "" || *batch < 1 || fs.NArg() > 0 {
		_, _ = fmt.Fprintln(stderr, "sink migrate: --from and --to are required, --batch-size must be at least 1, and no other arguments are allowed")
		return 2
	}
	c, err := migrateURLs(ctx, *from, *to, *batch)
	if err != nil {
		_, _ = fmt.Fprintf(stderr, "sink migrate: %v\n", err)
		return 1
	}
	_, _ = fmt.Fprintf(stderr, "sink migrate: copied %d spans, %d events and %d metric points\n", c.Spans, c.Events, c.Metrics)
	return 0
}

func migrateURLs(ctx context.Context, fromURL, toURL string, batch int) (MigrateCounts, error) {
	from, err := OpenURL(ctx, fromURL)
	if err != nil {
		return MigrateCounts{}, fmt.Errorf("--from: %w", err)
	}
	defer func() { _ = from.Close() }()
	to, err := OpenURL(ctx, toURL)
	if err != nil {
		return MigrateCounts{}, fmt.Errorf("--to: %w", err)
	}
	defer func() { _ = to.Close() }()
	return Migrate(ctx, from, to, batch)
}
