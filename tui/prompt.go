package tui

import (
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"ccewiz/secret"
)

// promptBridge lets a step that runs inside a tea.Cmd ask for a password it
// has no answer for (Env.Prompt): the request travels to Update as a
// message, the admin types it into a masked input, and the reply travels
// back. Nothing blocks Update; the step's goroutine waits.
type promptBridge struct {
	mu   sync.Mutex // one question at a time
	reqs chan promptReq
	// run is the current Plan or Apply; nil while checks run, which have a
	// few seconds each — too short for a person — so they say where to set it instead.
	run atomic.Pointer[promptRun]
}

type promptRun struct {
	id   int
	done <-chan struct{}
}

type promptReq struct {
	label string
	reply chan promptReply
}

type promptReply struct {
	s   secret.Secret
	err error
}

// promptMsg asks Update to show a password input for run id.
type promptMsg struct {
	id  int
	req promptReq
}

func newPromptBridge() *promptBridge { return &promptBridge{reqs: make(chan promptReq)} }

// prompt is the Env.Prompt of a wizard session.
func (b *promptBridge) prompt(label string) (secret.Secret, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	r := b.run.Load()
	if r == nil {
		return secret.Secret{}, fmt.Errorf("%s: %w (type it in its step's form, or give env:NAME or file:PATH in the answers file)", label, secret.ErrNotGiven)
	}
	req := promptReq{label: label, reply: make(chan promptReply, 1)}
	select {
	case b.reqs <- req:
	case <-r.done:
		return secret.Secret{}, errCancelled
	}
	select {
	case rep := <-req.reply:
		return rep.s, rep.err
	case <-r.done:
		return secret.Secret{}, errCancelled
	}
}

// wait delivers the next request of run r to Update.
func (b *promptBridge) wait(r *promptRun) tea.Cmd {
	return func() tea.Msg {
		select {
		case req := <-b.reqs:
			return promptMsg{id: r.id, req: req}
		case <-r.done:
			return nil
		}
	}
}

func (m *Model) askPassword(msg promptMsg) tea.Cmd {
	if m.run == nil || m.run.id != msg.id {
		msg.req.reply <- promptReply{err: errCancelled}
		return nil
	}
	m.asking = &msg.req
	m.secretIn = newInput(m.st)
	m.secretIn.EchoMode = textinput.EchoPassword
	m.secretIn.EchoCharacter = '•'
	m.secretIn.Placeholder = "kept for this session only, never saved"
	// A textinput without a width shows one character of its placeholder
	// (the stray "k" after "PFX password:").
	_, mainW := m.paneWidths()
	m.secretIn.Width = max(10, mainW-4)
	m.secretIn.Focus()
	return nil
}

// answerPassword handles a key while a password is asked for.
func (m *Model) answerPassword(msg tea.KeyMsg) tea.Cmd {
	req := m.asking
	switch msg.Type {
	case tea.KeyEnter:
		v := m.secretIn.Value()
		if v == "" {
			req.reply <- promptReply{err: fmt.Errorf("%s: %w (empty input)", req.label, secret.ErrNotGiven)}
		} else {
			req.reply <- promptReply{s: secret.New(v)}
		}
	case tea.KeyEsc:
		req.reply <- promptReply{err: fmt.Errorf("%s: %w (esc pressed)", req.label, secret.ErrNotGiven)}
	default:
		var cmd tea.Cmd
		m.secretIn, cmd = m.secretIn.Update(msg)
		return cmd
	}
	m.asking = nil
	m.secretIn.SetValue("")
	if r := m.prompts.run.Load(); r != nil && m.run != nil && r.id == m.run.id {
		return m.prompts.wait(r)
	}
	return nil
}
