package steps

import (
	"fmt"
	"strings"
)

// Commands ccewiz prints are pasted into an elevated cmd or PowerShell on a
// production server, so every value in them is quoted for that shell, and
// a value that cannot be quoted safely stops the plan instead.

// cmdQuote is s as one argument for cmd.exe: in double quotes, where & | <
// > ^ are literal. cmd has no escape for a double quote inside them, and
// expands %VAR% even there: a value with " or %, or a line break, is
// refused, naming what holds it.
func CmdQuote(what, s string) (string, error) {
	if i := strings.IndexAny(s, "\"%\r\n\x00"); i >= 0 {
		return "", BadInput(fmt.Errorf("%s %q holds %q, which cmd would not take as text: the printed command would run something else; rename it (letters, digits, spaces, . _ - \\ :)", what, s, s[i:i+1]))
	}
	return `"` + s + `"`, nil
}

// psQuote is s as a PowerShell single-quoted literal, where only ' is
// special (doubled); nothing inside is expanded.
func PSQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// oneLine keeps text on one line of a script comment: a line break in it
// would start a line the shell runs.
func OneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' || r < 0x20 {
			return ' '
		}
		return r
	}, s)
}
