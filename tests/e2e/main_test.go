// Package e2e tests dre end to end: the real CLI against an embedded Temporal
// server, a real PostgreSQL cluster and real HTTP.
package e2e

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"testing"

	"github.com/dre-dev/dre/internal/cli"
	"github.com/dre-dev/dre/tests/harness"
)

// execAsDRE makes the test binary act as the dre binary when set, so the
// smoke test can run `dre dev` as a real subprocess without a second build.
const execAsDRE = "DRE_E2E_EXEC_AS_DRE"

var env *harness.Env

func TestMain(m *testing.M) {
	if os.Getenv(execAsDRE) == "1" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := cli.Main(ctx, cli.Options{Args: os.Args[1:]})
		stop()
		os.Exit(code)
	}
	harness.Main(m, &env)
}
