package workflows

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
)

const oneDay = 24 * time.Hour

func TestDeprecateWholeLifecycle(t *testing.T) {
	h := newDeprecateHarness(t)
	ds := deprecateDataset()
	brownout := deprecateStart.Add(10*oneDay + 5*time.Hour)
	ds.Lifecycle.Brownouts = []catalog.Brownout{{Start: brownout, Duration: catalog.Duration{Duration: 2 * time.Hour}}}
	var during DeprecateStatus
	var grantsDuring, grantsAfter int
	h.at(10*oneDay+6*time.Hour, func() { during, grantsDuring = h.status(), len(h.table.meta.Grants) })
	h.at(11*oneDay, func() { grantsAfter = len(h.table.meta.Grants) })
	h.at(8*oneDay, func() { h.update("ack 1", DeprecateAckUpdate, DeprecateAction{By: "U0READER1"}) })
	h.at(15*oneDay, func() { h.update("ack 2", DeprecateAckUpdate, DeprecateAction{By: "U0READER2"}) })
	h.at(16*oneDay, func() { h.update("ack again", DeprecateAckUpdate, DeprecateAction{By: "U0READER2"}) })
	s := h.run(ds)

	if s.Status != DeprecateDropped || s.Phase != DeprecateDone || !h.table.dropped || !h.table.snapshot {
		t.Fatalf("end: status %s, phase %s, dropped %v, snapshot %v; want dropped after a snapshot\n%s",
			s.Status, s.Phase, h.table.dropped, h.table.snapshot, strings.Join(timeline(s), "\n"))
	}
	if want := "dre_archive.public_legacy_sessions_20270331"; s.Archived != want || s.Snapshot != want+"_snap" {
		t.Errorf("archived %q, snapshot %q; want %s and its _snap", s.Archived, s.Snapshot, want)
	}
	if got, want := h.env.Now(), deprecateStart.Add(60*oneDay); got.Before(want) {
		t.Errorf("finished at %s, before the 30-day grace and 30-day retention (%s)", got, want)
	}
	if s.Reminders != 2 || len(h.postsTo("U0READER1")) != 2 || len(h.postsTo("U0READER2")) != 3 {
		t.Errorf("reminders %d, posts to reader 1 %d, reader 2 %d; want 2 reminders, reader 1 acked after the first (2 posts), reader 2 after the second (3)",
			s.Reminders, len(h.postsTo("U0READER1")), len(h.postsTo("U0READER2")))
	}
	if during.Phase != DeprecateBrownout || grantsDuring != 2 || grantsAfter != 4 {
		t.Errorf("brownout: phase %s, grants during %d, after %d; want brownout with the 2 read grants revoked, then all 4 back", during.Phase, grantsDuring, grantsAfter)
	}
	if h.rejected["ack again"] == nil || h.rejected["ack 1"] != nil {
		t.Errorf("acks: rejections %v; want only the second ack of reader 2 refused", h.rejected)
	}
	owner := h.postsTo("#product-analytics")
	if len(owner) != 5 || !strings.Contains(owner[0], "use public.events instead") {
		t.Errorf("owner posts %q; want announce, brownout start and end, soft delete, retired", owner)
	}
}

func TestDeprecateAnnounceMarksTheTable(t *testing.T) {
	h := newDeprecateHarness(t)
	var comment, label string
	h.at(time.Hour, func() { comment, label = h.table.meta.Comment, h.table.meta.Labels[DeprecateRetiresLabel] })
	h.at(2*time.Hour, func() { h.update("cancel", DeprecateCancelUpdate, DeprecateAction{By: "cli:alice"}) })
	h.run(deprecateDataset())
	if !strings.HasPrefix(comment, "DEPRECATED: retires on 2027-03-31; use public.events instead") ||
		!strings.HasSuffix(comment, deprecateOriginal().Comment) || label != "2027-03-31" {
		t.Errorf("comment %q, label %q; want the notice before the original comment and the retire date", comment, label)
	}
}

func TestDeprecateUsageGatePausesUntilAnApproverContinues(t *testing.T) {
	h := newDeprecateHarness(t)
	h.table.reads = 5
	var paused DeprecateStatus
	h.at(31*oneDay, func() { paused = h.status() })
	h.at(31*oneDay+time.Hour, func() { h.update("intruder", DeprecateContinueUpdate, DeprecateAction{By: "U0INTRUDER"}) })
	h.at(31*oneDay+2*time.Hour, func() { h.update("owner", DeprecateContinueUpdate, DeprecateAction{By: "U0OWNER"}) })
	s := h.run(deprecateDataset())

	if paused.Phase != DeprecateUsageGate || paused.Status != DeprecateAwaitingOwner || paused.Pause == nil || paused.Pause.Kind != DeprecatePauseUsage {
		t.Fatalf("a day after the gate: phase %s, status %s, pause %+v; want awaiting the owner at the usage gate", paused.Phase, paused.Status, paused.Pause)
	}
	if h.rejected["intruder"] == nil || h.rejected["owner"] != nil {
		t.Errorf("continue rejections %v; want the non-approver refused, the approver accepted", h.rejected)
	}
	if s.Status != DeprecateDropped || !strings.HasSuffix(s.Archived, "_20270401") {
		t.Errorf("status %s, archived %s; want dropped after a soft delete on the day of the decision", s.Status, s.Archived)
	}
}

func TestDeprecateUsageGateExtendsThenDefaultsToExtending(t *testing.T) {
	h := newDeprecateHarness(t)
	h.table.reads = 5
	until := deprecateStart.Add(40 * oneDay)
	h.at(31*oneDay, func() {
		h.update("extend", DeprecateExtendUpdate, DeprecateAction{By: "U0OWNER", Until: until, Reason: "reports"})
	})
	// Nobody answers the second pause (day 40); by its default retire date
	// the readers have moved.
	h.at(45*oneDay, func() { h.mu.Lock(); h.table.reads = 0; h.mu.Unlock() })
	s := h.run(deprecateDataset())

	defaulted := deprecateStart.Add(47 * oneDay).Add(30 * oneDay)
	wantLines := []string{"usage-gate: extended to 2027-04-10: reports", "usage-gate: no decision by the deadline: retirement moves to " + catalog.DateOf(defaulted).String()}
	for _, w := range wantLines {
		if !slices.Contains(timeline(s), w) {
			t.Errorf("timeline lacks %q:\n%s", w, strings.Join(timeline(s), "\n"))
		}
	}
	if want := "_" + defaulted.Format("20060102"); !strings.HasSuffix(s.Archived, want) {
		t.Errorf("archived %s; want a soft delete on the defaulted retire date (%s)", s.Archived, want)
	}
}

func TestDeprecateCancelDuringRetentionRestoresExactly(t *testing.T) {
	h := newDeprecateHarness(t)
	var archivedGrants int
	h.at(32*oneDay, func() { archivedGrants = len(h.table.meta.Grants) })
	h.at(35*oneDay, func() {
		h.update("cancel", DeprecateCancelUpdate, DeprecateAction{By: "cli:alice", Reason: "still needed"})
	})
	h.at(33*oneDay, func() {
		h.update("late extend", DeprecateExtendUpdate, DeprecateAction{By: "x", Until: deprecateStart.Add(90 * oneDay)})
	})
	s := h.run(deprecateDataset())

	if s.Status != DeprecateRestored || h.table.dropped || !h.table.home || h.restored == nil {
		t.Fatalf("status %s, dropped %v, home %v; want restored home and never dropped", s.Status, h.table.dropped, h.table.home)
	}
	if h.restored.Archived != "dre_archive.public_legacy_sessions_20270331" || archivedGrants != 2 {
		t.Errorf("restore from %q with %d grants while archived; want from the archive, reads revoked", h.restored.Archived, archivedGrants)
	}
	if diff := activities.MetaDiff(h.table.meta, deprecateOriginal()); diff != "" {
		t.Errorf("after the cancel the table differs from before: %s", diff)
	}
	if h.rejected["late extend"] == nil {
		t.Error("an extension of a soft-deleted table was accepted")
	}
}

func TestDeprecateVetoPausesForTheOwner(t *testing.T) {
	h := newDeprecateHarness(t)
	var paused DeprecateStatus
	h.at(3*oneDay, func() { h.update("no reason", DeprecateVetoUpdate, DeprecateAction{By: "U0READER1"}) })
	h.at(3*oneDay+time.Hour, func() {
		h.update("veto", DeprecateVetoUpdate, DeprecateAction{By: "U0READER1", Reason: "the finance dashboard reads it"})
	})
	h.at(4*oneDay, func() { paused = h.status() })
	h.at(4*oneDay+time.Hour, func() {
		h.update("early extend", DeprecateExtendUpdate, DeprecateAction{By: "U0OWNER", Until: deprecateStart.Add(10 * oneDay)})
	})
	h.at(5*oneDay, func() { h.update("continue", DeprecateContinueUpdate, DeprecateAction{By: "U0OWNER"}) })
	h.at(6*oneDay, func() { h.update("nothing paused", DeprecateContinueUpdate, DeprecateAction{By: "U0OWNER"}) })
	s := h.run(deprecateDataset())

	if paused.Status != DeprecateAwaitingOwner || paused.Pause == nil || paused.Pause.By != "U0READER1" {
		t.Fatalf("after the veto: status %s, pause %+v; want awaiting the owner", paused.Status, paused.Pause)
	}
	for _, label := range []string{"no reason", "early extend", "nothing paused"} {
		if h.rejected[label] == nil {
			t.Errorf("%s was accepted; want it refused by the validator", label)
		}
	}
	if h.rejected["veto"] != nil || h.rejected["continue"] != nil || s.Status != DeprecateDropped {
		t.Errorf("rejections %v, status %s; want the veto and the continue accepted, then the drop", h.rejected, s.Status)
	}
}

func TestDeprecateRunCancelledFromTemporalRestores(t *testing.T) {
	h := newDeprecateHarness(t)
	h.at(5*oneDay, func() { h.env.CancelWorkflow() })
	h.env.ExecuteWorkflow(Deprecate, DeprecateInput{Dataset: deprecateDataset()})
	if err := h.env.GetWorkflowError(); err == nil {
		t.Fatal("a cancelled run ended without an error")
	}
	if h.restored == nil || h.restored.Archived != "" || activities.MetaDiff(h.table.meta, deprecateOriginal()) != "" {
		t.Errorf("restore %+v, table meta %+v; want the original metadata put back", h.restored, h.table.meta)
	}
}

func TestDeprecateArchiveKeepsTheTable(t *testing.T) {
	h := newDeprecateHarness(t)
	ds := deprecateDataset()
	ds.Lifecycle.FinalAction, ds.Lifecycle.Snapshot, ds.Lifecycle.ArchiveSchema = catalog.FinalArchive, false, "attic"
	s := h.run(ds)
	if s.Status != DeprecateArchived || h.table.dropped || !h.table.archived || !strings.HasPrefix(s.Archived, "attic.") {
		t.Errorf("status %s, dropped %v, archived %v at %s; want it kept in attic", s.Status, h.table.dropped, h.table.archived, s.Archived)
	}
}

func TestDeprecateStartedEarlyWaitsForTheDate(t *testing.T) {
	h := newDeprecateHarness(t)
	h.env.SetStartTime(deprecateStart.Add(-5 * oneDay))
	var early DeprecateStatus
	h.at(oneDay, func() { early = h.status() })
	h.at(6*oneDay, func() { h.update("cancel", DeprecateCancelUpdate, DeprecateAction{By: "cli:alice"}) })
	s := h.run(deprecateDataset())
	if early.Phase != DeprecateScheduled || early.Original != nil {
		t.Errorf("before deprecate_on: phase %s, metadata recorded %v; want scheduled and untouched", early.Phase, early.Original != nil)
	}
	if want := deprecateStart.Truncate(oneDay).Add(30 * oneDay); !s.RetiresAt.Equal(want) {
		t.Errorf("retires at %s; want 30 days after the start of deprecate_on, %s", s.RetiresAt, want)
	}
}

func TestDeprecateInputNeedsALifecycle(t *testing.T) {
	ds := deprecateDataset()
	ds.Lifecycle.RemindEvery = catalog.Duration{Duration: time.Minute}
	noLife := deprecateDataset()
	noLife.Lifecycle = nil
	for name, in := range map[string]DeprecateInput{"no lifecycle": {Dataset: noLife}, "reminder flood": {Dataset: ds}} {
		if err := in.validate(); err == nil {
			t.Errorf("%s: validate accepted it", name)
		}
	}
}

func TestArchivedNameFitsPostgres(t *testing.T) {
	ds := deprecateDataset()
	ds.Table = "analytics." + strings.Repeat("x", 60)
	name := ArchivedName(ds, deprecateStart)
	_, table, _ := strings.Cut(name, ".")
	if len(table)+len(deprecateSnapshotSuffix) > 63 || !strings.HasSuffix(table, "_20270301") {
		t.Errorf("ArchivedName = %q (%d characters); want at most %d, dated", table, len(table), 63-len(deprecateSnapshotSuffix))
	}
}

// A table nobody read still feeds a downstream dataset: the usage gate
// holds, naming it and its owner, until an approver continues.
func TestDeprecateUsageGateHoldsForDownstreamDatasets(t *testing.T) {
	h := newDeprecateHarness(t)
	h.table.reads = 0
	downstream := []catalog.Dataset{{Name: "sessions_daily", Table: "public.sessions_daily", Owner: catalog.Owner{Team: "growth", SlackChannel: "#growth"}}}
	var paused DeprecateStatus
	h.at(31*oneDay, func() { paused = h.status() })
	h.at(31*oneDay+time.Hour, func() { h.update("owner", DeprecateContinueUpdate, DeprecateAction{By: "U0OWNER"}) })
	s := h.runInput(DeprecateInput{Dataset: deprecateDataset(), Requester: "cli:alice", Downstream: downstream})

	if paused.Pause == nil || paused.Phase != DeprecateUsageGate ||
		paused.Pause.Reason != "public.legacy_sessions still feeds 1 downstream datasets: sessions_daily (growth)" {
		t.Fatalf("a day after the gate: phase %s, pause %+v; want a hold naming sessions_daily and its owner", paused.Phase, paused.Pause)
	}
	if !slices.ContainsFunc(h.postsTo("#product-analytics"), func(p string) bool { return strings.Contains(p, "sessions_daily (growth)") }) {
		t.Errorf("the owner was not told about the downstream dataset: %q", h.postsTo("#product-analytics"))
	}
	if s.Status != DeprecateDropped {
		t.Errorf("status %s; want dropped after the owner continued", s.Status)
	}
	if !slices.Contains(s.Consumers, "#growth") || len(h.postsTo("#growth")) < 2 ||
		!strings.Contains(h.postsTo("#growth")[0], "legacy_sessions (public.legacy_sessions) is deprecated") {
		t.Errorf("consumers %v, posts to #growth %q; want the downstream owner announced and reminded", s.Consumers, h.postsTo("#growth"))
	}
}

// Without downstream datasets an unread table passes the gate, as before.
func TestDeprecateUsageGatePassesWithoutReadsOrDownstream(t *testing.T) {
	h := newDeprecateHarness(t)
	h.table.reads = 0
	s := h.run(deprecateDataset())
	if !slices.Contains(timeline(s), "usage-gate: no reads in the last 14d") || s.Status != DeprecateDropped {
		t.Errorf("status %s, timeline:\n%s", s.Status, strings.Join(timeline(s), "\n"))
	}
}

// Usage that cannot be read is not zero reads: the gate holds, saying why,
// until an approver continues.
func TestDeprecateUsageGateHoldsWhenUsageCannotBeRead(t *testing.T) {
	h := newDeprecateHarness(t)
	h.table.reads = 0
	h.table.unread = "permission denied: dre's warehouse user needs bigquery.jobs.listAll on project etl-project"
	var paused DeprecateStatus
	h.at(31*oneDay, func() { paused = h.status() })
	h.at(31*oneDay+time.Hour, func() { h.update("owner", DeprecateContinueUpdate, DeprecateAction{By: "U0OWNER"}) })
	s := h.run(deprecateDataset())

	if paused.Pause == nil || paused.Phase != DeprecateUsageGate || paused.Pause.Kind != DeprecatePauseUsage ||
		!strings.Contains(paused.Pause.Reason, "could not all be counted") || !strings.Contains(paused.Pause.Reason, "jobs.listAll on project etl-project") {
		t.Fatalf("a day after the gate: phase %s, pause %+v; want a hold saying the reads could not be counted and why", paused.Phase, paused.Pause)
	}
	if !slices.ContainsFunc(h.postsTo("#product-analytics"), func(p string) bool { return strings.Contains(p, "etl-project") }) {
		t.Errorf("the owner was not told why the gate holds: %q", h.postsTo("#product-analytics"))
	}
	if s.Status != DeprecateDropped {
		t.Errorf("status %s; want dropped after the owner continued", s.Status)
	}
}
