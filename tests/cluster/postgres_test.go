package cluster

import (
	"context"
	"os"
	"testing"

	"github.com/dre-dev/dre/internal/localpg"
)

// restartablePG is a PostgreSQL cluster a test can restart on the same
// data directory and port, as an operator restarts the database under a
// running Temporal cluster: every DSN handed out stays valid.
type restartablePG struct {
	*localpg.Cluster
	opts localpg.Options
}

// pgMaxConnections covers four Temporal services, three workers and two
// gateways with their pools; localpg's default of 50 does not.
const pgMaxConnections = "300"

// startRestartablePG starts an ephemeral cluster; cleanup stops it and
// removes its directory.
func startRestartablePG(t testing.TB) *restartablePG {
	t.Helper()
	// Not t.TempDir: localpg hands the directory to the postgres OS user
	// when the test runs as root, and t.TempDir's parent is root-only.
	dir, err := os.MkdirTemp("", "localpg-cluster-")
	if err != nil {
		t.Fatal(err)
	}
	pg := &restartablePG{opts: localpg.Options{DataDir: dir, Ephemeral: true, Settings: map[string]string{"max_connections": pgMaxConnections}}}
	if pg.Cluster, err = localpg.Start(context.Background(), pg.opts); err != nil {
		t.Fatalf("start PostgreSQL: %v", err)
	}
	pg.opts.Port = pg.Port()
	t.Cleanup(func() {
		if err := pg.Stop(); err != nil {
			t.Errorf("stop PostgreSQL: %v", err)
		}
		_ = os.RemoveAll(dir)
	})
	return pg
}

// restart stops the server (a fast shutdown, which ends every session)
// and starts it again on the same directory and port.
func (pg *restartablePG) restart(t testing.TB) {
	t.Helper()
	if err := pg.Stop(); err != nil {
		t.Fatalf("stop PostgreSQL: %v", err)
	}
	c, err := localpg.Start(context.Background(), pg.opts)
	if err != nil {
		t.Fatalf("start PostgreSQL again on port %d: %v", pg.opts.Port, err)
	}
	pg.Cluster = c
}
