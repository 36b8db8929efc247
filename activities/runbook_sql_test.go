package activities

import (
	"context"
	"errors"
	"testing"

	"go.temporal.io/sdk/temporal"

	"github.com/dre-dev/dre/internal/warehouse"
)

// openedWarehouses counts the warehouses RunSQL asked for.
type openedWarehouses struct{ opened int }

func (o *openedWarehouses) Get(context.Context, string) (warehouse.Conn, error) {
	o.opened++
	return nil, errors.New("no warehouse in this test")
}

func TestRunSQLRefusesASecondStatementBeforeOpeningTheWarehouse(t *testing.T) {
	whs := &openedWarehouses{}
	r := &Runbooks{Warehouses: whs}
	_, err := r.RunSQL(t.Context(), RunbookSQLInput{Warehouse: "local",
		Statement: "SELECT * FROM public.orders WHERE name = 'x'; DROP TABLE public.orders;--'"})
	var app *temporal.ApplicationError
	var multi *warehouse.MultipleStatementsError
	if !errors.As(err, &app) || !app.NonRetryable() || !errors.As(err, &multi) {
		t.Fatalf("RunSQL of two statements: %v, want a non-retryable MultipleStatementsError", err)
	}
	if whs.opened != 0 {
		t.Errorf("RunSQL opened the warehouse %d times for a refused statement", whs.opened)
	}
}
