package cluster

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/cli/clitest"
	"github.com/dre-dev/dre/workflows"
)

// postgresRestartsUnderTimersAndSLORounds restarts the PostgreSQL that
// holds Temporal's persistence and visibility (and the warehouse and
// state database, as a small install shares one server) while a
// deprecation waits on its reminder timers and an SLO evaluator measures
// every second: the deprecation still ends with the table dropped after
// one announcement, and new SLO readings keep coming.
func postgresRestartsUnderTimersAndSLORounds(t testing.TB, s *dreStack) {
	s.sql(t, s.warehouse, `CREATE TABLE public.cluster_legacy AS SELECT g AS id FROM generate_series(1, 100) g`)
	if res := clitest.Run(t, s.env, "deprecate", "start", "cluster_legacy"); res.Code != 0 {
		t.Fatalf("deprecate start: exit %d, stderr %q", res.Code, res.Stderr)
	}
	if res := clitest.Run(t, s.env, "slo", "schedule", "sync"); res.Code != 0 || !strings.Contains(res.Stdout, "orders_fast: 1 SLO(s)") {
		t.Fatalf("slo schedule sync: exit %d, stdout %q, stderr %q", res.Code, res.Stdout, res.Stderr)
	}
	depID, sloID := workflows.DeprecateWorkflowID("cluster_legacy"), workflows.SLOEvalWorkflowID("orders_fast")
	var dep workflows.DeprecateStatus
	eventually(t, "a deprecation reminder", time.Minute, func() bool { return s.status(depID, &dep) == nil && dep.Reminders > 0 })
	var slo workflows.SLOEvalStatus
	eventually(t, "two SLO rounds", time.Minute, func() bool { return s.status(sloID, &slo) == nil && slo.Rounds >= 2 })
	if dep.Phase == workflows.DeprecateSoftDelete || dep.Status == workflows.DeprecateDropped {
		t.Fatalf("the deprecation is past its grace period (%s, %s) before the restart; the test shows nothing", dep.Phase, dep.Status)
	}

	s.pg.restart(t)
	restarted := time.Now()
	t.Logf("PostgreSQL restarted at deprecation phase %s (%d reminders) and SLO round %d", dep.Phase, dep.Reminders, slo.Rounds)

	var after workflows.SLOEvalStatus
	eventually(t, "three SLO rounds after the restart", 2*time.Minute, func() bool {
		s.temporal.superviseServices(t)
		return s.status(sloID, &after) == nil && after.Rounds >= slo.Rounds+3
	})
	var readings int
	s.queryRow(t, s.state, `SELECT count(*) FROM slo_observations WHERE dataset = 'orders_fast' AND at > $1`, []any{&readings}, restarted)
	if readings == 0 {
		t.Errorf("no SLO reading stored after the restart, though %d rounds ran", after.Rounds-slo.Rounds)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	var final workflows.DeprecateStatus
	if err := s.client.GetWorkflow(ctx, depID, "").Get(ctx, &final); err != nil {
		t.Fatalf("the deprecation after the restart: %v", err)
	}
	t.Logf("after the restart: %d SLO rounds, %d readings stored; deprecation %s after %d reminders, %s after the restart",
		after.Rounds-slo.Rounds, readings, final.Status, final.Reminders, time.Since(restarted).Round(time.Millisecond))
	if final.Status != workflows.DeprecateDropped || final.Reminders <= dep.Reminders {
		t.Errorf("deprecation: %s with %d reminders (were %d); want dropped, with reminders after the restart", final.Status, final.Reminders, dep.Reminders)
	}
	if n := strings.Count(timelineText(final), "announced"); n != 1 {
		t.Errorf("announced %d times; want once:\n%s", n, timelineText(final))
	}
	var exists bool
	s.queryRow(t, s.warehouse, `SELECT to_regclass('public.cluster_legacy') IS NOT NULL`, []any{&exists})
	if exists {
		t.Error("public.cluster_legacy still exists after the deprecation dropped it")
	}
	_ = s.client.TerminateWorkflow(context.Background(), sloID, "", "fault test over")
}

// timelineText is a deprecation's timeline, one event a line.
func timelineText(s workflows.DeprecateStatus) string {
	var b strings.Builder
	for _, e := range s.Timeline {
		b.WriteString(e.Phase + ": " + e.What + "\n")
	}
	return b.String()
}
