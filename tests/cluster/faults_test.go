package cluster

import (
	"testing"
)

// TestDreFleetSurvivesFaults deploys three `dre worker` and two `dre
// gateway` processes on the four-service Temporal cluster, then injects
// one fault after another, each ending with nothing lost and nothing
// duplicated. The faults share one deployment because starting it is the
// slow part; each leaves the deployment whole for the next.
func TestDreFleetSurvivesFaults(t *testing.T) {
	s := startDreStack(t)
	t.Run("kill -9 of a worker and a gateway under Slack commands at 50/s", func(t *testing.T) {
		killWorkerAndGatewayUnderSlashCommands(t, s)
	})
	t.Run("matching stopped while an access grant expires", func(t *testing.T) {
		grantExpiresWhileMatchingIsPaused(t, s)
	})
	t.Run("PostgreSQL restarted during deprecation timers and SLO rounds", func(t *testing.T) {
		postgresRestartsUnderTimersAndSLORounds(t, s)
	})
}
