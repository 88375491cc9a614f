package ece

import (
	"os"
	"testing"

	"ccewiz/steps"
)

// BenchmarkParseAnswers reads the complete example file (what every
// command does first); BenchmarkClone is a background run's snapshot
// (render + parse, on every Apply and check in the wizard).
func BenchmarkParseAnswers(b *testing.B) {
	data, err := os.ReadFile("../../examples/ccewiz.yaml")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := steps.ParseAnswers("example", data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkClone(b *testing.B) {
	a, err := steps.LoadAnswers("../../examples/ccewiz.yaml")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		a.Clone()
	}
}
