package gateway

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/alerts"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/workflows"
)

// withLineage maps alerts onto orders and orders_daily, computed from
// orders, and sets grouping by upstream as given.
func withLineage(group bool) func(*Options) {
	return func(o *Options) {
		cat := catalog.New([]catalog.Dataset{
			{Name: "orders", Warehouse: "pg", Table: "sales.orders"},
			{Name: "orders_daily", Warehouse: "pg", Table: "marts.orders_daily", Upstream: []string{"raw.events", "orders"}},
		})
		o.Alerts.Mapper, o.Alerts.GroupByUpstream = alerts.NewMapper(nil, cat), group
	}
}

// answeredIncidents reads which incident each alert of an answer reached.
func answeredIncidents(t *testing.T, body string) []string {
	t.Helper()
	var answer struct{ Alerts []alertOutcome }
	if err := json.Unmarshal([]byte(body), &answer); err != nil {
		t.Fatalf("answer %s: %v", body, err)
	}
	var out []string
	for _, a := range answer.Alerts {
		out = append(out, a.Incident)
	}
	return out
}

// An alert on the upstream opens its incident; one on the downstream then
// joins it, naming the downstream and the upstream as suspected cause,
// and its resolve reaches the same incident.
func TestAlertOnADownstreamJoinsItsUpstreamsIncident(t *testing.T) {
	base, triage := startAlertGateway(t, withLineage(true))
	url := base + "/alerts/alertmanager"
	code, body := postAlert(t, url, testAlertToken, amDelivery("firing", "sales.orders", "up01"))
	if got := answeredIncidents(t, body); code != http.StatusOK || len(got) != 1 || got[0] != workflows.TriageWorkflowID("orders") {
		t.Fatalf("upstream alert: %d %s; want the orders incident", code, body)
	}
	code, body = postAlert(t, url, testAlertToken, amDelivery("firing", "marts.orders_daily", "down01"))
	if got := answeredIncidents(t, body); code != http.StatusOK || len(got) != 1 || got[0] != workflows.TriageWorkflowID("orders") ||
		!strings.Contains(body, alertJoinedUpstream+"orders") {
		t.Fatalf("downstream alert: %d %s; want it joined to the orders incident", code, body)
	}
	if opened, reports, _ := triage.counts(); opened != 1 || reports != 2 {
		t.Fatalf("%d incidents with %d alerts; want one incident listing both", opened, reports)
	}
	if len(triage.reportsOf("orders_daily")) != 0 {
		t.Error("orders_daily got an incident of its own")
	}
	joined := triage.reportsOf("orders")[1]
	if al := joined.Alerts[0]; al.Fingerprint != "down01" || al.Dataset != "orders_daily" || al.SuspectedCause != "orders" ||
		!strings.Contains(joined.Description, "on downstream orders_daily (suspected cause: upstream orders)") {
		t.Errorf("joined report %+v; want the downstream and the suspected cause named", joined)
	}
	_, body = postAlert(t, url, testAlertToken, amDelivery("resolved", "marts.orders_daily", "down01"))
	if got := answeredIncidents(t, body); len(got) != 1 || got[0] != workflows.TriageWorkflowID("orders") {
		t.Errorf("downstream resolve: %s; want it recorded on the orders incident", body)
	}
}

// With group_by_upstream off, or no open upstream incident, the
// downstream opens its own incident; once open, it keeps the downstream's
// alerts even after the upstream's incident opens.
func TestAlertOnADownstreamOpensItsOwnIncidentOtherwise(t *testing.T) {
	for name, group := range map[string]bool{"grouping off": false, "no upstream incident": true} {
		t.Run(name, func(t *testing.T) {
			base, triage := startAlertGateway(t, withLineage(group))
			url := base + "/alerts/alertmanager"
			if !group {
				postAlert(t, url, testAlertToken, amDelivery("firing", "sales.orders", "up01"))
			}
			postAlert(t, url, testAlertToken, amDelivery("firing", "marts.orders_daily", "down00"))
			if group {
				postAlert(t, url, testAlertToken, amDelivery("firing", "sales.orders", "up01"))
			}
			_, body := postAlert(t, url, testAlertToken, amDelivery("firing", "marts.orders_daily", "down01"))
			if got := answeredIncidents(t, body); len(got) != 1 || got[0] != workflows.TriageWorkflowID("orders_daily") || !strings.Contains(body, alertReported) {
				t.Errorf("downstream alert: %s; want its own incident", body)
			}
			if len(triage.reportsOf("orders_daily")) != 2 {
				t.Errorf("orders_daily reports %+v; want both its alerts in its own incident", triage.reportsOf("orders_daily"))
			}
		})
	}
}

// withChain maps alerts onto raw_orders → orders → orders_daily, the last
// naming its upstream by table, and groups by upstream within 2h.
func withChain(o *Options) {
	cat := catalog.New([]catalog.Dataset{
		{Name: "raw_orders", Warehouse: "pg", Table: "raw.orders"},
		{Name: "orders", Warehouse: "pg", Table: "sales.orders", Upstream: []string{"raw_orders"}},
		{Name: "orders_daily", Warehouse: "pg", Table: "marts.orders_daily", Upstream: []string{"sales.orders"}},
	})
	o.Alerts.Mapper, o.Alerts.GroupByUpstream, o.Alerts.GroupWindow = alerts.NewMapper(nil, cat), true, 2*time.Hour
}

// A broken source two steps up gathers its grandchild's alert; an
// incident that opened before the group window does not, and the
// downstream opens its own.
func TestAlertJoinsARecentIncidentAnyDepthUpstream(t *testing.T) {
	base, triage := startAlertGateway(t, withChain)
	url := base + "/alerts/alertmanager"
	postAlert(t, url, testAlertToken, amDelivery("firing", "raw.orders", "raw01"))
	_, body := postAlert(t, url, testAlertToken, amDelivery("firing", "marts.orders_daily", "down01"))
	if got := answeredIncidents(t, body); len(got) != 1 || got[0] != workflows.TriageWorkflowID("raw_orders") {
		t.Fatalf("grandchild alert: %s; want it joined to raw_orders' incident", body)
	}
	if al := triage.reportsOf("raw_orders")[1].Alerts[0]; al.Dataset != "orders_daily" || al.SuspectedCause != "raw_orders" {
		t.Errorf("joined alert %+v; want orders_daily with raw_orders as suspected cause", al)
	}

	triage.age("raw_orders", 3*time.Hour)
	_, body = postAlert(t, url, testAlertToken, amDelivery("firing", "sales.orders", "mid01"))
	if got := answeredIncidents(t, body); len(got) != 1 || got[0] != workflows.TriageWorkflowID("orders") {
		t.Errorf("alert after the window: %s; want orders' own incident", body)
	}
	if opened, _, _ := triage.counts(); opened != 2 {
		t.Errorf("%d incidents; want raw_orders' and orders'", opened)
	}
}
