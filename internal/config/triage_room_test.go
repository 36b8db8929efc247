package config

import (
	"testing"
)

const roomYAML = `warehouses:
  local: {postgres: {dsn: {env: PG}}}
datasets:
  - {name: orders, warehouse: local, table: public.orders, owner: {team: commerce-data}}
triage:
  default:
    room: {severities: [sev1, sev5], prefix: Inc Rooms, invite: [U0ONCALL, "@here"]}
  datasets:
    orders:
      room: {severities: []}
`

func TestTriageRoomProblemsArePositioned(t *testing.T) {
	_, err := Parse("dre.yaml", []byte(roomYAML), mapEnv(map[string]string{"PG": "postgres://x"}), LoadOptions{})
	want := []string{
		`dre.yaml:7:31: triage.default.room.severities[1]: unknown severity "sev5"; use sev1, sev2, sev3, sev4`,
		`dre.yaml:7:46: triage.default.room.prefix: prefix "Inc Rooms" must be lowercase letters, digits, - or _ as Slack channel names are, at most 20 characters, like inc-`,
		`dre.yaml:7:76: triage.default.room.invite[1]: "@here" is not a Slack user ID; use one like U0123ABCD (groups and @here cannot be invited to a channel)`,
		`dre.yaml:10:14: triage.datasets.orders.room.severities: room.severities is empty; list the severities that get a room, like [sev1, sev2], or remove room:`,
	}
	diffLines(t, "room", problemLines(t, err), want)
}

func TestTriageRoomOfTheDatasetReplacesTheDefault(t *testing.T) {
	yaml := `warehouses:
  local: {postgres: {dsn: {env: PG}}}
datasets:
  - {name: orders, warehouse: local, table: public.orders}
  - {name: clicks, warehouse: local, table: public.clicks}
triage:
  default:
    room: {severities: [sev1]}
  datasets:
    orders:
      room: {severities: [sev1, sev2], prefix: orders-inc-, invite: [U0ONCALL]}
`
	cfg, err := Parse("dre.yaml", []byte(yaml), mapEnv(map[string]string{"PG": "postgres://x"}), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	orders, _ := cfg.Catalog.Lookup("orders")
	clicks, _ := cfg.Catalog.Lookup("clicks")
	if r := cfg.TriagePolicy(orders).Room; r == nil || len(r.Severities) != 2 || r.Prefix != "orders-inc-" || r.Invite[0] != "U0ONCALL" {
		t.Errorf("orders room %+v, want its own", r)
	}
	if r := cfg.TriagePolicy(clicks).Room; r == nil || len(r.Severities) != 1 || r.Prefix != "" {
		t.Errorf("clicks room %+v, want the default's", r)
	}
}
