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
// answered "is starting" reached its dataset's one incident exactly once,
// and so did every command the surviving gateway answered "taking longer"
// (it goes on recording them); a command the dead gateway could not
// answer, or had not finished recording, may be missing, never doubled.
func killWorkerAndGatewayUnderSlashCommands(t testing.TB, s *dreStack) {
	load := &slashLoad{gateways: s.gateways, datasets: slashDatasets}
	done := make(chan struct{})
	go func() { load.run(slashTotal, slashRate); close(done) }()
	eventually(t, "a quarter of the commands sent", time.Minute, func() bool { return load.sent.Load() >= slashKillAt })
	worker, gateway := s.workers[0], s.gateways[1]
	worker.kill9(t)
	gateway.kill9(t)
	eventually(t, "the commands sent while they are dead", time.Minute, func() bool { return load.sent.Load() >= slashReturns })
	worker.restart(t)
	gateway.restart(t)
	gateway.waitReady(t)
	<-done

	owed := owedReports(t, load.cmds, 1)
	reports := waitReported(t, s, owed)
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
	t.Logf("%d reports in the incidents, %d owed", len(reports), len(owed))
	for _, ds := range slashDatasets {
		_ = s.client.TerminateWorkflow(context.Background(), workflows.TriageWorkflowID(ds), "", "fault test over")
	}
}

// owedReports sorts the answers: the tokens that must reach an incident,
// each with the reason, are those answered "is starting" and those the
// surviving gateway answered "taking longer". It logs the counts and
// answer times, and fails when the load shows nothing (no command owed,
// or none refused by the dead gateway).
func owedReports(t testing.TB, cmds []slashCommand, killed int) map[string]string {
	t.Helper()
	owed, accepted, pending := map[string]string{}, 0, 0
	var answered []time.Duration
	for _, c := range cmds {
		switch {
		case c.accepted():
			owed[c.token] = fmt.Sprintf("answered is starting by gateway %d", c.gateway+1)
			accepted++
		case c.pending() && c.gateway != killed:
			owed[c.token] = fmt.Sprintf("answered taking longer by the surviving gateway %d", c.gateway+1)
			pending++
		case c.pending():
			pending++
		}
		if c.status != 0 {
			answered = append(answered, c.took)
		}
	}
	slices.Sort(answered)
	refused := refusalReasons(cmds)
	t.Logf("%d commands: %d answered is starting, %d taking longer (Temporal slower than 2 s), %d refused or unanswered; answer time p50 %s, p90 %s, max %s; refusals %v",
		len(cmds), accepted, pending, len(cmds)-accepted-pending, quantile(answered, 0.5), quantile(answered, 0.9), quantile(answered, 1), refused)
	if len(owed) < slashTotal/3 || len(refused) == 0 {
		t.Fatalf("%d commands owed an incident, refusals %v; want a third or more owed and the dead gateway's refusals, or the test shows nothing", len(owed), refused)
	}
	return owed
}

// waitReported polls the incidents' histories until every owed token is
// in one, for at most a minute: an accepted report is recorded before its
// answer, and a pending one within the gateway's 30-second call limit.
func waitReported(t testing.TB, s *dreStack, owed map[string]string) map[string]int {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		reports := reportedTokens(t, s)
		var missing []string
		for token, why := range owed {
			if reports[token] == 0 {
				missing = append(missing, token+" ("+why+")")
			}
		}
		if len(missing) == 0 {
			return reports
		}
		if time.Now().After(deadline) {
			slices.Sort(missing)
			t.Fatalf("%d commands owed an incident never reached one: %v", len(missing), missing)
		}
		time.Sleep(time.Second)
	}
}

// reportedTokens counts, per load token, the distinct reports (by
// reporter and time, as the workflow tells them apart) that reached the
// triage workflows as signals. Signal-with-start records the report that
// opens an incident as a signal too, so every report is one signal.
func reportedTokens(t testing.TB, s *dreStack) map[string]int {
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
// status and start of their answer (or of their error).
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
func countWorkflows(t testing.TB, s *dreStack, query string) int64 {
	t.Helper()
	resp, err := s.client.CountWorkflow(t.Context(), &workflowservice.CountWorkflowExecutionsRequest{Query: query})
	if err != nil {
		t.Fatalf("count %s: %v", query, err)
	}
	return resp.GetCount()
}
