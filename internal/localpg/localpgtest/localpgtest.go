// Package localpgtest starts throwaway PostgreSQL clusters for tests, from
// the locally installed server binaries (see package localpg). A test that
// needs PostgreSQL starts it; it never skips.
//
// Start gives one test its own cluster. initdb costs 1–2 s, so a package
// whose tests need PostgreSQL should start one cluster in TestMain and give
// each test its own database:
//
//	var cluster *localpg.Cluster
//
//	func TestMain(m *testing.M) {
//		c, stop, err := localpgtest.StartShared()
//		if err != nil {
//			fmt.Fprintln(os.Stderr, err)
//			os.Exit(1)
//		}
//		cluster = c
//		code := m.Run()
//		if err := stop(); err != nil {
//			fmt.Fprintln(os.Stderr, err)
//		}
//		os.Exit(code)
//	}
//
//	func TestSomething(t *testing.T) {
//		dsn := localpgtest.NewDatabase(t, cluster)
//		// ... connect to dsn
//	}
package localpgtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/dre-dev/dre/internal/localpg"
)

// Start starts an ephemeral cluster in a fresh temporary directory; the
// test fails if it cannot. Cleanup stops it and removes the directory.
func Start(t testing.TB) *localpg.Cluster {
	t.Helper()
	c, stop, err := StartShared()
	if err != nil {
		t.Fatalf("start PostgreSQL: %v", err)
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("stop PostgreSQL: %v", err)
		}
	})
	return c
}

// StartShared starts an ephemeral cluster in a fresh temporary directory
// for use outside a single test, typically in TestMain. The returned stop
// function stops the cluster and removes the directory.
func StartShared() (*localpg.Cluster, func() error, error) {
	return startShared(nil)
}

// StartWith is Start with extra server settings, for a test that needs
// one the shared cluster lacks (a preloaded extension).
func StartWith(t testing.TB, settings map[string]string) *localpg.Cluster {
	t.Helper()
	c, stop, err := startShared(settings)
	if err != nil {
		t.Fatalf("start PostgreSQL with %v: %v", settings, err)
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("stop PostgreSQL: %v", err)
		}
	})
	return c
}

func startShared(settings map[string]string) (*localpg.Cluster, func() error, error) {
	// Not t.TempDir: localpg hands the directory to the postgres OS user
	// when we run as root, and t.TempDir's parent is a root-only 0700 dir.
	dir, err := os.MkdirTemp("", "localpg-")
	if err != nil {
		return nil, nil, err
	}
	c, err := localpg.Start(context.Background(), localpg.Options{DataDir: dir, Ephemeral: true, Settings: settings})
	if err != nil {
		return nil, nil, errors.Join(err, os.RemoveAll(dir))
	}
	stop := func() error {
		err := c.Stop()
		if rmErr := os.RemoveAll(dir); err == nil {
			err = rmErr
		}
		return err
	}
	return c, stop, nil
}

var (
	dbSeq     atomic.Int64
	nonWordRE = regexp.MustCompile(`[^a-z0-9_]+`)
)

// NewDatabase creates a database named after the test, unique within the
// process, and returns its DSN; the test fails if it cannot.
func NewDatabase(t testing.TB, c *localpg.Cluster) string {
	t.Helper()
	// The sequence number comes first so that truncating a long test name
	// to PostgreSQL's 63-byte identifier limit keeps names unique.
	name := fmt.Sprintf("t%d_%s", dbSeq.Add(1), nonWordRE.ReplaceAllString(strings.ToLower(t.Name()), "_"))
	if len(name) > 63 {
		name = name[:63]
	}
	if err := c.CreateDatabase(t.Context(), name); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	return c.DSN(name)
}

// Main is a package's TestMain body: it starts a shared cluster into
// *cluster, runs the tests, stops the cluster (also when tests fail) and
// exits with the tests' code.
func Main(m *testing.M, cluster **localpg.Cluster) {
	c, stop, err := StartShared()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	*cluster = c
	code := m.Run()
	if err := stop(); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	os.Exit(code)
}
