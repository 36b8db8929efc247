package devserver

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"syscall"
)

// portSet holds every port the server binds, chosen and checked up front so
// that a taken port is one clear error before anything starts. The UI server
// in particular exits the whole process on a bind error, so it must never be
// the one to find out.
type portSet struct {
	host                   string
	frontend, frontendHTTP int
	ui                     int // 0 when the UI is off
	history, matching, wrk int
	membership             [4]int
}

// reservePorts resolves the fixed ports (checking they are free) and picks
// free ones for everything else.
func reservePorts(frontendAddr, uiAddr string) (portSet, error) {
	host, frontend, err := splitHostPort(frontendAddr, "--temporal-port")
	if err != nil {
		return portSet{}, err
	}
	p := portSet{host: host}
	if p.frontend, err = fixedOrFree(host, frontend, "Temporal frontend (gRPC)", "--temporal-port"); err != nil {
		return portSet{}, err
	}
	if uiAddr != "" {
		_, ui, err := splitHostPort(uiAddr, "--ui-port")
		if err != nil {
			return portSet{}, err
		}
		if p.ui, err = fixedOrFree(host, ui, "Temporal UI", "--ui-port"); err != nil {
			return portSet{}, err
		}
	}
	return p, p.pickInternal()
}

// pickInternal chooses free ports for the frontend's HTTP API and the
// internal services; nobody dials them by number, so any free port will do.
func (p *portSet) pickInternal() error {
	taken := map[int]bool{p.frontend: true, p.ui: true}
	targets := []*int{&p.frontendHTTP, &p.history, &p.matching, &p.wrk,
		&p.membership[0], &p.membership[1], &p.membership[2], &p.membership[3]}
	for _, t := range targets {
		port, err := freePort(p.host, taken)
		if err != nil {
			return err
		}
		*t = port
	}
	return nil
}

func splitHostPort(addr, flag string) (string, int, error) {
	host, portText, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, fmt.Errorf("address %q: want host:port (%s): %w", addr, flag, err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, fmt.Errorf("address %q: port must be 0-65535 (%s)", addr, flag)
	}
	return host, port, nil
}

// fixedOrFree checks that a requested port can be bound, or picks one when
// the request is 0.
func fixedOrFree(host string, port int, what, flag string) (int, error) {
	if port == 0 {
		return freePort(host, nil)
	}
	l, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return 0, fmt.Errorf("%s port %s:%d is already in use (is another `dre dev` or `temporal server start-dev` running?); stop it or choose another port with %s", what, host, port, flag)
		}
		return 0, fmt.Errorf("%s port %s:%d cannot be used: %w", what, host, port, err)
	}
	return port, l.Close()
}

// freePort asks the kernel for an unused port, skipping ones already handed out.
func freePort(host string, taken map[int]bool) (int, error) {
	for range 20 {
		l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
		if err != nil {
			return 0, fmt.Errorf("finding a free port on %s: %w", host, err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		if err := l.Close(); err != nil {
			return 0, err
		}
		if !taken[port] {
			if taken != nil {
				taken[port] = true
			}
			return port, nil
		}
	}
	return 0, fmt.Errorf("no free port found on %s", host)
}
