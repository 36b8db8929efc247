package config

import (
	"fmt"
	"strings"
	"testing"
)

func TestApplyEnv(t *testing.T) {
	tests := []struct {
		name     string
		env      map[string]string
		get      func(*Config) any
		want     string // fmt.Sprint of get's result
		problems []string
	}{
		{"no env", nil, func(c *Config) any { return c.Temporal.Address + " " + c.Gateway.Listen }, "127.0.0.1:7233 127.0.0.1:8080", nil},
		{"address", map[string]string{"TEMPORAL_ADDRESS": "temporal:7233"}, func(c *Config) any { return c.Temporal.Address }, "temporal:7233", nil},
		{"grpc target", map[string]string{"TEMPORAL_ADDRESS": "dns:///temporal:7233"}, func(c *Config) any { return c.Temporal.Address }, "dns:///temporal:7233", nil},
		{"bad address", map[string]string{"TEMPORAL_ADDRESS": "temporal"}, func(c *Config) any { return c.Temporal.Address }, "127.0.0.1:7233",
			[]string{`TEMPORAL_ADDRESS: want host:port like 127.0.0.1:7233, got "temporal"`}},
		{"blank is unset", map[string]string{"TEMPORAL_NAMESPACE": ""}, func(c *Config) any { return c.Temporal.Namespace }, "default", nil},
		{"namespace and queue", map[string]string{"TEMPORAL_NAMESPACE": "prod", "DRE_TASK_QUEUE": "dre-prod"},
			func(c *Config) any { return c.Temporal.Namespace + " " + c.Temporal.TaskQueue }, "prod dre-prod", nil},
		{"tls", map[string]string{"TEMPORAL_TLS": "TRUE", "TEMPORAL_TLS_CLIENT_CERT_PATH": "c.pem", "TEMPORAL_TLS_CLIENT_KEY_PATH": "k.pem",
			"TEMPORAL_TLS_SERVER_CA_CERT_PATH": "ca.pem", "TEMPORAL_TLS_SERVER_NAME": "t.example"},
			func(c *Config) any { return c.Temporal.TLS }, "{true c.pem k.pem ca.pem t.example}", nil},
		{"bad tls", map[string]string{"TEMPORAL_TLS": "yes"}, func(c *Config) any { return c.Temporal.TLS.Enabled }, "false",
			[]string{`TEMPORAL_TLS: want true or false, got "yes"`}},
		{"api key", map[string]string{"TEMPORAL_API_KEY": "k-123"},
			func(c *Config) any { return c.Temporal.APIKey.String() + " " + c.Temporal.APIKey.Value() }, "env:TEMPORAL_API_KEY (set) k-123", nil},
		{"gateway", map[string]string{"DRE_GATEWAY_LISTEN": ":9090"}, func(c *Config) any { return c.Gateway.Listen }, ":9090", nil},
		{"bad gateway", map[string]string{"DRE_GATEWAY_LISTEN": "9090"}, func(c *Config) any { return c.Gateway.Listen }, "127.0.0.1:8080",
			[]string{`DRE_GATEWAY_LISTEN: want host:port like 127.0.0.1:7233, got "9090"`}},
		{"state dsn", map[string]string{"DRE_STATE_DSN": "postgres://s"},
			func(c *Config) any { return fmt.Sprint(c.State, " ", c.State.DSN.Value()) }, "{env:DRE_STATE_DSN (set) false} postgres://s", nil},
	}
	for _, tt := range tests {
		c := Defaults()
		c.State.Embedded = true // so "state dsn" shows DRE_STATE_DSN replacing it
		var got []string
		for _, p := range ApplyEnv(c, mapEnv(tt.env)) {
			got = append(got, p.String())
		}
		diffLines(t, tt.name, got, tt.problems)
		if s := fmt.Sprint(tt.get(c)); s != tt.want {
			t.Errorf("%s: got %s, want %s", tt.name, s, tt.want)
		}
	}
}

func TestEnvOverridesFile(t *testing.T) {
	src := "temporal:\n  address: file:7233\n  api_key: {env: MY_KEY}\nstate: {embedded: true}\n"
	env := mapEnv(map[string]string{"TEMPORAL_ADDRESS": "env:7233", "TEMPORAL_API_KEY": "ignored", "MY_KEY": "mine",
		"DRE_STATE_DSN": "postgres://state", "TEMPORAL_TLS": "maybe"})
	_, err := Parse("dre.yaml", []byte(src), env, LoadOptions{ResolveSecrets: true})
	diffLines(t, "bad TEMPORAL_TLS", problemLines(t, err), []string{`TEMPORAL_TLS: want true or false, got "maybe"`})

	all := map[string]string{"TEMPORAL_ADDRESS": "env:7233", "TEMPORAL_API_KEY": "ignored", "MY_KEY": "mine", "DRE_STATE_DSN": "postgres://state"}
	cfg, err := Parse("dre.yaml", []byte(src), mapEnv(all), LoadOptions{ResolveSecrets: true})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	tests := []struct{ name, got, want string }{
		{"address", cfg.Temporal.Address, "env:7233"},
		{"api key from the file's reference", cfg.Temporal.APIKey.Value(), "mine"},
		{"state", cfg.State.DSN.Ref() + " " + fmt.Sprint(cfg.State.Embedded), "env:DRE_STATE_DSN false"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

func TestDefaults(t *testing.T) {
	c := Defaults()
	got := strings.Join([]string{c.Temporal.Address, c.Temporal.Namespace, c.Temporal.TaskQueue, c.Gateway.Listen, c.Path}, "|")
	if want := "127.0.0.1:7233|default|dre|127.0.0.1:8080|"; got != want {
		t.Errorf("Defaults() = %s, want %s", got, want)
	}
	if c.Catalog == nil || c.Catalog.Len() != 0 || c.Warehouses == nil || len(c.WarehouseNames()) != 0 {
		t.Errorf("Defaults() catalog/warehouses = %v/%v, want empty and non-nil", c.Catalog, c.Warehouses)
	}
}
