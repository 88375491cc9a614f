package steps

import (
	"reflect"
	"testing"
)

func TestMergeResults(t *testing.T) {
	applied := []Result{{ID: "x.written", Status: Pass}, {ID: "x.file", Status: Warn, Detail: "from Apply"}}
	fresh := []Result{{ID: "x.file", Status: Pass, Detail: "fresh"}, {ID: "x.other", Status: Fail}}
	want := []Result{{ID: "x.written", Status: Pass}, {ID: "x.file", Status: Pass, Detail: "fresh"}, {ID: "x.other", Status: Fail}}
	if got := MergeResults(applied, fresh); !reflect.DeepEqual(got, want) {
		t.Errorf("MergeResults = %+v, want %+v", got, want)
	}
	if got := MergeResults(nil, fresh); !reflect.DeepEqual(got, fresh) {
		t.Errorf("without Apply's results: %+v", got)
	}
}
