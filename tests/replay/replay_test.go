// Package replay replays committed workflow histories against the current
// workflow code. A history that no longer replays means a change would break
// workflows already running in production: guard it with workflow.GetVersion.
package replay

import (
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	dreworker "github.com/dre-dev/dre/internal/worker"
)

func TestCommittedHistoriesReplay(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(historiesDir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no histories in tests/testdata/histories; record some with tests/replay/record")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			history, started, err := readHistory(file)
			if err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			replayer := worker.NewWorkflowReplayer()
			dreworker.RegisterWorkflows(replayer)
			// The run's own workflow ID, not the replayer's "ReplayId": a
			// Runbook names its called runbooks' runs after its own ID.
			opts := worker.ReplayWorkflowHistoryOptions{OriginalExecution: workflow.Execution{ID: started.GetWorkflowId()}}
			if err := replayer.ReplayWorkflowHistoryWithOptions(nil, history, opts); err != nil {
				t.Fatalf("%s no longer replays: %v", file, err)
			}
		})
	}
}
