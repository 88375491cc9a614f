package steps

import (
	"bytes"
	"fmt"

	"go.yaml.in/yaml/v3"
)

// An answers file is the admin's as much as ccewiz's: they add comments,
// order keys the way they read them. A save keeps both: the new answers
// are laid over the file as it is — every key that stays keeps its place
// and its comments, new keys come after — and nothing is written when the
// answers are the same as the file's.

// keepLayout returns data (answers rendered by MarshalAnswers) with the
// comments and key order of old (the file now on disk). same reports that
// old already holds these answers, so there is nothing to write.
func keepLayout(old, data []byte) (out []byte, same bool, err error) {
	var o, n yaml.Node
	if yaml.Unmarshal(old, &o) != nil || len(o.Content) == 0 || o.Content[0].Kind != yaml.MappingNode {
		return data, false, nil // nothing usable to keep
	}
	if v := fileVersion(o.Content[0]); v >= 1 && v < AnswersVersion {
		// Lay the new answers over the old file as it loads: upgraded,
		// every moved key in its new place with its comments.
		upgrade(o.Content[0], v)
	}
	if err := yaml.Unmarshal(data, &n); err != nil || len(n.Content) == 0 {
		return data, false, err
	}
	if oa, err := ParseAnswers("(on disk)", old); err == nil {
		if na, err := ParseAnswers("(new)", data); err == nil {
			ob, _ := MarshalAnswers(oa)
			nb, _ := MarshalAnswers(na)
			if bytes.Equal(ob, nb) {
				return old, true, nil
			}
		}
	}
	mergeNode(o.Content[0], n.Content[0])
	n.HeadComment, n.FootComment = o.HeadComment, o.FootComment
	n.Content[0].HeadComment = o.Content[0].HeadComment
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&n); err != nil {
		return data, false, fmt.Errorf("render answers: %w", err)
	}
	enc.Close()
	return buf.Bytes(), false, nil
}

// mergeNode gives the new mapping n the comments and key order of the old
// one o, recursively; keys only in n follow, keys only in o are gone.
func mergeNode(o, n *yaml.Node) {
	if o.Kind != n.Kind {
		return
	}
	n.HeadComment, n.LineComment, n.FootComment = o.HeadComment, o.LineComment, o.FootComment
	switch n.Kind {
	case yaml.MappingNode:
		oldAt := map[string]int{}
		for i := 0; i+1 < len(o.Content); i += 2 {
			oldAt[o.Content[i].Value] = i
		}
		type pair struct{ k, v *yaml.Node }
		var kept, added []pair
		order := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if j, ok := oldAt[k.Value]; ok {
				okey, ov := o.Content[j], o.Content[j+1]
				k.HeadComment, k.LineComment, k.FootComment = okey.HeadComment, okey.LineComment, okey.FootComment
				mergeNode(ov, v)
				order[k.Value] = j
				kept = append(kept, pair{k, v})
			} else {
				added = append(added, pair{k, v})
			}
		}
		// The old order for the keys that stay (a stable insertion sort: few keys).
		for i := 1; i < len(kept); i++ {
			for j := i; j > 0 && order[kept[j].k.Value] < order[kept[j-1].k.Value]; j-- {
				kept[j], kept[j-1] = kept[j-1], kept[j]
			}
		}
		n.Content = n.Content[:0]
		for _, p := range append(kept, added...) {
			n.Content = append(n.Content, p.k, p.v)
		}
	case yaml.SequenceNode:
		for i := range n.Content {
			if i < len(o.Content) {
				mergeNode(o.Content[i], n.Content[i])
			}
		}
	}
}
