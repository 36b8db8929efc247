package config

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestLoadPeople(t *testing.T) {
	cfg, err := Load("testdata/people.yaml", nil, LoadOptions{})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	alice, err := cfg.People.BySlackUser("U0ALICE")
	if err != nil {
		t.Fatal(err)
	}
	_, key, err := cfg.People.ByFingerprint(alice.Keys[1].Fingerprint())
	if err != nil {
		t.Fatal(err)
	}
	owners, err := cfg.People.Group("owners")
	if err != nil {
		t.Fatal(err)
	}
	principal, err := cfg.People.Principal("alice", "lake")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		got  any
		want string
	}{
		{"people", cfg.People.IDs(), "[alice bob]"},
		{"alice", []any{alice.ID, alice.Label(), alice.SlackTeam, len(alice.Keys)}, "[alice Alice Example T0ACME 2]"},
		{"allowed_signers namespaces", key.Namespaces, "[git dre-decision@dre.dev]"},
		{"principal", principal, "user:alice@example.com"},
		{"owners", []any{owners.People, owners.SlackGroups}, "[[alice bob] [S0OWNERS]]"},
		{"workspaces", cfg.Slack.Workspaces, "[T0ACME E0GRID]"},
		{"allow unsigned", cfg.Decisions.AllowUnsigned, "false"},
	}
	for _, tt := range tests {
		if got := fmt.Sprint(tt.got); got != tt.want {
			t.Errorf("%s = %s, want %s", tt.name, got, tt.want)
		}
	}
}

// TestLoadInvalidPeople checks that identity mistakes are placed where
// they are written, like every other dre.yaml problem.
func TestLoadInvalidPeople(t *testing.T) {
	_, err := Load("testdata/invalid_people.yaml", nil, LoadOptions{})
	got := problemLines(t, err)
	want := []string{
		`testdata/invalid_people.yaml:9:24: slack.workspaces[1]: want a Slack workspace ID like T0123ABCD`,
		`testdata/invalid_people.yaml:13:17: people.alice.slack_team: workspace T0OTHER is not in slack.workspaces [T0ACME acme]`,
		`testdata/invalid_people.yaml:16:9: people.alice.keys[1]: the ssh-ed25519 key does not decode`,
		`testdata/invalid_people.yaml:18:14: people.alice.principals.local: PUBLIC stands for everyone`,
		`testdata/invalid_people.yaml:19:13: people.alice.principals.lake: want a BigQuery member like user:alice@example.com`,
		`testdata/invalid_people.yaml:20:16: people.alice.principals.nowhere: unknown warehouse "nowhere"`,
		`testdata/invalid_people.yaml:22:17: people.bob.slack_user: Slack user U0ALICE is also people.alice.slack_user`,
		`testdata/invalid_people.yaml:23:12: people.bob.keys[0]: key SHA256:`,
		`testdata/invalid_people.yaml:24:3: people.Carol: person ID "Carol" must be lowercase`,
		`testdata/invalid_people.yaml:27:21: groups.owners.people[1]: unknown person "dave"; add people.dave to dre.yaml`,
		`testdata/invalid_people.yaml:29:16: decisions.slack_relay: unknown person "gateway"`,
	}
	if len(got) != len(want) {
		t.Errorf("got %d problems, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i := range min(len(got), len(want)) {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("problem %d:\n got  %s\n want %s...", i+1, got[i], want[i])
		}
	}
}

// TestLoadInvalidAuthz: authz rules name known decisions and subjects,
// and datasets of the catalog, each problem where it is written.
func TestLoadInvalidAuthz(t *testing.T) {
	_, err := Load("testdata/invalid_authz.yaml", nil, LoadOptions{})
	got := problemLines(t, err)
	want := []string{
		`testdata/invalid_authz.yaml:11:5: authz.rules.backfill.approve: an empty rule lets nobody decide`,
		`testdata/invalid_authz.yaml:10:5: authz.rules.triage.delete: "triage.delete" is not a decision dre knows`,
		`testdata/invalid_authz.yaml:9:30: authz.rules.triage.resolve[1]: "nobody" is neither a role`,
		`testdata/invalid_authz.yaml:13:5: authz.datasets.ghost: the catalog has no dataset "ghost"`,
	}
	if len(got) != len(want) {
		t.Errorf("got %d problems, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for _, w := range want {
		if !slices.ContainsFunc(got, func(g string) bool { return strings.HasPrefix(g, w) }) {
			t.Errorf("no problem like\n  %s...\nin\n  %s", w, strings.Join(got, "\n  "))
		}
	}
}
