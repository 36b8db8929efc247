//go:build !nodev

package cli

import (
	"context"
	"fmt"
	"net"
	"strings"
)

// checkPorts fails before anything starts when a fixed port is taken. Each
// part checks its own port again as it binds, but by then the parts started
// before it would have run (and the demo been seeded) for nothing.
func (d *devRun) checkPorts(context.Context) error {
	ports := []struct{ addr, what, flag string }{
		{fmt.Sprintf("127.0.0.1:%d", d.f.temporalPort), "Temporal frontend (gRPC)", "--temporal-port"},
		{fmt.Sprintf("127.0.0.1:%d", d.f.uiPort), "Temporal UI", "--ui-port"},
		{d.gatewayListen(), "gateway", "--http"},
		{fmt.Sprintf("127.0.0.1:%d", d.f.pgPort), "PostgreSQL", "--pg-port"},
	}
	var taken []string
	for _, p := range ports {
		if strings.HasSuffix(p.addr, ":0") || (p.flag == "--ui-port" && d.f.headless) {
			continue
		}
		l, err := net.Listen("tcp", p.addr)
		if err != nil {
			taken = append(taken, fmt.Sprintf("%s port %s is already in use (choose another with %s, or 0 for any free port)", p.what, p.addr, p.flag))
			continue
		}
		_ = l.Close()
	}
	if len(taken) > 0 {
		return fmt.Errorf("%s; is another dre dev or Temporal dev server running?", strings.Join(taken, "; "))
	}
	return nil
}

// gatewayListen is the gateway address: --http, else the config's.
func (d *devRun) gatewayListen() string {
	if d.f.httpListen != "" {
		return d.f.httpListen
	}
	return d.cfg.Gateway.Listen
}
