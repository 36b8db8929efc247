package localpg

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// initdb initializes the data dir unless it already holds a cluster.
func (s *setup) initdb(ctx context.Context) error {
	if _, err := os.Stat(filepath.Join(s.dataDir, "PG_VERSION")); err == nil {
		return nil
	}
	// PostgreSQL insists that its own user owns the data dir, mode 0700.
	if err := os.Chmod(s.dataDir, 0o700); err != nil {
		return err
	}
	if err := s.runAs.chown(s.dataDir); err != nil {
		return fmt.Errorf("hand the data dir to the %s user: %w", serverUserName, err)
	}
	args := []string{"-D", s.dataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C"}
	if s.opts.Ephemeral {
		args = append(args, "--no-sync")
	}
	cmd := exec.CommandContext(ctx, filepath.Join(s.binDir, "initdb"), args...)
	cmd.Dir = s.dataDir // our own cwd may be closed to the postgres user
	cmd.Env = serverEnv()
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.runAs.credential()}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("initdb %s: %v\n%s", s.dataDir, err, lastLines(string(out), 20))
	}
	return nil
}

// checkPIDFile refuses a data dir served by a live postmaster and removes a
// postmaster.pid left by a killed one. PostgreSQL would itself ignore a
// dead PID, but after a kill -9 the PID is often recycled (containers
// restart with small PIDs), and a recycled PID that the postgres user may
// signal makes it refuse to start.
func checkPIDFile(dataDir string) error {
	path := filepath.Join(dataDir, "postmaster.pid")
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	first, _, _ := strings.Cut(string(b), "\n")
	// A negative PID marks a single-user backend; it locks the dir too.
	pid, err := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(first), "-"))
	if err == nil && pid > 0 && isPostgresProcess(pid) {
		return fmt.Errorf("data dir %s is in use by a running postmaster (PID %d); stop it first", dataDir, pid)
	}
	return os.Remove(path)
}

// openLog returns where the server log goes and how to close it.
func (s *setup) openLog() (io.Writer, func(), error) {
	if s.opts.Log != nil {
		return s.opts.Log, func() {}, nil
	}
	path := filepath.Join(s.dataDir, "postgres.log")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, err
	}
	// Owned like the rest of the data dir so a later non-root run can
	// still append to it.
	if err := s.runAs.chown(path); err != nil {
		return nil, nil, errors.Join(err, f.Close())
	}
	// The server has stopped writing by the time this runs, and a log that
	// fails to close leaves nothing for the caller to do.
	return f, func() { _ = f.Close() }, nil
}

// serverEnv is our environment without PG* variables, which would steer
// initdb and postgres (PGDATA, PGPORT...), and with C messages so that the
// log lines we look for are not translated.
func serverEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") && !strings.HasPrefix(kv, "LC_ALL=") {
			env = append(env, kv)
		}
	}
	return append(env, "LC_ALL=C")
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
