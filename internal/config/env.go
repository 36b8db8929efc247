package config

import (
	"fmt"
	"net"
	"strings"
)

// Env looks up an environment variable; os.LookupEnv has this shape. A nil
// Env is an empty environment.
type Env func(key string) (string, bool)

// lookup calls env, treating a nil Env as empty.
func lookup(env Env, key string) (string, bool) {
	if env == nil {
		return "", false
	}
	return env(key)
}

// override returns a variable's value when it is set and not empty. Blank
// variables count as unset because compose files and CI systems often
// export every known name, empty.
func override(env Env, key string) (string, bool) {
	v, ok := lookup(env, key)
	return v, ok && v != ""
}

// ApplyEnv overrides c with the environment variables listed in the
// package documentation and returns the problems in their values, each
// located by the variable's name. A variable with a bad value is ignored.
func ApplyEnv(c *Config, env Env) []Problem {
	ps := applyStrings(c, env)
	if v, ok := override(env, "TEMPORAL_TLS"); ok {
		if b, err := parseBool(v); err != nil {
			ps = append(ps, Problem{Path: "TEMPORAL_TLS", Message: err.Error()})
		} else {
			c.Temporal.TLS.Enabled = b
		}
	}
	// These variables hold the secrets themselves, so they are resolved
	// here rather than kept as references.
	if v, ok := override(env, "TEMPORAL_API_KEY"); ok && !c.Temporal.APIKey.IsSet() {
		c.Temporal.APIKey = resolvedEnv("TEMPORAL_API_KEY", v)
	}
	if v, ok := override(env, "DRE_STATE_DSN"); ok {
		c.State = State{DSN: resolvedEnv("DRE_STATE_DSN", v)}
	}
	applySecrets(c, env)
	return ps
}

// applySecrets takes the Slack and PagerDuty credentials from their
// conventional variables when dre.yaml does not reference them.
func applySecrets(c *Config, env Env) {
	secrets := []struct {
		key string
		dst *Secret
	}{
		{"SLACK_BOT_TOKEN", &c.Slack.BotToken},
		{"SLACK_SIGNING_SECRET", &c.Slack.SigningSecret},
		{"SLACK_APP_TOKEN", &c.Slack.AppToken},
		{"PAGERDUTY_API_TOKEN", &c.PagerDuty.APIToken},
		{"PAGERDUTY_ROUTING_KEY", &c.PagerDuty.RoutingKey},
		{"PAGERDUTY_WEBHOOK_SECRET", &c.PagerDuty.WebhookSecret},
	}
	for _, s := range secrets {
		if v, ok := override(env, s.key); ok && !s.dst.IsSet() {
			*s.dst = resolvedEnv(s.key, v)
		}
	}
}

// applyStrings applies the overrides of plain string settings.
func applyStrings(c *Config, env Env) []Problem {
	var ps []Problem
	settings := []struct {
		key      string
		dst      *string
		hostPort bool
	}{
		{"TEMPORAL_ADDRESS", &c.Temporal.Address, true},
		{"TEMPORAL_NAMESPACE", &c.Temporal.Namespace, false},
		{"DRE_TASK_QUEUE", &c.Temporal.TaskQueue, false},
		{"TEMPORAL_TLS_CLIENT_CERT_PATH", &c.Temporal.TLS.CertFile, false},
		{"TEMPORAL_TLS_CLIENT_KEY_PATH", &c.Temporal.TLS.KeyFile, false},
		{"TEMPORAL_TLS_SERVER_CA_CERT_PATH", &c.Temporal.TLS.CAFile, false},
		{"TEMPORAL_TLS_SERVER_NAME", &c.Temporal.TLS.ServerName, false},
		{"DRE_GATEWAY_LISTEN", &c.Gateway.Listen, true},
		{"DRE_METRICS_LISTEN", &c.Worker.MetricsListen, true},
		{"SLACK_API_URL", &c.Slack.APIURL, false},
		{"PAGERDUTY_EVENTS_URL", &c.PagerDuty.EventsURL, false},
		{"PAGERDUTY_API_URL", &c.PagerDuty.APIURL, false},
	}
	for _, s := range settings {
		v, ok := override(env, s.key)
		if !ok {
			continue
		}
		if s.hostPort {
			if err := checkHostPort(v); err != nil {
				ps = append(ps, Problem{Path: s.key, Message: err.Error()})
				continue
			}
		}
		*s.dst = v
	}
	return ps
}

// resolvedEnv returns the secret env:name already holding its value.
func resolvedEnv(name, value string) Secret {
	s := EnvSecret(name)
	s.value = &value
	return s
}

// parseBool accepts true or false in any case, and nothing else: "yes"
// or "1" in a TLS switch is more likely a mistake than a preference.
func parseBool(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, fmt.Errorf("want true or false, got %q", v)
}

// checkHostPort requires host:port with a numeric port, as both Temporal
// and the gateway's listener need. Targets with a gRPC scheme
// (dns:///host:port) are passed on untouched.
func checkHostPort(v string) error {
	if strings.Contains(v, "://") {
		return nil
	}
	_, port, err := net.SplitHostPort(v)
	if err == nil && port != "" && strings.Trim(port, "0123456789") == "" {
		return nil
	}
	return fmt.Errorf("want host:port like 127.0.0.1:7233, got %q", v)
}
