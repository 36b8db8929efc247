package cli_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/dre-dev/dre/internal/audit"
	"github.com/dre-dev/dre/internal/cli/clitest"
	"github.com/dre-dev/dre/internal/localpg/localpgtest"
)

// keyFile writes a fresh unencrypted ed25519 key and returns its path
// and its authorized_keys line.
func keyFile(t *testing.T) (path, line string) {
	t.Helper()
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(t.TempDir(), "id_ed25519")
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	sshPub, _ := ssh.NewPublicKey(pub)
	return path, strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sshPub)))
}

// auditDB returns a fresh state database holding n audit records.
func auditDB(t *testing.T, dsn string, n int) {
	t.Helper()
	l, err := audit.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for i := range n {
		if _, err := l.Append(t.Context(), audit.Entry{Actor: "U1", Action: "grant", Target: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestAuditCheckpointDetectsDeletedTailAndDroppedLog(t *testing.T) {
	cluster := localpgtest.Start(t)
	carolKey, carolLine := keyFile(t)
	malloryKey, _ := keyFile(t)
	cfg := writeConfig(t, "state:\n  dsn: {env: STATE_DSN}\npeople:\n  carol:\n    keys:\n      - "+carolLine+"\n")
	run := func(t *testing.T, dsn string, args ...string) clitest.Result {
		return clitest.Run(t, map[string]string{"DRE_CONFIG": cfg, "STATE_DSN": dsn}, append([]string{"audit"}, args...)...)
	}
	checkpoint := func(t *testing.T, dsn string) string {
		file := filepath.Join(t.TempDir(), "checkpoint.json")
		if res := run(t, dsn, "checkpoint", "--sign", carolKey, "--out", file); res.Code != 0 || !strings.Contains(res.Stderr, "signed by carol") {
			t.Fatalf("checkpoint: exit %d, stderr %q", res.Code, res.Stderr)
		}
		return file
	}

	t.Run("deleted tail", func(t *testing.T) {
		dsn := localpgtest.NewDatabase(t, cluster)
		auditDB(t, dsn, 5)
		if res := run(t, dsn, "verify"); res.Code != 0 || !strings.Contains(res.Stdout, "no checkpoint yet") {
			t.Fatalf("verify without a checkpoint: exit %d, stdout %q", res.Code, res.Stdout)
		}
		file := checkpoint(t, dsn)
		if res := run(t, dsn, "verify"); res.Code != 0 || !strings.Contains(res.Stdout, "checkpoint holds: record 5") {
			t.Fatalf("verify after a checkpoint: exit %d, stdout %q", res.Code, res.Stdout)
		}
		localpgtest.Exec(t, dsn, "ALTER TABLE dre_audit_log DISABLE TRIGGER USER; DELETE FROM dre_audit_log WHERE seq > 3")
		for _, args := range [][]string{{"verify"}, {"verify", "--checkpoint", file}} {
			if res := run(t, dsn, args...); res.Code != 1 || !strings.Contains(res.Stderr, "records 4 to 5 are missing") {
				t.Errorf("%v after deleting the tail: exit %d, stderr %q; want exit 1 naming records 4 to 5", args, res.Code, res.Stderr)
			}
		}
	})

	t.Run("dropped log", func(t *testing.T) {
		dsn := localpgtest.NewDatabase(t, cluster)
		auditDB(t, dsn, 3)
		checkpoint(t, dsn)
		localpgtest.Exec(t, dsn, "DROP TABLE dre_audit_log")
		if res := run(t, dsn, "verify"); res.Code != 1 || !strings.Contains(res.Stderr, "dropped after checkpoint 3") {
			t.Errorf("verify after drop: exit %d, stderr %q; want exit 1 saying the log was dropped after checkpoint 3", res.Code, res.Stderr)
		}
		if res := run(t, dsn, "reset", "--reason", "no backup"); res.Code != 2 || !strings.Contains(res.Stderr, "--i-know") {
			t.Errorf("reset without --i-know: exit %d (want 2), stderr %q", res.Code, res.Stderr)
		}
		if res := run(t, dsn, "reset", "--i-know", "--reason", "no backup"); res.Code != 0 || !strings.Contains(res.Stdout, "after checkpoint 3") {
			t.Fatalf("reset: exit %d, stdout %q", res.Code, res.Stdout)
		}
		if res := run(t, dsn, "verify"); res.Code != 0 || !strings.Contains(res.Stdout, "1 records") {
			t.Errorf("verify after reset: exit %d, stdout %q; want the reset record alone", res.Code, res.Stdout)
		}
	})

	t.Run("foreign key and tampered file", func(t *testing.T) {
		dsn := localpgtest.NewDatabase(t, cluster)
		auditDB(t, dsn, 2)
		if res := run(t, dsn, "checkpoint", "--sign", malloryKey); res.Code != 1 || !strings.Contains(res.Stderr, "not in dre.yaml") {
			t.Errorf("checkpoint with a key not in dre.yaml: exit %d, stderr %q", res.Code, res.Stderr)
		}
		file := checkpoint(t, dsn)
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, []byte(strings.Replace(string(data), `"records": 2`, `"records": 1`, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
		if res := run(t, dsn, "verify", "--checkpoint", file); res.Code != 1 || !strings.Contains(res.Stderr, "refused") {
			t.Errorf("verify against a tampered checkpoint: exit %d, stderr %q; want the checkpoint refused", res.Code, res.Stderr)
		}
	})
}

// Dropping the checkpoints table together with the log leaves the state
// database consistent with itself; only a checkpoint file outside it shows
// the loss.
func TestAuditVerifyFindsBothTablesDroppedFromTheCheckpointDirectory(t *testing.T) {
	dsn := localpgtest.NewDatabase(t, localpgtest.Start(t))
	key, line := keyFile(t)
	dir := filepath.Join(t.TempDir(), "checkpoints")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	people := "people:\n  carol:\n    keys:\n      - " + line + "\n"
	plain := writeConfig(t, "state:\n  dsn: {env: STATE_DSN}\n"+people)
	configured := writeConfig(t, "state:\n  dsn: {env: STATE_DSN}\n"+people+
		"audit:\n  checkpoint_every: 1h\n  checkpoint_key: "+key+"\n  checkpoint_signer: carol\n  checkpoint_dir: "+dir+"\n")
	run := func(cfg string, args ...string) clitest.Result {
		return clitest.Run(t, map[string]string{"DRE_CONFIG": cfg, "STATE_DSN": dsn}, append([]string{"audit"}, args...)...)
	}
	auditDB(t, dsn, 4)
	if res := run(plain, "checkpoint", "--sign", key, "--dir", dir); res.Code != 0 || res.Stdout != "" {
		t.Fatalf("checkpoint --dir: exit %d, stdout %q, stderr %q; want the document in the directory only", res.Code, res.Stdout, res.Stderr)
	}
	localpgtest.Exec(t, dsn, "DROP TABLE dre_audit_log; DROP TABLE dre_audit_checkpoints")
	if res := run(configured, "verify"); res.Code != 1 || !strings.Contains(res.Stderr, "dropped after checkpoint 4") || !strings.Contains(res.Stderr, dir) {
		t.Errorf("verify with audit.checkpoint_dir after both tables were dropped: exit %d, stderr %q; want the log refused as dropped, naming the file", res.Code, res.Stderr)
	}
	auditDB(t, dsn, 2) // a fresh log, as a worker without the directory would start one

	if res := run(plain, "verify"); res.Code != 0 || !strings.Contains(res.Stdout, "no checkpoint yet") {
		t.Fatalf("verify without the directory: exit %d, stdout %q; the database alone cannot tell", res.Code, res.Stdout)
	}
	for name, args := range map[string][]string{"--checkpoint-dir": {"verify", "--checkpoint-dir", dir}, "audit.checkpoint_dir": {"verify"}} {
		cfg := plain
		if name == "audit.checkpoint_dir" {
			cfg = configured
		}
		res := run(cfg, args...)
		for _, want := range []string{"records 3 to 4 are missing", "dre_audit_checkpoints no longer holds this checkpoint", "Restore dre_audit_log", filepath.Base(dir)} {
			if res.Code != 1 || !strings.Contains(res.Stderr, want) {
				t.Errorf("verify with %s: exit %d, stderr %q; want exit 1 saying %q", name, res.Code, res.Stderr, want)
			}
		}
	}
	if res := run(plain, "verify", "--checkpoint-dir", filepath.Join(dir, "typo")); res.Code != 1 || !strings.Contains(res.Stderr, "--checkpoint-dir") {
		t.Errorf("verify with a missing directory: exit %d, stderr %q; want an error, not \"no checkpoint\"", res.Code, res.Stderr)
	}
	elsewhere := writeConfig(t, "state:\n  dsn: {env: STATE_DSN}\n"+people+
		"audit:\n  checkpoint_every: 1h\n  checkpoint_key: "+key+"\n  checkpoint_signer: carol\n  checkpoint_dir: "+filepath.Join(dir, "on-the-workers")+"\n")
	if res := run(elsewhere, "verify"); res.Code != 0 || !strings.Contains(res.Stderr, "is not on this machine") {
		t.Errorf("verify with the workers' audit.checkpoint_dir absent here: exit %d, stderr %q; want a note, not a failure", res.Code, res.Stderr)
	}
}
