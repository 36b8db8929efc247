package deploy

import (
	"context"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/cli"
	"github.com/dre-dev/dre/internal/gateway"
	"github.com/dre-dev/dre/internal/telemetry"
)

// cliAccepts fails unless args name a real dre subcommand whose flags
// and argument count parse, exactly as `dre args...` would.
func cliAccepts(t *testing.T, where string, args []string) {
	t.Helper()
	root := cli.NewRootCommand(&cli.Options{Env: func(string) (string, bool) { return "", false }})
	cmd, rest, err := root.Find(args)
	if err != nil || cmd == root {
		t.Errorf("%s: %q is not a dre subcommand: %v", where, args, err)
		return
	}
	if err := cmd.ParseFlags(rest); err != nil {
		t.Errorf("%s: dre %s rejects its flags %q: %v", where, cmd.Name(), rest, err)
		return
	}
	if err := cmd.ValidateArgs(cmd.Flags().Args()); err != nil {
		t.Errorf("%s: dre %s rejects its arguments: %v", where, cmd.Name(), err)
	}
}

// flagValue returns the value after --name in args, or "".
func flagValue(args []string, name string) string {
	for i, a := range args {
		if a == "--"+name && i+1 < len(args) {
			return args[i+1]
		}
		if v, ok := strings.CutPrefix(a, "--"+name+"="); ok {
			return v
		}
	}
	return ""
}

func TestContainerArgsAreRealCommandsAndFlags(t *testing.T) {
	for component, d := range loadBase(t).deployments {
		for _, c := range d.Spec.Template.Spec.Containers {
			if len(c.Command) > 0 {
				t.Errorf("%s: command %q overrides the image's entrypoint (dre); use args", component, c.Command)
			}
			if len(c.Args) == 0 || c.Args[0] != component {
				t.Errorf("%s: args %q do not run dre %s", component, c.Args, component)
			}
			cliAccepts(t, component, c.Args)
		}
	}
}

// listenFlags name the flag that sets each process's HTTP address, and
// what serves its probes.
var listenFlags = map[string]string{"worker": "metrics", "gateway": "http"}

func TestPortsAndProbesMatchTheProcesses(t *testing.T) {
	for component, d := range loadBase(t).deployments {
		c := d.Spec.Template.Spec.Containers[0]
		_, port, err := net.SplitHostPort(flagValue(c.Args, listenFlags[component]))
		if err != nil {
			t.Fatalf("%s: --%s: %v", component, listenFlags[component], err)
		}
		ports := map[string]int{}
		for _, p := range c.Ports {
			ports[p.Name] = p.ContainerPort
		}
		for _, pr := range []*probe{c.ReadinessProbe, c.LivenessProbe} {
			if strconv.Itoa(ports[pr.HTTPGet.Port]) != port {
				t.Errorf("%s: probe port %q is %d, but dre listens on %s", component, pr.HTTPGet.Port, ports[pr.HTTPGet.Port], port)
			}
			if status := serves(t, component, pr.HTTPGet.Path); status != http.StatusOK {
				t.Errorf("%s: probe path %s answers %d, want 200", component, pr.HTTPGet.Path, status)
			}
		}
		ann := d.Spec.Template.Metadata.Annotations
		if ann["prometheus.io/port"] != port || serves(t, component, ann["prometheus.io/path"]) != http.StatusOK {
			t.Errorf("%s: scrape annotations %v do not match /metrics on port %s", component, ann, port)
		}
	}
}

// serves starts what answers the component's HTTP port, as dre runs it,
// and returns the status of GET path.
func serves(t *testing.T, component, path string) int {
	t.Helper()
	m, err := telemetry.NewMetrics()
	if err != nil {
		t.Fatal(err)
	}
	var addr string
	var stop func(context.Context) error
	switch component {
	case "worker":
		s, err := telemetry.Serve("127.0.0.1:0", m.HTTPHandler(), func() error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		addr, stop = s.Addr(), s.Shutdown
	case "gateway":
		s, err := gateway.Start(gateway.Options{Listen: "127.0.0.1:0", Metrics: m.HTTPHandler(), Recorder: m.Handler()})
		if err != nil {
			t.Fatal(err)
		}
		addr, stop = s.Addr(), s.Shutdown
	}
	defer stop(context.Background())
	resp, err := http.Get("http://" + addr + path)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestWorkerGracePeriodOutlastsItsDrain(t *testing.T) {
	w := loadBase(t).deployments["worker"]
	stop, err := time.ParseDuration(flagValue(w.Spec.Template.Spec.Containers[0].Args, "stop-timeout"))
	if err != nil {
		t.Fatalf("worker --stop-timeout: %v", err)
	}
	grace := time.Duration(w.Spec.Template.Spec.TerminationGracePeriodSeconds) * time.Second
	if grace < stop+5*time.Second {
		t.Errorf("terminationGracePeriodSeconds %s leaves under 5s over --stop-timeout %s: the kubelet would SIGKILL a draining worker", grace, stop)
	}
}
