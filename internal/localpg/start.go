package localpg

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"
)

// portAttempts bounds retries when a picked free port is grabbed by
// someone else before postgres binds it.
const portAttempts = 3

// setup is what Start resolved before launching the server.
type setup struct {
	opts    Options
	binDir  string
	dataDir string  // absolute
	runAs   *osUser // nil: run as ourselves

	remembered      int  // the port in opts.PortFile, 0 without one
	triedRemembered bool // a lost race on it falls back to a free port
}

// Start starts a cluster in opts.DataDir, running initdb first when the
// directory holds none, and returns once it accepts connections. ctx bounds
// the start only; the server runs until Stop. On failure the error carries
// the last lines of the server log.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	s, err := prepare(opts)
	if err != nil {
		return nil, err
	}
	if err := s.initdb(ctx); err != nil {
		return nil, err
	}
	if err := checkPIDFile(s.dataDir); err != nil {
		return nil, err
	}
	log, closeLog, err := s.openLog()
	if err != nil {
		return nil, fmt.Errorf("open server log: %w", err)
	}
	for attempt := 1; ; attempt++ {
		c, err := s.launch(ctx, log)
		if err == nil {
			c.closeLog = closeLog
			if err := s.keepOrStop(c); err != nil {
				return nil, err
			}
			return c, nil
		}
		if !errors.Is(err, errPortRace) || attempt == portAttempts {
			closeLog()
			return nil, err
		}
	}
}

// prepare resolves the binaries, the data dir and the OS user, and checks
// a fixed port, so that the common mistakes fail before initdb runs.
func prepare(opts Options) (*setup, error) {
	if opts.DataDir == "" {
		return nil, errors.New("localpg: no data dir given")
	}
	s := &setup{opts: opts, binDir: opts.BinDir}
	var err error
	if s.binDir == "" {
		s.binDir, err = FindBinDir()
	} else {
		err = checkBinDir(s.binDir)
	}
	if err != nil {
		return nil, err
	}
	if opts.Port != 0 {
		if err := checkPortFree(opts.Port); err != nil {
			return nil, err
		}
	}
	if opts.PortFile != "" {
		if s.remembered, err = readPortFile(opts.PortFile); err != nil {
			return nil, err
		}
	}
	if s.dataDir, err = filepath.Abs(opts.DataDir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(s.dataDir, 0o700); err != nil {
		return nil, err
	}
	if s.runAs, err = serverUser(); err != nil {
		return nil, err
	}
	return s, s.runAs.checkTraversable(s.dataDir)
}

// launch starts the postmaster on a port and waits until it is ready.
func (s *setup) launch(ctx context.Context, log io.Writer) (*Cluster, error) {
	port, err := s.choosePort()
	if err != nil {
		return nil, err
	}
	p, err := spawn(filepath.Join(s.binDir, "postgres"), s.serverArgs(port), s.dataDir, s.runAs.credential(), log)
	if err != nil {
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	c := &Cluster{dataDir: s.dataDir, port: port, proc: p}
	err = waitReady(ctx, p, c.DSN("postgres"), s.dataDir, s.readyTimeout())
	if err == nil {
		return c, nil
	}
	_ = p.shutdown() // reports only that it had exited, which err explains
	return nil, s.startError(p, port, err)
}

// serverArgs runs postgres directly (no pg_ctl daemon) on TCP only, sized
// for a development machine.
func (s *setup) serverArgs(port int) []string {
	args := []string{"-D", s.dataDir, "-p", strconv.Itoa(port),
		"-c", "listen_addresses=127.0.0.1",
		"-c", "unix_socket_directories=", // TCP only: no socket or lock file in /tmp
		"-c", "max_connections=50",
		"-c", "shared_buffers=32MB",
		"-c", "logging_collector=off", // the log must come to us on stderr
	}
	if s.opts.Ephemeral {
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	for _, name := range slices.Sorted(maps.Keys(s.opts.Settings)) {
		args = append(args, "-c", name+"="+s.opts.Settings[name])
	}
	return args
}

// readyTimeout applies the default.
func (s *setup) readyTimeout() time.Duration {
	if s.opts.ReadyTimeout > 0 {
		return s.opts.ReadyTimeout
	}
	return defaultReadyTimeout
}

// startError explains a failed start, turning a lost port race into
// errPortRace (retried) or, for a fixed port, the usual advice.
func (s *setup) startError(p *process, port int, err error) error {
	tail := p.tail.lastLines(15)
	if p.exited() && isBindFailure(tail) {
		if s.opts.Port != 0 {
			return portTakenError(port)
		}
		return fmt.Errorf("%w: port %d", errPortRace, port)
	}
	return fmt.Errorf("postgres in %s did not start: %v\n--- last lines of the server log ---\n%s", s.dataDir, err, tail)
}
