package sqlite

import "context"

// CompactRuns runs one compaction pass over at most limit names and
// minutes, for tests, which cannot wait for a write to find one due.
func (s *Store) CompactRuns(ctx context.Context, limit int) (more bool, err error) {
	return s.compactRuns(ctx, limit)
}
