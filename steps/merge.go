package steps

// MergeResults is what a step's results screen shows after Apply: the
// results Apply reported, then a fresh run of the step's checks. Apply
// often verifies with the step's own checks, so where both hold a result
// of the same ID the fresh run wins and Apply's is dropped — one line per
// check, the newest.
func MergeResults(applied, fresh []Result) []Result {
	if len(applied) == 0 {
		return fresh
	}
	ran := make(map[string]bool, len(fresh))
	for _, r := range fresh {
		ran[r.ID] = true
	}
	var out []Result
	for _, r := range applied {
		if !ran[r.ID] {
			out = append(out, r)
		}
	}
	return append(out, fresh...)
}
