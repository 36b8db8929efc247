package config_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/dre-dev/dre/internal/config"
	"github.com/dre-dev/dre/internal/demo"
)

// This is an external test package: demo's seeding code may import
// config, and an internal test importing demo would then be a cycle.

func TestDemoConfig(t *testing.T) {
	cfg, err := config.Parse("demo/dre.yaml", demo.Config, nil, config.LoadOptions{AllowEmbedded: true})
	if err != nil {
		t.Fatalf("demo config does not parse: %v", err)
	}
	if got := strings.Join(cfg.Catalog.Names(), ","); got != "customers,events,legacy_sessions,orders" {
		t.Fatalf("demo datasets = %s, want customers,events,legacy_sessions,orders", got)
	}
	get := func(name string) string {
		d, err := cfg.Catalog.Lookup(name)
		if err != nil {
			t.Fatalf("Lookup(%s): %v", name, err)
		}
		switch name {
		case "orders":
			return words(d.Table, *d.Partition, d.FreshnessColumn, d.Owner, d.Runbook, len(d.SLOs), d.SLOs[0].Threshold, d.SLOs[1].MinRows)
		case "customers":
			return words(d.Table, d.Partition == nil, d.PII.Columns, d.PII.Approvers, d.Owner.Team)
		case "events":
			return words(d.Table, *d.Partition, d.FreshnessColumn, d.SLOs[0].Kind, d.SLOs[0].Column, d.SLOs[0].MaxNullRate, d.Owner.Team)
		default:
			l := d.Lifecycle
			return words(d.Table, l.DeprecateOn, l.Replacement, l.GracePeriod, l.RemindEvery, l.SoftDeleteRetention, l.FinalAction, l.Approvers, d.Owner.Team)
		}
	}
	tests := []struct{ name, want string }{
		{"orders", "public.orders {order_date day} loaded_at {commerce-data #commerce-data PCOMMERCE} stale-table 2 26h 50"},
		{"customers", "public.customers true map[email:email name:name phone:phone] [U0DEMOOWNER] crm-data"},
		{"events", "public.events {event_date day} event_time completeness customer_id 0.02 product-analytics"},
		{"legacy_sessions", "public.legacy_sessions 2027-02-23 public.events 30d 7d 30d drop [U0DEMOOWNER] product-analytics"},
	}
	for _, tt := range tests {
		if got := get(tt.name); got != tt.want {
			t.Errorf("%s = %s\n want %s", tt.name, got, tt.want)
		}
	}
	if !cfg.Warehouses["local"].Postgres.Embedded || !cfg.State.Embedded {
		t.Error("demo warehouse local and state must be embedded")
	}
}

// words prints values separated by single spaces.
func words(values ...any) string { return strings.TrimSuffix(fmt.Sprintln(values...), "\n") }

// TestDemoOrdersSource pins the rendered orders query to the one-line
// query the demo seeding runs (demo.OrdersPartitionSQL).
func TestDemoOrdersSource(t *testing.T) {
	cfg, err := config.Parse("demo/dre.yaml", demo.Config, nil, config.LoadOptions{AllowEmbedded: true})
	if err != nil {
		t.Fatal(err)
	}
	orders, _ := cfg.Catalog.Lookup("orders")
	got, err := orders.SourceQuery("$1", "$2")
	want := "SELECT order_id, customer_id, amount_cents, status, event_time::date AS order_date, now() AS loaded_at FROM raw.order_events WHERE event_time >= $1 AND event_time < $2"
	if err != nil || got != want {
		t.Errorf("orders source = %q, %v\n want %q", got, err, want)
	}
}

func TestDemoConfigNeedsDreDev(t *testing.T) {
	_, err := config.Parse("demo/dre.yaml", demo.Config, nil, config.LoadOptions{})
	var ps *config.Problems
	if !errors.As(err, &ps) || len(*ps) != 2 {
		t.Fatalf("Parse without AllowEmbedded = %v, want the two embedded problems", err)
	}
	for i, path := range []string{"warehouses.local.postgres.embedded", "state.embedded"} {
		if (*ps)[i].Path != path {
			t.Errorf("problem %d at %s, want %s", i, (*ps)[i].Path, path)
		}
	}
}
