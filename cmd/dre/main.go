// Command dre runs data reliability jobs as durable Temporal workflows.
// See `dre --help`; all behaviour lives in internal/cli.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/dre-dev/dre/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, cli.Options{Args: os.Args[1:]})
	stop()
	os.Exit(code)
}
