// Package replay replays committed workflow histories against the current
// workflow code. A history that no longer replays means a change would break
// workflows already running in production: guard it with workflow.GetVersion.
package replay

import (
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/worker"

	dreworker "github.com/dre-dev/dre/internal/worker"
)

func TestCommittedHistoriesReplay(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "testdata", "histories", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no histories in tests/testdata/histories; record some with tests/replay/record")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			replayer := worker.NewWorkflowReplayer()
			dreworker.RegisterWorkflows(replayer)
			if err := replayer.ReplayWorkflowHistoryFromJSONFile(nil, file); err != nil {
				t.Fatalf("%s no longer replays: %v", file, err)
			}
		})
	}
}
