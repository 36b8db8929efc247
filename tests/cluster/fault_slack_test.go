package cluster

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/converter"

	"github.com/dre-dev/dre/workflows"
)

// The load of the Slack fault: 300 commands at 50 a second over both
// gateways; one worker and one gateway die after a quarter of them and
// are restarted after 5 seconds' worth.
const (
	slashRate    = 50
	slashTotal   = 300
	slashKillAt  = slashTotal / 4
	slashReturns = slashKillAt + slashRate
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
	eventually(t, "the commands sent while they are dead", time.Minute, func() bool { return load.sent.Load() >= slashReturns })
	worker.restart(t)
	gateway.restart(t)
	gateway.waitReady(t)
	<-done

	accepted, pending, refused := map[string]int{}, 0, 0 // accepted: the gateway of each token
	var answered []time.Duration
	for _, c := range load.cmds {
		switch {
		case c.accepted():
			accepted[c.token] = c.gateway + 1
		case c.pending():
			pending++
		default:
			refused++
		}
		if c.status != 0 {
			answered = append(answered, c.took)
		}
	}
	slices.Sort(answered)
	t.Logf("%d commands: %d accepted, %d still being recorded at the answer, %d refused or unanswered; answer time p50 %s, p90 %s, max %s",
		len(load.cmds), len(accepted), pending, refused, quantile(answered, 0.5), quantile(answered, 0.9), quantile(answered, 1))
	t.Logf("refusals: %v", refusalReasons(load.cmds))
	if len(accepted) < slashTotal/3 || refused == 0 {
		t.Fatalf("%d accepted, %d refused; want a third or more accepted and the dead gateway's refused, or the test shows nothing", len(accepted), refused)
	}
	// A report is in its incident before the gateway answers, so a short
	// wait covers only the history reaching the frontend.
	var reports map[string]int
	var missing []string
	deadline := time.Now().Add(time.Minute)
	for reports, missing = reportedTokens(t, s), nil; ; reports, missing = reportedTokens(t, s), nil {
		for token, gw := range accepted {
			if reports[token] == 0 {
				missing = append(missing, fmt.Sprintf("%s (gateway %d)", token, gw))
			}
		}
		if len(missing) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Second)
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		t.Fatalf("%d accepted commands never reached an incident: %v", len(missing), missing)
	}
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

// refusalReasons counts the commands neither accepted nor pending by the
// start of their answer (or their error).
func refusalReasons(cmds []slashCommand) map[string]int {
	reasons := map[string]int{}
	for _, c := range cmds {
		if !c.accepted() && !c.pending() {
			reply := c.reply
			if len(reply) > 60 {
				reply = reply[:60]
			}
			reasons[fmt.Sprintf("%d %s", c.status, reply)]++
		}
	}
	return reasons
}

// quantile is the q-quantile of sorted durations, 0 for none.
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[int(q*float64(len(sorted)-1))].Round(time.Millisecond)
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
