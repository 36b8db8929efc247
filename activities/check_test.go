package activities

import (
	"context"
	"errors"
	"strings"
	"testing"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/dre-dev/dre/internal/warehouse"
)

// fakeWarehouses serves one warehouse, "local", holding public.orders.
type fakeWarehouses struct{ down error }

func (f fakeWarehouses) Prober(_ context.Context, name string) (warehouse.Prober, error) {
	if name != "local" {
		return nil, &warehouse.UnknownWarehouseError{Name: name, Known: []string{"local"}}
	}
	if f.down != nil {
		return nil, f.down
	}
	return fakeProber{}, nil
}

type fakeProber struct{}

func (fakeProber) ProbeTable(_ context.Context, ref warehouse.TableRef, _ string) (warehouse.TableProbe, error) {
	if ref.String() != "public.orders" {
		return warehouse.TableProbe{}, nil
	}
	return warehouse.TableProbe{Exists: true, Rows: 42}, nil
}

func TestProbeTable(t *testing.T) {
	tests := []struct {
		name          string
		warehouses    fakeWarehouses
		in            ProbeTableInput
		wantRows      int64
		wantErrType   string // "" = success; "retryable" = a plain error
		wantErrSubstr string
	}{
		{"found", fakeWarehouses{}, ProbeTableInput{Warehouse: "local", Table: "public.orders"}, 42, "", ""},
		{"missing table is a finding", fakeWarehouses{}, ProbeTableInput{Warehouse: "local", Table: "public.gone"}, 0, "", ""},
		{"unknown warehouse", fakeWarehouses{}, ProbeTableInput{Warehouse: "lake", Table: "public.orders"}, 0, errUnknownWarehouse, "known warehouses: local"},
		{"bad table name", fakeWarehouses{}, ProbeTableInput{Warehouse: "local", Table: "orders"}, 0, errInvalidInput, "want schema.table"},
		{"warehouse down is retried", fakeWarehouses{down: errors.New("connection refused")}, ProbeTableInput{Warehouse: "local", Table: "public.orders"}, 0, "retryable", "connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s testsuite.WorkflowTestSuite
			env := s.NewTestActivityEnvironment()
			env.RegisterActivity(&Checks{Warehouses: tt.warehouses})
			val, err := env.ExecuteActivity((&Checks{}).ProbeTable, tt.in)
			if tt.wantErrType == "" {
				var got ProbeTableResult
				if err != nil || val.Get(&got) != nil || got.Rows != tt.wantRows || got.ProbedAt.IsZero() {
					t.Fatalf("ProbeTable(%+v) = %+v, %v; want %d rows", tt.in, got, err, tt.wantRows)
				}
				return
			}
			var appErr *temporal.ApplicationError
			if !errors.As(err, &appErr) || appErr.NonRetryable() != (tt.wantErrType != "retryable") {
				t.Fatalf("ProbeTable(%+v) error = %v, want a %s error", tt.in, err, tt.wantErrType)
			}
			if tt.wantErrType != "retryable" && appErr.Type() != tt.wantErrType {
				t.Errorf("error type = %s, want %s", appErr.Type(), tt.wantErrType)
			}
			if !strings.Contains(err.Error(), tt.wantErrSubstr) {
				t.Errorf("error %q lacks %q", err, tt.wantErrSubstr)
			}
		})
	}
}
