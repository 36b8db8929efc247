package cluster

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/dre-dev/dre/internal/localpg"
)

// historyShards is the production-like shard count the issue asks for;
// enough for work to spread over shards, few enough to start quickly.
const historyShards = 8

// services are Temporal's four services, each run as its own process.
var services = []string{"frontend", "history", "matching", "worker"}

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// temporalBinaries builds the server and its SQL schema tool from the
// pinned go.temporal.io/server module (go.mod's tool directives), once
// per test binary; Go's build cache makes later runs quick.
func temporalBinaries(t testing.TB) (server, sqlTool string) {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "dre-cluster-bin-")
		if buildErr != nil {
			return
		}
		// The default build settings, as for dre's own tests: the server's
		// packages then come from the build cache those tests filled. Its
		// Makefile's CGO_ENABLED=0 and disable_grpc_modules would rebuild
		// them all (a quarter of an hour on two cores).
		for _, b := range []struct{ out, pkg string }{
			{"temporal-server", "go.temporal.io/server/cmd/server"},
			{"temporal-sql-tool", "go.temporal.io/server/cmd/tools/sql"},
		} {
			cmd := exec.Command("go", "build", "-o", filepath.Join(binDir, b.out), b.pkg)
			cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local")
			if out, err := cmd.CombinedOutput(); err != nil {
				buildErr = fmt.Errorf("go build %s: %v\n%s", b.pkg, err, out)
				return
			}
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return filepath.Join(binDir, "temporal-server"), filepath.Join(binDir, "temporal-sql-tool")
}

// temporalCluster is the four services on one PostgreSQL cluster.
type temporalCluster struct {
	Frontend string // host:port of the frontend's gRPC API
	procs    map[string]*process
	restarts map[string]int
}

// startTemporalCluster creates the persistence and visibility databases
// with Temporal's own schema tool, then starts each service as a process.
func startTemporalCluster(t testing.TB, pg *localpg.Cluster) *temporalCluster {
	t.Helper()
	server, sqlTool := temporalBinaries(t)
	for _, db := range []struct{ name, schema string }{{"temporal", "temporal"}, {"temporal_visibility", "visibility"}} {
		setupSchema(t, sqlTool, pg, db.name, db.schema)
	}
	dir := t.TempDir()
	ports := freePorts(t, 2*len(services)+1)
	cfg := filepath.Join(dir, "temporal.yaml")
	if err := os.WriteFile(cfg, []byte(serverConfig(pg.Port(), ports, filepath.Join(dir, "dynamic.yaml"))), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "dynamic.yaml"), []byte(dynamicConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	c := &temporalCluster{Frontend: fmt.Sprintf("127.0.0.1:%d", ports[0]), procs: map[string]*process{}, restarts: map[string]int{}}
	for _, svc := range services {
		c.procs[svc] = startProcess(t, "temporal "+svc, nil, server, "--config-file", cfg, "--allow-no-auth", "start", "--service="+svc)
	}
	t.Cleanup(func() {
		if t.Failed() {
			for _, svc := range services {
				t.Logf("temporal %s output (last 3 KB):\n%s", svc, tail(c.procs[svc].logs.String(), 3000))
			}
		}
	})
	c.waitReady(t)
	return c
}

// setupSchema runs create-database, setup-schema and update-schema, as
// Temporal's documentation has operators do.
func setupSchema(t testing.TB, sqlTool string, pg *localpg.Cluster, db, schema string) {
	t.Helper()
	common := []string{"--plugin", "postgres12", "--ep", "127.0.0.1", "-p", fmt.Sprint(pg.Port()), "-u", "postgres", "--db", db}
	for _, step := range [][]string{
		{"create-database"},
		{"setup-schema", "-v", "0.0"},
		{"update-schema", "--schema-name", "postgresql/v12/" + schema},
	} {
		out, err := exec.Command(sqlTool, append(common, step...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("temporal-sql-tool %s on %s: %v\n%s", step[0], db, err, out)
		}
	}
}

// waitReady polls the frontend until the system namespace answers: the
// services find each other through the membership table, which takes a
// few seconds that vary with the machine.
func (c *temporalCluster) waitReady(t testing.TB) {
	t.Helper()
	eventually(t, "the Temporal frontend answers", 3*time.Minute, func() bool {
		c.restartExited(t)
		cl, err := client.Dial(client.Options{HostPort: c.Frontend, Namespace: "temporal-system", Logger: quiet{}})
		if err != nil {
			return false
		}
		defer cl.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, err = cl.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: "temporal-system"})
		return err == nil
	})
}

// maxStartRestarts bounds how often one service is restarted while the
// cluster starts or a fault test supervises it.
const maxStartRestarts = 5

// restartExited starts again any service that exited, as a process
// supervisor (Kubernetes, systemd) does in production: services starting
// together on a fresh database race to write the cluster metadata, and
// the loser exits ("failed to initialize current cluster metadata").
func (c *temporalCluster) restartExited(t testing.TB) {
	t.Helper()
	for _, svc := range services {
		p := c.procs[svc]
		select {
		case err := <-p.exited:
			c.restarts[svc]++
			if c.restarts[svc] > maxStartRestarts {
				t.Fatalf("temporal %s exited %d times while starting (last: %v)\n%s", svc, c.restarts[svc], err, tail(p.logs.String(), 3000))
			}
			t.Logf("temporal %s exited (%v); restarting it", svc, err)
			p.restart(t)
		default:
		}
	}
}

// superviseServices restarts any service that exited, as Kubernetes or
// systemd would, and logs it: a fault test then shows which faults a
// service does not survive on its own.
func (c *temporalCluster) superviseServices(t testing.TB) {
	t.Helper()
	c.restartExited(t)
}

// serverConfig is a production-shaped static config: PostgreSQL for
// persistence and for advanced visibility, services on their own ports.
func serverConfig(pgPort int, ports []int, dynamic string) string {
	store := func(db string, conns int) string {
		return fmt.Sprintf(`      sql:
        pluginName: postgres12
        databaseName: %s
        connectAddr: "127.0.0.1:%d"
        connectProtocol: tcp
        user: postgres
        password: ""
        maxConns: %d
        maxIdleConns: %d
        maxConnLifetime: 1h
`, db, pgPort, conns, conns)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `log:
  stdout: true
  level: warn
persistence:
  defaultStore: default
  visibilityStore: visibility
  numHistoryShards: %d
  datastores:
    default:
%s    visibility:
%sglobal:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "127.0.0.1"
services:
`, historyShards, store("temporal", 10), store("temporal_visibility", 4))
	for i, svc := range services {
		fmt.Fprintf(&b, "  %s:\n    rpc:\n      grpcPort: %d\n      membershipPort: %d\n      bindOnLocalHost: true\n", svc, ports[2*i], ports[2*i+1])
		if svc == "frontend" {
			fmt.Fprintf(&b, "      httpPort: %d\n", ports[len(ports)-1])
		}
	}
	fmt.Fprintf(&b, `clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: "127.0.0.1:%d"
dcRedirectionPolicy:
  policy: noop
dynamicConfigClient:
  filepath: %s
  pollInterval: 10s
`, ports[0], dynamic)
	return b.String()
}

// dynamicConfig makes new search attributes visible at once instead of
// after the cache refresh, as tests need right after dre admin setup.
const dynamicConfig = `system.forceSearchAttributesCacheRefreshOnRead:
  - value: true
    constraints: {}
`

// freePorts finds n distinct free TCP ports on 127.0.0.1 below 32768:
// Temporal keeps each service's port in a smallint column of its
// cluster_membership table, so the kernel's ephemeral ports (32768 and
// up) make every service exit at start.
func freePorts(t testing.TB, n int) []int {
	t.Helper()
	var ports []int
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			_ = l.Close()
		}
	}()
	for port := 20000 + rand.IntN(10000); len(ports) < n && port < 32768; port++ {
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			continue // taken
		}
		ls = append(ls, l)
		ports = append(ports, port)
	}
	if len(ports) < n {
		t.Fatalf("found only %d free ports below 32768, want %d", len(ports), n)
	}
	return ports
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}

// quiet drops the SDK client's logs while the frontend starts.
type quiet struct{}

func (quiet) Debug(string, ...any) {}
func (quiet) Info(string, ...any)  {}
func (quiet) Warn(string, ...any)  {}
func (quiet) Error(string, ...any) {}
