// Package localpg runs a private PostgreSQL cluster from the locally
// installed server binaries: `dre dev` keeps one in .dre/pg across runs, and
// tests start throwaway ones (see package localpgtest).
//
// The server is a direct child process, never daemonized, listening on
// 127.0.0.1 only (no Unix socket, so nothing is written to /tmp or
// /var/run). It runs in its own process group, so a Ctrl-C typed at the
// terminal reaches dre alone, which then calls Stop; on Linux it also gets
// SIGQUIT (immediate shutdown) if dre dies without stopping it, even by
// kill -9, so no orphan postmaster outlives dre.
//
// Authentication is "trust" for the postgres superuser: the cluster is a
// development tool reachable only from this machine. PostgreSQL refuses to
// run as root, so when dre runs as root the cluster runs as the "postgres"
// OS user, which must be able to reach the data directory.
package localpg

import (
	"fmt"
	"io"
	"net/url"
	"sync"
	"time"
)

// defaultReadyTimeout bounds the wait for a new server to accept
// connections; crash recovery after a kill can take a few seconds.
const defaultReadyTimeout = 30 * time.Second

// Options configures Start.
type Options struct {
	// DataDir is the cluster directory. It is created and initialized with
	// initdb when it holds no PG_VERSION, and reused as is otherwise.
	DataDir string
	// Port is the TCP port on 127.0.0.1; 0 picks a free one.
	Port int
	// BinDir holds initdb and postgres; "" means FindBinDir.
	BinDir string
	// Log receives the server log; nil appends it to postgres.log in
	// DataDir. It is written from a background goroutine.
	Log io.Writer
	// Ephemeral trades durability for speed (no fsync, asynchronous commit,
	// no full-page writes, initdb --no-sync): for tests, whose data is
	// thrown away anyway.
	Ephemeral bool
	// PortFile, when set, keeps the port across starts: with Port 0, Start
	// first tries the port recorded there by the previous start, and it
	// always records the port the server ends up on, so that DSNs saved
	// elsewhere keep working. When another process holds the recorded port,
	// Start picks a free one and MovedFrom says so.
	PortFile string
	// ReadyTimeout bounds how long Start waits for the server to accept
	// connections; 0 means 30 s.
	ReadyTimeout time.Duration
	// Settings are extra server settings (-c name=value), such as
	// shared_preload_libraries for an extension a test needs loaded.
	Settings map[string]string
}

// Cluster is a running PostgreSQL server started by Start.
type Cluster struct {
	dataDir  string
	port     int
	proc     *process
	closeLog func()
	// movedFrom is the remembered port given up because it was taken.
	movedFrom int

	stopOnce sync.Once
	stopErr  error
}

// DSN returns a URL connecting to database db as the postgres superuser.
func (c *Cluster) DSN(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, url.PathEscape(db))
}

// Port returns the TCP port the server listens on at 127.0.0.1.
func (c *Cluster) Port() int { return c.port }

// MovedFrom returns the port recorded in Options.PortFile that Start could
// not reuse because another process held it, or 0 when it reused the port
// (or had none to reuse).
func (c *Cluster) MovedFrom() int { return c.movedFrom }

// DataDir returns the absolute path of the cluster directory.
func (c *Cluster) DataDir() string { return c.dataDir }

// PID returns the process ID of the postmaster.
func (c *Cluster) PID() int { return c.proc.pid }

// Done returns a channel closed once the server has exited, whether through
// Stop or on its own, so a supervisor can notice a crash.
func (c *Cluster) Done() <-chan struct{} { return c.proc.done }

// Stop shuts the server down: a fast shutdown (SIGINT) that rolls back open
// transactions, then SIGQUIT after 10 s, then SIGKILL. It returns once the
// server has exited. It is idempotent and safe to call concurrently: every
// call waits for the same shutdown and returns its result.
func (c *Cluster) Stop() error {
	c.stopOnce.Do(func() {
		c.stopErr = c.proc.shutdown()
		if c.closeLog != nil {
			c.closeLog()
		}
	})
	return c.stopErr
}
