package schedules

import (
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/workflows"
)

func TestAuditCheckpointFollowsCheckpointEvery(t *testing.T) {
	if s := AuditCheckpoint(0, "dre"); s != nil {
		t.Errorf("AuditCheckpoint without checkpoint_every = %+v; want none, so that sync deletes the schedule", s)
	}
	got := AuditCheckpoint(time.Hour, "dre")
	if len(got) != 1 || got[0].ID != AuditCheckpointID || got[0].Every != time.Hour || got[0].Workflow != workflows.AuditCheckpointWorkflowName {
		t.Fatalf("AuditCheckpoint(1h) = %+v; want one hourly %s", got, workflows.AuditCheckpointWorkflowName)
	}
	if in, ok := got[0].Args[0].(workflows.AuditCheckpointInput); !ok || in != (workflows.AuditCheckpointInput{}) {
		t.Errorf("schedule input %+v; want the empty input, the key staying with the workers", got[0].Args)
	}
	if w := Wanted(catalog.New(nil), 0, time.Hour, "dre"); len(w) != 1 || w[0].ID != AuditCheckpointID {
		t.Errorf("Wanted = %+v; want the checkpoint schedule alone", w)
	}
}
