package people

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// sampleDirectory has alice (Slack, a key, a role) and bob (nothing but a
// BigQuery member), and the group owners.
func sampleDirectory(t *testing.T) (*Directory, PublicKey) {
	t.Helper()
	key, err := ParsePublicKey(newKeyLine(t, "alice"))
	if err != nil {
		t.Fatal(err)
	}
	return NewDirectory(map[string]Person{
		"alice": {Name: "Alice Example", SlackUser: "U0ALICE", Keys: []PublicKey{key}, Principals: map[string]string{"local": "alice_role", "lake": "PUBLIC"}},
		"bob":   {Principals: map[string]string{"bq": "user:bob@example.com"}},
	}, map[string]Group{"owners": {People: []string{"alice", "bob"}}}), key
}

func TestDirectoryLookups(t *testing.T) {
	dir, key := sampleDirectory(t)
	if p, err := dir.BySlackUser("U0ALICE"); err != nil || p.ID != "alice" || p.Label() != "Alice Example" {
		t.Errorf("BySlackUser = %+v, %v", p, err)
	}
	if p, k, err := dir.ByFingerprint(key.Fingerprint()); err != nil || p.ID != "alice" || k.Fingerprint() != key.Fingerprint() {
		t.Errorf("ByFingerprint = %s %s, %v", p.ID, k.Fingerprint(), err)
	}
	if r, err := dir.Principal("alice", "local"); err != nil || r != "alice_role" {
		t.Errorf("Principal(alice, local) = %q, %v", r, err)
	}
	if r, err := dir.Principal("bob", "bq"); err != nil || r != "user:bob@example.com" {
		t.Errorf("Principal(bob, bq) = %q, %v", r, err)
	}
	if g, err := dir.Group("owners"); err != nil || g.Name != "owners" || len(g.People) != 2 {
		t.Errorf("Group(owners) = %+v, %v", g, err)
	}
	if p, err := dir.Person("bob"); err != nil || p.Label() != "bob" {
		t.Errorf("Person(bob) = %+v, %v", p, err)
	}
	if got := strings.Join(dir.IDs(), ","); got != "alice,bob" {
		t.Errorf("IDs = %s", got)
	}
}

// TestDirectoryRefusals checks that every refusal names what to add.
func TestDirectoryRefusals(t *testing.T) {
	dir, _ := sampleDirectory(t)
	lookup := func(f func() error) error { return f() }
	tests := []struct {
		name string
		err  error
		want error
		says string
	}{
		{"unknown person", lookup(func() error { _, err := dir.Person("carol"); return err }), ErrUnknownPerson, "add it with"},
		{"unknown Slack user", lookup(func() error { _, err := dir.BySlackUser("U0CAROL"); return err }), ErrUnknownSlack, "slack_user: U0CAROL"},
		{"unknown key", lookup(func() error { _, _, err := dir.ByFingerprint("SHA256:x"); return err }), ErrUnknownKey, "add the public key line"},
		{"unknown group", lookup(func() error { _, err := dir.Group("admins"); return err }), ErrUnknownGroup, "groups.admins"},
		{"unmapped principal", lookup(func() error { _, err := dir.Principal("alice", "bq"); return err }), ErrNoPrincipal, "add people.alice.principals.bq"},
		{"PUBLIC", lookup(func() error { _, err := dir.Principal("alice", "lake"); return err }), ErrPublicPrincipal, "of their own"},
		{"principal of unknown person", lookup(func() error { _, err := dir.Principal("carol", "local"); return err }), ErrUnknownPerson, "people.carol"},
	}
	for _, tt := range tests {
		if !errors.Is(tt.err, tt.want) || !strings.Contains(tt.err.Error(), tt.says) {
			t.Errorf("%s: %v, want %v saying %q", tt.name, tt.err, tt.want, tt.says)
		}
	}
}

// TestDirectoryClaimsAreStable gives a clashing Slack ID or key to the
// first person in ID order, whatever the map order.
func TestDirectoryClaimsAreStable(t *testing.T) {
	key, _ := ParsePublicKey(newKeyLine(t, ""))
	for range 20 {
		dir := NewDirectory(map[string]Person{
			"zed": {SlackUser: "U1", Keys: []PublicKey{key}}, "amy": {SlackUser: "U1", Keys: []PublicKey{key}}, "max": {SlackUser: "U1"},
		}, nil)
		p, _ := dir.BySlackUser("U1")
		q, _, _ := dir.ByFingerprint(key.Fingerprint())
		if p.ID != "amy" || q.ID != "amy" {
			t.Fatalf("clashing claims went to %s and %s, want amy", p.ID, q.ID)
		}
	}
}

// TestDirectoryJSON: a directory sent through Temporal keeps its lookups.
func TestDirectoryJSON(t *testing.T) {
	dir, key := sampleDirectory(t)
	data, err := json.Marshal(dir)
	if err != nil {
		t.Fatal(err)
	}
	var back Directory
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatalf("Unmarshal(%s): %v", data, err)
	}
	p, k, err := back.ByFingerprint(key.Fingerprint())
	if err != nil || p.ID != "alice" || k.String() != key.String() || p.Label() != "Alice Example" {
		t.Errorf("after JSON, ByFingerprint = %s %q, %v", p.ID, k, err)
	}
	if r, err := back.Principal("bob", "bq"); err != nil || r != "user:bob@example.com" {
		t.Errorf("after JSON, Principal(bob, bq) = %q, %v", r, err)
	}
	if g, err := back.Group("owners"); err != nil || len(g.People) != 2 {
		t.Errorf("after JSON, Group(owners) = %+v, %v", g, err)
	}
}

// SlackGroups lists every group's Slack user groups once, sorted; a nil
// directory has none.
func TestDirectorySlackGroups(t *testing.T) {
	d := NewDirectory(nil, map[string]Group{
		"oncall": {SlackGroups: []string{"S0ONCALL", "S0SRE"}}, "sre": {SlackGroups: []string{"S0SRE"}}, "plain": {People: []string{"ann"}},
	})
	if got := d.SlackGroups(); len(got) != 2 || got[0] != "S0ONCALL" || got[1] != "S0SRE" {
		t.Errorf("SlackGroups() = %v; want S0ONCALL, S0SRE", got)
	}
	var none *Directory
	if got := none.SlackGroups(); got != nil {
		t.Errorf("nil directory: %v", got)
	}
}
