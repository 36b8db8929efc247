package logging

import (
	"slices"
	"testing"

	"github.com/dre-dev/dre/internal/config"
)

func TestConfigSecretsFindsEveryCredential(t *testing.T) {
	yaml := []byte(`
temporal: {api_key: {env: K}}
warehouses:
  a: {postgres: {dsn: {env: A_DSN}}}
  b: {postgres: {dsn: {env: B_DSN}}}
slack: {bot_token: {env: BOT}, signing_secret: {env: SIGN}}
pagerduty: {api_token: {env: PD}, routing_key: {env: RK}, webhook_secret: {env: WH}}
alerts: {sources: {alertmanager: {token: {env: AM}}}}
`)
	env := map[string]string{
		"K": "temporal-key", "A_DSN": "postgres://dre:url-pass@db:5432/w", "B_DSN": "host=db user=dre password=kv-pass dbname=w",
		"BOT": "xoxb-bot", "SIGN": "signing-secret", "PD": "pd-token", "RK": "routing-key", "WH": "old-hook,new-hook",
		"AM": "alertmanager-token",
	}
	cfg, err := config.Parse("test.yaml", yaml, func(k string) (string, bool) { v, ok := env[k]; return v, ok }, config.LoadOptions{ResolveSecrets: true})
	if err != nil {
		t.Fatal(err)
	}
	got := ConfigSecrets(cfg)
	for _, want := range []string{"temporal-key", env["A_DSN"], "url-pass", env["B_DSN"], "kv-pass", "xoxb-bot", "signing-secret", "pd-token", "routing-key", "old-hook", "new-hook", "alertmanager-token"} {
		if !slices.Contains(got, want) {
			t.Errorf("ConfigSecrets misses %q; got %q", want, got)
		}
	}
}
