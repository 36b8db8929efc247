package config

import (
	"slices"

	"github.com/dre-dev/dre/internal/authz"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/people"
)

// Default values used when neither dre.yaml nor the environment set them.
const (
	DefaultTemporalAddress = "127.0.0.1:7233"
	DefaultNamespace       = "default"
	DefaultTaskQueue       = "dre"
	DefaultGatewayListen   = "127.0.0.1:8080"
)

// Config is a loaded dre.yaml with environment overrides applied.
type Config struct {
	Path       string               // the file it was read from; "" for Defaults
	Temporal   Temporal             // where the Temporal server is
	Warehouses map[string]Warehouse // by name; never nil
	State      State                // dre's own tables
	Gateway    Gateway              // the HTTP gateway
	Worker     Worker               // dre worker's process settings
	Slack      Slack                // Slack app credentials
	PagerDuty  PagerDuty            // PagerDuty credentials
	Catalog    *catalog.Catalog     // the datasets; never nil
	People     *people.Directory    // people: and groups:; never nil
	Decisions  Decisions            // how decisions must be signed
	Authz      authz.Policy         // who may take each decision
	Alerts     Alerts               // monitoring tools' alerts in
	Triage     Triage               // paging, escalation, auto-resolve
	Access     Access               // the access reconciler
	Audit      Audit                // the audit log's scheduled checkpoints
	SLO        SLO                  // how SLOs are evaluated (batching)
	Dbt        Dbt                  // the dbt manifest the catalog also reads
}

// Temporal says how to reach the Temporal server.
type Temporal struct {
	Address   string `yaml:"address"`
	Namespace string `yaml:"namespace"`
	TaskQueue string `yaml:"task_queue"`
	APIKey    Secret `yaml:"api_key"`
	TLS       TLS    `yaml:"tls"`
}

// TLS configures the client side of TLS to Temporal. The files are paths
// to PEM files, resolved against the working directory.
type TLS struct {
	Enabled    bool   `yaml:"enabled"`
	CertFile   string `yaml:"cert_file"`
	KeyFile    string `yaml:"key_file"`
	CAFile     string `yaml:"ca_file"`
	ServerName string `yaml:"server_name"`
}

// Warehouse is one named database holding datasets. Exactly one of
// Postgres and BigQuery is set.
type Warehouse struct {
	Name     string    `yaml:"-"` // the key under warehouses:
	Postgres *Postgres `yaml:"postgres"`
	BigQuery *BigQuery `yaml:"bigquery"`
}

// Kind is "postgres" or "bigquery", or "" when neither is configured.
func (w Warehouse) Kind() string {
	switch {
	case w.Postgres != nil:
		return "postgres"
	case w.BigQuery != nil:
		return "bigquery"
	}
	return ""
}

// WarehouseKinds returns each configured warehouse's Kind by name.
func (c *Config) WarehouseKinds() map[string]string {
	kinds := make(map[string]string, len(c.Warehouses))
	for name, wh := range c.Warehouses {
		kinds[name] = wh.Kind()
	}
	return kinds
}

// Postgres is a PostgreSQL warehouse: either a DSN or, under dre dev, the
// embedded cluster dre dev starts.
type Postgres struct {
	DSN      Secret `yaml:"dsn"`
	Embedded bool   `yaml:"embedded"`
	// Replicas are read replicas whose scans the deprecation usage gate
	// counts too: each server keeps its own statistics, so reads served
	// by a replica never show on the primary.
	Replicas []Replica `yaml:"replicas"`
}

// Replica is a read replica of a PostgreSQL warehouse.
type Replica struct {
	DSN Secret `yaml:"dsn"`
}

// BigQuery is a BigQuery warehouse. CredentialsFile is optional; without
// it Application Default Credentials are used. PIIPolicyTags maps Data
// Catalog policy tag resource names to PII kinds, because BigQuery marks
// PII columns with policy tags, which carry no kind of their own.
type BigQuery struct {
	Project         string            `yaml:"project"`
	Location        string            `yaml:"location"`
	CredentialsFile string            `yaml:"credentials_file"`
	PIIPolicyTags   map[string]string `yaml:"pii_policy_tags"`
	// UsageProjects and UsageRegions are the job histories
	// (INFORMATION_SCHEMA.JOBS) the deprecation usage gate and dre
	// lineage --jobs read: every
	// project that may run jobs reading these tables, in every region
	// they run in. Empty means Project and Location.
	UsageProjects []string `yaml:"usage_projects"`
	UsageRegions  []string `yaml:"usage_regions"`
}

// State is where dre keeps its own tables (audit log, SLO observations):
// a PostgreSQL DSN or, under dre dev, the embedded cluster.
type State struct {
	DSN      Secret `yaml:"dsn"`
	Embedded bool   `yaml:"embedded"`
}

// Gateway configures dre's HTTP gateway (Slack and PagerDuty webhooks).
type Gateway struct {
	Listen string `yaml:"listen"`
	// SigningKey is the private half (an unencrypted OpenSSH key) of the
	// key of the person decisions.slack_relay names: the gateway signs
	// the Slack decisions it passes on with it, so the workflows know a
	// Slack user's click came through a gateway that verified Slack's
	// request signature.
	SigningKey Secret `yaml:"signing_key"`
}

// Worker configures the dre worker process. MetricsListen serves
// /metrics, /healthz and /readyz ("" turns them off); StopTimeout is how
// long a stopping worker lets in-flight activities finish before it
// cancels them (default 30s).
type Worker struct {
	MetricsListen string           `yaml:"metrics_listen"`
	StopTimeout   catalog.Duration `yaml:"stop_timeout"`
}

// Slack holds the Slack app's credentials. AppToken is only needed for
// Socket Mode.
type Slack struct {
	BotToken       Secret `yaml:"bot_token"`
	SigningSecret  Secret `yaml:"signing_secret"`
	AppToken       Secret `yaml:"app_token"`
	DefaultChannel string `yaml:"default_channel"`
	// APIURL replaces https://slack.com/api/ (a proxy, or a local stand-in
	// in tests); env SLACK_API_URL.
	APIURL string `yaml:"api_url"`
	// Allow restricts /dre subcommands, and the backfill Approve button
	// (key "backfill-approve") and the incident's buttons (key
	// "triage-buttons"), to Slack user or user group IDs; a key not
	// listed is open to everyone.
	Allow map[string][]string `yaml:"allow"`
	// Workspaces are the Slack workspace (team) IDs, T..., whose
	// requests dre accepts; a Slack Connect user of another workspace is
	// someone dre does not know.
	Workspaces []string `yaml:"workspaces"`
}

// Decisions says which decisions (approvals, denials, overrides) dre
// accepts from the CLI and other Temporal clients.
type Decisions struct {
	// AllowUnsigned accepts decisions without a signature by the
	// decider's key, recorded as unverified. Only for demos and trials:
	// anyone who can reach Temporal can then decide as anyone.
	AllowUnsigned bool `yaml:"allow_unsigned"`
	// SlackRelay is the ID of the entry under people: whose keys are the
	// gateway's (gateway.signing_key). Only a decision signed by it may
	// speak for a Slack user; without it, Slack decisions are unsigned and
	// count only under AllowUnsigned.
	SlackRelay string `yaml:"slack_relay"`
}

// PagerDuty holds the PagerDuty credentials and the From address its REST
// API requires.
type PagerDuty struct {
	APIToken      Secret `yaml:"api_token"`
	RoutingKey    Secret `yaml:"routing_key"`
	WebhookSecret Secret `yaml:"webhook_secret"`
	From          string `yaml:"from"`
	// EventsURL and APIURL replace PagerDuty's endpoints (a proxy, or a
	// local stand-in in tests); env PAGERDUTY_EVENTS_URL, PAGERDUTY_API_URL.
	EventsURL string `yaml:"events_url"`
	APIURL    string `yaml:"api_url"`
	// WebhookMaxAge: the gateway ignores webhook events whose occurred_at
	// is older (a retry arriving late, or a captured delivery sent again);
	// unset means one hour. PagerDuty retries for up to 48 hours, so a
	// longer value lets late retries through, at the cost of a longer
	// window for replays.
	WebhookMaxAge catalog.Duration `yaml:"webhook_max_age"`
	// Services are other PagerDuty services, by a name of dre's choosing,
	// that escalation steps may page (page: <name>).
	Services map[string]PagerDutyService `yaml:"services"`
}

// document is the shape of dre.yaml itself. Config differs from it where
// the file is not the most useful Go shape: datasets become a Catalog and
// warehouses learn their names.
type document struct {
	Temporal   Temporal             `yaml:"temporal"`
	Warehouses map[string]Warehouse `yaml:"warehouses"`
	State      State                `yaml:"state"`
	Gateway    Gateway              `yaml:"gateway"`
	Worker     Worker               `yaml:"worker"`
	Slack      Slack                `yaml:"slack"`
	PagerDuty  PagerDuty            `yaml:"pagerduty"`
	Datasets   []catalog.Dataset    `yaml:"datasets"`

	// Who decides, and how their decisions must be signed; the people and
	// groups become Config.People.
	People    map[string]people.Person `yaml:"people"`
	Groups    map[string]people.Group  `yaml:"groups"`
	Decisions Decisions                `yaml:"decisions"`
	// Authz is who may take each decision, with per-dataset overrides.
	Authz authz.Policy `yaml:"authz"`

	// Alerts from monitoring tools: who may post and which dataset each
	// alert concerns.
	Alerts Alerts `yaml:"alerts"`
	// Triage policies: paging, escalation steps, auto-resolve.
	Triage Triage `yaml:"triage"`
	// Access: how often the access reconciler runs.
	Access Access `yaml:"access"`
	// Audit: the audit log's scheduled, signed checkpoints.
	Audit Audit `yaml:"audit"`
	// Dbt: a dbt manifest whose models join the datasets.
	Dbt Dbt `yaml:"dbt"`
	// SLO: how the datasets' SLOs are evaluated.
	SLO SLO `yaml:"slo"`
}

// Defaults returns the configuration used when no file is given: a local
// Temporal server, the default gateway address and an empty catalog.
// Apply environment overrides to it with ApplyEnv.
func Defaults() *Config {
	c := &Config{Warehouses: map[string]Warehouse{}, Catalog: catalog.New(nil), People: people.NewDirectory(nil, nil)}
	fillDefaults(c)
	return c
}

// fillDefaults sets the defaults for every field still empty, so that an
// explicit empty value in the file behaves like an absent one.
func fillDefaults(c *Config) {
	fill := func(p *string, v string) {
		if *p == "" {
			*p = v
		}
	}
	fill(&c.Temporal.Address, DefaultTemporalAddress)
	fill(&c.Temporal.Namespace, DefaultNamespace)
	fill(&c.Temporal.TaskQueue, DefaultTaskQueue)
	fill(&c.Gateway.Listen, DefaultGatewayListen)
}

// WarehouseNames returns the configured warehouse names, sorted.
func (c *Config) WarehouseNames() []string {
	names := make([]string, 0, len(c.Warehouses))
	for name := range c.Warehouses {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}
