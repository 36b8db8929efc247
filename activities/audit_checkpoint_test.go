package activities

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/temporal"
	"golang.org/x/crypto/ssh"

	"github.com/dre-dev/dre/internal/audit"
	"github.com/dre-dev/dre/internal/localpg/localpgtest"
	"github.com/dre-dev/dre/internal/people"
)

// checkpointKey writes a fresh unencrypted key file and returns its path
// and a directory in which carol owns it (and bob owns nothing).
func checkpointKey(t *testing.T) (string, *people.Directory) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "checkpoint_key")
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	sshPub, _ := ssh.NewPublicKey(pub)
	k, err := people.ParsePublicKey(string(ssh.MarshalAuthorizedKey(sshPub)))
	if err != nil {
		t.Fatal(err)
	}
	return path, people.NewDirectory(map[string]people.Person{"carol": {Keys: []people.PublicKey{k}}, "bob": {}}, nil)
}

// appendRecords adds n records to the log at dsn.
func appendRecords(t *testing.T, dsn string, n int) {
	t.Helper()
	l, err := audit.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for range n {
		if _, err := l.Append(t.Context(), audit.Entry{Actor: "U1", Action: "grant", Target: "t"}); err != nil {
			t.Fatal(err)
		}
	}
}

// refusedWith fails the test unless err is a non-retryable refusal saying want.
func refusedWith(t *testing.T, what string, err error, want string) {
	t.Helper()
	var app *temporal.ApplicationError
	if err == nil || !strings.Contains(err.Error(), want) || !errors.As(err, &app) || !app.NonRetryable() {
		t.Errorf("%s: err = %v; want a non-retryable refusal saying %q", what, err, want)
	}
}

func TestPublishCheckpointSignsRecordsWritesAndSkipsAnUnmovedHead(t *testing.T) {
	dsn := localpgtest.NewDatabase(t, localpgtest.Start(t))
	appendRecords(t, dsn, 3)
	key, dir := checkpointKey(t)
	files := filepath.Join(t.TempDir(), "checkpoints")
	a := &AuditCheckpoints{DSN: dsn, People: dir, Key: key, Signer: "carol", Dir: files, Channel: "#dre-audit"}
	at := time.Date(2026, 12, 6, 10, 0, 0, 123456789, time.UTC)

	res, err := a.PublishCheckpoint(t.Context(), AuditCheckpointRequest{At: at})
	if err != nil || res.Skipped || res.Seq != 3 || res.Signer != "carol" || res.Channel != "#dre-audit" || !strings.HasPrefix(res.Fingerprint, "SHA256:") {
		t.Fatalf("first checkpoint = %+v, %v; want record 3 signed by carol", res, err)
	}
	data, err := os.ReadFile(res.File)
	if err != nil || string(data) != res.Document {
		t.Fatalf("file %s holds %q (%v); want the signed document", res.File, data, err)
	}
	sc, err := audit.ParseCheckpoint(data)
	if err != nil {
		t.Fatal(err)
	}
	if who, err := sc.VerifySignature(dir); err != nil || who.Person.ID != "carol" || !sc.At.Equal(at.Truncate(time.Microsecond)) {
		t.Fatalf("the file's checkpoint %+v verifies as %+v, %v; want carol's, taken at the workflow's time", sc, who, err)
	}
	again, err := a.PublishCheckpoint(t.Context(), AuditCheckpointRequest{At: at})
	if err != nil || again.Skipped || again.Document != res.Document || again.File != res.File {
		t.Errorf("a retried attempt = %+v, %v; want the same checkpoint again, not a skip", again, err)
	}
	if n := countRows(t, dsn, "dre_audit_checkpoints"); n != 1 {
		t.Errorf("%d checkpoints recorded after a retry; want 1", n)
	}
	skipped, err := a.PublishCheckpoint(t.Context(), AuditCheckpointRequest{At: at.Add(time.Hour)})
	if err != nil || !skipped.Skipped || !strings.Contains(skipped.Reason, "has not moved since the checkpoint of record 3") {
		t.Errorf("checkpoint of an unmoved head = %+v, %v; want it skipped, saying so", skipped, err)
	}
	appendRecords(t, dsn, 1)
	next, err := a.PublishCheckpoint(t.Context(), AuditCheckpointRequest{At: at.Add(2 * time.Hour)})
	if err != nil || next.Skipped || next.Seq != 4 {
		t.Errorf("checkpoint after an append = %+v, %v; want record 4", next, err)
	}
	if entries, _ := os.ReadDir(files); len(entries) != 2 {
		t.Errorf("checkpoint directory holds %d entries; want 2 files", len(entries))
	}
}

func TestPublishCheckpointRefusesBadKeysAndLosses(t *testing.T) {
	cluster := localpgtest.Start(t)
	dsn := localpgtest.NewDatabase(t, cluster)
	appendRecords(t, dsn, 2)
	key, dir := checkpointKey(t)
	files := t.TempDir()
	at := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	publish := func(a *AuditCheckpoints, at time.Time) error {
		_, err := a.PublishCheckpoint(t.Context(), AuditCheckpointRequest{At: at})
		return err
	}

	missing := filepath.Join(t.TempDir(), "no-such-key")
	refusedWith(t, "the key check at worker start", (&AuditCheckpoints{DSN: dsn, People: dir, Key: missing, Signer: "carol"}).CheckKey(), "read signing key")
	if err := (&AuditCheckpoints{DSN: dsn, People: dir, Key: key, Signer: "carol"}).CheckKey(); err != nil {
		t.Errorf("the key check of a good key: %v", err)
	}
	refusedWith(t, "a missing key file", publish(&AuditCheckpoints{DSN: dsn, People: dir, Key: missing, Signer: "carol", Dir: files}, at),
		"audit.checkpoint_key "+missing+": read signing key")
	refusedWith(t, "the key of another person", publish(&AuditCheckpoints{DSN: dsn, People: dir, Key: key, Signer: "bob", Dir: files}, at),
		"is a key of people.carol, but audit.checkpoint_signer is bob")
	refusedWith(t, "a worker without checkpoint settings", publish(&AuditCheckpoints{DSN: dsn}, at), "audit.checkpoint_key and audit.checkpoint_signer")
	if entries, _ := os.ReadDir(files); len(entries) != 0 {
		t.Fatalf("refused checkpoints left %d files", len(entries))
	}

	a := &AuditCheckpoints{DSN: dsn, People: dir, Key: key, Signer: "carol", Dir: files}
	if err := publish(a, at); err != nil {
		t.Fatal(err)
	}
	// Both tables dropped and a new log started: the database alone looks
	// fine, the newest file does not.
	localpgtest.Exec(t, dsn, "DROP TABLE dre_audit_log; DROP TABLE dre_audit_checkpoints")
	appendRecords(t, dsn, 3)
	fresh := &AuditCheckpoints{DSN: dsn, People: dir, Key: key, Signer: "carol", Dir: files}
	refusedWith(t, "a re-created log", publish(fresh, at.Add(time.Hour)), "no checkpoint signed: the audit log does not match the checkpoint of record 2")
	if n := countRows(t, dsn, "dre_audit_checkpoints"); n != 0 {
		t.Errorf("%d checkpoints recorded over a loss; want none", n)
	}
}

// countRows counts a table's rows.
func countRows(t *testing.T, dsn, table string) int {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close(context.Background()) }()
	var n int
	if err := conn.QueryRow(t.Context(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
