package sqlite

import (
	"sync"

	"modernc.org/libc"
)

// The pure-Go SQLite allocates from modernc.org/libc's allocator, which maps
// a 64 KiB page per size class and unmaps a page as soon as its last block
// is freed. B-tree page splits allocate and free scratch blocks of 8 and
// 16 KiB for every split, so whenever those classes had no free block left,
// each split cost an mmap and a munmap (a quarter of the store's write CPU,
// more on a busy machine, where munmap's TLB shootdowns are dear).
//
// One block of each size class, allocated once and never freed, keeps a page
// of every class mapped for good. That is not enough for the 8 KiB class:
// the page caches take their pages from it (a 4 KiB database page with its
// header), and once they have filled every free block, the splits mapped a
// page again. So the 8 KiB class keeps enough pages mapped for all the
// connections' page caches and some to spare, and the 16 KiB class a few.
// Writing the free list links touches a page of each free block (8-9 MiB
// in all), so it is done when the first SQLite store opens, not in every
// sink whatever its store.
var pinAllocator = sync.OnceFunc(func() {
	tls := libc.NewTLS()
	defer tls.Close()
	for log := 4; log <= 14; log++ {
		libc.Xmalloc(tls, libc.Tsize_t(1)<<log)
	}
	pinFree(tls, 13, pageCacheBlocks+64)
	pinFree(tls, 14, 16)
})

// pageCacheBlocks bounds the pages the page caches of the writer and the
// readers hold together.
const pageCacheBlocks = (writerCacheKiB + readerConns*defaultCacheKiB) / 4

// pinFree leaves at least n free blocks of size class log on pages that stay
// mapped: it allocates them, then frees all but one block of each page.
func pinFree(tls *libc.TLS, log, n int) {
	size := libc.Tsize_t(1)<<log - 64 // Within the class, with room for the allocator's rounding.
	pinned := map[uintptr]bool{}
	blocks := make([]uintptr, 0, n)
	for len(blocks) < n {
		p := libc.Xmalloc(tls, size)
		if p == 0 {
			return
		}
		if page := p &^ (64<<10 - 1); !pinned[page] {
			pinned[page] = true
			continue
		}
		blocks = append(blocks, p)
	}
	for _, p := range blocks {
		libc.Xfree(tls, p)
	}
}
