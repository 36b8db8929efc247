package cli

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log/slog"
	"os"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/dre-dev/dre/internal/config"
)

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
