package localpg_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/localpg"
)

// helperEnv, when set to a data dir, turns the test binary into the helper
// of TestKilledParentLeavesNoOrphan: it starts a cluster there, prints the
// postmaster PID and waits to be killed.
const helperEnv = "LOCALPG_TEST_ORPHAN_HELPER_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(helperEnv); dir != "" {
		runOrphanHelper(dir)
		return
	}
	os.Exit(m.Run())
}

func runOrphanHelper(dir string) {
	c, err := localpg.Start(context.Background(), localpg.Options{DataDir: dir, Ephemeral: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fmt.Printf("postmaster %d\n", c.PID())
	select {} // blocks until the test kills us
}

// tempDataDir returns a fresh directory for a cluster, removed at cleanup.
// Not t.TempDir, whose root-only parent the postgres user cannot enter.
func tempDataDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "localpg-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// startCluster starts a cluster that cleanup stops, failing the test if
// Start fails.
func startCluster(t *testing.T, opts localpg.Options) *localpg.Cluster {
	t.Helper()
	opts.Ephemeral = true
	begin := time.Now()
	c, err := localpg.Start(t.Context(), opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Logf("cluster started in %v (port %d, PID %d)", time.Since(begin).Round(time.Millisecond), c.Port(), c.PID())
	t.Cleanup(func() { c.Stop() })
	return c
}

// syncBuffer is a bytes.Buffer safe for the log goroutine and the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
