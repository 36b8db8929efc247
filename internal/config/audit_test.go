package config

import (
	"testing"
	"time"
)

// auditors is a people: section in which carol has a key and bob none.
const auditors = `people:
  carol:
    keys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEnbB6oLLzZJTIcyIHJGqGtSu6KC/SJ6XBu19U/LvtFU']
  bob:
    name: Bob
`

func TestParseAuditCheckpoints(t *testing.T) {
	src := auditors + `audit:
  checkpoint_every: 1h
  checkpoint_key: /run/secrets/dre-audit-key
  checkpoint_signer: carol
  checkpoint_channel: "#dre-audit"
  checkpoint_dir: /var/lib/dre/checkpoints
`
	cfg, err := Parse("dre.yaml", []byte(src), nil, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := Audit{CheckpointKey: "/run/secrets/dre-audit-key", CheckpointSigner: "carol", CheckpointChannel: "#dre-audit", CheckpointDir: "/var/lib/dre/checkpoints"}
	want.CheckpointEvery.Duration = time.Hour
	if cfg.Audit != want {
		t.Errorf("audit = %+v; want %+v", cfg.Audit, want)
	}
}

func TestParseAuditProblems(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"too often", "audit: {checkpoint_every: 10s, checkpoint_key: k, checkpoint_signer: carol, checkpoint_dir: d}\n",
			[]string{"dre.yaml:6:27: audit.checkpoint_every: want a duration of at least 1m, like 1h; unset publishes no checkpoints"}},
		{"settings without interval", "audit: {checkpoint_key: k}\n",
			[]string{"dre.yaml:6:1: audit.checkpoint_every: set checkpoint_every (like 1h) too, or no checkpoint is ever published with these settings"}},
		{"nothing but an interval", "audit:\n  checkpoint_every: 1h\n", []string{
			"dre.yaml:6:1: audit.checkpoint_key: checkpoints need the worker's signing key: a private key file, or a .pub file or SHA256 fingerprint of a key in ssh-agent",
			"dre.yaml:6:1: audit.checkpoint_signer: name the people: entry that lists the public half of checkpoint_key",
			"dre.yaml:7:21: audit.checkpoint_every: set checkpoint_channel or checkpoint_dir (or both): a checkpoint kept only in the state database is lost with it",
		}},
		{"bad fingerprint and unknown signer", "audit:\n  checkpoint_every: 1h\n  checkpoint_key: SHA256:abc\n  checkpoint_signer: mallory\n  checkpoint_dir: d\n", []string{
			`dre.yaml:8:19: audit.checkpoint_key: "SHA256:abc" is not an SSH key fingerprint (ssh-keygen -lf key.pub prints SHA256: and 43 characters)`,
			`dre.yaml:9:22: audit.checkpoint_signer: unknown person "mallory": dre.yaml has no people.mallory; add it with their slack_user, keys and principals`,
		}},
		{"signer without keys", "audit:\n  checkpoint_every: 1h\n  checkpoint_key: k\n  checkpoint_signer: bob\n  checkpoint_channel: '#a'\n",
			[]string{"dre.yaml:9:22: audit.checkpoint_signer: people.bob has no keys; add the public half of audit.checkpoint_key to its keys:"}},
		{"unknown key", "audit: {checkpoint_evry: 1h}\n",
			[]string{`dre.yaml:6:9: audit.checkpoint_evry: unknown key "checkpoint_evry"; did you mean "checkpoint_every"?`}},
	}
	for _, tt := range tests {
		_, err := Parse("dre.yaml", []byte(auditors+tt.src), nil, LoadOptions{})
		diffLines(t, tt.name, problemLines(t, err), tt.want)
	}
}
