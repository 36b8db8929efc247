package activities_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/localpg/localpgtest"
	"github.com/dre-dev/dre/internal/warehouse"
	"github.com/dre-dev/dre/internal/warehouse/postgres"
)

// weeklyDips has about 1000 rows a day for five weeks, but about 300 on
// every day seven days apart from yesterday, yesterday included: a weekly
// pattern whatever weekday the test runs on. oneDip has the same days but
// only yesterday's dip. A fixed jitter of ±20 rows keeps the days unequal.
const weeklyDips = `
CREATE TABLE public.weekly (id bigint, day date);
INSERT INTO public.weekly
  SELECT i, (now() AT TIME ZONE 'UTC')::date - g
  FROM generate_series(1, 35) g,
       LATERAL generate_series(1, CASE WHEN g % 7 = 1 THEN 300 ELSE 1000 END + (g * 37 % 41) - 20) i;
CREATE TABLE public.onedip (id bigint, day date);
INSERT INTO public.onedip
  SELECT i, (now() AT TIME ZONE 'UTC')::date - g
  FROM generate_series(1, 35) g,
       LATERAL generate_series(1, CASE WHEN g = 1 THEN 300 ELSE 1000 END + (g * 37 % 41) - 20) i;
`

func seasonalityEnv(t *testing.T) *activities.Diagnosis {
	dsn := localpgtest.NewDatabase(t, localpgtest.Start(t))
	pool, err := pgxpool.New(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := pool.Exec(t.Context(), weeklyDips); err != nil {
		t.Fatalf("creating the tables: %v", err)
	}
	reg := warehouse.NewRegistry(map[string]warehouse.Opener{
		"local": func(ctx context.Context) (warehouse.Conn, error) { return postgres.Open(ctx, dsn) },
	})
	t.Cleanup(reg.Close)
	return &activities.Diagnosis{Warehouses: reg}
}

func TestDiagnosisVolumeUsesTheSameWeekdayWhenTheHistoryIsWeekly(t *testing.T) {
	d := seasonalityEnv(t)
	yesterday := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -1).Format(time.RFC3339)
	tests := []struct {
		table    string
		problem  bool
		baseline string
	}{
		{"public.weekly", false, "baseline: the same weekday over the 4 weeks before"},
		{"public.onedip", true, "baseline: all 26 partitions since"},
	}
	for _, tt := range tests {
		t.Run(tt.table, func(t *testing.T) {
			in := activities.DiagnoseInput{Warehouse: "local", Table: tt.table, PartitionColumn: "day", Granularity: catalog.Day}
			f, err := d.DiagnoseVolume(t.Context(), in)
			if err != nil {
				t.Fatal(err)
			}
			if f.Problem != tt.problem || !strings.Contains(f.Summary, tt.baseline) || !strings.Contains(f.Summary, yesterday+" has 3") {
				t.Errorf("volume = problem %v %q, want problem %v naming %s's dip and %q", f.Problem, f.Summary, tt.problem, yesterday, tt.baseline)
			}
			if tt.problem && (len(f.Partitions) != 1 || f.Partitions[0] != yesterday) {
				t.Errorf("partitions = %v, want [%s]", f.Partitions, yesterday)
			}
		})
	}
}
