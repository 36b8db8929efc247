package config

import (
	"fmt"
	"strings"
	"testing"
)

func TestLoadFull(t *testing.T) {
	env := mapEnv(map[string]string{"SLACK_BOT_TOKEN": "xoxb-1"})
	cfg, err := Load("testdata/full.yaml", env, LoadOptions{AllowEmbedded: true})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	orders, err := cfg.Catalog.Lookup("orders")
	if err != nil {
		t.Fatalf("Lookup(orders): %v", err)
	}
	life := orders.Lifecycle
	tests := []struct {
		name string
		got  any
		want string // fmt.Sprint of got
	}{
		{"path", cfg.Path, "testdata/full.yaml"},
		{"address", cfg.Temporal.Address, "127.0.0.1:7233"},
		{"task queue", cfg.Temporal.TaskQueue, "dre"},
		{"api key", cfg.Temporal.APIKey, "env:TEMPORAL_API_KEY (unresolved)"},
		{"tls", cfg.Temporal.TLS, "{false    }"},
		{"warehouses", cfg.WarehouseNames(), "[analytics lake local]"},
		{"warehouse name", cfg.Warehouses["lake"].Name, "lake"},
		{"bigquery", *cfg.Warehouses["lake"].BigQuery, "{my-project US /var/run/secrets/gcp.json map[projects/my-project/locations/us/taxonomies/1/policyTags/2:email] [my-project etl-project] [US EU]}"},
		{"analytics dsn", cfg.Warehouses["analytics"].Postgres.DSN, "env:ANALYTICS_PG_DSN (unresolved)"},
		{"analytics replicas", cfg.Warehouses["analytics"].Postgres.Replicas, "[{env:ANALYTICS_REPLICA_DSN (unresolved)}]"},
		{"local", *cfg.Warehouses["local"].Postgres, "{(none) true []}"},
		{"state", cfg.State, "{(none) true}"},
		{"gateway", cfg.Gateway.Listen, "127.0.0.1:8080"},
		{"signing secret", cfg.Slack.SigningSecret.Ref(), "file:/run/secrets/slack-signing"},
		{"not resolved", cfg.Slack.BotToken.Value(), ""},
		{"channel", cfg.Slack.DefaultChannel, "#data-incidents"},
		{"pagerduty", cfg.PagerDuty.RoutingKey.Ref() + " " + cfg.PagerDuty.From, "env:PAGERDUTY_ROUTING_KEY oncall@example.com"},
		{"webhook max age", cfg.PagerDuty.WebhookMaxAge, "1h"},
		{"datasets", cfg.Catalog.Names(), "[orders]"},
		{"owner", orders.Owner, "{commerce-data #commerce-data PCOMMERCE}"},
		{"partition", *orders.Partition, "{order_date day}"},
		{"slo names", []string{orders.SLOs[0].Name, orders.SLOs[1].Name, orders.SLOs[2].Name, orders.SLOs[3].Name}, "[orders-fresh orders-volume orders-complete custom-one]"},
		{"freshness", []any{orders.SLOs[0].Threshold, orders.SLOs[0].Objective, orders.SLOs[0].Window, orders.SLOs[0].Interval}, "[26h 0.99 28d 10m]"},
		{"volume", []int64{orders.SLOs[1].MinRows, orders.SLOs[1].MaxRows}, "[50 100000]"},
		{"completeness", []any{orders.SLOs[2].Column, orders.SLOs[2].MaxNullRate}, "[customer_id 0.01]"},
		{"pii", []int{len(orders.PII.Columns), len(orders.PII.Approvers)}, "[0 0]"},
		{"labels", orders.Labels, "map[tier:gold]"},
		{"access", orders.Access, "{[{bi_reader SELECT order_id} {dashboards  }] revoke}"},
		{"reconcile every", cfg.Access.ReconcileEvery, "15m"},
		{"slo batch", cfg.SLO.Batch, "{50 8}"},
		{"lifecycle", []any{life.DeprecateOn, life.Replacement, life.GracePeriod, life.RemindEvery, life.SoftDeleteRetention, life.FinalAction, life.Approvers}, "[2027-03-01 public.orders_v2 30d 7d 30d drop [U012ABCDEF]]"},
		{"brownout", life.Brownouts[0].Start.Format("2006-01-02T15:04Z07:00") + " " + life.Brownouts[0].Duration.String(), "2027-02-15T14:00Z 2h"},
		{"source", strings.Count(orders.Source.Select, "\n"), "2"},
		{"select role", orders.SelectRole(), "dre_orders_reader"},
		{"alert sources", []any{cfg.Alerts.Sources["alertmanager"].Token, cfg.Alerts.Sources["soda"].Token.Ref(), cfg.Alerts.DedupWindow}, "[env:DRE_ALERTMANAGER_TOKEN (unresolved) file:/run/secrets/soda-token 4h]"},
		{"alert map", cfg.Alerts.Map[0].Dataset + " " + cfg.Alerts.Map[0].Match["job"], "orders orders-loader"},
	}
	for _, tt := range tests {
		if got := fmt.Sprint(tt.got); got != tt.want {
			t.Errorf("%s = %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestLoadInvalidFiles(t *testing.T) {
	env := mapEnv(map[string]string{"SLACK_APP_TOKEN": "xapp-1", "PAGERDUTY_API_TOKEN": "pd"})
	tests := []struct {
		file string
		opts LoadOptions
		want []string
	}{
		{"full.yaml", LoadOptions{}, []string{
			"testdata/full.yaml:16:17: warehouses.local.postgres.embedded: embedded warehouses exist only under dre dev; set dsn: {env: NAME}",
			"testdata/full.yaml:32:13: state.embedded: embedded state exists only under dre dev; set dsn: {env: NAME} or DRE_STATE_DSN",
		}},
		{"invalid_types.yaml", LoadOptions{ResolveSecrets: true}, []string{
			`testdata/invalid_types.yaml:4:3: temporal.adress: unknown key "adress"; did you mean "address"?`,
			`testdata/invalid_types.yaml:6:14: temporal.tls.enabled: want true or false, got "yes"`,
			`testdata/invalid_types.yaml:9:16: warehouses.local.postgres.dsn: environment variable LOCAL_PG_DSN is not set`,
			`testdata/invalid_types.yaml:14:16: datasets[0].partition: want a mapping with keys column, granularity, got "day"`,
			`testdata/invalid_types.yaml:17:15: datasets[0].slos[0].kind: freshness SLO needs freshness_column on the dataset: the column holding each row's load time`,
			`testdata/invalid_types.yaml:18:20: datasets[0].slos[0].threshold: invalid duration "soon"; write a number and a unit, like 90m, 26h or 28d`,
			`testdata/invalid_types.yaml:19:20: datasets[0].slos[0].objective: want a number, got "high"`,
			`testdata/invalid_types.yaml:22:5: datasets[1].table: table is required: schema.table (Postgres) or dataset.table (BigQuery)`,
			`testdata/invalid_types.yaml:24:5: datasets[1].tabel: unknown key "tabel"; did you mean "table"?`,
			`testdata/invalid_types.yaml:25:13: datasets[1].labels: want a mapping, got a list`,
			`testdata/invalid_types.yaml:27:21: datasets[1].lifecycle.deprecate_on: invalid date "2027-02-30"; write it as YYYY-MM-DD, like 2027-03-01`,
			`testdata/invalid_types.yaml:30:19: datasets[1].lifecycle.brownouts[0].start: want an RFC 3339 time like 2027-02-15T14:00:00Z, got "tomorrow"`,
		}},
		{"invalid_secrets.yaml", LoadOptions{ResolveSecrets: true}, []string{
			`testdata/invalid_secrets.yaml:2:12: temporal.api_key: set either env or file, not both`,
			`testdata/invalid_secrets.yaml:6:12: warehouses.analytics.postgres.dsn: secrets must not be written inline; use {env: NAME} or {file: PATH}`,
			`testdata/invalid_secrets.yaml:8:14: slack.bot_token: secrets must not be written inline; use {env: NAME} or {file: PATH}`,
			`testdata/invalid_secrets.yaml:9:3: slack.signing_secret: secret file testdata/does-not-exist: no such file or directory`,
			`testdata/invalid_secrets.yaml:13:15: pagerduty.api_token.envv: unknown key "envv"; did you mean "env"?`,
			`testdata/invalid_secrets.yaml:14:3: pagerduty.routing_key: environment variable PAGERDUTY_ROUTING_KEY is not set`,
		}},
		{"invalid_warehouses.yaml", LoadOptions{}, []string{
			`testdata/invalid_warehouses.yaml:4:17: warehouses.local.postgres.embedded: embedded warehouses exist only under dre dev; set dsn: {env: NAME}`,
			`testdata/invalid_warehouses.yaml:6:5: warehouses.both.postgres: set either dsn or embedded, not both`,
			`testdata/invalid_warehouses.yaml:9:3: warehouses.neither: warehouse needs postgres: or bigquery:`,
			`testdata/invalid_warehouses.yaml:10:3: warehouses.two_kinds: set either postgres or bigquery, not both`,
			`testdata/invalid_warehouses.yaml:14:5: warehouses.lake.bigquery.project: bigquery.project is required: the Google Cloud project that runs the queries`,
			`testdata/invalid_warehouses.yaml:16:3: warehouses.Bad.Name: warehouse name "Bad.Name" must be lowercase letters, digits, _ or -, starting with a letter`,
			`testdata/invalid_warehouses.yaml:19:47: warehouses.replicated.postgres.replicas[0]: a replica needs dsn: {env: NAME}`,
			`testdata/invalid_warehouses.yaml:21:57: warehouses.scoped.bigquery.usage_projects[1]: "Bad Project" is not a Google Cloud project ID (lowercase letters, digits and -, e.g. analytics-prod)`,
			`testdata/invalid_warehouses.yaml:21:87: warehouses.scoped.bigquery.usage_regions[0]: "eu west" is not a BigQuery location (e.g. US, EU, europe-west1)`,
			`testdata/invalid_warehouses.yaml:23:13: state.embedded: embedded state exists only under dre dev; set dsn: {env: NAME} or DRE_STATE_DSN`,
			`testdata/invalid_warehouses.yaml:25:11: gateway.listen: want host:port like 127.0.0.1:7233, got "localhost"`,
			`testdata/invalid_warehouses.yaml:28:16: datasets[0].warehouse: unknown warehouse "lcoal"; did you mean "local"? configured warehouses: Bad.Name, both, lake, local, neither, replicated, scoped, two_kinds`,
			`testdata/invalid_warehouses.yaml:31:16: datasets[1].warehouse: unknown warehouse "analytics"; configured warehouses: Bad.Name, both, lake, local, neither, replicated, scoped, two_kinds`,
		}},
		{"invalid_catalog.yaml", LoadOptions{}, []string{
			`testdata/invalid_catalog.yaml:10:20: datasets[0].partition.granularity: granularity "weekly" is not valid; want one of "hour", "day", "month"`,
			`testdata/invalid_catalog.yaml:11:5: datasets[0].source: set either source.select or source.table, not both`,
			`testdata/invalid_catalog.yaml:16:15: datasets[0].slos[0].kind: freshness SLO needs freshness_column on the dataset: the column holding each row's load time`,
			`testdata/invalid_catalog.yaml:18:20: datasets[0].slos[0].objective: objective must be between 0 and 1 exclusive, like 0.99; got 1.5`,
			`testdata/invalid_catalog.yaml:19:17: datasets[0].slos[0].window: window (5m) must be at least interval (10m)`,
			`testdata/invalid_catalog.yaml:21:9: datasets[0].slos[1].min_rows: volume SLO needs min_rows or max_rows: bounds on the rows per partition`,
			`testdata/invalid_catalog.yaml:21:15: datasets[0].slos[1].name: duplicate SLO name "orders-fresh" (also slos[0]); SLO names must be unique within a dataset`,
			`testdata/invalid_catalog.yaml:27:24: datasets[0].pii.columns.email: PII kind "e-mail" is not valid; want one of "email", "phone", "name", "address", "card", "national_id", "iban", "ip", "dob", "other"`,
			`testdata/invalid_catalog.yaml:28:11: datasets[1].name: duplicate dataset name "orders" (also datasets[0]); names must be unique`,
			`testdata/invalid_catalog.yaml:30:12: datasets[1].table: table "orders" must be schema.table (Postgres) or dataset.table (BigQuery), each part letters, digits or _`,
			`testdata/invalid_catalog.yaml:31:5: datasets[1].lifecycle.deprecate_on: lifecycle.deprecate_on is required (YYYY-MM-DD)`,
			`testdata/invalid_catalog.yaml:32:21: datasets[1].lifecycle.final_action: final_action "delete" is not valid; want one of "drop", "archive"`,
		}},
		{"invalid_slo.yaml", LoadOptions{}, []string{
			`testdata/invalid_slo.yaml:10:11: slo.batch.size: want 2 to 500 datasets per evaluator, like 50; unset (or 0) keeps one evaluator per dataset`,
			`testdata/invalid_slo.yaml:11:18: slo.batch.parallelism: want 1 to 64 datasets measured at once; unset means 8`,
		}},
		{"syntax.yaml", LoadOptions{}, []string{
			`testdata/syntax.yaml:2:12: invalid YAML: sequence end token ']' not found`,
		}},
	}
	for _, tt := range tests {
		cfg, err := Load("testdata/"+tt.file, env, tt.opts)
		if cfg != nil {
			t.Errorf("%s: Load returned a config alongside problems", tt.file)
		}
		diffLines(t, tt.file, problemLines(t, err), tt.want)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load("testdata/nope.yaml", nil, LoadOptions{})
	want := `config file "testdata/nope.yaml" not found; pass --config or set DRE_CONFIG, or run dre dev --demo for the built-in demo`
	if err == nil || err.Error() != want {
		t.Errorf("Load(missing) = %v, want %s", err, want)
	}
}

func TestParseEmpty(t *testing.T) {
	for _, src := range []string{"", "# nothing yet\n", "---\n", "\n\n"} {
		cfg, err := Parse("dre.yaml", []byte(src), nil, LoadOptions{})
		if err != nil {
			t.Errorf("Parse(%q): %v", src, err)
			continue
		}
		if cfg.Catalog == nil || cfg.Catalog.Len() != 0 {
			t.Errorf("Parse(%q) catalog = %v, want an empty one", src, cfg.Catalog.Names())
		}
		want := Defaults()
		want.Path = "dre.yaml"
		if cfg.People == nil || len(cfg.People.IDs()) != 0 {
			t.Errorf("Parse(%q) people = %v, want an empty directory", src, cfg.People)
		}
		cfg.Catalog, want.Catalog = nil, nil // compared above; pointers differ
		cfg.People, want.People = nil, nil
		if fmt.Sprintf("%+v", cfg) != fmt.Sprintf("%+v", want) {
			t.Errorf("Parse(%q) = %+v, want the defaults %+v", src, cfg, want)
		}
	}
}
