package cluster

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/converter"

	"github.com/dre-dev/dre/workflows"
)

// The load of the Slack fault: 300 commands at 50 a second over both
// gateways; one worker and one gateway die after a third of them and
// come back after two thirds.
const (
	slashRate    = 50
	slashTotal   = 300
	slashKillAt  = slashTotal / 3
	slashReturns = 2 * slashTotal / 3
)

// slashDatasets are the demo datasets the commands report.
var slashDatasets = []string{"orders", "customers", "events", "legacy_sessions"}

// killWorkerAndGatewayUnderSlashCommands: every command a gateway
// accepted reached its dataset's one incident exactly once; a command
// the dead gateway could not answer may be missing, never doubled.
func killWorkerAndGatewayUnderSlashCommands(t *testing.T, s *dreStack) {
	load := &slashLoad{gateways: s.gateways, datasets: slashDatasets}
	done := make(chan struct{})
	go func() { load.run(slashTotal, slashRate); close(done) }()
	eventually(t, "a third of the commands sent", time.Minute, func() bool { return load.sent.Load() >= slashKillAt })
	worker, gateway := s.workers[0], s.gateways[1]
	worker.kill9(t)
	gateway.kill9(t)
	eventually(t, "two thirds of the commands sent", time.Minute, func() bool { return load.sent.Load() >= slashReturns })
	worker.restart(t)
	gateway.restart(t)
	gateway.waitReady(t)
	<-done

	accepted, refused := map[string]bool{}, 0
	for _, c := range load.cmds {
		if c.accepted() {
			accepted[c.token] = true
		} else {
			refused++
		}
	}
	t.Logf("%d commands: %d accepted, %d refused or unanswered", len(load.cmds), len(accepted), refused)
	if len(accepted) < slashTotal/2 || refused == 0 {
		t.Fatalf("%d accepted, %d refused; want most accepted and the dead gateway's refused, or the test shows nothing", len(accepted), refused)
	}
	var reports map[string]int
	eventually(t, "every accepted command in its incident", 3*time.Minute, func() bool {
		reports = reportedTokens(t, s)
		for token := range accepted {
			if reports[token] == 0 {
				return false
			}
		}
		return true
	})
	for token, n := range reports {
		if n > 1 {
			t.Errorf("command %s reached the incident %d times; want once", token, n)
		}
	}
	for _, ds := range slashDatasets {
		if n := countWorkflows(t, s, "DreKind = 'triage' AND DreDataset = '"+ds+"'"); n != 1 {
			t.Errorf("%d triage runs of %s; want one incident that every report joined", n, ds)
		}
	}
	t.Logf("%d reports in the incidents, %d of them from commands that got no acceptance", len(reports), len(reports)-len(accepted))
	for _, ds := range slashDatasets {
		_ = s.client.TerminateWorkflow(context.Background(), workflows.TriageWorkflowID(ds), "", "fault test over")
	}
}

// reportedTokens counts, per load token, the distinct reports (by
// reporter and time, as the workflow tells them apart) that reached the
// triage workflows as signals. Signal-with-start records the report that
// opens an incident as a signal too, so every report is one signal.
func reportedTokens(t *testing.T, s *dreStack) map[string]int {
	t.Helper()
	seen, counts := map[string]bool{}, map[string]int{}
	for _, ds := range slashDatasets {
		iter := s.client.GetWorkflowHistory(t.Context(), workflows.TriageWorkflowID(ds), "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for iter.HasNext() {
			ev, err := iter.Next()
			if err != nil {
				return counts // not started yet, or the frontend is busy: poll again
			}
			sig := ev.GetWorkflowExecutionSignaledEventAttributes()
			if sig == nil || sig.GetSignalName() != workflows.TriageReportSignal {
				continue
			}
			var r workflows.TriageReport
			if err := converter.GetDefaultDataConverter().FromPayloads(sig.GetInput(), &r); err != nil {
				t.Fatalf("a report signal of %s does not decode: %v", ds, err)
			}
			token := r.Description
			if i := strings.LastIndex(token, " "); i >= 0 {
				token = token[i+1:]
			}
			if key := r.Reporter + "@" + r.ReportedAt.String(); !seen[key] {
				seen[key] = true
				counts[token]++
			}
		}
	}
	return counts
}

// countWorkflows counts the runs, open or closed, a visibility query finds.
func countWorkflows(t *testing.T, s *dreStack, query string) int64 {
	t.Helper()
	resp, err := s.client.CountWorkflow(t.Context(), &workflowservice.CountWorkflowExecutionsRequest{Query: query})
	if err != nil {
		t.Fatalf("count %s: %v", query, err)
	}
	return resp.GetCount()
}
