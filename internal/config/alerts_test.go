package config

import (
	"strings"
	"testing"
	"time"
)

const alertsYAML = `
warehouses:
  local:
    postgres: {dsn: {env: PG_DSN}}
datasets:
  - name: orders
    warehouse: local
    table: sales.orders
alerts:
  resolve_with_source: true
  sources:
    alertmanager: {token: {env: AM_TOKEN}, table_label: relation}
  map:
    - source: alertmanager
      match: {job: loader}
      dataset: orders
`

func TestAlertsSectionLoads(t *testing.T) {
	env := mapEnv(map[string]string{"AM_TOKEN": "s3cret", "PG_DSN": "postgres://x"})
	cfg, err := Parse("dre.yaml", []byte(alertsYAML), env, LoadOptions{ResolveSecrets: true})
	if err != nil {
		t.Fatal(err)
	}
	a := cfg.Alerts
	src := a.Sources["alertmanager"]
	if src.Token.Value() != "s3cret" || src.TableLabel != "relation" || !a.ResolveWithSource || !a.GroupsByUpstream() {
		t.Errorf("alerts = %+v; want group_by_upstream on by default", a)
	}
	rules := a.Rules()
	if len(rules) != 1 || rules[0].Dataset != "orders" || rules[0].Match["job"] != "loader" || rules[0].Source != "alertmanager" {
		t.Errorf("rules = %+v", rules)
	}
}

func TestAlertsProblemsArePlaced(t *testing.T) {
	env := mapEnv(map[string]string{"PG_DSN": "postgres://x", "ELEMENTARY_TOKEN": "e"})
	_, err := Load("testdata/invalid_alerts.yaml", env, LoadOptions{ResolveSecrets: true})
	diffLines(t, "invalid_alerts.yaml", problemLines(t, err), []string{
		`testdata/invalid_alerts.yaml:9:17: alerts.dedup_window: want a positive duration like 4h; unset means 4h`,
		`testdata/invalid_alerts.yaml:11:20: alerts.sources.alertmanager.token: environment variable AM_TOKEN is not set`,
		`testdata/invalid_alerts.yaml:12:5: alerts.sources.soda.token: each source needs token: {env: NAME}, the bearer token the tool sends (montecarlo: or signing_secret:)`,
		`testdata/invalid_alerts.yaml:13:5: alerts.sources.nagios: unknown alert source "nagios"; use one of alertmanager, elementary, great_expectations, montecarlo, soda`,
		`testdata/invalid_alerts.yaml:17:16: alerts.map[0].dataset: unknown dataset "order"; did you mean "orders"? known datasets: orders`,
		`testdata/invalid_alerts.yaml:18:7: alerts.map[1].dataset: a rule needs dataset: the catalog dataset its alerts concern`,
		`testdata/invalid_alerts.yaml:18:15: alerts.map[1].source: unknown alert source "zabbix"; use one of alertmanager, elementary, great_expectations, montecarlo, soda`,
		`testdata/invalid_alerts.yaml:19:7: alerts.map[1].match: a rule needs match: {label: value}; an empty match would take every alert`,
	})
}

func TestAlertsGroupByUpstreamCanBeTurnedOff(t *testing.T) {
	env := mapEnv(map[string]string{"AM_TOKEN": "s3cret", "PG_DSN": "postgres://x"})
	cfg, err := Parse("dre.yaml", []byte(alertsYAML+"  group_by_upstream: false\n"), env, LoadOptions{ResolveSecrets: true})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Alerts.GroupsByUpstream() {
		t.Error("group_by_upstream: false left grouping on")
	}
	_, err = Parse("dre.yaml", []byte(alertsYAML+"  group_by_upstream: sometimes\n"), env, LoadOptions{ResolveSecrets: true})
	if err == nil || !strings.Contains(err.Error(), "group_by_upstream") {
		t.Errorf("group_by_upstream: sometimes gave %v; want an error naming the key", err)
	}
}

// group_window is read as a duration; a negative one is a placed problem.
func TestAlertsGroupWindow(t *testing.T) {
	env := mapEnv(map[string]string{"AM_TOKEN": "s3cret", "PG_DSN": "postgres://x"})
	cfg, err := Parse("dre.yaml", []byte(alertsYAML+"  group_window: 30m\n"), env, LoadOptions{ResolveSecrets: true})
	if err != nil || cfg.Alerts.GroupWindow.Duration != 30*time.Minute {
		t.Fatalf("group_window: 30m gave %+v, %v", cfg.Alerts.GroupWindow, err)
	}
	_, err = Parse("dre.yaml", []byte(alertsYAML+"  group_window: -1h\n"), env, LoadOptions{ResolveSecrets: true})
	if err == nil || !strings.Contains(err.Error(), "alerts.group_window: want a positive duration") {
		t.Errorf("group_window: -1h gave %v; want a problem at alerts.group_window", err)
	}
}

func TestMonteCarloSigningSecretLoadsAndOnlyMonteCarloSigns(t *testing.T) {
	env := mapEnv(map[string]string{"AM_TOKEN": "s3cret", "PG_DSN": "postgres://x", "MC_SECRET": "shh"})
	mc := "    montecarlo: {signing_secret: {env: MC_SECRET}, signature_header: X-MC-Sig}\n"
	soda := "    soda: {token: {env: AM_TOKEN}, signing_secret: {env: MC_SECRET}}\n"
	signed := strings.Replace(alertsYAML, "  map:", mc+soda+"  map:", 1)
	_, err := Parse("dre.yaml", []byte(signed), env, LoadOptions{ResolveSecrets: true})
	want := `dre.yaml:14:36: alerts.sources.soda.signing_secret: signing_secret and signature_header apply to montecarlo only; the other tools send the bearer token`
	if got := problemLines(t, err); len(got) != 1 || got[0] != want {
		t.Fatalf("problems %q, want only %q", got, want)
	}
	cfg, err := Parse("dre.yaml", []byte(strings.Replace(signed, soda, "", 1)), env, LoadOptions{ResolveSecrets: true})
	if err != nil {
		t.Fatal(err)
	}
	if src := cfg.Alerts.Sources["montecarlo"]; src.SigningSecret.Value() != "shh" || src.SignatureHeader != "X-MC-Sig" || src.Token.IsSet() {
		t.Errorf("montecarlo source %+v; want the resolved secret and header, no token needed", src)
	}
}
