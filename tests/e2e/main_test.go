// Package e2e tests dre end to end: the real CLI against an embedded Temporal
// server, a real PostgreSQL cluster and real HTTP.
package e2e

import (
	"bytes"
	"context"
	"os"
	"os/signal"
	"strings"
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

// result is one in-process run of the CLI.
type result struct {
	code           int
	stdout, stderr string
}

// runDRE runs the dre CLI in-process with the given environment only.
func runDRE(t *testing.T, environ map[string]string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := cli.Main(context.Background(), cli.Options{
		Args: args, Stdout: &stdout, Stderr: &stderr, Stdin: strings.NewReader(""),
		Env: func(k string) (string, bool) { v, ok := environ[k]; return v, ok },
	})
	t.Logf("dre %s → exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, stdout.String(), stderr.String())
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}
