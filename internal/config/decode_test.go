package config

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestParseProblems(t *testing.T) {
	const wh = "warehouses: {w: {bigquery: {project: p}}}\n"
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"two documents", "temporal: {address: 'a:1'}\n---\ngateway: {listen: 'b:2'}\n",
			[]string{"dre.yaml:3:1: dre.yaml holds one YAML document; remove the --- and merge this one into the first"}},
		{"not a mapping", "- a\n", []string{"dre.yaml:1:1: want a mapping, got a list"}},
		{"unknown top key", "foobar: 1\n",
			[]string{`dre.yaml:1:1: foobar: unknown key "foobar"; valid keys here: temporal, warehouses, state, gateway, worker, slack, pagerduty, datasets, people, groups, decisions, authz, alerts, triage, access, audit, dbt, slo`}},
		{"close top key", "datasest: []\n", []string{`dre.yaml:1:1: datasest: unknown key "datasest"; did you mean "datasets"?`}},
		{"unknown alias", "gateway: {listen: *nope}\n", []string{"dre.yaml:1:19: gateway.listen: alias *nope refers to no anchor"}},
		{"alias to wrong shape", "temporal: &t {address: 'x:1'}\ngateway: *t\n",
			[]string{`dre.yaml:1:15: gateway.address: unknown key "address"; valid keys here: listen, signing_key`}},
		{"integer overflow", wh + "datasets:\n  - {name: a, warehouse: w, table: s.t, slos: [{name: x, kind: volume, min_rows: 99999999999999999999, objective: 0.9, window: 1d, interval: 1h}]}\n",
			[]string{`dre.yaml:3:82: datasets[0].slos[0].min_rows: want a whole number, got "99999999999999999999"`}},
		{"float for integer", wh + "datasets:\n  - {name: a, warehouse: w, table: s.t, slos: [{name: x, kind: volume, min_rows: 1.5, objective: 1, window: 1d, interval: 1h}]}\n",
			[]string{
				`dre.yaml:3:82: datasets[0].slos[0].min_rows: want a whole number, got "1.5"`,
				"dre.yaml:3:98: datasets[0].slos[0].objective: objective must be between 0 and 1 exclusive, like 0.99; got 1",
			}},
		{"secret shapes", "slack: {bot_token: {}, app_token: [a], signing_secret: {env: A, file: b}}\n", []string{
			"dre.yaml:1:20: slack.bot_token: want {env: NAME} or {file: PATH}",
			"dre.yaml:1:35: slack.app_token: want {env: NAME} or {file: PATH}, got a list",
			"dre.yaml:1:56: slack.signing_secret: set either env or file, not both",
		}},
		{"bad env name", "slack: {bot_token: {env: SLACK-TOKEN}}\n",
			[]string{`dre.yaml:1:26: slack.bot_token.env: "SLACK-TOKEN" is not an environment variable name; use letters, digits and _`}},
		{"syntax", "a: 1\na: 2\n", []string{`dre.yaml:2:1: invalid YAML: mapping key "a" already defined at [1:1]`}},
		{"list for string", "gateway: {listen: [a]}\n", []string{"dre.yaml:1:19: gateway.listen: want a string, got a list"}},
		{"mapping for list", wh + "datasets: {a: 1}\n", []string{"dre.yaml:2:11: datasets: want a list, got a mapping"}},
		{"bool from string", "temporal: {tls: {enabled: 'true'}}\n", []string{`dre.yaml:1:27: temporal.tls.enabled: want true or false, got "true"`}},
		{"merge of scalar", "gateway:\n  <<: 1\n", []string{`dre.yaml:2:7: gateway: << merges only mappings, got "1"`}},
		{"merge of itself", "temporal: &t\n  <<: *t\n", []string{"dre.yaml:2:7: temporal: << merges a mapping into itself"}},
		{"bad address", "temporal: {address: '127.0.0.1'}\n", []string{`dre.yaml:1:21: temporal.address: want host:port like 127.0.0.1:7233, got "127.0.0.1"`}},
		{"negative webhook age", "pagerduty: {webhook_max_age: -5m}\n", []string{"dre.yaml:1:30: pagerduty.webhook_max_age: want a positive duration like 1h; unset means 1h"}},
		{"missing state", "state: {}\n", []string{"dre.yaml:1:1: state: set dsn: {env: NAME} (or embedded: true under dre dev)"}},
	}
	for _, tt := range tests {
		cfg, err := Parse("dre.yaml", []byte(tt.src), nil, LoadOptions{})
		if cfg != nil {
			t.Errorf("%s: Parse returned a config alongside problems", tt.name)
		}
		diffLines(t, tt.name, problemLines(t, err), tt.want)
	}
}

func TestParseAnchorsAndMerges(t *testing.T) {
	src := `
warehouses:
  local:
    postgres: {dsn: {env: PG_DSN}}
datasets:
  - &base
    name: orders
    warehouse: local
    table: public.orders
    owner: &team {team: commerce-data, slack_channel: "#commerce"}
    labels: {tier: gold}
  - <<: *base
    name: orders_v2
    table: public.orders_v2
    labels: {tier: silver}
  - <<: [*base]
    name: orders_v3
    owner: *team
temporal:
  namespace: !!str 123
slack: ~
`
	cfg, err := Parse("dre.yaml", []byte(src), nil, LoadOptions{})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	tests := []struct {
		dataset, warehouse, table, team, tier string
	}{
		{"orders", "local", "public.orders", "commerce-data", "gold"},
		{"orders_v2", "local", "public.orders_v2", "commerce-data", "silver"},
		{"orders_v3", "local", "public.orders", "commerce-data", "gold"},
	}
	for _, tt := range tests {
		d, err := cfg.Catalog.Lookup(tt.dataset)
		if err != nil {
			t.Errorf("Lookup(%s): %v", tt.dataset, err)
			continue
		}
		got := strings.Join([]string{d.Warehouse, d.Table, d.Owner.Team, d.Labels["tier"]}, " ")
		if want := strings.Join([]string{tt.warehouse, tt.table, tt.team, tt.tier}, " "); got != want {
			t.Errorf("%s = %s, want %s", tt.dataset, got, want)
		}
	}
	if cfg.Temporal.Namespace != "123" {
		t.Errorf("tagged namespace = %q, want 123", cfg.Temporal.Namespace)
	}
}

// TestParseMergeBomb: a chain of anchors each merging the previous one
// twice doubles at every step, so 32 of them would expand to billions of
// keys. Parse must stop at its expansion budget with one positioned
// problem, quickly, instead of exhausting memory.
func TestParseMergeBomb(t *testing.T) {
	var src strings.Builder
	src.WriteString("warehouses: {w: {bigquery: {project: p}}}\ndatasets:\n  - &d0 {name: a, warehouse: w, table: s.t}\n")
	for i := 1; i <= 32; i++ {
		fmt.Fprintf(&src, "  - &d%d {<<: [*d%d, *d%d]}\n", i, i-1, i-1)
	}
	start := time.Now()
	_, err := Parse("dre.yaml", []byte(src.String()), nil, LoadOptions{})
	elapsed := time.Since(start)
	expands := regexp.MustCompile(`^dre\.yaml:[1-9][0-9]*:[1-9][0-9]*: datasets\[[0-9]+\]: the file expands to more than 100000 values; are aliases nested too deep\?$`)
	var found int
	for _, line := range problemLines(t, err) {
		if expands.MatchString(line) {
			found++
		}
	}
	if found != 1 {
		t.Errorf("%d positioned expansion problems, want 1; problems:\n%v", found, err)
	}
	if elapsed > 10*time.Second { // 0.2s, 0.9s under -race; the expansion itself would take hours
		t.Errorf("Parse took %v", elapsed)
	}
}
