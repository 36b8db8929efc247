package catalog

import (
	"strings"
	"testing"
	"time"
)

// validDataset mirrors the orders dataset of the dre.yaml example.
func validDataset() Dataset {
	return Dataset{
		Name:            "orders",
		Warehouse:       "local",
		Table:           "public.orders",
		Owner:           Owner{Team: "commerce-data", SlackChannel: "#commerce-data"},
		Partition:       &Partition{Column: "order_date", Granularity: Day},
		FreshnessColumn: "loaded_at",
		Source:          &Source{Select: "SELECT 1 FROM raw.e WHERE t >= {{ .From }} AND t < {{ .To }}"},
		SLOs: []SLO{
			{Name: "orders-fresh", Kind: Freshness, Threshold: dur("26h"), Objective: 0.99, Window: dur("28d"), Interval: dur("10m")},
			{Name: "orders-volume", Kind: Volume, MinRows: 50, MaxRows: 100000, Objective: 0.99, Window: dur("28d"), Interval: dur("1h")},
			{Name: "orders-complete", Kind: Completeness, Column: "customer_id", MaxNullRate: 0.01, Objective: 0.995, Window: dur("28d"), Interval: dur("1h")},
			{Name: "custom-one", Kind: Custom, SQL: "SELECT 1 AS good, 1 AS total", Objective: 0.999, Window: dur("28d"), Interval: dur("1h")},
			{Name: "orders-paid", Kind: Ratio, Objective: 0.99, Window: dur("28d"), Interval: dur("1h"),
				Good:  "SELECT COUNT(*) FROM public.orders WHERE paid AND loaded_at >= {{ .From }} AND loaded_at < {{ .To }}",
				Total: "SELECT COUNT(*) FROM public.orders WHERE loaded_at >= {{ .From }} AND loaded_at < {{ .To }}"},
		},
		PII: PII{Columns: map[string]PIIKind{"email": PIIEmail}, Approvers: []string{"U0DEMOOWNER"}},
		Lifecycle: &Lifecycle{
			DeprecateOn: Date{2027, time.March, 1}, Replacement: "public.orders_v2",
			GracePeriod: dur("30d"), RemindEvery: dur("7d"), SoftDeleteRetention: dur("30d"),
			Brownouts:   []Brownout{{Start: time.Date(2027, 2, 15, 14, 0, 0, 0, time.UTC), Duration: dur("2h")}},
			FinalAction: FinalDrop,
		},
	}
}

func dur(s string) Duration {
	d, err := ParseDuration(s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Dataset)
		want   []string // "path: message fragment", in order
	}{
		{"valid", func(*Dataset) {}, nil},
		{"minimal", func(d *Dataset) { *d = Dataset{Name: "x", Warehouse: "local", Table: "s.t"} }, nil},
		{"bad name", func(d *Dataset) { d.Name = "Orders" }, []string{"name: must be a lowercase identifier"}},
		{"no name", func(d *Dataset) { d.Name = "" }, []string{"name: name is required"}},
		{"no warehouse", func(d *Dataset) { d.Warehouse = "" }, []string{"warehouse: warehouse is required; configured warehouses: local, lake"}},
		{"unknown warehouse", func(d *Dataset) { d.Warehouse = "lcoal" }, []string{`warehouse: unknown warehouse "lcoal"; did you mean "local"? configured warehouses: local, lake`}},
		{"no table", func(d *Dataset) { d.Table = "" }, []string{"table: table is required"}},
		{"table without schema", func(d *Dataset) { d.Table = "orders" }, []string{`table: table "orders" must be schema.table`}},
		{"table injection", func(d *Dataset) { d.Table = "public.orders; DROP" }, []string{"table: must be schema.table"}},
		{"partition", func(d *Dataset) { d.Partition = &Partition{Granularity: "week"} }, []string{
			"partition.column: partition.column is required",
			`partition.granularity: granularity "week" is not valid; want one of "hour", "day", "month"`}},
		{"freshness column", func(d *Dataset) { d.FreshnessColumn = "loaded at" }, []string{`freshness_column: column "loaded at"`}},
		{"source both", func(d *Dataset) { d.Source.Table = "raw.x" }, []string{"source: set either source.select or source.table, not both"}},
		{"source neither", func(d *Dataset) { d.Source = &Source{Select: "  "} }, []string{"source: source needs select"}},
		{"source template", func(d *Dataset) { d.Source.Select = "SELECT {{ .Since }}" }, []string{"source.select: template may only use"}},
		{"source table unpartitioned", func(d *Dataset) { d.Source = &Source{Table: "raw.x"}; d.Partition = nil }, []string{"source.table: copying from a table needs partition.column"}},
		{"slo duplicate", func(d *Dataset) { d.SLOs[1].Name = "orders-fresh" }, []string{`slos[1].name: duplicate SLO name "orders-fresh" (also slos[0])`}},
		{"slo kind", func(d *Dataset) { d.SLOs[3].Kind = "latency" }, []string{`slos[3].kind: SLO kind "latency" is not valid; want one of "freshness", "volume", "completeness", "custom", "ratio"`}},
		{"slo objective", func(d *Dataset) { d.SLOs[0].Objective = 1 }, []string{"slos[0].objective: objective must be between 0 and 1"}},
		{"slo window", func(d *Dataset) { d.SLOs[0].Window = dur("5m") }, []string{"slos[0].window: window (5m) must be at least interval (10m)"}},
		{"slo schedule", func(d *Dataset) { d.SLOs[0].Window, d.SLOs[0].Interval = Duration{}, Duration{} }, []string{
			"slos[0].interval: interval must be positive", "slos[0].window: window must be positive"}},
		{"freshness", func(d *Dataset) { d.SLOs[0].Threshold = Duration{}; d.FreshnessColumn = "" }, []string{
			"slos[0].threshold: freshness SLO needs a positive threshold", "slos[0].kind: freshness SLO needs freshness_column"}},
		{"volume none", func(d *Dataset) { d.SLOs[1].MinRows, d.SLOs[1].MaxRows = 0, 0 }, []string{"slos[1].min_rows: volume SLO needs min_rows or max_rows"}},
		{"volume order", func(d *Dataset) { d.SLOs[1].MinRows = 200000 }, []string{"slos[1].max_rows: max_rows (100000) must be at least min_rows (200000)"}},
		{"volume negative", func(d *Dataset) { d.SLOs[1].MinRows = -1 }, []string{"slos[1].min_rows: min_rows must not be negative"}},
		{"completeness", func(d *Dataset) { d.SLOs[2].Column = ""; d.SLOs[2].MaxNullRate = 1.5 }, []string{
			"slos[2].column: completeness SLO needs column", "slos[2].max_null_rate: max_null_rate must be between 0 and 1, got 1.5"}},
		{"custom", func(d *Dataset) { d.SLOs[3].SQL = "" }, []string{"slos[3].sql: custom SLO needs sql"}},
		{"ratio missing", func(d *Dataset) { d.SLOs[4].Good, d.SLOs[4].Total = "", " " }, []string{
			"slos[4].good: ratio SLO needs good: a SELECT returning one number", "slos[4].total: ratio SLO needs total"}},
		{"ratio statements", func(d *Dataset) { d.SLOs[4].Total = "SELECT 1; DROP TABLE public.orders" }, []string{"slos[4].total: the SQL holds more than one statement"}},
		{"ratio template", func(d *Dataset) { d.SLOs[4].Good = "SELECT 1\nWHERE {{ .Table }}" }, []string{"slos[4].good: template may only use {{ .From }} and {{ .To }}, found {{.Table}} on line 2"}},
		{"ratio fields elsewhere", func(d *Dataset) { d.SLOs[3].Good = "SELECT 1" }, []string{"slos[3].good: good applies only to ratio SLOs, not custom"}},
		{"field of other kind", func(d *Dataset) { d.SLOs[3].Threshold = dur("1h") }, []string{"slos[3].threshold: threshold applies only to freshness SLOs, not custom"}},
		{"pii kind", func(d *Dataset) { d.PII.Columns = map[string]PIIKind{"ssn": "ssn", "mail": PIIEmail} }, []string{`pii.columns.ssn: PII kind "ssn" is not valid`}},
		{"pii approver", func(d *Dataset) { d.PII.Approvers = []string{" "} }, []string{"pii.approvers[0]: approver is empty"}},
		{"lifecycle", func(d *Dataset) {
			l := d.Lifecycle
			l.DeprecateOn, l.GracePeriod, l.SoftDeleteRetention, l.FinalAction = Date{}, dur("-1d"), dur("-2d"), "truncate"
			l.Brownouts = []Brownout{{Duration: Duration{}}}
		}, []string{
			"lifecycle.deprecate_on: lifecycle.deprecate_on is required",
			"lifecycle.grace_period: grace_period must not be negative, got -1d",
			"lifecycle.soft_delete_retention: soft_delete_retention must not be negative, got -2d",
			"lifecycle.brownouts[0].start: brownout start is required",
			"lifecycle.brownouts[0].duration: brownout duration must be positive, got 0s",
			`lifecycle.final_action: final_action "truncate" is not valid; want one of "drop", "archive"`}},
		{"access standing", func(d *Dataset) {
			d.Access = Access{Standing: []StandingGrant{{Principal: "bi"}, {Privilege: "SELECT; DROP", Column: "a b"}}}
		}, []string{
			"access.standing[1].principal: principal is required",
			`access.standing[1].privilege: privilege "SELECT; DROP" is not valid`,
			`access.standing[1].column: `}},
		{"lifecycle replacement", func(d *Dataset) { d.Lifecycle.Replacement = "orders_v2" }, []string{"lifecycle.replacement: lifecycle.replacement \"orders_v2\" must be schema.table"}},
	}
	for _, tt := range tests {
		d := validDataset()
		tt.mutate(&d)
		checkProblems(t, tt.name, d.Validate([]string{"local", "lake"}), tt.want)
	}
}

func TestValidateNoWarehouses(t *testing.T) {
	got := Dataset{Name: "x", Warehouse: "local", Table: "s.t"}.Validate(nil)
	checkProblems(t, "no warehouses", got, []string{`warehouse: unknown warehouse "local"; none are configured; add one under warehouses: in dre.yaml`})
}

func TestValidateAll(t *testing.T) {
	ds := []Dataset{validDataset(), {Name: "events", Warehouse: "local", Table: "public.events"}, validDataset(), {Warehouse: "local", Table: "x"}}
	checkProblems(t, "ValidateAll", ValidateAll(ds, []string{"local"}), []string{
		`datasets[2].name: duplicate dataset name "orders" (also datasets[0])`,
		"datasets[3].name: name is required",
		`datasets[3].table: table "x" must be schema.table`,
	})
}

// checkProblems requires got to match want one to one and in order; each
// want is "path: fragment", and the problem's message must hold fragment.
func checkProblems(t *testing.T, name string, got []Problem, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: got %d problems, want %d:\n%s", name, len(got), len(want), problemList(got))
		return
	}
	for i, p := range got {
		path, fragment, _ := strings.Cut(want[i], ": ")
		if p.Path != path || !strings.Contains(p.Message, fragment) {
			t.Errorf("%s: problem %d = %q, want path %q and a message containing %q", name, i, p, path, fragment)
		}
	}
}

func problemList(ps []Problem) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString("  " + p.String() + "\n")
	}
	return b.String()
}
