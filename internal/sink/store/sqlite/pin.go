package sqlite

import "modernc.org/libc"

// The pure-Go SQLite allocates from modernc.org/libc's allocator, which maps
// a 64 KiB page per size class and unmaps a page as soon as its last block
// is freed. B-tree page splits allocate and free a scratch block of up to
// 16 KiB for every split, so each split cost an mmap and a munmap: a quarter
// of the store's write CPU went to those two system calls. One block of each
// size class, allocated once and never freed, keeps a page of every class
// mapped for good (about 1 MiB in all).
func init() {
	tls := libc.NewTLS()
	defer tls.Close()
	for log := 4; log <= 14; log++ {
		libc.Xmalloc(tls, libc.Tsize_t(1)<<log)
	}
}
