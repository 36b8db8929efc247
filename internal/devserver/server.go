package devserver

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"go.temporal.io/sdk/client"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/log"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
	"google.golang.org/protobuf/types/known/durationpb"
)

// Server is a running embedded Temporal server, with its UI when enabled.
type Server struct {
	opts     Options
	ports    portSet
	temporal temporal.Server
	ui       *uiServer
	stopOnce sync.Once
	stopErr  error
}

// Start prepares the database, starts the server and the UI, and returns once
// the frontend answers and the namespace and search attributes are in place.
// Ports are checked first, so a taken port fails fast with nothing started.
func Start(ctx context.Context, opts Options) (*Server, error) {
	ports, err := reservePorts(opts.FrontendAddress, opts.UIAddress)
	if err != nil {
		return nil, err
	}
	sql := sqlConfig(opts.DBPath)
	if err := prepareDatabase(sql, opts); err != nil {
		return nil, err
	}
	ts, err := temporal.NewServer(
		temporal.WithConfig(serverConfig(ports, sql)),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithStaticHosts(staticHosts(ports)),
		temporal.WithLogger(serverLogger(opts)),
		temporal.WithDynamicConfigClient(dynamicConfig()),
	)
	if err != nil {
		return nil, fmt.Errorf("configuring the Temporal server: %w", err)
	}
	s := &Server{opts: opts, ports: ports, temporal: ts}
	if err := ts.Start(); err != nil {
		return nil, fmt.Errorf("starting the Temporal server (database %s): %w", describeDB(opts.DBPath), err)
	}
	if err := s.finishStart(ctx); err != nil {
		_ = s.Stop()
		return nil, err
	}
	return s, nil
}

// finishStart waits for readiness, reconciles the namespace and starts the UI.
func (s *Server) finishStart(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.opts.ReadyTimeout)
	defer cancel()
	c, err := waitReady(ctx, s.FrontendAddress(), s.opts.Namespace)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := reconcileNamespace(ctx, c, s.opts); err != nil {
		return err
	}
	if s.ports.ui == 0 {
		return nil
	}
	s.ui, err = startUI(ctx, s.ports, s.opts.Namespace)
	return err
}

// prepareDatabase creates the schema when the file is new and the namespace
// when it is missing. Both happen before the server starts because the
// frontend refuses clients of a namespace it does not know.
func prepareDatabase(sql *config.SQL, opts Options) error {
	ns, err := sqliteschema.NewNamespaceConfig(clusterName, opts.Namespace, false, opts.SearchAttributes)
	if err != nil {
		return fmt.Errorf("namespace %q: %w", opts.Namespace, err)
	}
	ns.Detail.Config.Retention = durationpb.New(opts.Retention)
	if opts.DBPath == "" {
		return sqliteschema.CreateNamespaces(sql, ns)
	}
	if err := os.MkdirAll(filepath.Dir(opts.DBPath), 0o755); err != nil {
		return fmt.Errorf("creating the state directory: %w", err)
	}
	if _, err := os.Stat(opts.DBPath); errors.Is(err, os.ErrNotExist) {
		if err := sqliteschema.SetupSchema(sql); err != nil {
			return fmt.Errorf("creating the Temporal schema in %s: %w", opts.DBPath, err)
		}
	}
	if err := sqliteschema.CreateNamespaces(sql, ns); err != nil {
		return fmt.Errorf("opening %s (delete it to start over, if it was made by another Temporal version): %w", opts.DBPath, err)
	}
	return nil
}

func serverLogger(opts Options) log.Logger {
	if opts.LogFile != "" {
		return log.NewZapLogger(log.BuildZapLogger(log.Config{Level: "warn", OutputFile: opts.LogFile, Format: "json"}))
	}
	if opts.LogOutput == nil {
		return log.NewNoopLogger()
	}
	return newWriterLogger(opts.LogOutput)
}

func describeDB(path string) string {
	if path == "" {
		return "in memory"
	}
	return path
}

// FrontendAddress is the host:port clients dial.
func (s *Server) FrontendAddress() string { return hostPort(s.ports.host, s.ports.frontend) }

// Namespace is the namespace the server was started with.
func (s *Server) Namespace() string { return s.opts.Namespace }

// UIURL is the Temporal Web UI's address, or "" when the UI is off.
func (s *Server) UIURL() string {
	if s.ports.ui == 0 {
		return ""
	}
	return "http://" + hostPort(s.ports.host, s.ports.ui)
}

// NewClient dials the server's frontend in its namespace.
func (s *Server) NewClient(opts client.Options) (client.Client, error) {
	opts.HostPort = s.FrontendAddress()
	opts.Namespace = s.opts.Namespace
	return client.Dial(opts)
}

// Stop stops the UI and the server. It is safe to call more than once.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		if s.ui != nil {
			s.ui.stop()
		}
		s.stopErr = s.temporal.Stop()
	})
	return s.stopErr
}
