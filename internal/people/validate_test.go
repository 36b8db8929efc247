package people

import (
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	key, _ := ParsePublicKey(newKeyLine(t, ""))
	dir := NewDirectory(map[string]Person{
		"alice":    {SlackUser: "U0ALICE", SlackTeam: "T0ACME", Keys: []PublicKey{key}, Principals: map[string]string{"local": "alice_role", "bq": "user:alice@example.com"}},
		"bob":      {SlackUser: "U0ALICE", Keys: []PublicKey{key}, Principals: map[string]string{"local": "public", "bq": "alice@example.com", "nowhere": "x"}},
		"Carol":    {SlackUser: "carol", SlackTeam: "acme", Principals: map[string]string{"local": "pg_read_all_data", "bq": "allUsers"}},
		"dave":     {Principals: map[string]string{"local": "dave; DROP TABLE x"}},
		"owners":   {},
		"e@mail.x": {},
		"no-slack": {},
	}, map[string]Group{
		"owners": {People: []string{"alice"}},
		"admins": {People: []string{"alice", "erin", "alice"}, SlackGroups: []string{"S0ADMINS", "admins"}},
	})
	warehouses := map[string]WarehouseKind{"local": Postgres, "bq": BigQuery}
	want := []string{
		`people.Carol: person ID "Carol" must be lowercase`,
		`people.Carol.slack_user: want a Slack user ID like U0123ABCD`,
		`people.Carol.slack_team: want a Slack workspace ID like T0123ABCD, got "acme"`,
		`people.Carol.principals.bq: allUsers stands for everyone`,
		`people.Carol.principals.local: pg_read_all_data is one of PostgreSQL's built-in pg_ roles`,
		`people.bob.slack_user: Slack user U0ALICE is also people.alice.slack_user`,
		`people.bob.keys[0]: key SHA256:`,
		`people.bob.principals.bq: want a BigQuery member like user:alice@example.com`,
		`people.bob.principals.local: public stands for everyone`,
		`people.bob.principals.nowhere: unknown warehouse "nowhere"; principals are keyed by the names under warehouses: ([bq local])`,
		`people.dave.principals.local: want a PostgreSQL role name`,
		`people.e@mail.x: person ID "e@mail.x" must be lowercase letters, digits, _ or -, starting with a letter`,
		`groups.admins.people[1]: unknown person "erin"; add people.erin to dre.yaml`,
		`groups.admins.people[2]: alice is listed twice`,
		`groups.admins.slack_groups[1]: want a Slack user group ID like S0123ABCD, got "admins"`,
		`groups.owners: "owners" is both a person and a group`,
	}
	got := Validate(dir, warehouses)
	if len(got) != len(want) {
		t.Errorf("Validate found %d problems, want %d:\n%s", len(got), len(want), problemLines(got))
	}
	for i := range min(len(got), len(want)) {
		if !strings.HasPrefix(got[i].String(), want[i]) {
			t.Errorf("problem %d = %s\n want prefix %s", i, got[i], want[i])
		}
	}
}

func TestValidateAcceptsAGoodDirectory(t *testing.T) {
	dir, _ := sampleDirectory(t)
	dir = NewDirectory(map[string]Person{"alice": dir.people["alice"], "bob": dir.people["bob"]}, map[string]Group{"owners": {People: []string{"alice", "bob"}, SlackGroups: []string{"S0OWNERS"}}})
	delete(dir.people["alice"].Principals, "lake")
	if ps := Validate(dir, map[string]WarehouseKind{"local": Postgres, "bq": BigQuery}); len(ps) != 0 {
		t.Errorf("Validate(good) = \n%s", problemLines(ps))
	}
}

func problemLines(ps []Problem) string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}
