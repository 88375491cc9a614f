package main

import "ccewiz/steps"

// JUnit lives in its own file so `check` stays readable; package-level vars
// are initialised before any init, so reportWriters exists here.
func init() {
	reportWriters["junit"] = func(g *globals, r steps.Report) error { return r.WriteJUnit(g.stdout) }
}
