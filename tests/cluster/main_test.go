// Package cluster runs dre against the real Temporal server as separate
// processes, one per service (frontend, history, matching, worker), on
// PostgreSQL persistence and PostgreSQL advanced visibility, the way
// production teams run it, and kills those services mid-work.
package cluster

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"testing"

	"github.com/dre-dev/dre/internal/cli"
)

// execAsDRE makes the test binary act as the dre binary, so `dre worker`
// runs as a real subprocess without a second build.
const execAsDRE = "DRE_CLUSTER_EXEC_AS_DRE"

func TestMain(m *testing.M) {
	if os.Getenv(execAsDRE) == "1" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := cli.Main(ctx, cli.Options{Args: os.Args[1:]})
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}
