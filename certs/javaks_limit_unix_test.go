//go:build !windows

package certs

import "syscall"

const canLimitFileSize = true

// limitFileSize makes writes beyond n bytes fail with EFBIG, as a full disk
// would (Go ignores SIGXFSZ, so the write returns an error instead of dying).
func limitFileSize(n uint64) error {
	return syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: n, Max: n})
}
