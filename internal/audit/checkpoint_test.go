package audit

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/crypto/ssh"

	"github.com/dre-dev/dre/internal/decision"
	"github.com/dre-dev/dre/internal/localpg/localpgtest"
	"github.com/dre-dev/dre/internal/people"
)

// newKey returns a fresh ed25519 signer.
func newKey(t *testing.T) ssh.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// auditors is a directory in which carol owns key.
func auditors(t *testing.T, key ssh.Signer) *people.Directory {
	t.Helper()
	k, err := people.ParsePublicKey(string(ssh.MarshalAuthorizedKey(key.PublicKey())))
	if err != nil {
		t.Fatal(err)
	}
	return people.NewDirectory(map[string]people.Person{"carol": {Keys: []people.PublicKey{k}}}, nil)
}

// checkpointed opens a log of n records and records a checkpoint of it
// signed by carol.
func checkpointed(t *testing.T, n int) (*Log, string, SignedCheckpoint) {
	t.Helper()
	l, dsn := newLog(t, n)
	key := newKey(t)
	c, err := l.Checkpoint(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	sc, err := SignCheckpoint(c, key, auditors(t, key))
	if err != nil {
		t.Fatal(err)
	}
	if err := l.SaveCheckpoint(t.Context(), sc); err != nil {
		t.Fatal(err)
	}
	return l, dsn, sc
}

func TestCheckpointThenVerifyPasses(t *testing.T) {
	l, _, sc := checkpointed(t, 5)
	latest, found, err := l.LatestCheckpoint(t.Context())
	if err != nil || !found || latest.Seq != 5 || latest.Records != 5 || latest.Head != verify(t, l).Head || latest.Signer != "carol" {
		t.Fatalf("latest checkpoint = %+v, %v, %v; want carol's of record 5 with the log's head", latest, found, err)
	}
	if !latest.At.Equal(sc.At) || latest.Signature != sc.Signature {
		t.Fatalf("checkpoint read back %+v differs from the one saved %+v", latest, sc)
	}
	if _, err := l.Append(t.Context(), Entry{Actor: "U1", Action: "revoke", Target: "t"}); err != nil {
		t.Fatalf("append after a checkpoint: %v", err)
	}
	if loss, err := l.Compare(t.Context(), latest.Checkpoint); err != nil || loss != nil {
		t.Fatalf("compare with a grown log = %v, %v; want no loss", loss, err)
	}
}

func TestDeletedTailIsDetectedAndAppendsRefused(t *testing.T) {
	l, dsn, sc := checkpointed(t, 5)
	tamper(t, dsn, "DELETE FROM dre_audit_log WHERE seq > 3")
	if v := verify(t, l); v.Bad != nil || v.Records != 3 {
		t.Fatalf("verify of the truncated chain = %+v; the chain alone cannot tell, want 3 good records", v)
	}
	loss, err := l.Compare(t.Context(), sc.Checkpoint)
	if err != nil || loss == nil || !strings.Contains(loss.Error(), "records 4 to 5 are missing") || loss.LastSeq != 3 {
		t.Fatalf("compare = %v, %v; want records 4 to 5 named missing", loss, err)
	}
	_, err = l.Append(t.Context(), Entry{Actor: "U1", Action: "grant", Target: "t"})
	if err == nil || !strings.Contains(err.Error(), "records 4 to 5 are missing") {
		t.Fatalf("append onto a truncated log: err = %v; want a refusal naming the loss", err)
	}
	if _, err := l.Checkpoint(t.Context()); err == nil {
		t.Fatal("checkpoint of a truncated log succeeded; want a refusal")
	}
}

func TestDroppedLogIsNotRecreated(t *testing.T) {
	_, dsn, _ := checkpointed(t, 4)
	localpgtest.Exec(t, dsn, "DROP TABLE dre_audit_log")
	_, err := Open(t.Context(), dsn)
	if !errors.Is(err, ErrLogDropped) || !strings.Contains(err.Error(), "after checkpoint 4") || !strings.Contains(err.Error(), "backup") {
		t.Fatalf("open after drop: err = %v; want ErrLogDropped naming checkpoint 4 and a backup", err)
	}
}

func TestRecreatedLogIsDetectedAndAppendsRefused(t *testing.T) {
	for _, forged := range []int{0, 4} {
		t.Run(fmt.Sprintf("%d forged records", forged), func(t *testing.T) {
			l, dsn, sc := checkpointed(t, 4)
			localpgtest.Exec(t, dsn, "DROP TABLE dre_audit_log;"+schema)
			forgeChain(t, dsn, forged)
			want := map[int]string{0: "all 4 records are lost", 4: "record 4's hash is now"}[forged]
			loss, err := l.Compare(t.Context(), sc.Checkpoint)
			if err != nil || loss == nil || !strings.Contains(loss.Error(), want) {
				t.Fatalf("compare = %v, %v; want %q", loss, err, want)
			}
			if _, err := l.Append(t.Context(), Entry{Actor: "U1", Action: "grant", Target: "t"}); err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("append onto a re-created log: err = %v; want a refusal saying %q", err, want)
			}
		})
	}
}

// forgeChain writes a valid chain of n made-up records, as someone
// rewriting the log would.
func forgeChain(t *testing.T, dsn string, n int) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	err = pgx.BeginFunc(t.Context(), conn, func(tx pgx.Tx) error {
		prev := ""
		for i := range n {
			r := Record{Seq: int64(i + 1), At: time.Now().UTC().Truncate(time.Microsecond), Entry: Entry{Actor: "x", Action: "noop", Target: "y"}, PrevHash: prev}
			r.Hash = r.ComputeHash()
			prev = r.Hash
			if err := insert(t.Context(), tx, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestCheckpointSignaturesAreChecked(t *testing.T) {
	l, _ := newLog(t, 2)
	carol, mallory := newKey(t), newKey(t)
	dir := auditors(t, carol)
	c, err := l.Checkpoint(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := SignCheckpoint(c, mallory, dir); !errors.Is(err, decision.ErrUnknownKey) {
		t.Fatalf("signing with a key not in the directory: err = %v; want ErrUnknownKey", err)
	}
	sc, err := SignCheckpoint(c, carol, dir)
	if err != nil {
		t.Fatal(err)
	}
	read, err := ParseCheckpoint(sc.MarshalIndent())
	if err != nil {
		t.Fatal(err)
	}
	if who, err := read.VerifySignature(dir); err != nil || who.Person.ID != "carol" {
		t.Fatalf("verify the file's signature = %+v, %v; want carol", who, err)
	}
	if _, err := read.VerifySignature(auditors(t, mallory)); !errors.Is(err, decision.ErrUnknownKey) {
		t.Errorf("verify against a directory without carol's key: err = %v; want ErrUnknownKey", err)
	}
	tampered := read
	tampered.Seq, tampered.Records = 1, 1
	if _, err := tampered.VerifySignature(dir); !errors.Is(err, decision.ErrBadSignature) {
		t.Errorf("verify a checkpoint with a lowered seq: err = %v; want ErrBadSignature", err)
	}
	if _, err := ParseCheckpoint([]byte(`{"seq": 3}`)); err == nil {
		t.Error("parsing a document without head and signature succeeded; want an error")
	}
}

func TestResetStartsANewLogRecordingTheLoss(t *testing.T) {
	_, dsn, _ := checkpointed(t, 3)
	if _, err := Reset(t.Context(), dsn, "carol", "disk lost", Options{}); err == nil || !strings.Contains(err.Error(), "nothing to reset") {
		t.Fatalf("reset of an existing log: err = %v; want a refusal", err)
	}
	localpgtest.Exec(t, dsn, "DROP TABLE dre_audit_log")
	first, err := Reset(t.Context(), dsn, "carol", "disk lost, no backup", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if first.Seq != 1 || first.Action != ResetAction || first.Details["lost_after_checkpoint"] != "3" {
		t.Fatalf("first record after reset = %+v; want record 1 recording the loss after checkpoint 3", first)
	}
	l, err := Open(t.Context(), dsn)
	if err != nil {
		t.Fatalf("open after reset: %v", err)
	}
	defer l.Close()
	if _, err := l.Append(t.Context(), Entry{Actor: "U1", Action: "grant", Target: "t"}); err != nil {
		t.Fatalf("append after reset: %v", err)
	}
	if v := verify(t, l); v.Bad != nil || v.Records != 2 {
		t.Fatalf("verify after reset = %+v; want the reset record and one more", v)
	}
}
