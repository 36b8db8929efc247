package workflows

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
)

// gapIncident is the orders incident with a source to backfill from and
// a volume finding that names two partitions with too few rows.
func gapIncident(h *triageHarness) TriageInput {
	in := ordersIncident(3)
	in.Dataset.Source = &catalog.Source{Select: "SELECT * FROM raw.orders WHERE order_date >= {{ .From }} AND order_date < {{ .To }}"}
	in.RunURL = "http://ui:8233/namespaces/default/workflows/triage%2Forders"
	h.stale = false
	h.broken = map[string]activities.Finding{activities.CheckVolume: {
		Summary:    "2 partitions under the baseline",
		Partitions: []string{day(2026, 11, 21).Format(time.RFC3339), day(2026, 11, 20).Format(time.RFC3339)},
	}}
	return in
}

// withBackfillChild registers the Backfill child with its warehouse
// mocked: the rewrite of both named partitions repairs the volume.
func withBackfillChild(h *triageHarness) *[]activities.RewritePartitionInput {
	h.env.RegisterWorkflow(Backfill)
	var s *activities.SLOs
	h.env.OnActivity(s.FreezeReason, mock.Anything, mock.Anything).Return("", nil)
	var seen []activities.RewritePartitionInput
	onBatches(h.env, time.Minute, func(in activities.RewritePartitionInput) (activities.RewritePartitionResult, error) {
		h.mu.Lock()
		defer h.mu.Unlock()
		seen = append(seen, in)
		if len(seen) == 2 {
			delete(h.broken, activities.CheckVolume)
		}
		return activities.RewritePartitionResult{}, nil
	})
	return &seen
}

func TestTriageBackfillFixesTheNamedPartitionsThenResolvesByPolicy(t *testing.T) {
	h := newTriageHarness(t)
	in := gapIncident(h)
	in.Policy.ResolveAfterFix = true
	seen := withBackfillChild(h)
	h.at(time.Minute, func() { h.mustUpdate(TriageBackfillUpdate, TriageAction{By: "U0BOB", Note: "refill the gap"}) })
	tl := h.run(in)

	var starts []time.Time
	for _, p := range *seen {
		starts = append(starts, p.Partition.Start)
	}
	slices.SortFunc(starts, time.Time.Compare)
	if want := []time.Time{day(2026, 11, 20), day(2026, 11, 21)}; !slices.Equal(starts, want) {
		t.Errorf("backfilled %v, want exactly the named %v", starts, want)
	}
	if tl.Status != TriageResolved || tl.ResolvedBy != "dre" {
		t.Errorf("status %s by %q, want resolved by dre after the re-check passed", tl.Status, tl.ResolvedBy)
	}
	for _, kind := range []string{"backfill", "backfill-done", "recheck", "recheck-passed", "mitigated", "resolved"} {
		if !slices.ContainsFunc(tl.Events, func(e TimelineEvent) bool { return e.Kind == kind }) {
			t.Errorf("timeline has no %s event: %+v", kind, tl.Events)
		}
	}
	if i := slices.IndexFunc(tl.Findings, func(f activities.Finding) bool { return f.Check == activities.CheckVolume }); i < 0 || tl.Findings[i].Problem {
		t.Errorf("volume finding after the re-check = %+v, want it passing", tl.Findings)
	}
	if len(h.postsContaining("workflows/backfill%2Forders|backfill/orders")) == 0 {
		t.Error("no post links the backfill in the Temporal UI")
	}
	if !slices.ContainsFunc(h.incidents, func(m activities.IncidentMessage) bool { return m.CanBackfill }) {
		t.Error("the incident message never offered the backfill button")
	}
}

func TestTriageBackfillAsksForResolveWithoutThePolicy(t *testing.T) {
	h := newTriageHarness(t)
	in := gapIncident(h)
	withBackfillChild(h)
	h.at(time.Minute, func() { h.mustUpdate(TriageBackfillUpdate, TriageAction{By: "U0BOB"}) })
	h.at(time.Hour, func() { h.mustUpdate(TriageResolveUpdate, TriageAction{By: "U0BOB"}) })
	tl := h.run(in)
	if tl.ResolvedBy != "U0BOB" || tl.MitigatedAt.IsZero() {
		t.Errorf("resolved by %q, mitigated at %v; want mitigated by the fix and resolved by the human", tl.ResolvedBy, tl.MitigatedAt)
	}
	if len(h.postsContaining("Press *Resolve*")) != 1 {
		t.Error("the thread did not offer Resolve after the checks passed")
	}
}

func TestTriageBackfillRefusesWhatItCannotFix(t *testing.T) {
	tests := []struct {
		name  string
		setup func(*triageHarness, *TriageInput)
		want  string
	}{
		{"no source", func(_ *triageHarness, in *TriageInput) { in.Dataset.Source = nil }, "add source:"},
		{"no partitions named", func(h *triageHarness, _ *TriageInput) { h.broken = nil; h.stale = true }, "no finding of this incident names a partition"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newTriageHarness(t)
			in := gapIncident(h)
			tt.setup(h, &in)
			h.at(time.Minute, func() { h.update("fix", TriageBackfillUpdate, TriageAction{By: "U0BOB"}) })
			h.at(2*time.Minute, func() { h.mustUpdate(TriageResolveUpdate, TriageAction{By: "U0BOB"}) })
			tl := h.run(in)
			if err := h.rejected["fix"]; err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("backfill update: %v, want a refusal saying %q", err, tt.want)
			}
			if slices.ContainsFunc(tl.Events, func(e TimelineEvent) bool { return strings.HasPrefix(e.Kind, "backfill") }) {
				t.Errorf("a refused backfill reached the timeline: %+v", tl.Events)
			}
		})
	}
}

func TestTriageBackfillThatFailsLeavesTheIncidentOpen(t *testing.T) {
	h := newTriageHarness(t)
	in := gapIncident(h)
	in.Policy.ResolveAfterFix = true
	h.env.RegisterWorkflow(Backfill)
	var s *activities.SLOs
	h.env.OnActivity(s.FreezeReason, mock.Anything, mock.Anything).Return("", nil)
	onBatches(h.env, time.Minute, func(activities.RewritePartitionInput) (activities.RewritePartitionResult, error) {
		return activities.RewritePartitionResult{}, errors.New("source table raw.orders is gone")
	})
	h.at(time.Minute, func() { h.mustUpdate(TriageBackfillUpdate, TriageAction{By: "U0BOB"}) })
	h.at(time.Hour, func() { h.mustUpdate(TriageResolveUpdate, TriageAction{By: "U0BOB"}) })
	tl := h.run(in)
	if tl.ResolvedBy != "U0BOB" || !tl.MitigatedAt.IsZero() {
		t.Errorf("resolved by %q, mitigated at %v; want no mitigation by a failed backfill", tl.ResolvedBy, tl.MitigatedAt)
	}
	if !slices.ContainsFunc(tl.Events, func(e TimelineEvent) bool { return e.Kind == "backfill-failed" }) ||
		slices.ContainsFunc(tl.Events, func(e TimelineEvent) bool { return e.Kind == "recheck" }) {
		t.Errorf("timeline %+v: want backfill-failed and no re-check", tl.Events)
	}
	if len(h.postsContaining("The backfill did not fix the incident")) != 1 {
		t.Error("the thread was not told the backfill failed")
	}
}
