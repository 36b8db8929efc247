package e2e

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/dre-dev/dre/internal/cli/clitest"
	"github.com/dre-dev/dre/internal/warehouse"
	"github.com/dre-dev/dre/workflows"
)

func TestDeprecateReadDuringGraceStopsAtTheUsageGate(t *testing.T) {
	e := deprecateSetup(t)
	startDeprecateWorker(t, e)
	createDeprecateTable(t, "dep_gate")
	if res := clitest.Run(t, e, "deprecate", "start", "dep_gate"); res.Code != 0 {
		t.Fatalf("start: exit %d", res.Code)
	}
	awaitDeprecation(t, "dep_gate", "the grace period", func(s workflows.DeprecateStatus) bool { return s.Phase == workflows.DeprecateRemind })
	conn := deprecateConn(t)
	var rows int
	if err := conn.QueryRow(t.Context(), "SELECT count(*) FROM public.dep_gate").Scan(&rows); err != nil {
		t.Fatal(err)
	}
	conn.Close(context.Background()) // a closing backend publishes its scan counters

	s := awaitDeprecation(t, "dep_gate", "a pause", func(s workflows.DeprecateStatus) bool { return s.Pause != nil })
	if s.Phase != workflows.DeprecateUsageGate || s.Pause.Kind != workflows.DeprecatePauseUsage || s.Status != workflows.DeprecateAwaitingOwner {
		t.Fatalf("paused in %s (%+v); want the usage gate waiting for the owner\n%s", s.Phase, s.Pause, timelineText(s))
	}
	if !tableExists(t, "public.dep_gate") || s.Archived != "" {
		t.Errorf("the table was moved (archived %q) although it was read during the grace period", s.Archived)
	}
	res := clitest.Run(t, e, "deprecate", "status", "dep_gate")
	if res.Code != 0 || !strings.Contains(res.Stdout, "usage-gate, awaiting-owner") || !strings.Contains(res.Stdout, "was read") {
		t.Errorf("status: exit %d, stdout %q; want the usage gate and the reads", res.Code, res.Stdout)
	}
	if res := clitest.Run(t, e, "deprecate", "cancel", "dep_gate", "--reason", "still read"); res.Code != 0 {
		t.Errorf("cancel at the gate: exit %d", res.Code)
	}
}

func TestDeprecateCancelAfterSoftDeleteRestoresTheTableExactly(t *testing.T) {
	e := deprecateSetup(t)
	startDeprecateWorker(t, e)
	w, ref := createDeprecateTable(t, "dep_cancel")
	before := fullSnapshot(t, w, ref)
	if res := clitest.Run(t, e, "deprecate", "start", "dep_cancel"); res.Code != 0 {
		t.Fatalf("start: exit %d", res.Code)
	}
	s := awaitDeprecation(t, "dep_cancel", "the retention", func(s workflows.DeprecateStatus) bool { return s.Phase == workflows.DeprecateRetention })
	archived, err := warehouse.ParseTableRef(s.Archived)
	if err != nil || tableExists(t, "public.dep_cancel") {
		t.Fatalf("after the soft delete: archived %q (%v), table still home %v", s.Archived, err, tableExists(t, "public.dep_cancel"))
	}
	if got := fullSnapshot(t, w, archived); hasReader(got.Meta.Grants, "dep_analyst") || hasReader(got.Meta.Grants, "dep_bi") {
		t.Errorf("soft-deleted table still readable: grants %v", got.Meta.Grants)
	}

	res := clitest.Run(t, e, "deprecate", "cancel", "dep_cancel", "--reason", "billing still needs it")
	if res.Code != 0 || !strings.Contains(res.Stdout, "restored and verified") {
		t.Fatalf("cancel: exit %d, stdout %q; want the verified restore", res.Code, res.Stdout)
	}
	if after := fullSnapshot(t, w, ref); !reflect.DeepEqual(after, before) {
		t.Errorf("after the cancel the table differs from before:\n got %+v\nwant %+v", after, before)
	}
	if tableExists(t, s.Archived) {
		t.Errorf("%s is still in the archive after the restore", s.Archived)
	}
	recordHistory(t, workflows.DeprecateWorkflowID("dep_cancel"), "deprecate-cancel-after-soft-delete.json")
}

func TestDeprecateContinuesAfterTheWorkerRestarts(t *testing.T) {
	e := deprecateSetup(t)
	stop := startDeprecateWorker(t, e)
	w, ref := createDeprecateTable(t, "dep_restart")
	before := fullSnapshot(t, w, ref)
	if res := clitest.Run(t, e, "deprecate", "start", "dep_restart"); res.Code != 0 {
		t.Fatalf("start: exit %d", res.Code)
	}
	mid := awaitDeprecation(t, "dep_restart", "a reminder", func(s workflows.DeprecateStatus) bool { return s.Reminders > 0 })
	stop()
	startDeprecateWorker(t, e)

	var s workflows.DeprecateStatus
	if err := env.Client.GetWorkflow(t.Context(), workflows.DeprecateWorkflowID("dep_restart"), "").Get(t.Context(), &s); err != nil {
		t.Fatal(err)
	}
	if s.Status != workflows.DeprecateDropped || s.Reminders < mid.Reminders || s.Snapshot == "" {
		t.Fatalf("after the restart: status %s, reminders %d (were %d), snapshot %q; want the lifecycle finished\n%s",
			s.Status, s.Reminders, mid.Reminders, s.Snapshot, timelineText(s))
	}
	if tableExists(t, "public.dep_restart") || tableExists(t, s.Archived) || !tableExists(t, s.Snapshot) {
		t.Errorf("after the drop: table, archive and snapshot exist = %v, %v, %v; want only the snapshot",
			tableExists(t, "public.dep_restart"), tableExists(t, s.Archived), tableExists(t, s.Snapshot))
	}
	if strings.Count(timelineText(s), "announced") != 1 {
		t.Errorf("the announce ran more than once across the restart:\n%s", timelineText(s))
	}
	recordHistory(t, workflows.DeprecateWorkflowID("dep_restart"), "deprecate-snapshot-drop-after-restart.json")

	// After the drop, restore recreates the table from the snapshot.
	res := clitest.Run(t, e, "deprecate", "restore", "dep_restart")
	if res.Code != 0 || !strings.Contains(res.Stdout, "restored from "+s.Snapshot+" and verified") {
		t.Fatalf("restore after the drop: exit %d, stdout %q, stderr %q; want the verified restore from the snapshot", res.Code, res.Stdout, res.Stderr)
	}
	if after := fullSnapshot(t, w, ref); !reflect.DeepEqual(after, before) {
		t.Errorf("after the restore the table differs from before the deprecation:\n got %+v\nwant %+v", after, before)
	}
	recordHistory(t, workflows.RestoreDeprecatedWorkflowID("dep_restart"), "restore-deprecated-from-snapshot.json")
	if res := clitest.Run(t, e, "deprecate", "restore", "dep_restart"); res.Code == 0 || !strings.Contains(res.Stderr, "exists already") {
		t.Errorf("second restore: exit %d, stderr %q; want a refusal to overwrite the restored table", res.Code, res.Stderr)
	}
}

// tableSnapshot is everything a restore must keep: metadata, columns, rows.
type tableSnapshot struct {
	Meta    warehouse.TableMeta
	Columns []warehouse.Column
	Rows    int64
}

func fullSnapshot(t *testing.T, w warehouse.Warehouse, ref warehouse.TableRef) tableSnapshot {
	t.Helper()
	meta, err := w.Metadata(t.Context(), ref)
	if err != nil {
		t.Fatal(err)
	}
	info, err := w.Describe(t.Context(), ref)
	if err != nil {
		t.Fatal(err)
	}
	for i := range meta.Grants {
		meta.Grants[i].Table = warehouse.TableRef{} // the name changes while archived
	}
	var rows int64
	if err := deprecateConn(t).QueryRow(t.Context(), "SELECT count(*) FROM "+ref.String()).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	return tableSnapshot{Meta: meta, Columns: info.Columns, Rows: rows}
}

func hasReader(grants []warehouse.Grant, principal string) bool {
	for _, g := range grants {
		if g.Principal == principal && g.Privilege == "SELECT" {
			return true
		}
	}
	return false
}
