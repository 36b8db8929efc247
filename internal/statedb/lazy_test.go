package statedb

import (
	"errors"
	"strings"
	"testing"

	"github.com/dre-dev/dre/internal/localpg"
	"github.com/dre-dev/dre/internal/localpg/localpgtest"
)

var cluster *localpg.Cluster

func TestMain(m *testing.M) { localpgtest.Main(m, &cluster) }

// The first use creates the tables and later ones share the pool; a bad
// schema is reported with the tables' name and tried again next time;
// without a DSN or after Close nothing connects.
func TestLazyOpensOnceCreatesTablesAndCloses(t *testing.T) {
	dsn := localpgtest.NewDatabase(t, cluster)
	broken := &Lazy{DSN: dsn, Schema: "CREATE TABLE nope (", Tables: "nope"}
	if _, err := broken.Pool(t.Context()); err == nil || !strings.Contains(err.Error(), "creating nope") {
		t.Errorf("bad schema: %v; want an error naming the table", err)
	}
	broken.Schema = "CREATE TABLE IF NOT EXISTS nope (id int)"
	if _, err := broken.Pool(t.Context()); err != nil {
		t.Errorf("second try after the schema was mended: %v", err)
	}
	broken.Close()

	l := &Lazy{DSN: dsn, Schema: "CREATE TABLE IF NOT EXISTS things (id int)", Tables: "things"}
	first, err := l.Pool(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := first.Exec(t.Context(), "INSERT INTO things VALUES (1)"); err != nil {
		t.Errorf("table not created: %v", err)
	}
	if again, _ := l.Pool(t.Context()); again != first {
		t.Error("a second use opened another pool")
	}
	l.Close()
	if _, err := l.Pool(t.Context()); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: %v; want ErrClosed", err)
	}
	noDB := errors.New("set state.dsn")
	if _, err := (&Lazy{NoDatabase: noDB}).Pool(t.Context()); !errors.Is(err, noDB) {
		t.Errorf("without a DSN: %v; want the store's own error", err)
	}
}
