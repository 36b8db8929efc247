package logging

import (
	"net/url"
	"strings"

	"github.com/dre-dev/dre/internal/config"
)

// ConfigSecrets returns every resolved secret value of cfg, and the
// password inside each PostgreSQL DSN on its own, since drivers quote
// parts of a DSN in their errors.
func ConfigSecrets(cfg *config.Config) []string {
	secrets := []config.Secret{
		cfg.Temporal.APIKey, cfg.State.DSN,
		cfg.Slack.BotToken, cfg.Slack.SigningSecret, cfg.Slack.AppToken,
		cfg.PagerDuty.APIToken, cfg.PagerDuty.RoutingKey, cfg.PagerDuty.WebhookSecret,
	}
	for _, src := range cfg.Alerts.Sources { // the bearer tokens of alert sources
		secrets = append(secrets, src.Token)
	}
	dsns := []string{cfg.State.DSN.Value()}
	for _, name := range cfg.WarehouseNames() {
		if pg := cfg.Warehouses[name].Postgres; pg != nil {
			secrets = append(secrets, pg.DSN)
			dsns = append(dsns, pg.DSN.Value())
		}
	}
	var out []string
	for _, s := range secrets {
		if v := s.Value(); v != "" {
			// A webhook secret may list several, comma-separated, during
			// a rotation; each is a secret on its own.
			out = append(out, v)
			out = append(out, strings.Split(v, ",")...)
		}
	}
	for _, dsn := range dsns {
		if p := dsnPassword(dsn); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// dsnPassword returns the password of a postgres:// URL or of a
// key=value DSN ("host=... password=..."), or "".
func dsnPassword(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		p, _ := u.User.Password()
		return p
	}
	for _, field := range strings.Fields(dsn) {
		if v, ok := strings.CutPrefix(field, "password="); ok {
			return strings.Trim(v, "'")
		}
	}
	return ""
}
