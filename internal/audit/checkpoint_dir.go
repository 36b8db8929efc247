package audit

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Checkpoint files in a directory are named
// audit-checkpoint-<UTC time>-<seq>.json, the sequence number padded to
// 12 digits, so that names sort by time: the newest is the last. The time
// comes first because after a dre audit reset the sequence starts again.
const (
	checkpointFilePrefix = "audit-checkpoint-"
	checkpointFileTime   = "20060102T150405.000000Z"
)

// CheckpointFileName is the name of sc's file in a checkpoint directory.
func CheckpointFileName(sc SignedCheckpoint) string {
	return fmt.Sprintf("%s%s-%012d.json", checkpointFilePrefix, sc.At.UTC().Format(checkpointFileTime), sc.Seq)
}

// WriteCheckpointFile writes sc into dir atomically: a reader sees the
// whole document or no file, never part of one, even if the writer
// crashes. Writing the same checkpoint again replaces the file with the
// same content. It returns the file's path.
func WriteCheckpointFile(dir string, sc SignedCheckpoint) (string, error) {
	path := filepath.Join(dir, CheckpointFileName(sc))
	tmp, err := os.CreateTemp(dir, ".audit-checkpoint-*.tmp")
	if err != nil {
		return "", fmt.Errorf("writing a checkpoint file in %s: %w", dir, err)
	}
	defer func() { _ = os.Remove(tmp.Name()) }() // fails harmlessly once renamed
	_, err = tmp.Write(sc.MarshalIndent())
	if err == nil {
		err = tmp.Sync()
	}
	err = errors.Join(err, tmp.Close())
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return "", fmt.Errorf("writing checkpoint file %s: %w", path, err)
	}
	return path, syncDir(dir)
}

// syncDir makes the rename durable: without it a crash can lose the new
// directory entry although the file's data was synced.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("syncing checkpoint directory %s: %w", dir, err)
	}
	return errors.Join(d.Sync(), d.Close())
}

// NewestCheckpointFile reads the newest checkpoint file in dir; found is
// false when dir holds none. A directory that does not exist is an error:
// a mistyped path must not read as "no checkpoint yet".
func NewestCheckpointFile(dir string) (sc SignedCheckpoint, path string, found bool, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return SignedCheckpoint{}, "", false, fmt.Errorf("reading the checkpoint directory: %w", err)
	}
	var names []string
	for _, e := range entries {
		if n := e.Name(); e.Type().IsRegular() && strings.HasPrefix(n, checkpointFilePrefix) && strings.HasSuffix(n, ".json") {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return SignedCheckpoint{}, "", false, nil
	}
	path = filepath.Join(dir, slices.Max(names))
	data, err := os.ReadFile(path)
	if err != nil {
		return SignedCheckpoint{}, path, false, err
	}
	sc, err = ParseCheckpoint(data)
	if err != nil {
		return SignedCheckpoint{}, path, false, fmt.Errorf("%s: %w", path, err)
	}
	sc.At = sc.At.UTC()
	return sc, path, true, nil
}
