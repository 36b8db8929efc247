package audit

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/localpg/localpgtest"
)

func TestCheckpointFilesAreAtomicAndTheNewestIsByTime(t *testing.T) {
	dir := t.TempDir()
	if _, _, found, err := NewestCheckpointFile(dir); err != nil || found {
		t.Fatalf("empty directory: found %v, err %v; want none", found, err)
	}
	at := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	docs := []SignedCheckpoint{
		{Checkpoint: Checkpoint{Seq: 900, Head: "a", Records: 900, At: at}, Signature: "s1"},
		// After a reset the sequence starts again; the newer file still wins.
		{Checkpoint: Checkpoint{Seq: 2, Head: "b", Records: 2, At: at.Add(time.Hour)}, Signature: "s2"},
	}
	for _, sc := range docs {
		path, err := WriteCheckpointFile(dir, sc)
		if err != nil {
			t.Fatal(err)
		}
		if want := filepath.Join(dir, CheckpointFileName(sc)); path != want {
			t.Errorf("written to %s; want %s", path, want)
		}
	}
	// A writer's leftover temporary file is not a checkpoint.
	if err := os.WriteFile(filepath.Join(dir, ".audit-checkpoint-1.tmp"), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	sc, path, found, err := NewestCheckpointFile(dir)
	if err != nil || !found || sc.Seq != 2 || sc.Head != "b" || !sc.At.Equal(at.Add(time.Hour)) {
		t.Fatalf("newest = %+v (%s), %v, %v; want the checkpoint of record 2 taken an hour later", sc, path, found, err)
	}
	if filepath.Base(path) != "audit-checkpoint-20261206T100000.000000Z-000000000002.json" {
		t.Errorf("file name %s; want time then padded sequence", filepath.Base(path))
	}
	if _, _, _, err := NewestCheckpointFile(filepath.Join(dir, "missing")); err == nil {
		t.Error("a missing directory read as no checkpoint; want an error")
	}
}

// With the checkpoints table dropped along with the log, the newest file
// still keeps Open from starting an empty log, and Reset records it as
// the lost checkpoint; files from before the reset then no longer apply.
func TestCheckpointFileRefusesRecreationAndResetRetiresIt(t *testing.T) {
	_, dsn, sc := checkpointed(t, 4)
	dir := t.TempDir()
	if _, err := WriteCheckpointFile(dir, sc); err != nil {
		t.Fatal(err)
	}
	localpgtest.Exec(t, dsn, "DROP TABLE dre_audit_log; DROP TABLE dre_audit_checkpoints")
	_, err := OpenWith(t.Context(), dsn, Options{CheckpointDir: dir})
	if !errors.Is(err, ErrLogDropped) || !strings.Contains(err.Error(), "after checkpoint 4") || !strings.Contains(err.Error(), CheckpointFileName(sc)) {
		t.Fatalf("open after both tables were dropped: err = %v; want ErrLogDropped naming checkpoint 4 and its file", err)
	}
	if _, err := OpenWith(t.Context(), dsn, Options{CheckpointDir: filepath.Join(dir, "not-yet")}); err == nil {
		localpgtest.Exec(t, dsn, "DROP TABLE dre_audit_log") // an empty directory knows of no checkpoint: the log was created
	} else {
		t.Fatalf("open with a checkpoint directory not created yet: %v", err)
	}
	first, err := Reset(t.Context(), dsn, "carol", "both tables lost, no backup", Options{CheckpointDir: dir})
	if err != nil || first.Details["lost_after_checkpoint"] != "4" || first.Details["checkpoint_head"] != sc.Head {
		t.Fatalf("reset = %+v, %v; want the file's checkpoint 4 recorded as lost", first, err)
	}
	l, err := OpenWith(t.Context(), dsn, Options{CheckpointDir: dir})
	if err != nil {
		t.Fatalf("open after reset: %v", err)
	}
	defer l.Close()
	if _, _, found, err := l.CheckpointFile(t.Context(), dir); err != nil || found {
		t.Errorf("checkpoint file after reset: found %v, err %v; want the dropped log's file retired", found, err)
	}
}
