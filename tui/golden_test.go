package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"
)

// pkgDir is the package folder; model tests work in a temporary one.
var pkgDir, _ = os.Getwd()

// TestGolden keeps every screen of the fixed flow, colour off, at the two
// sizes the wizard must work at. Run `go test ./tui -run TestGolden -update`
// after an intended change and review the diff of tui/testdata.
func TestGolden(t *testing.T) {
	screens := []struct {
		name string
		keys []tea.Msg
	}{
		{"1-profile-form", nil},
		{"2-profile-plan", keys(tea.KeyCtrlO)},
		{"3-profile-results", keys(tea.KeyCtrlO, tea.KeyEnter)},
		{"4-demo-form", keys(tea.KeyCtrlO, tea.KeyEnter, tea.KeyEnter)},
		{"5-demo-form-errors", append(keys(tea.KeyCtrlO, tea.KeyEnter, tea.KeyEnter, tea.KeyTab, tea.KeyTab, "512"), keys(tea.KeyCtrlO)...)},
		{"6-demo-plan", append(keys(tea.KeyCtrlO, tea.KeyEnter, tea.KeyEnter), append(demoFormKeys(), keys(tea.KeyCtrlO)...)...)},
		{"7-demo-results", append(keys(tea.KeyCtrlO, tea.KeyEnter, tea.KeyEnter), append(demoFormKeys(), keys(tea.KeyCtrlO, "ece.example.com", tea.KeyEnter, tea.KeyDown, tea.KeyDown, " ")...)...)},
		{"8-report", append(keys(tea.KeyCtrlO, tea.KeyEnter, tea.KeyEnter), append(demoFormKeys(), keys(tea.KeyCtrlO, "ece.example.com", tea.KeyEnter, tea.KeyEnter)...)...)},
		{"9-quit", append(keys(tea.KeyTab, tea.KeyTab, "3"), keys(tea.KeyCtrlC)...)},
		{"10-jump", keys(tea.KeyCtrlG, tea.KeyDown)},
	}
	for _, size := range []struct {
		name string
		w, h int
	}{{"100x30", 100, 30}, {"80x24", 80, 24}} {
		t.Run(size.name, func(t *testing.T) {
			for _, sc := range screens {
				t.Run(sc.name, func(t *testing.T) {
					m := testModel(t, profileAnswers(), demoStep{}, size.w, size.h)
					if err := os.MkdirAll("out", 0o755); err != nil {
						t.Fatal(err)
					}
					drive(t, m, sc.keys...)
					view := m.View()
					if err := os.Chdir(pkgDir); err != nil { // golden reads ./testdata
						t.Fatal(err)
					}
					golden.RequireEqual(t, []byte(view))
				})
			}
		})
	}
}

// TestGoldenProgram renders through the real Bubble Tea program (teatest)
// and compares the final frame's model with the same golden screen as
// TestGolden, so the synchronous driver cannot drift from the real loop.
func TestGoldenProgram(t *testing.T) {
	m := testModel(t, profileAnswers(), demoStep{}, 80, 24)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))
	waitScreen(t, tm, "Step 1 of 2")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlO})
	waitScreen(t, tm, "Press enter to apply")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitScreen(t, tm, "Checks: 5 passed")
	quitAndWait(t, tm, m) // the answers' save must be on disk before the test's folder goes
	fm := tm.FinalModel(t).(*Model)
	want, err := os.ReadFile(filepath.Join(pkgDir, "testdata/TestGolden/80x24/3-profile-results.golden"))
	if err != nil {
		t.Fatal(err)
	}
	// The status line says whether the answers' save (a command of its own,
	// racing the quit) has finished: every other line must be the golden's.
	body := func(v string) string { return v[:strings.LastIndex(v, "\n")] }
	if got := fm.View(); body(got) != body(string(want)) {
		t.Fatalf("the program's screen differs from the golden one:\n%s\n--- want\n%s", got, want)
	}
}
