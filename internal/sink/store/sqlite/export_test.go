package sqlite

import (
	"context"
	"io/fs"
)

// SchemaVersion is the version a database is at once migrated: the number
// of schema files.
func SchemaVersion() int {
	files, _ := fs.Glob(schemaFS, "schema/*.sql")
	return len(files)
}

// CompactRuns runs one compaction pass over at most limit names and
// minutes, for tests, which cannot wait for a write to find one due.
func (s *Store) CompactRuns(ctx context.Context, limit int) (more bool, err error) {
	return s.compactRuns(ctx, limit)
}
