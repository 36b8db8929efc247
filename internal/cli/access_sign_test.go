package cli

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/dre-dev/dre/internal/config"
	"github.com/dre-dev/dre/internal/decision"
	"github.com/dre-dev/dre/internal/people"
)

// signingSetup writes bob's private key to a file and returns its path
// and a config whose directory lists the key under people.bob.
func signingSetup(t *testing.T) (string, *config.Config) {
	t.Helper()
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "id_ed25519")
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	sshPub, _ := ssh.NewPublicKey(pub)
	key, err := people.ParsePublicKey(string(ssh.MarshalAuthorizedKey(sshPub)))
	if err != nil {
		t.Fatal(err)
	}
	return path, &config.Config{People: people.NewDirectory(map[string]people.Person{"bob": {Keys: []people.PublicKey{key}}}, nil)}
}

func envOf(vars map[string]string) *globals {
	return &globals{opts: &Options{Env: func(k string) (string, bool) { v, ok := vars[k]; return v, ok }}}
}

// DRE_SIGNING_KEY signs the decision as the key's owner in dre.yaml.
func TestAccessDecisionIsSignedWithDRESigningKey(t *testing.T) {
	path, cfg := signingSetup(t)
	id := "access-request/customers/cli:alice/m1"
	var stderr bytes.Buffer
	d, err := envOf(map[string]string{"DRE_SIGNING_KEY": path}).accessDecision(cfg, &stderr, id, "approve", decider{note: "ok"})
	if err != nil {
		t.Fatal(err)
	}
	if d.By != "bob" || d.Note != "ok" || stderr.Len() != 0 {
		t.Fatalf("decision %+v, stderr %q; want bob's signed approval", d, stderr.String())
	}
	signed := decision.Decision{WorkflowID: id, Action: "approve", Target: "customers", Decider: "bob", At: d.At, Nonce: d.Nonce}
	if _, err := decision.Verify(signed, d.Signature, cfg.People, time.Now(), decision.DefaultMaxAge); err != nil {
		t.Fatalf("the CLI's signature does not verify: %v", err)
	}
}

// Without a key the decision goes unsigned, and the CLI says what that
// needs; a request ID that names no dataset cannot be signed.
func TestAccessDecisionWithoutAKeyIsUnsignedAndSaysSo(t *testing.T) {
	path, cfg := signingSetup(t)
	var stderr bytes.Buffer
	d, err := envOf(map[string]string{"USER": "carol"}).accessDecision(cfg, &stderr, "access-request/customers/x/1", "deny", decider{})
	if err != nil || d.By != "cli:carol" || d.Signature != "" || !strings.Contains(stderr.String(), "decisions.allow_unsigned") {
		t.Fatalf("decision %+v, %v, stderr %q; want an unsigned deny by cli:carol and a warning", d, err, stderr.String())
	}
	if _, err := envOf(nil).accessDecision(cfg, &stderr, "backfill/orders/x", "approve", decider{signRef: path}); err == nil || !strings.Contains(err.Error(), "not an access request ID") {
		t.Fatalf("signing for a non-request ID = %v; want it refused", err)
	}
}
