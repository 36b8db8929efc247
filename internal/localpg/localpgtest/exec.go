package localpgtest

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
)

// Exec runs sql on the database at dsn over a connection of its own, for
// a test that sets up or damages state behind the code under test.
func Exec(t testing.TB, dsn, sql string) {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), sql); err != nil {
		t.Fatal(err)
	}
}
