package memory

import (
	"slices"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// collector keeps the first records of a query's order as they are
// scanned: a short sorted list when the limit is small next to the store
// (most queries ask for a page of 10 to 100), so that a query costs one
// pass and no full sort.
type collector[T any] struct {
	cmp   func(a, b *T) int
	limit int
	all   bool
	items []*T
}

func newCollector[T any](limit, size int, cmp func(a, b *T) int) *collector[T] {
	limit = store.EffectiveLimit(limit)
	return &collector[T]{cmp: cmp, limit: limit, all: limit*4 >= size}
}

func (c *collector[T]) add(item *T) {
	if c.all {
		c.items = append(c.items, item)
		return
	}
	if len(c.items) == c.limit && c.cmp(item, c.items[len(c.items)-1]) >= 0 {
		return
	}
	i, _ := slices.BinarySearchFunc(c.items, item, c.cmp)
	if len(c.items) < c.limit {
		c.items = append(c.items, nil)
	}
	copy(c.items[i+1:], c.items[i:])
	c.items[i] = item
}

// last is the record that ends a full result, nil while the result is not
// full: a record that orders after it cannot enter.
func (c *collector[T]) last() *T {
	if c.all || len(c.items) < c.limit {
		return nil
	}
	return c.items[len(c.items)-1]
}

// result copies the records out, in order, at most limit of them.
func (c *collector[T]) result() []T {
	if c.all {
		slices.SortFunc(c.items, c.cmp)
	}
	n := min(len(c.items), c.limit)
	out := make([]T, n)
	for i := range n {
		out[i] = *c.items[i]
	}
	return out
}
