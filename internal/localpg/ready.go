package localpg

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// errPortRace marks a start that failed because a free port picked for it
// was taken before postgres could bind it; Start then tries another.
var errPortRace = errors.New("picked port was taken before postgres bound it")

// waitReady polls until the server accepts connections, gives up early if
// it exits, and fails after timeout or when ctx ends.
func waitReady(ctx context.Context, p *process, dsn, dataDir string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return err
	}
	cfg.ConnectTimeout = 2 * time.Second
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		err := probe(ctx, cfg, dataDir)
		if err == nil || errors.Is(err, errOtherServer) {
			return err
		}
		select {
		case <-p.done:
			return fmt.Errorf("postgres exited during startup (%v)", p.err)
		case <-ctx.Done():
			return fmt.Errorf("not accepting connections after %v: %w", timeout, err)
		case <-tick.C:
		}
	}
}

// errOtherServer marks a port answered by a server that is not ours.
var errOtherServer = errors.New("another PostgreSQL server answers on this port")

// probe connects once and checks that the server is the one we started,
// not another that got the port first.
func probe(ctx context.Context, cfg *pgx.ConnConfig, dataDir string) error {
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var dir string
	if err := conn.QueryRow(ctx, "SELECT current_setting('data_directory')").Scan(&dir); err != nil {
		return err
	}
	if dir != dataDir {
		return fmt.Errorf("%w (its data directory is %s)", errOtherServer, dir)
	}
	return nil
}

// choosePort returns the fixed port, else the remembered one while it is
// free, else picks a free one on 127.0.0.1.
func (s *setup) choosePort() (int, error) {
	if s.opts.Port != 0 {
		return s.opts.Port, nil
	}
	if p := s.rememberedPort(); p != 0 && checkPortFree(p) == nil {
		return p, nil
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pick a free port: %w", err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	if err := l.Close(); err != nil {
		return 0, fmt.Errorf("pick a free port: %w", err)
	}
	return port, nil
}

// checkPortFree fails with the user-facing advice when port is taken.
func checkPortFree(port int) error {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if errors.Is(err, syscall.EADDRINUSE) {
		return portTakenError(port)
	}
	if err != nil {
		return fmt.Errorf("port %d: %w", port, err)
	}
	return l.Close()
}

// portTakenError is the message for a fixed port someone else holds.
func portTakenError(port int) error {
	return fmt.Errorf("port %d is taken; choose another with --pg-port", port)
}

// isBindFailure reports whether a server log ends in a failure to listen.
func isBindFailure(log string) bool {
	return strings.Contains(log, "Address already in use") ||
		strings.Contains(log, "could not create any TCP/IP sockets")
}
