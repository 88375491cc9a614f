package secret

import (
	"fmt"
	"io"
	"os"

	"golang.org/x/term"
)

// Prompter asks a person for a password; label says which one.
type Prompter func(label string) (Secret, error)

// TerminalPrompter asks on the controlling terminal with echo off. It returns
// nil when stdin is not a terminal, so callers fall back to an error that
// says to use an env var or a file.
func TerminalPrompter(out io.Writer) Prompter {
	fd := int(os.Stdin.Fd())
	if !term.IsTerminal(fd) {
		return nil
	}
	return func(label string) (Secret, error) {
		fmt.Fprintf(out, "%s: ", label)
		b, err := term.ReadPassword(fd)
		fmt.Fprintln(out)
		if err != nil {
			return Secret{}, fmt.Errorf("%s: read from terminal: %w", label, err)
		}
		if len(b) == 0 {
			return Secret{}, fmt.Errorf("%s: %w (empty input)", label, ErrNotGiven)
		}
		return New(string(b)), nil
	}
}
