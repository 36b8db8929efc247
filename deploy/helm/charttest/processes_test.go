package charttest

import (
	"fmt"
	"net"
	"strings"
	"testing"
)

// The probe paths dre serves on the worker's --metrics and the gateway's
// --http address; tests/deploy proves them against the running handlers
// through the base, which TestProbePathsAreTheBases ties to these.
var probePaths = map[string]string{"readinessProbe": "/readyz", "livenessProbe": "/healthz"}

// listenFlag names the flag that sets each process's HTTP address.
var listenFlag = map[string]string{"worker": "metrics", "gateway": "http"}

// nonDefaultPorts moves every port and the drain off their defaults, so
// that a template hard-coding a number fails the checks below.
var nonDefaultPorts = map[string]any{
	"worker":  map[string]any{"metricsPort": 9191, "stopTimeoutSeconds": 40, "terminationGracePeriodSeconds": 50},
	"gateway": map[string]any{"port": 8181, "service": map[string]any{"type": "ClusterIP", "port": 8081}},
}

func TestPortsProbesAndConfigFollowTheValues(t *testing.T) {
	m := mustRender(t, nonDefaultPorts)
	want := map[string]string{"worker": "9191", "gateway": "8181"}
	for component, port := range want {
		c := container(t, m.deployment(t, component))
		if args, _ := c["args"].([]any); len(args) == 0 || args[0] != component {
			t.Errorf("%s: args %v do not run dre %s", component, c["args"], component)
		}
		addr := flagValue(c, listenFlag[component])
		if _, p, err := net.SplitHostPort(addr); err != nil || p != port {
			t.Errorf("%s: --%s %q; want port %s", component, listenFlag[component], addr, port)
		}
		named := map[any]string{}
		for _, p := range c["ports"].([]any) {
			named[get(p, "name")] = fmt.Sprint(get(p, "containerPort"))
		}
		for probe, path := range probePaths {
			if got := named[get(c, probe, "httpGet", "port")]; got != port {
				t.Errorf("%s: %s is on container port %s; dre listens on %s", component, probe, got, port)
			}
			if got := get(c, probe, "httpGet", "path"); got != path {
				t.Errorf("%s: %s path %v; dre serves %s", component, probe, got, path)
			}
		}
		if got := get(m.deployment(t, component), "spec", "template", "metadata", "annotations", "prometheus.io/port"); got != port {
			t.Errorf("%s: scrape port %v; want %s", component, got, port)
		}
	}
	if got := flagValue(container(t, m.deployment(t, "worker")), "stop-timeout"); got != "40s" {
		t.Errorf("worker --stop-timeout %q; want 40s", got)
	}
	if got := get(m.deployment(t, "worker"), "spec", "template", "spec", "terminationGracePeriodSeconds"); got != float64(50) {
		t.Errorf("worker terminationGracePeriodSeconds %v; want 50", got)
	}
	cfg := renderedConfig(t, m)
	if get(cfg, "worker", "metrics_listen") != "0.0.0.0:9191" || get(cfg, "gateway", "listen") != "0.0.0.0:8181" || get(cfg, "worker", "stop_timeout") != "40s" {
		t.Errorf("dre.yaml disagrees with the flags: worker %v, gateway %v", get(cfg, "worker"), get(cfg, "gateway"))
	}
	if got := get(m["Service/dre-gateway"], "spec", "ports"); fmt.Sprint(got) != "[map[name:http port:8081 protocol:TCP targetPort:http]]" {
		t.Errorf("gateway Service ports %v; want 8081 to the named http port", got)
	}
}

// TestProbePathsAreTheBases ties probePaths to the base, whose paths
// tests/deploy requests from dre's own handlers.
func TestProbePathsAreTheBases(t *testing.T) {
	base := loadBase(t)
	for component := range listenFlag {
		c := container(t, base.deployment(t, component))
		for probe, path := range probePaths {
			if got := get(c, probe, "httpGet", "path"); got != path {
				t.Errorf("base %s %s is %v, this test expects %s: update probePaths", component, probe, got, path)
			}
		}
		if flagValue(c, listenFlag[component]) == "" {
			t.Errorf("base %s does not set --%s", component, listenFlag[component])
		}
	}
}

func TestWorkerGraceMustOutlastItsDrain(t *testing.T) {
	_, err := render(map[string]any{"worker": map[string]any{"stopTimeoutSeconds": 30, "terminationGracePeriodSeconds": 34}})
	if err == nil || !strings.Contains(err.Error(), "SIGKILL") {
		t.Errorf("a 34 s grace for a 30 s drain rendered (err %v); want it refused", err)
	}
	if _, err := render(map[string]any{"worker": map[string]any{"stopTimeoutSeconds": 30, "terminationGracePeriodSeconds": 35}}); err != nil {
		t.Errorf("a 35 s grace for a 30 s drain: %v", err)
	}
}

func TestAutoscalerAndBudgetsSelectTheirPods(t *testing.T) {
	m := mustRender(t, nil)
	hpa := m["HorizontalPodAutoscaler/dre-worker"]
	if get(hpa, "spec", "scaleTargetRef", "name") != "dre-worker" || get(hpa, "spec", "scaleTargetRef", "kind") != "Deployment" {
		t.Errorf("HPA targets %v; want Deployment dre-worker", get(hpa, "spec", "scaleTargetRef"))
	}
	if r := get(m.deployment(t, "worker"), "spec", "replicas"); r != nil {
		t.Errorf("worker replicas %v set while the HPA owns them: every upgrade would reset the scale", r)
	}
	for _, component := range []string{"worker", "gateway"} {
		pods := get(m.deployment(t, component), "spec", "template", "metadata", "labels")
		other := get(m.deployment(t, map[string]string{"worker": "gateway", "gateway": "worker"}[component]), "spec", "template", "metadata", "labels")
		sels := map[string]any{
			"Deployment": get(m.deployment(t, component), "spec", "selector", "matchLabels"),
			"PDB":        get(m["PodDisruptionBudget/dre-"+component], "spec", "selector", "matchLabels"),
		}
		if component == "gateway" {
			sels["Service"] = get(m["Service/dre-gateway"], "spec", "selector")
		}
		for kind, sel := range sels {
			if !selects(sel, pods) || selects(sel, other) {
				t.Errorf("%s %s selector %v: must select its pods %v and not %v", component, kind, sel, pods, other)
			}
		}
	}
	off := mustRender(t, map[string]any{"worker": map[string]any{"autoscaling": map[string]any{"enabled": false}, "replicas": 3}})
	if off["HorizontalPodAutoscaler/dre-worker"] != nil || get(off.deployment(t, "worker"), "spec", "replicas") != float64(3) {
		t.Error("with autoscaling off the chart must render no HPA and the worker's replicas")
	}
}

// selects reports whether every label of sel is on the pod.
func selects(sel, pod any) bool {
	s, _ := sel.(map[string]any)
	p, _ := pod.(map[string]any)
	for k, v := range s {
		if p[k] != v {
			return false
		}
	}
	return len(s) > 0
}

// flagValue returns the value after --name in a container's args.
func flagValue(c object, name string) string {
	args, _ := c["args"].([]any)
	for i, a := range args {
		if a == "--"+name && i+1 < len(args) {
			return fmt.Sprint(args[i+1])
		}
	}
	return ""
}
