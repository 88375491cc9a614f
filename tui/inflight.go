package tui

import (
	"sync"

	tea "github.com/charmbracelet/bubbletea"
)

// inflight holds the work a session started that writes to disk: answers
// and report saves, and Apply runs. Bubble Tea neither waits for a command
// when the program ends nor promises to start one asked for just before, so
// a quit pressed while a save is on its way could lose it, and a test (or an
// SSH session) could remove a directory a write is still filling. Wait, once
// the program has returned, runs every save not yet started, waits for the
// ones running and for Apply runs to end, and from then on refuses to start
// anything new.
type inflight struct {
	mu      sync.Mutex
	closed  bool
	running sync.WaitGroup
	saves   []*pendingSave
}

type pendingSave struct {
	once sync.Once
	fn   func() tea.Msg
	msg  tea.Msg
}

func (p *pendingSave) run() tea.Msg {
	p.once.Do(func() { p.msg = p.fn() })
	return p.msg
}

// save wraps a write as a command. Its data is taken when the command is
// made (on the Update goroutine); the write runs in the command, or in Wait
// if the program ended first — never twice.
func (f *inflight) save(fn func() tea.Msg) tea.Cmd {
	p := &pendingSave{fn: fn}
	f.mu.Lock()
	f.saves = append(f.saves, p)
	f.mu.Unlock()
	return func() tea.Msg {
		msg := p.run()
		f.mu.Lock()
		for i, q := range f.saves {
			if q == p {
				f.saves = append(f.saves[:i], f.saves[i+1:]...)
				break
			}
		}
		f.mu.Unlock()
		return msg
	}
}

// begin registers a run about to start; false once Wait has been called
// (the program is over, so nobody would see or record the run).
func (f *inflight) begin() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return false
	}
	f.running.Add(1)
	return true
}

func (f *inflight) end() { f.running.Done() }

// wait finishes the saves in the order they were asked for (each replaces
// the file the one before wrote) and waits for the runs.
func (f *inflight) wait() {
	f.mu.Lock()
	f.closed = true
	saves := append([]*pendingSave(nil), f.saves...)
	f.mu.Unlock()
	for _, p := range saves {
		p.run()
	}
	f.running.Wait()
}
