package localpg_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/localpg"
	"github.com/jackc/pgx/v5"
)

func TestStartServesAndStopEnds(t *testing.T) {
	dir := tempDataDir(t)
	var log syncBuffer
	c := startCluster(t, localpg.Options{DataDir: dir, Log: &log})
	if c.DataDir() != dir {
		t.Errorf("DataDir() = %s, want %s", c.DataDir(), dir)
	}
	want := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.Port())
	if c.DSN("postgres") != want {
		t.Errorf("DSN = %s, want %s", c.DSN("postgres"), want)
	}
	if got := queryInt(t, c.DSN("postgres"), "SELECT 6 * 7"); got != 42 {
		t.Errorf("SELECT 6 * 7 = %d", got)
	}
	if !strings.Contains(log.String(), "ready to accept connections") {
		t.Errorf("server log lacks the ready line:\n%s", log.String())
	}
	if err := c.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	assertGone(t, c)
	if conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", c.Port()), time.Second); err == nil {
		conn.Close()
		t.Error("port still accepts connections after Stop")
	}
}

func TestRestartKeepsData(t *testing.T) {
	dir := tempDataDir(t)
	c := startCluster(t, localpg.Options{DataDir: dir})
	if err := c.CreateDatabase(t.Context(), "keep"); err != nil {
		t.Fatal(err)
	}
	execSQL(t, c.DSN("keep"), "CREATE TABLE kept (n int); INSERT INTO kept VALUES (7)")
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	c2 := startCluster(t, localpg.Options{DataDir: dir})
	if got := queryInt(t, c2.DSN("keep"), "SELECT n FROM kept"); got != 7 {
		t.Errorf("after restart kept.n = %d, want 7", got)
	}
	if st, err := os.Stat(filepath.Join(dir, "postgres.log")); err != nil || st.Size() == 0 {
		t.Errorf("default log file postgres.log missing or empty: %v", err)
	}
}

func TestFixedPortTakenIsClearError(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	dir := tempDataDir(t)
	_, err = localpg.Start(t.Context(), localpg.Options{DataDir: dir, Port: port, Ephemeral: true})
	want := fmt.Sprintf("port %d is taken; choose another with --pg-port", port)
	if err == nil || err.Error() != want {
		t.Fatalf("Start on a taken port: err = %v, want %q", err, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "PG_VERSION")); err == nil {
		t.Error("initdb ran although the port was taken; the check should come first")
	}
}

func TestFixedFreePortIsUsed(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	c := startCluster(t, localpg.Options{DataDir: tempDataDir(t), Port: port})
	if c.Port() != port {
		t.Errorf("Port() = %d, want %d", c.Port(), port)
	}
	if got := queryInt(t, c.DSN("postgres"), "SELECT current_setting('port')::int"); got != port {
		t.Errorf("server port = %d, want %d", got, port)
	}
}

func TestDataDirInUseNamesPID(t *testing.T) {
	dir := tempDataDir(t)
	c := startCluster(t, localpg.Options{DataDir: dir})
	_, err := localpg.Start(t.Context(), localpg.Options{DataDir: dir, Ephemeral: true})
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("in use by a running postmaster (PID %d)", c.PID())) {
		t.Fatalf("second Start on a served dir: err = %v, want one naming PID %d", err, c.PID())
	}
	if got := queryInt(t, c.DSN("postgres"), "SELECT 1"); got != 1 {
		t.Error("first cluster broken by the refused second start")
	}
}

func TestStalePIDFileDoesNotBlock(t *testing.T) {
	dir := tempDataDir(t)
	c := startCluster(t, localpg.Options{DataDir: dir})
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	// A live PID that is not a postmaster: what a kill -9 leaves once the
	// PID has been recycled.
	stale := fmt.Sprintf("%d\n%s\n0\n0\n", os.Getpid(), dir)
	if err := os.WriteFile(filepath.Join(dir, "postmaster.pid"), []byte(stale), 0o600); err != nil {
		t.Fatal(err)
	}
	c2 := startCluster(t, localpg.Options{DataDir: dir})
	if got := queryInt(t, c2.DSN("postgres"), "SELECT 1"); got != 1 {
		t.Error("cluster after a stale pid file does not answer")
	}
}

func TestStopIsIdempotentAndConcurrent(t *testing.T) {
	c := startCluster(t, localpg.Options{DataDir: tempDataDir(t)})
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() { errs[i] = c.Stop() })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("concurrent Stop #%d: %v", i, err)
		}
	}
	assertGone(t, c)
	if err := c.Stop(); err != nil {
		t.Errorf("Stop after Stop: %v", err)
	}
}

func TestCreateDatabaseIsIdempotent(t *testing.T) {
	c := startCluster(t, localpg.Options{DataDir: tempDataDir(t)})
	for range 2 {
		if err := c.CreateDatabase(t.Context(), "Mixed-Case db"); err != nil {
			t.Fatalf("CreateDatabase: %v", err)
		}
	}
	if got := queryInt(t, c.DSN("Mixed-Case db"), "SELECT 1"); got != 1 {
		t.Error("cannot query the created database")
	}
}

// assertGone checks that Stop left no postmaster behind.
func assertGone(t *testing.T, c *localpg.Cluster) {
	t.Helper()
	select {
	case <-c.Done():
	default:
		t.Error("Done() not closed after Stop")
	}
	if err := syscall.Kill(c.PID(), 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("postmaster %d still exists after Stop (kill 0: %v)", c.PID(), err)
	}
}

func queryInt(t *testing.T, dsn, sql string) int {
	t.Helper()
	conn := connect(t, dsn)
	var n int
	if err := conn.QueryRow(t.Context(), sql).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func execSQL(t *testing.T, dsn, sql string) {
	t.Helper()
	if _, err := connect(t, dsn).Exec(t.Context(), sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func connect(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatalf("connect %s: %v", dsn, err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func TestRestartAfterPostmasterKilled(t *testing.T) {
	dir := tempDataDir(t)
	// Durable, unlike startCluster's: an ephemeral server's asynchronous
	// commits may rightly be lost by a crash.
	c, err := localpg.Start(t.Context(), localpg.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	execSQL(t, c.DSN("postgres"), "CREATE TABLE survivor (n int); INSERT INTO survivor VALUES (1)")
	// Kill -9 the postmaster and its backends: postmaster.pid stays behind.
	if err := syscall.Kill(-c.PID(), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-c.Done()
	if _, err := os.Stat(filepath.Join(dir, "postmaster.pid")); err != nil {
		t.Fatalf("expected a stale postmaster.pid: %v", err)
	}
	if err := c.Stop(); err == nil || !strings.Contains(err.Error(), "had already exited") {
		t.Errorf("Stop of a killed server: err = %v, want it to report the earlier exit", err)
	}
	c2 := startCluster(t, localpg.Options{DataDir: dir})
	if got := queryInt(t, c2.DSN("postgres"), "SELECT count(*) FROM survivor"); got != 1 {
		t.Errorf("after crash recovery survivor has %d rows, want 1", got)
	}
}

func TestUnreachableDataDirIsExplained(t *testing.T) {
	parent := tempDataDir(t) // os.MkdirTemp: mode 0700, ours
	dir := filepath.Join(parent, "pg")
	c, err := localpg.Start(t.Context(), localpg.Options{DataDir: dir, Ephemeral: true})
	if os.Geteuid() != 0 {
		// Not root: the cluster runs as us and reaches the dir.
		if err != nil {
			t.Fatalf("Start as non-root in our own dir: %v", err)
		}
		c.Stop()
		return
	}
	if err == nil {
		c.Stop()
		t.Fatal("Start as root under a 0700 root-owned dir succeeded")
	}
	if !strings.Contains(err.Error(), `the "postgres" OS user`) || !strings.Contains(err.Error(), "cannot enter "+parent) {
		t.Errorf("error %q should say that the postgres user cannot enter %s", err, parent)
	}
}
