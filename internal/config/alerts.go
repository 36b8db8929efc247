package config

import (
	"fmt"
	"strings"

	"github.com/dre-dev/dre/internal/alerts"
	"github.com/dre-dev/dre/internal/catalog"
)

// Alerts configures the gateway's POST /alerts/<source>, through which
// monitoring tools open or join incidents.
type Alerts struct {
	// Sources are the tools allowed to post, by name (alertmanager,
	// montecarlo, elementary, soda, great_expectations); a source not
	// listed is answered 503.
	Sources map[string]AlertSource `yaml:"sources"`
	// Map places alerts on datasets by their labels, first match first;
	// alerts no rule matches are placed by a "dataset" label or by table.
	Map []AlertRule `yaml:"map"`
	// DedupWindow is how long the gateway drops an identical alert sent
	// again (Alertmanager's repeats); default 4h, Alertmanager's own
	// repeat_interval. Repeats after it are dropped by the incident.
	DedupWindow catalog.Duration `yaml:"dedup_window"`
	// ResolveWithSource resolves an incident without a human once every
	// alert it absorbed has resolved at its source; off by default.
	ResolveWithSource bool `yaml:"resolve_with_source"`
	// GroupByUpstream joins a firing alert to the open incident of one of
	// its dataset's upstream datasets (catalog upstream:), naming the
	// dataset as an affected downstream, instead of opening an incident
	// of its own; nil (unset) means true.
	GroupByUpstream *bool `yaml:"group_by_upstream"`
	// GroupWindow is how recently an upstream's incident must have opened
	// for a downstream alert to join it; default 2h. An older incident is
	// likely another story, so the downstream opens its own.
	GroupWindow catalog.Duration `yaml:"group_window"`
}

// GroupsByUpstream reports whether group_by_upstream is on (the default).
func (a Alerts) GroupsByUpstream() bool { return a.GroupByUpstream == nil || *a.GroupByUpstream }

// AlertSource is one tool's credentials and options.
type AlertSource struct {
	// Token is the bearer token the tool sends (Authorization: Bearer).
	Token Secret `yaml:"token"`
	// TableLabel is the Alertmanager label that names the table
	// (default "table"); alertmanager only.
	TableLabel string `yaml:"table_label"`
	// SigningSecret is the shared secret of a Monte Carlo webhook: a
	// delivery signed with it (SignatureHeader, default x-mcd-signature)
	// is accepted without the bearer token; montecarlo only.
	SigningSecret   Secret `yaml:"signing_secret"`
	SignatureHeader string `yaml:"signature_header"`
}

// AlertRule maps alerts whose labels all match to a dataset.
type AlertRule struct {
	Source  string            `yaml:"source"`
	Match   map[string]string `yaml:"match"`
	Dataset string            `yaml:"dataset"`
}

// Rules turns the map section into the mapper's rules.
func (a Alerts) Rules() []alerts.Rule {
	out := make([]alerts.Rule, len(a.Map))
	for i, r := range a.Map {
		out[i] = alerts.Rule{Source: r.Source, Match: r.Match, Dataset: r.Dataset}
	}
	return out
}

// checkAlerts places every mistake of the alerts section.
func (d *decoder) checkAlerts(cfg *Config) {
	a := cfg.Alerts
	known := strings.Join(alerts.Sources(), ", ")
	for _, name := range sortedKeys(a.Sources) {
		path := "alerts.sources." + name
		switch src := a.Sources[name]; {
		case d.hasFailed(path):
		case !alerts.Known(name):
			d.addAt(d.KeyNodes[path], path, fmt.Sprintf("unknown alert source %q; use one of %s", name, known))
		case !src.Token.IsSet() && !src.SigningSecret.IsSet():
			d.addPath(path+".token", "each source needs token: {env: NAME}, the bearer token the tool sends (montecarlo: or signing_secret:)")
		case src.TableLabel != "" && name != alerts.SourceAlertmanager:
			d.addPath(path+".table_label", "table_label applies to alertmanager only; the other tools name their table themselves")
		case (src.SigningSecret.IsSet() || src.SignatureHeader != "") && name != alerts.SourceMonteCarlo:
			d.addPath(path+".signing_secret", "signing_secret and signature_header apply to montecarlo only; the other tools send the bearer token")
		}
	}
	for i, r := range a.Map {
		d.checkAlertRule(cfg, fmt.Sprintf("alerts.map[%d]", i), r, known)
	}
	if a.DedupWindow.Duration < 0 {
		d.addPath("alerts.dedup_window", "want a positive duration like 4h; unset means 4h")
	}
	if a.GroupWindow.Duration < 0 {
		d.addPath("alerts.group_window", "want a positive duration like 2h; unset means 2h")
	}
}

func (d *decoder) checkAlertRule(cfg *Config, path string, r AlertRule, known string) {
	if d.hasFailed(path) {
		return
	}
	if r.Source != "" && !alerts.Known(r.Source) {
		d.addPath(path+".source", fmt.Sprintf("unknown alert source %q; use one of %s", r.Source, known))
	}
	if len(r.Match) == 0 {
		d.addPath(path+".match", "a rule needs match: {label: value}; an empty match would take every alert")
	}
	switch _, err := cfg.Catalog.Lookup(r.Dataset); {
	case r.Dataset == "":
		d.addPath(path+".dataset", "a rule needs dataset: the catalog dataset its alerts concern")
	case err != nil:
		d.addPath(path+".dataset", err.Error())
	}
}

// resolveAlertTokens reads each source's token, reporting those missing.
func (d *decoder) resolveAlertTokens(cfg *Config, env Env) {
	for name, src := range cfg.Alerts.Sources {
		if !alerts.Known(name) { // an unknown source has its own problem
			continue
		}
		for key, secret := range map[string]*Secret{"token": &src.Token, "signing_secret": &src.SigningSecret} {
			if !secret.IsSet() {
				continue
			}
			if err := secret.Resolve(env); err != nil {
				d.addPath("alerts.sources."+name+"."+key, err.Error())
			}
		}
		cfg.Alerts.Sources[name] = src
	}
}
