package cli

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/dre-dev/dre/internal/config"
	"github.com/dre-dev/dre/internal/uilink"
)

// devConfigFile is where `dre dev` writes the built-in configuration it runs
// with, so that commands in another terminal see the same catalog.
var devConfigFile = filepath.Join(".dre", "dre.yaml")

// configPath finds the config file: --config, then $DRE_CONFIG, then
// ./dre.yaml, then (except for dre dev itself) the file dre dev wrote.
func (g *globals) configPath(includeDevCopy bool) string {
	if g.configFlag != "" {
		return g.configFlag
	}
	if p, ok := g.opts.Env("DRE_CONFIG"); ok && p != "" {
		return p
	}
	candidates := []string{"dre.yaml"}
	if includeDevCopy {
		candidates = append(candidates, devConfigFile)
	}
	for _, p := range candidates {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// loadConfig loads the config a client command needs. It does not resolve
// secrets other than Temporal's, so a laptop without the Slack token can
// still start a check.
func (g *globals) loadConfig() (*config.Config, error) {
	path := g.configPath(true)
	if path == "" {
		return nil, errors.New("no configuration found; pass --config dre.yaml, set DRE_CONFIG, or start `dre dev --demo` in this directory")
	}
	return config.Load(path, g.opts.Env, config.LoadOptions{AllowEmbedded: true})
}

// loadServiceConfig loads the config of a long-running service (worker,
// gateway): every secret must resolve, and embedded warehouses, which exist
// only under dre dev, are refused.
func (g *globals) loadServiceConfig() (*config.Config, error) {
	path := g.configPath(false)
	if path == "" {
		return nil, errors.New("no configuration found; pass --config dre.yaml or set DRE_CONFIG (see dre catalog schema for the format)")
	}
	cfg, err := config.Load(path, g.opts.Env, config.LoadOptions{ResolveSecrets: true})
	if err != nil {
		return nil, err
	}
	return cfg, nil
}

// uiBaseURL is where run links point.
func (g *globals) uiBaseURL() string {
	if g.uiURL != "" {
		return g.uiURL
	}
	if u, ok := g.opts.Env("DRE_UI_URL"); ok && u != "" {
		return u
	}
	return "http://127.0.0.1:8233"
}

// runURL links a workflow run in the Temporal UI.
func (g *globals) runURL(namespace, workflowID, runID string) string {
	return uilink.Run(g.uiBaseURL(), namespace, workflowID, runID)
}

// workflowURL links a workflow ID (its latest run) in the Temporal UI.
func (g *globals) workflowURL(namespace, workflowID string) string {
	return uilink.Workflow(g.uiBaseURL(), namespace, workflowID)
}

// dialTemporal connects to the configured Temporal frontend; extra may
// adjust the options (a service's logger, metrics and tracing).
func dialTemporal(ctx context.Context, cfg *config.Config, logs io.Writer, extra ...func(*client.Options)) (client.Client, error) {
	opts := client.Options{
		HostPort:  cfg.Temporal.Address,
		Namespace: cfg.Temporal.Namespace,
		Logger:    sdkLogger(logs, slog.LevelWarn),
	}
	if key := cfg.Temporal.APIKey.Value(); key != "" {
		opts.Credentials = client.NewAPIKeyStaticCredentials(key)
	}
	tlsCfg, err := tlsConfig(cfg.Temporal.TLS, cfg.Temporal.APIKey.Value() != "")
	if err != nil {
		return nil, err
	}
	opts.ConnectionOptions.TLS = tlsCfg
	for _, f := range extra {
		f(&opts)
	}
	c, err := client.DialContext(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("cannot reach Temporal at %s, namespace %s (is `dre dev` running? set TEMPORAL_ADDRESS or temporal.address): %w",
			cfg.Temporal.Address, cfg.Temporal.Namespace, err)
	}
	return c, nil
}

// tlsConfig builds the client TLS settings; an API key implies TLS, as
// Temporal Cloud requires.
func tlsConfig(t config.TLS, apiKey bool) (*tls.Config, error) {
	if !t.Enabled && !apiKey && t.CertFile == "" && t.CAFile == "" {
		return nil, nil
	}
	out := &tls.Config{ServerName: t.ServerName, MinVersion: tls.VersionTLS12}
	if t.CertFile != "" || t.KeyFile != "" {
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("loading the Temporal client certificate (temporal.tls.cert_file/key_file): %w", err)
		}
		out.Certificates = []tls.Certificate{cert}
	}
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("reading temporal.tls.ca_file: %w", err)
		}
		out.RootCAs = x509.NewCertPool()
		if !out.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("temporal.tls.ca_file %s holds no PEM certificate", t.CAFile)
		}
	}
	return out, nil
}

// sdkLogger routes the SDK's logs through slog at the given level.
func sdkLogger(w io.Writer, level slog.Level) sdklog.Logger {
	return sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level})))
}

// configAndClient loads the config and dials Temporal, for commands that
// talk to running workflows.
func (g *globals) configAndClient(ctx context.Context) (*config.Config, client.Client, error) {
	cfg, err := g.loadConfig()
	if err != nil {
		return nil, nil, err
	}
	c, err := dialTemporal(ctx, cfg, g.opts.Stderr)
	return cfg, c, err
}
