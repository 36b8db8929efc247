package workflows

import (
	"strings"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/catalog"
)

// TestBackfillSelectionRejectsBadInput: the workflow itself refuses a
// selection it cannot honour, whoever started it, saying what to write.
func TestBackfillSelectionRejectsBadInput(t *testing.T) {
	edit := func(f func(*BackfillInput)) BackfillInput {
		in := backfillInput(10)
		f(&in)
		return in.withDerivedRange()
	}
	tests := map[string]struct {
		in   BackfillInput
		want string
	}{
		"unknown mode":        {edit(func(in *BackfillInput) { in.Only = "stale" }), `reprocess mode "stale" is unknown`},
		"--of without failed": {edit(func(in *BackfillInput) { in.OfRun = "r1" }), "only goes with --only failed"},
		"unknown order":       {edit(func(in *BackfillInput) { in.Order = "random" }), `order "random" is unknown`},
		"mid-day partition":   {edit(func(in *BackfillInput) { in.Partitions = []time.Time{day(2026, 1, 3).Add(5 * time.Hour)} }), "not at a day boundary of orders; use 2026-01-03"},
		"outside the range":   {edit(func(in *BackfillInput) { in.Partitions = []time.Time{day(2026, 2, 3)} }), "outside the range"},
		"listed twice":        {edit(func(in *BackfillInput) { in.Partitions = []time.Time{day(2026, 1, 3), day(2026, 1, 3)} }), "listed twice"},
		"sql validation in wap": {edit(func(in *BackfillInput) {
			in.Publish, in.Validation = catalog.PublishWAP, BackfillValidation{Kind: ValidateSQL, SQL: "SELECT 1"}
		}), "declare SQL checks under validation.sql"},
	}
	for name, tt := range tests {
		err := tt.in.validate()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want an error saying %q", name, err, tt.want)
		}
	}
}

// TestBackfillPartitionListAloneIsARange: a list without --from and --to
// spans its first to its last partition.
func TestBackfillPartitionListAloneIsARange(t *testing.T) {
	in := BackfillInput{Dataset: backfillDataset(), Partitions: []time.Time{day(2026, 11, 7), day(2026, 11, 3)}}.withDerivedRange()
	if !in.From.Equal(day(2026, 11, 3)) || !in.To.Equal(day(2026, 11, 8)) || in.validate() != nil {
		t.Errorf("range %s to %s (%v), want 2026-11-03 to 2026-11-08, valid", in.From, in.To, in.validate())
	}
}

func TestSpansOfNewestFirst(t *testing.T) {
	starts := []time.Time{day(2026, 1, 1), day(2026, 1, 2), day(2026, 1, 5)}
	got := spansOf(catalog.Day, starts, true)
	if len(got) != 2 || !got[0].From.Equal(day(2026, 1, 5)) || !got[1].To.Equal(day(2026, 1, 3)) {
		t.Errorf("spans %+v, want [01-05, 01-06) then [01-01, 01-03)", got)
	}
}
