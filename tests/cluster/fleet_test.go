package cluster

import (
	"fmt"
	"net/http"
	"os"
	"testing"
	"time"
)

// dreProcessEnv is the environment of a dre process: the CLI's, the
// warehouse DSN, and the switch that makes the test binary act as dre.
func dreProcessEnv(cliEnv map[string]string, warehouseDSN string) []string {
	env := []string{execAsDRE + "=1", "WAREHOUSE_DSN=" + warehouseDSN}
	for k, v := range cliEnv {
		env = append(env, k+"="+v)
	}
	return env
}

// startDreWorkers runs n `dre worker` processes on one task queue, as a
// Deployment with n replicas does; Temporal shares the work among them.
func startDreWorkers(t testing.TB, n int, cliEnv map[string]string, warehouseDSN string) []*process {
	t.Helper()
	workers := make([]*process, n)
	for i := range workers {
		workers[i] = startDreWorker(t, cliEnv, warehouseDSN)
		workers[i].name = fmt.Sprintf("dre worker %d", i+1)
	}
	logOnFailure(t, workers...)
	return workers
}

// dreGateway is a `dre gateway` process and the base URL it serves.
type dreGateway struct {
	*process
	URL string
}

// startDreGateways runs n `dre gateway` processes, each on a port of its
// own (as pods behind a Service), and waits until each is ready.
func startDreGateways(t testing.TB, n int, cliEnv map[string]string, warehouseDSN string) []*dreGateway {
	t.Helper()
	ports := freePorts(t, n)
	gateways := make([]*dreGateway, n)
	for i := range gateways {
		addr := fmt.Sprintf("127.0.0.1:%d", ports[i])
		p := startProcess(t, fmt.Sprintf("dre gateway %d", i+1), dreProcessEnv(cliEnv, warehouseDSN), os.Args[0], "gateway", "--http", addr)
		gateways[i] = &dreGateway{process: p, URL: "http://" + addr}
		logOnFailure(t, p)
	}
	for _, g := range gateways {
		g.waitReady(t)
	}
	return gateways
}

// waitReady polls /readyz, which answers 200 once the gateway reaches
// the Temporal frontend.
func (g *dreGateway) waitReady(t testing.TB) {
	t.Helper()
	hc := &http.Client{Timeout: 2 * time.Second}
	eventually(t, g.name+" ready", time.Minute, func() bool {
		resp, err := hc.Get(g.URL + "/readyz")
		if err != nil {
			return false
		}
		_ = resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
}

// logOnFailure prints the end of each process's output when the test
// fails: the first place to look when a fault test goes wrong.
func logOnFailure(t testing.TB, procs ...*process) {
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		for _, p := range procs {
			t.Logf("%s output (last 3 KB):\n%s", p.name, tail(p.logs.String(), 3000))
		}
	})
}
