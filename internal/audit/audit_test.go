package audit

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dre-dev/dre/internal/localpg"
	"github.com/dre-dev/dre/internal/localpg/localpgtest"
)

var cluster *localpg.Cluster

func TestMain(m *testing.M) { localpgtest.Main(m, &cluster) }

// newLog opens a log in a fresh database with n records in it.
func newLog(t *testing.T, n int) (*Log, string) {
	t.Helper()
	dsn := localpgtest.NewDatabase(t, cluster)
	l, err := Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Close)
	for i := range n {
		e := Entry{Actor: "U1", Action: "grant", Target: fmt.Sprintf("public.customers/role%d", i), Details: map[string]string{"b": "2", "a": "1"}}
		if _, err := l.Append(t.Context(), e); err != nil {
			t.Fatal(err)
		}
	}
	return l, dsn
}

// tamper runs SQL as the table's owner with the append-only triggers off,
// as an attacker with owner rights could.
func tamper(t *testing.T, dsn, sql string) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	stmt := "ALTER TABLE dre_audit_log DISABLE TRIGGER USER; " + sql + "; ALTER TABLE dre_audit_log ENABLE TRIGGER USER"
	if _, err := conn.Exec(t.Context(), stmt); err != nil {
		t.Fatal(err)
	}
}

func verify(t *testing.T, l *Log) Verification {
	t.Helper()
	v, err := l.Verify(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestIntactChainVerifies(t *testing.T) {
	l, _ := newLog(t, 5)
	v := verify(t, l)
	if v.Bad != nil || v.Records != 5 || len(v.Head) != 64 {
		t.Fatalf("verify = %+v; want 5 good records and a SHA-256 head", v)
	}
}

func TestTamperingIsDetectedAtTheFirstBadRecord(t *testing.T) {
	cases := []struct {
		name    string
		sql     string
		wantSeq int64
		reason  string
	}{
		{"edited reason", "UPDATE dre_audit_log SET reason = 'nothing to see' WHERE seq = 3", 3, "edited"},
		{"edited details", `UPDATE dre_audit_log SET details = '{"a":"1","b":"3"}' WHERE seq = 2`, 2, "edited"},
		{"deleted", "DELETE FROM dre_audit_log WHERE seq = 2", 3, "missing"},
		{"reordered", "UPDATE dre_audit_log SET seq = -seq WHERE seq IN (2, 3); UPDATE dre_audit_log SET seq = CASE seq WHEN -2 THEN 3 ELSE 2 END WHERE seq < 0", 2, "previous-hash"},
		{"deleted and renumbered", "DELETE FROM dre_audit_log WHERE seq = 2; UPDATE dre_audit_log SET seq = seq - 1 WHERE seq > 2", 2, "previous-hash"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l, dsn := newLog(t, 4)
			tamper(t, dsn, tc.sql)
			v := verify(t, l)
			if v.Bad == nil || v.Bad.Seq != tc.wantSeq || !strings.Contains(v.Bad.Reason, tc.reason) {
				t.Fatalf("verify = %+v, bad %+v; want record %d named, reason mentioning %q", v, v.Bad, tc.wantSeq, tc.reason)
			}
		})
	}
}

func TestTableRefusesUpdatesAndDeletes(t *testing.T) {
	_, dsn := newLog(t, 1)
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	for _, sql := range []string{"UPDATE dre_audit_log SET actor = 'x'", "DELETE FROM dre_audit_log", "TRUNCATE dre_audit_log"} {
		if _, err := conn.Exec(t.Context(), sql); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: err = %v; want the append-only trigger to refuse it", sql, err)
		}
	}
}

func TestConcurrentAppendsBuildOneChain(t *testing.T) {
	l, _ := newLog(t, 0)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 16 {
		wg.Go(func() {
			_, err := l.Append(context.Background(), Entry{Actor: "w", Action: "revoke", Target: fmt.Sprint(i)})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if v := verify(t, l); v.Bad != nil || v.Records != 16 {
		t.Fatalf("verify after concurrent appends = %+v (bad %+v); want 16 chained records", v, v.Bad)
	}
}

func TestAppendWithAKnownKeyReturnsTheLoggedRecord(t *testing.T) {
	l, _ := newLog(t, 1)
	e := Entry{Actor: "U1", Action: "approve", Target: "customers", Key: "wf/run/7"}
	first, err := l.Append(t.Context(), e)
	if err != nil {
		t.Fatal(err)
	}
	again, err := l.Append(t.Context(), e)
	if err != nil {
		t.Fatal(err)
	}
	if again.Seq != first.Seq || again.Hash != first.Hash || verify(t, l).Records != 2 {
		t.Fatalf("second append = %+v, first %+v; want the same record and 2 records in all", again, first)
	}
}

func TestExportFiltersByTimeInBothFormats(t *testing.T) {
	l, _ := newLog(t, 0)
	base := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	for i := range 3 {
		l.now = func() time.Time { return base.Add(time.Duration(i) * 24 * time.Hour) }
		if _, err := l.Append(t.Context(), Entry{Actor: "a", Action: "keep", Target: fmt.Sprint(i), Details: map[string]string{"k": "v"}}); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	n, err := l.Export(t.Context(), &out, base.Add(time.Hour), base.Add(72*time.Hour), FormatCSV)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&out).ReadAll()
	if err != nil || n != 2 || len(rows) != 3 || rows[1][0] != "2" || rows[2][8] != "k=v" {
		t.Fatalf("csv export: n=%d rows=%q err=%v; want a header and records 2 and 3", n, rows, err)
	}
	out.Reset()
	if n, err := l.Export(t.Context(), &out, time.Time{}, time.Time{}, FormatJSON); err != nil || n != 3 || strings.Count(out.String(), "\n") != 3 {
		t.Fatalf("json export: n=%d err=%v output %q; want 3 JSON lines", n, err, out.String())
	}
	if _, err := l.Export(t.Context(), &out, time.Time{}, time.Time{}, "xml"); err == nil {
		t.Fatal("export as xml succeeded; want an error naming csv and json")
	}
}
