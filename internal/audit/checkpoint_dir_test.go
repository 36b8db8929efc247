package audit

import (
	"os"
	"path/filepath"
	"testing"
	"time"
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
