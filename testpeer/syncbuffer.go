package testpeer

import (
	"bytes"
	"sync"
)

// SyncBuffer collects output written from other goroutines (an exec.Cmd's
// copiers, a server's log) that the test reads while it is still written.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
