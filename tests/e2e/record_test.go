package e2e

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/encoding/protojson"
)

// recordHistory saves a finished run's history for the replay tests when
// DRE_RECORD_HISTORIES names a directory (normally tests/testdata/histories):
//
//	DRE_RECORD_HISTORIES=$PWD/tests/testdata/histories go test ./tests/e2e/ -run Triage
//
// Without it, it does nothing: recording is a developer's act, committed
// with the change that needed it.
func recordHistory(t *testing.T, workflowID, name string) {
	t.Helper()
	dir := os.Getenv("DRE_RECORD_HISTORIES")
	if dir == "" {
		return
	}
	history := &historypb.History{}
	iter := env.Client.GetWorkflowHistory(context.Background(), workflowID, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		event, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		history.Events = append(history.Events, event)
	}
	data, err := protojson.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(history)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded %d events of %s to %s", len(history.Events), workflowID, name)
}
