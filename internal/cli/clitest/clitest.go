// Package clitest runs the dre CLI in-process for tests, with captured
// output and a fake environment, the way a user would run the binary.
package clitest

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/dre-dev/dre/internal/cli"
)

// Result is one run of the CLI.
type Result struct {
	Code           int
	Stdout, Stderr string
}

// Run runs dre with args and only the given environment variables, and logs
// the output so a failing test shows what the user would have seen.
func Run(t testing.TB, env map[string]string, args ...string) Result {
	t.Helper()
	return RunContext(context.Background(), t, env, args...)
}

// RunContext is Run with a context, for commands that run until cancelled.
func RunContext(ctx context.Context, t testing.TB, env map[string]string, args ...string) Result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := cli.Main(ctx, cli.Options{
		Args: args, Stdout: &stdout, Stderr: &stderr, Stdin: strings.NewReader(""),
		Env: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
	})
	t.Logf("dre %s → exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, stdout.String(), stderr.String())
	return Result{Code: code, Stdout: stdout.String(), Stderr: stderr.String()}
}
