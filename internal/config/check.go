package config

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/goccy/go-yaml/ast"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/lineage"
)

// warehouseName keeps warehouse names as plain as dataset names.
var warehouseName = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)

// checkFile checks what decoding alone cannot: warehouses, addresses and
// the dataset catalog, whose problems are placed by their key paths. The
// datasets after the first handWritten came from the dbt manifest.
func (d *decoder) checkFile(cfg *Config, datasets []catalog.Dataset, handWritten int, opts LoadOptions) {
	for _, name := range cfg.WarehouseNames() {
		d.checkWarehouse(cfg.Warehouses[name], opts)
	}
	d.checkAddress("temporal.address", cfg.Temporal.Address)
	d.checkAddress("gateway.listen", cfg.Gateway.Listen)
	d.checkAddress("worker.metrics_listen", cfg.Worker.MetricsListen)
	if cfg.PagerDuty.WebhookMaxAge.Duration < 0 {
		d.addPath("pagerduty.webhook_max_age", "want a positive duration like 1h; unset means 1h")
	}
	if cfg.Access.ReconcileEvery.Duration < 0 {
		d.addPath("access.reconcile_every", "want a positive duration like 15m; unset means 15m")
	}
	problems := catalog.ValidateAll(datasets, cfg.WarehouseNames())
	for _, p := range append(problems, lineage.Check(datasets)...) {
		p = placeManifestProblem(datasets, handWritten, p)
		// A broken warehouses section would make every dataset's
		// warehouse look unknown; its own problem says enough.
		if d.hasFailed(p.Path) || d.Failed["warehouses"] && strings.HasSuffix(p.Path, ".warehouse") {
			continue
		}
		d.addPath(p.Path, p.Message)
	}
	d.checkSelectRoles(cfg, datasets)
	d.checkPeople(cfg)
	d.checkAlerts(cfg)
	d.checkAudit(cfg)
	d.checkSLO(cfg)
}

// checkSelectRoles refuses a backfill.select_role on a warehouse that has
// no roles to run a SELECT as (BigQuery), where it would limit nothing.
func (d *decoder) checkSelectRoles(cfg *Config, datasets []catalog.Dataset) {
	for i, ds := range datasets {
		wh, ok := cfg.Warehouses[ds.Warehouse]
		if ds.SelectRole() == "" || !ok || wh.BigQuery == nil {
			continue
		}
		d.addPath(fmt.Sprintf("datasets[%d].backfill.select_role", i), fmt.Sprintf(
			"warehouse %q is BigQuery, where dre cannot run a SELECT as a role yet; remove select_role (a --select backfill there waits for an approval)", ds.Warehouse))
	}
}

// checkWarehouse requires exactly one database kind, configured fully.
func (d *decoder) checkWarehouse(wh Warehouse, opts LoadOptions) {
	path := "warehouses." + wh.Name
	if d.hasFailed(path) {
		return
	}
	if !warehouseName.MatchString(wh.Name) {
		d.addAt(d.KeyNodes[path], path, fmt.Sprintf("warehouse name %q must be lowercase letters, digits, _ or -, starting with a letter", wh.Name))
	}
	switch {
	case wh.Postgres == nil && wh.BigQuery == nil:
		d.addPath(path, "warehouse needs postgres: or bigquery:")
	case wh.Postgres != nil && wh.BigQuery != nil:
		d.addPath(path, "set either postgres or bigquery, not both")
	case wh.Postgres != nil:
		d.checkDatabase(path+".postgres", wh.Postgres.DSN, wh.Postgres.Embedded, opts,
			"embedded warehouses exist only under dre dev; set dsn: {env: NAME}")
		for i, r := range wh.Postgres.Replicas {
			if p := fmt.Sprintf("%s.postgres.replicas[%d]", path, i); !r.DSN.IsSet() && !d.hasFailed(p) && !d.hasFailed(p+".dsn") {
				d.addPath(p, "a replica needs dsn: {env: NAME}")
			}
		}
	case wh.BigQuery.Project == "":
		d.addPath(path+".bigquery.project", "bigquery.project is required: the Google Cloud project that runs the queries")
	default:
		d.checkUsageScope(path+".bigquery", *wh.BigQuery)
	}
}

// Patterns of the usage scope's entries, as strict as the adapter's: they
// are pasted into the INFORMATION_SCHEMA paths the usage gate reads.
var (
	bigQueryProject  = regexp.MustCompile(`^[a-z][a-z0-9.:-]{4,61}[a-z0-9]$`)
	bigQueryLocation = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]{1,40}$`)
)

// checkUsageScope rejects usage_projects and usage_regions entries that
// are not project IDs or locations, each where it is written.
func (d *decoder) checkUsageScope(path string, bq BigQuery) {
	for i, p := range bq.UsageProjects {
		if !bigQueryProject.MatchString(p) {
			d.addPath(fmt.Sprintf("%s.usage_projects[%d]", path, i), fmt.Sprintf("%q is not a Google Cloud project ID (lowercase letters, digits and -, e.g. analytics-prod)", p))
		}
	}
	for i, r := range bq.UsageRegions {
		if !bigQueryLocation.MatchString(r) {
			d.addPath(fmt.Sprintf("%s.usage_regions[%d]", path, i), fmt.Sprintf("%q is not a BigQuery location (e.g. US, EU, europe-west1)", r))
		}
	}
}

// checkDatabase requires exactly one of a DSN and embedded: true, and
// embedded only when allowed. notEmbedded is the message for the latter.
func (d *decoder) checkDatabase(path string, dsn Secret, embedded bool, opts LoadOptions, notEmbedded string) {
	switch {
	case d.hasFailed(path) || d.hasFailed(path+".dsn"):
	case dsn.IsSet() && embedded:
		d.addPath(path, "set either dsn or embedded, not both")
	case embedded && !opts.AllowEmbedded:
		d.addPath(path+".embedded", notEmbedded)
	case !dsn.IsSet() && !embedded:
		d.addPath(path, "set dsn: {env: NAME} (or embedded: true under dre dev)")
	}
}

// checkState checks the state database once the environment (which may
// set DRE_STATE_DSN) has been applied. An absent state section is fine:
// only the commands that keep state need one.
func (d *decoder) checkState(s State, opts LoadOptions) {
	if _, present := d.ValueNodes["state"]; !present && !s.DSN.IsSet() && !s.Embedded {
		return
	}
	d.checkDatabase("state", s.DSN, s.Embedded, opts,
		"embedded state exists only under dre dev; set dsn: {env: NAME} or DRE_STATE_DSN")
}

// checkAddress requires host:port for a value written in the file.
func (d *decoder) checkAddress(path, value string) {
	if value == "" || d.hasFailed(path) {
		return
	}
	if err := checkHostPort(value); err != nil {
		d.addPath(path, err.Error())
	}
}

// resolveSecrets reads every secret not yet resolved, reporting each one
// that cannot be read where it is written.
func (d *decoder) resolveSecrets(cfg *Config, env Env) {
	secrets := map[string]*Secret{
		"temporal.api_key":         &cfg.Temporal.APIKey,
		"state.dsn":                &cfg.State.DSN,
		"slack.bot_token":          &cfg.Slack.BotToken,
		"slack.signing_secret":     &cfg.Slack.SigningSecret,
		"slack.app_token":          &cfg.Slack.AppToken,
		"pagerduty.api_token":      &cfg.PagerDuty.APIToken,
		"pagerduty.routing_key":    &cfg.PagerDuty.RoutingKey,
		"pagerduty.webhook_secret": &cfg.PagerDuty.WebhookSecret,
	}
	for name, wh := range cfg.Warehouses {
		if wh.Postgres != nil {
			secrets["warehouses."+name+".postgres.dsn"] = &wh.Postgres.DSN
			for i := range wh.Postgres.Replicas {
				secrets[fmt.Sprintf("warehouses.%s.postgres.replicas[%d].dsn", name, i)] = &wh.Postgres.Replicas[i].DSN
			}
		}
	}
	services := map[string]*PagerDutyService{}
	for name, svc := range cfg.PagerDuty.Services {
		services[name] = &svc
		secrets["pagerduty.services."+name+".routing_key"] = &svc.RoutingKey
	}
	defer func() { // the map holds copies: store the resolved ones
		for name, svc := range services {
			cfg.PagerDuty.Services[name] = *svc
		}
	}()
	for path, s := range secrets {
		if !s.IsSet() || s.value != nil {
			continue
		}
		if err := s.Resolve(env); err != nil {
			d.addPath(path, err.Error())
		}
	}
	d.resolveAlertTokens(cfg, env)
}

// addPath records a problem positioned at path, or at its nearest
// ancestor in the file when path itself is absent (a missing key).
func (d *decoder) addPath(path, message string) {
	d.addAt(d.nodeFor(path), path, message)
}

// nodeFor returns the node that best locates path: a scalar's value, or
// the key of a mapping or list (a problem with a whole section reads best
// at its name), or the nearest ancestor when path is not in the file.
func (d *decoder) nodeFor(path string) ast.Node {
	for p := path; ; p = parentPath(p) {
		value, hasValue := d.ValueNodes[p]
		switch value.(type) {
		case *ast.MappingNode, *ast.SequenceNode, *ast.NullNode, nil:
		default:
			return value
		}
		if key, ok := d.KeyNodes[p]; ok {
			return key
		}
		if hasValue {
			return value
		}
		if p == "" {
			return nil
		}
	}
}

// hasFailed reports whether path or any ancestor failed to decode.
func (d *decoder) hasFailed(path string) bool {
	for p := path; p != ""; p = parentPath(p) {
		if d.Failed[p] {
			return true
		}
	}
	return false
}

// parentPath drops the last element of a key path: a.b[2] -> a.b -> a -> "".
func parentPath(path string) string {
	if strings.HasSuffix(path, "]") {
		return path[:strings.LastIndex(path, "[")]
	}
	return path[:max(strings.LastIndex(path, "."), 0)]
}
