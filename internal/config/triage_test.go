package config

import (
	"reflect"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/catalog"
)

func TestTriagePolicyProblemsArePositioned(t *testing.T) {
	env := mapEnv(map[string]string{"LOCAL_PG_DSN": "postgres://x", "PAGERDUTY_ROUTING_KEY": "R1"})
	cfg, err := Load("testdata/invalid_triage.yaml", env, LoadOptions{})
	if cfg != nil {
		t.Fatal("Load returned a config alongside problems")
	}
	want := []string{
		`testdata/invalid_triage.yaml:8:5: pagerduty.services.platform.routing_key: routing_key is required: the integration key of the service, as {env: NAME} or {file: PATH}`,
		`testdata/invalid_triage.yaml:16:20: triage.default.page_severity: page_severity 5 is out of range; use 1 (only sev1 pages) to 4 (everything pages)`,
		`testdata/invalid_triage.yaml:17:38: triage.default.escalate_after.sev2: want a positive duration like 5m, or never, got "soon"`,
		`testdata/invalid_triage.yaml:17:44: triage.default.escalate_after.sev9: unknown severity "sev9"; use sev1, sev2, sev3, sev4`,
		`testdata/invalid_triage.yaml:18:16: triage.default.mentions[0]: "oncall" is not a Slack mention; use a user ID (U0123ABCD), a user group ID (S0123ABCD), @here or @channel`,
		`testdata/invalid_triage.yaml:19:5: triage.default.unique_key: unique_key names columns of one table; set it under triage.datasets.<dataset>`,
		`testdata/invalid_triage.yaml:21:5: triage.teams.comerce-data: no dataset has owner.team "comerce-data"; teams in the catalog: commerce-data`,
		`testdata/invalid_triage.yaml:22:24: triage.teams.comerce-data.max_escalations: max_escalations bounds the default escalation only; with escalation steps, use escalation.repeat`,
		`testdata/invalid_triage.yaml:29:20: triage.datasets.orders.unique_key[0]: column "order id" must be letters, digits or _, not starting with a digit`,
		`testdata/invalid_triage.yaml:31:17: triage.datasets.orders.escalation.repeat: repeat 12 is out of range; use 0 (run the steps once) to 9`,
		`testdata/invalid_triage.yaml:33:13: triage.datasets.orders.escalation.steps[0]: a step does nothing; give it mention:, escalate_pagerduty: true or page: <service>`,
		`testdata/invalid_triage.yaml:34:33: triage.datasets.orders.escalation.steps[1].escalate_pagerduty: escalating in PagerDuty goes through its REST API: set pagerduty.api_token and pagerduty.from (the email of a PagerDuty user)`,
		`testdata/invalid_triage.yaml:35:19: triage.datasets.orders.escalation.steps[2].page: no service "data-platform" under pagerduty.services; configured: platform`,
		`testdata/invalid_triage.yaml:36:30: triage.datasets.orders.escalation.steps[2].pagerduty_level: pagerduty_level is the level to escalate to, 1 to 20, with escalate_pagerduty: true`,
		`testdata/invalid_triage.yaml:37:5: triage.datasets.refunds: unknown dataset "refunds"; known datasets: orders`,
	}
	diffLines(t, "invalid_triage.yaml", problemLines(t, err), want)
}

const triageYAML = `
warehouses:
  local: {postgres: {dsn: {env: PG}}}
pagerduty:
  api_token: {env: PD_TOKEN}
  routing_key: {env: PD_KEY}
  from: oncall@example.com
  services:
    platform: {routing_key: {env: PD_PLATFORM}}
datasets:
  - {name: orders, warehouse: local, table: public.orders, owner: {team: commerce-data}}
  - {name: refunds, warehouse: local, table: public.refunds, owner: {team: commerce-data}}
  - {name: clicks, warehouse: local, table: public.clicks}
triage:
  default:
    escalate_after: {sev2: 30m}
    mentions: ["@channel"]
  teams:
    commerce-data:
      escalate_after: {sev3: 1h, sev1: never}
      auto_resolve_after: 2h
      resolve_after_fix: true
  datasets:
    refunds:
      resolve_after_fix: false
    orders:
      unique_key: [order_id]
      escalation:
        repeat: 1
        steps:
          - {after: 5m, mention: [U0SECOND, S0LEADS]}
          - {escalate_pagerduty: true}
          - {page: platform, escalate_pagerduty: true, pagerduty_level: 3}
`

func TestTriagePolicyLayersDatasetOverTeamOverDefault(t *testing.T) {
	env := mapEnv(map[string]string{"PG": "postgres://x", "PD_TOKEN": "t", "PD_KEY": "k", "PD_PLATFORM": "p"})
	cfg, err := Parse("dre.yaml", []byte(triageYAML), env, LoadOptions{ResolveSecrets: true})
	if err != nil {
		t.Fatal(err)
	}
	lookup := func(name string) catalog.Dataset {
		ds, err := cfg.Catalog.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		return ds
	}
	orders := cfg.TriagePolicy(lookup("orders"))
	if want := map[string]string{"sev1": "never", "sev2": "30m", "sev3": "1h"}; !reflect.DeepEqual(orders.EscalateAfter, want) {
		t.Errorf("orders escalate_after %v, want %v (team over default)", orders.EscalateAfter, want)
	}
	if orders.AutoResolveAfter.Duration != 2*time.Hour || len(orders.UniqueKey) != 1 || orders.Escalation == nil || len(orders.Escalation.Steps) != 3 {
		t.Errorf("orders policy %+v: want the team's auto-resolve, its own unique key and three steps", orders)
	}
	if refunds := cfg.TriagePolicy(lookup("refunds")); orders.ResolveAfterFix == nil || !*orders.ResolveAfterFix ||
		refunds.ResolveAfterFix == nil || *refunds.ResolveAfterFix {
		t.Errorf("resolve_after_fix: orders %v, refunds %v; want the team's true, and the dataset's own false", orders.ResolveAfterFix, refunds.ResolveAfterFix)
	}
	if clicks := cfg.TriagePolicy(lookup("clicks")); clicks.Escalation != nil || clicks.AutoResolveAfter.Duration != 0 || clicks.EscalateAfter["sev2"] != "30m" {
		t.Errorf("clicks (no team) policy %+v, want only the default", clicks)
	}
	if refunds := cfg.TriagePolicy(lookup("refunds")); refunds.Escalation != nil || refunds.UniqueKey != nil {
		t.Errorf("refunds took orders' entry: %+v", refunds)
	}
	if got := cfg.PagerDuty.Services["platform"].RoutingKey.Value(); got != "p" {
		t.Errorf("pagerduty.services.platform.routing_key resolved to %q, want p", got)
	}
}

func TestNoTriageSectionMeansTheDefaults(t *testing.T) {
	cfg, err := Parse("dre.yaml", []byte("datasets: []\n"), nil, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p := cfg.TriagePolicy(catalog.Dataset{Name: "orders", Owner: catalog.Owner{Team: "x"}}); !reflect.DeepEqual(p, TriagePolicy{}) {
		t.Errorf("policy %+v without a triage section, want the zero policy (the workflow's defaults)", p)
	}
}
