package localpgtest_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/dre-dev/dre/internal/localpg/localpgtest"
	"github.com/jackc/pgx/v5"
)

func TestStartAndNewDatabase(t *testing.T) {
	c := localpgtest.Start(t)
	if _, err := os.Stat(c.DataDir() + "/PG_VERSION"); err != nil {
		t.Fatalf("no cluster in %s: %v", c.DataDir(), err)
	}
	seen := map[string]bool{}
	for range 2 {
		dsn := localpgtest.NewDatabase(t, c)
		if seen[dsn] {
			t.Fatalf("NewDatabase returned %s twice", dsn)
		}
		seen[dsn] = true
		conn, err := pgx.Connect(t.Context(), dsn)
		if err != nil {
			t.Fatalf("connect %s: %v", dsn, err)
		}
		var db string
		err = conn.QueryRow(t.Context(), "SELECT current_database()").Scan(&db)
		conn.Close(context.Background())
		if err != nil || !strings.Contains(db, "teststartandnewdatabase") {
			t.Errorf("current_database() = %q (%v), want one named after the test", db, err)
		}
	}
}

func TestNewDatabaseTruncatesLongNames(t *testing.T) {
	c := localpgtest.Start(t)
	t.Run(strings.Repeat("very_long_subtest_name_", 5), func(t *testing.T) {
		dsn := localpgtest.NewDatabase(t, c)
		name := dsn[strings.LastIndex(dsn, "/")+1 : strings.Index(dsn, "?")]
		if len(name) > 63 {
			t.Errorf("database name %q exceeds PostgreSQL's 63 bytes", name)
		}
	})
}

func TestCleanupRemovesDir(t *testing.T) {
	var dir string
	t.Run("inner", func(t *testing.T) {
		dir = localpgtest.Start(t).DataDir()
	})
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("data dir %s survives the test's cleanup: %v", dir, err)
	}
}
