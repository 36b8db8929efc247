package localpg

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// readPortFile returns the port a previous start recorded in path, or 0
// when there is no such file. A file that holds anything but a port is an
// error rather than a reason to pick another port silently.
func readPortFile(path string) (int, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("reading the remembered PostgreSQL port: %w", err)
	}
	port, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || port < 1 || port > 65535 {
		return 0, fmt.Errorf("%s holds %q, not a TCP port; delete it to pick a new port", path, strings.TrimSpace(string(b)))
	}
	return port, nil
}

// writePortFile records port in path, through a rename so that a crash
// leaves the old file or the new one, never half of one.
func writePortFile(path string, port int) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("remembering the PostgreSQL port: %w", err)
	}
	_, werr := fmt.Fprintf(tmp, "%d\n", port)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		return fmt.Errorf("remembering the PostgreSQL port: %w", errors.Join(err, os.Remove(tmp.Name())))
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return errors.Join(err, os.Remove(tmp.Name()))
	}
	return os.Rename(tmp.Name(), path)
}

// rememberedPort is the port to try first: the recorded one, unless a fixed
// port was asked for or the recorded one was tried already.
func (s *setup) rememberedPort() int {
	if s.opts.Port != 0 || s.triedRemembered {
		return 0
	}
	s.triedRemembered = true
	return s.remembered
}

// keepOrStop records the port of the started c, stopping c when it cannot:
// the next start would silently move to another port.
func (s *setup) keepOrStop(c *Cluster) error {
	if err := s.keepPort(c); err != nil {
		_ = c.Stop()
		return err
	}
	return nil
}

// keepPort records the port c listens on, and notes when it is not the one
// recorded before.
func (s *setup) keepPort(c *Cluster) error {
	if s.opts.PortFile == "" {
		return nil
	}
	if s.remembered != 0 && c.port != s.remembered {
		c.movedFrom = s.remembered
	}
	return writePortFile(s.opts.PortFile, c.port)
}
