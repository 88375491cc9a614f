package tui

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
	"golang.org/x/term"

	"ccewiz/secret"
	"ccewiz/steps"
)

// ErrInputEnded means stdin closed before the wizard finished; progress up
// to the last finished step is in the answers file.
var ErrInputEnded = errors.New("input ended before the wizard finished")

// RunAccessible runs the same flow as the TUI as plain line prompts on in
// and out: no cursor movement, no colour, one question per line, so screen
// readers, dumb terminals and pipes work. Answers are saved after every
// step exactly as in the TUI; passwords are read without echo when in is a
// terminal and never saved.
func RunAccessible(ctx context.Context, o Options, in io.Reader, out io.Writer) error {
	m := newModel(o) // the same state rules as the TUI: resume point, needs, saving
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	lp := &linePrompt{ctx: ctx, m: m, in: bufio.NewReader(in), raw: in, out: out, st: plainStyles(r), width: o.Width}
	if f, ok := out.(*os.File); ok && lp.width <= 0 && term.IsTerminal(int(f.Fd())) {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil {
			lp.width = w
		}
	}
	if m.ownPrompt { // no Bubble Tea loop here to answer the bridge: ask on the line
		m.env.Prompt = func(label string) (secret.Secret, error) {
			lp.printf("%s (input hidden): ", label)
			v, err := lp.readSecret()
			if err != nil {
				return secret.Secret{}, err
			}
			if v == "" {
				return secret.Secret{}, fmt.Errorf("%s: %w (empty input)", label, secret.ErrNotGiven)
			}
			return secret.New(v), nil
		}
	}
	return lp.run(ctx)
}

// plainStyles draw nothing: the line-prompt mode prints words and symbols only.
func plainStyles(r *lipgloss.Renderer) styles {
	s := sty{r.NewStyle(), true}
	return styles{plain: s, bold: s, dim: s, accent: s, focus: s, title: s, pass: s, warn: s, fail: s, skip: s, manual: s}
}

type linePrompt struct {
	ctx   context.Context
	m     *Model
	in    *bufio.Reader
	raw   io.Reader
	out   io.Writer
	st    styles
	saved bool
	// width is the terminal's: text is wrapped on words before its edge
	// (the terminal would cut "patch l|evels"). 0: a pipe, nothing wrapped.
	width int
}

func (lp *linePrompt) printf(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	if lp.width > 0 {
		s = wrapLines(s, lp.width-1) // the last column would wrap by itself
	}
	io.WriteString(lp.out, s)
}

// wrapLines wraps every line of s longer than w on word boundaries; the
// continuation keeps the line's indentation, so details stay under their check.
func wrapLines(s string, w int) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if ansi.StringWidth(l) <= w {
			continue
		}
		body := strings.TrimLeft(l, " ")
		ind := l[:len(l)-len(body)]
		if len(ind) > w/2 {
			ind = ind[:w/2]
		}
		lines[i] = ind + strings.ReplaceAll(ansi.Wrap(body, w-len(ind), ""), "\n", "\n"+ind)
	}
	return strings.Join(lines, "\n")
}

// readLine waits for a line or for the context (Ctrl+C arrives as a
// signal in line mode): a blocked read must not keep the admin waiting.
func (lp *linePrompt) readLine() (string, error) {
	type line struct {
		s   string
		err error
	}
	ch := make(chan line, 1)
	go func() {
		s, err := lp.in.ReadString('\n')
		ch <- line{s, err}
	}()
	var l line
	select {
	case l = <-ch:
	case <-lp.ctx.Done():
		lp.printf("\n")
		return "", lp.ctx.Err()
	}
	if l.err != nil && (l.s == "" || !errors.Is(l.err, io.EOF)) {
		if errors.Is(l.err, io.EOF) {
			return "", ErrInputEnded
		}
		return "", l.err
	}
	return strings.TrimRight(l.s, "\r\n"), nil
}

// readSecret reads without echo on a terminal; from a pipe it reads a line
// (nothing is echoed there anyway). Interrupted, it turns echo back on
// before returning: the terminal must never be left mute.
func (lp *linePrompt) readSecret() (string, error) {
	f, ok := lp.raw.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) || lp.in.Buffered() > 0 {
		return lp.readLine()
	}
	fd := int(f.Fd())
	state, err := term.GetState(fd)
	if err != nil {
		return "", fmt.Errorf("read a password: %w", err)
	}
	type pw struct {
		b   []byte
		err error
	}
	ch := make(chan pw, 1)
	go func() {
		b, err := term.ReadPassword(fd)
		ch <- pw{b, err}
	}()
	select {
	case r := <-ch:
		lp.printf("\n")
		return string(r.b), r.err
	case <-lp.ctx.Done():
		term.Restore(fd, state)
		lp.printf("\n")
		return "", lp.ctx.Err()
	}
}

func (lp *linePrompt) save() error {
	m := lp.m
	if m.path == "" {
		return nil
	}
	res, err := steps.SaveAnswers(m.savePath, m.env.Answers, !lp.saved)
	if err != nil {
		return fmt.Errorf("save the answers file: %w", err)
	}
	lp.saved = true
	if res.Backup != "" {
		lp.printf("Saved %s (the previous version is %s).\n", m.path, res.Backup)
	} else {
		lp.printf("Saved %s.\n", m.path)
	}
	return nil
}

func (lp *linePrompt) run(ctx context.Context) error {
	m := lp.m
	lp.printf("ccewiz — %s integration, plain mode.\n", steps.FlowTitle(m.env.FlowID))
	if m.path != "" {
		lp.printf("Answers file: %s (no passwords are ever written to it).\n", m.path)
	}
	lp.printf("For each question press Enter to keep the value in [brackets], type - to clear it, ? for help.\n")
	for i := m.cur; i < len(m.flow); i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		m.cur = i
		m.refreshNeeds()
		s := m.flow[i]
		need := m.needs[i]
		guide := ""
		if g := steps.GuideStep(s); g != "" {
			guide = " (guide step " + g + ")"
		}
		lp.printf("\n== Step %d of %d: %s%s ==\n", i+1, len(m.flow), s.Title(), guide)
		if need.need == steps.NotNeeded {
			lp.printf("Not needed for this deployment: %s. Skipped.\n", need.why)
			continue
		}
		lp.printf("%s: %s\n%s\n", need.need, need.why, s.Intro())
		m.env.FlowProgress().Current = s.ID()
		next, err := lp.step(ctx, s)
		if err != nil {
			if errors.Is(err, ErrInputEnded) || ctx.Err() != nil {
				if serr := lp.save(); serr != nil {
					return serr
				}
			}
			return err
		}
		if !next {
			return lp.save() // the admin chose to stop here
		}
		if err := lp.save(); err != nil {
			return err
		}
	}
	return lp.report(ctx)
}

// step asks the fields, shows the plan, applies it on confirmation and runs
// the checks. It returns false when the admin asks to stop.
func (lp *linePrompt) step(ctx context.Context, s steps.Step) (bool, error) {
	m := lp.m
	env := m.env
	for {
		if err := lp.fields(s.Fields()); err != nil {
			return false, err
		}
		if err := lp.save(); err != nil {
			return false, err
		}
		env.Progress = func(stage string) { lp.printf("  … %s\n", stage) }
		pctx, cancel := context.WithTimeout(ctx, m.o.ActionTimeout)
		p, err := steps.PlanStep(pctx, m.flow, s, env)
		cancel()
		if err != nil {
			lp.printf("✗ Working out the plan failed:\n%s\n", indentText(err.Error(), "  "))
			if again, skipped, err := lp.afterFailure("[e]dit the answers, [s]kip this step, or [q]uit?", "esq"); !again {
				return skipped, err
			}
			continue
		}
		lp.printf("\nPlan:\n")
		for _, l := range planLines(p, 100, true, lp.st) {
			lp.printf("%s\n", strings.TrimRight(l, " "))
		}
		typed, ok, err := lp.confirm(p)
		if err != nil {
			return false, err
		}
		if !ok {
			if again, skipped, err := lp.afterFailure("Not applied. [e]dit the answers, [s]kip this step, or [q]uit?", "esq"); !again {
				return skipped, err
			}
			continue
		}
		actx, cancel := context.WithTimeout(ctx, m.o.ActionTimeout)
		lp.printf("Applying, then running the checks…\n")
		run := steps.RunStep(actx, m.flow, s, env, p, typed)
		cancel()
		run.Record(env)
		env.Progress = nil
		if out := run.Outcome; out != nil {
			lp.printf("%s", strings.Join(writtenLines(out.Written, 0), "\n"))
			if len(out.Written) > 0 {
				lp.printf("\n")
			}
			for _, n := range out.Notes {
				lp.printf("  %s\n", n)
			}
		}
		if run.Err != nil {
			lp.printf("✗ Applying failed:\n%s\n", indentText(run.Err.Error(), "  "))
			if again, skipped, err := lp.afterFailure("[r]etry (a fresh plan), [s]kip this step, or [q]uit?", "rsq"); !again {
				return skipped, err
			}
			continue
		}
		if _, err := lp.results(run.Results); err != nil {
			return false, err
		}
		if !run.Done {
			lp.printf("Some checks failed; the step is not recorded as done. Fix it and run ccewiz again, or go on.\n")
		}
		return true, nil
	}
}

// confirm asks for the go-ahead: y/n, or for an irreversible plan its exact
// value — which is not even asked while the guard lists earlier steps.
func (lp *linePrompt) confirm(p *steps.Plan) (typed string, ok bool, err error) {
	if irr := p.Irreversible; irr != nil {
		if len(p.Blocked) > 0 {
			lp.printf("This step cannot be undone and waits for the earlier steps above (NOT YET); nothing can be confirmed now.\n")
			return "", false, nil
		}
		lp.printf("IRREVERSIBLE: %s\nType %s exactly to confirm (anything else cancels): ", irr.What, irr.Confirm)
		v, err := lp.readLine()
		if err != nil {
			return "", false, err
		}
		if v != irr.Confirm {
			lp.printf("That is not %q; nothing was done.\n", irr.Confirm)
			return "", false, nil
		}
		return v, true, nil
	}
	c, err := lp.choose("Apply this plan? [y]es or [n]o", "yn")
	return "", c == 'y', err
}

// choose asks until one of the letters in opts is typed.
// afterFailure asks what to do when a step could not go on: again is true
// to go round the step once more (edit or retry), skipped when the admin
// chose to skip it; otherwise the run stops (quit, or err).
func (lp *linePrompt) afterFailure(q, opts string) (again, skipped bool, err error) {
	switch c, err := lp.choose(q, opts); {
	case err != nil:
		return false, false, err
	case c == 's':
		return false, true, nil
	case c == 'q':
		return false, false, nil
	}
	return true, false, nil
}

func (lp *linePrompt) choose(q, opts string) (byte, error) {
	for {
		lp.printf("%s ", q)
		v, err := lp.readLine()
		if err != nil {
			return 0, err
		}
		v = strings.ToLower(strings.TrimSpace(v))
		if v != "" && strings.IndexByte(opts, v[0]) >= 0 {
			return v[0], nil
		}
		lp.printf("Please answer one of: %s\n", strings.Join(strings.Split(opts, ""), ", "))
	}
}

// fields asks every visible field in order, re-asking until the field's
// own Validate and Set accept the answer.
func (lp *linePrompt) fields(fields []steps.Field) error {
	env := lp.m.env
	a := env.Answers
	for _, f := range fields {
		if f.Visible != nil && !f.Visible(a) {
			continue
		}
		for {
			cur := shownValue(f, a)
			lp.printf("%s", lp.question(f, cur))
			var v string
			var err error
			if f.Kind == steps.SecretField {
				v, err = lp.readSecret()
			} else {
				v, err = lp.readLine()
			}
			if err != nil {
				return err
			}
			v = strings.TrimSpace(v)
			if v == "?" {
				lp.printf("  %s\n", orText(f.Help, "no more help for this field"))
				continue
			}
			if f.Kind == steps.SecretField {
				note, err := steps.EnterSecret(env, f, v)
				if err != nil {
					lp.printf("  ✗ %v\n", err)
					continue
				}
				if note != "" {
					lp.printf("  %s\n", note)
				}
				break
			}
			switch {
			case v == "-":
				v = ""
			case v == "":
				v = cur
			case f.Kind == steps.Choice:
				if n, err := strconv.Atoi(v); err == nil && n >= 1 && n <= len(f.Options) && indexFold(f.Options, v) < 0 {
					v = f.Options[n-1]
				}
			}
			if err := steps.SetField(a, fields, f.Key, v); err != nil {
				lp.printf("  ✗ %v\n", err)
				continue
			}
			break
		}
	}
	return nil
}

func (lp *linePrompt) question(f steps.Field, cur string) string {
	var b strings.Builder
	b.WriteString(f.Label)
	switch f.Kind {
	case steps.Choice:
		b.WriteString(" (")
		for i, o := range f.Options {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%d) %s", i+1, o)
		}
		b.WriteString(")")
	case steps.Bool:
		b.WriteString(" (yes/no)")
		if cur == "true" {
			cur = "yes"
		} else {
			cur = "no"
		}
	case steps.List:
		b.WriteString(" (comma-separated)")
	case steps.SecretField:
		b.WriteString(" (input hidden; " + steps.SecretSource(lp.m.env, f) + ")")
		return b.String() + ": "
	}
	if cur != "" {
		fmt.Fprintf(&b, " [%s]", cur)
	}
	return b.String() + ": "
}

func orText(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func indentText(s, p string) string {
	return p + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+p)
}

// results prints the check results and asks about each manual item; it
// reports whether any check failed.
func (lp *linePrompt) results(rs []steps.Result) (bool, error) {
	failed := false
	for _, r := range rs {
		lp.printf("%s %-6s %s\n", steps.Symbol(r.Status), r.Status, r.Title)
		if r.Detail != "" {
			lp.printf("%s\n", indentText(r.Detail, "         "))
		}
		if r.Fix != "" && (r.Status == steps.Fail || r.Status == steps.Warn) {
			lp.printf("%s\n", indentText("fix: "+r.Fix, "         "))
		}
		if r.Status == steps.Fail {
			failed = true
		}
		if r.Status == steps.Manual {
			c, err := lp.choose("  Have you checked this? [y]es or [n]o", "yn")
			if err != nil {
				return failed, err
			}
			lp.m.env.TickAs(r.ID, c == 'y')
		}
	}
	return failed, nil
}

func (lp *linePrompt) report(ctx context.Context) error {
	m := lp.m
	lp.printf("\n== Integration report ==\nRunning every check…\n")
	rs := steps.RunChecks(ctx, m.flow, m.env, steps.RunOptions{Timeout: m.env.Timeout})
	rep := steps.BuildIntegrationReport(m.flow, m.env, rs)
	lp.printf("%s", rep.Text())
	if path := m.reportPath(); path != "" {
		if _, err := writeReport(path, rep.Markdown()); err != nil {
			return err
		}
		lp.printf("\nReport saved to %s\n", path)
	}
	return lp.save()
}
