package warehousetest

import (
	"fmt"
	"math"
	"time"
)

// ordersColumns is the table most subtests use: one column of every
// portable type, some of them nullable.
var ordersColumns = []ColumnSpec{
	{Name: "id", Type: Int64},
	{Name: "day", Type: Date},
	{Name: "customer", Type: String, Nullable: true},
	{Name: "email", Type: String, Nullable: true},
	{Name: "amount", Type: Float64, Nullable: true},
	{Name: "paid", Type: Bool, Nullable: true},
	{Name: "created_at", Type: Timestamp, Nullable: true},
}

// Column positions in ordersColumns, for reading generated rows.
const (
	colID = iota
	colDay
	colCustomer
	colEmail
	colAmount
)

// day returns midnight UTC of January d, 2026.
func day(d int) time.Time { return time.Date(2026, time.January, d, 0, 0, 0, 0, time.UTC) }

// orderRows returns perDay rows for each of the given January days, with
// ids starting at firstID. Every seventh row has a NULL customer; amounts
// are multiples of 0.25, exact in binary floating point, so sums compare
// exactly in every dialect.
func orderRows(firstID int64, perDay int, days ...int) [][]any {
	var rows [][]any
	id := firstID
	for _, d := range days {
		for i := range perDay {
			var customer any = fmt.Sprintf("customer %d", id%5)
			if id%7 == 0 {
				customer = nil
			}
			created := day(d).Add(time.Duration(i)*time.Minute + 123456*time.Microsecond)
			rows = append(rows, []any{id, day(d), customer, fmt.Sprintf("user%d@example.com", id),
				float64(id)*1.25 + 0.5, id%2 == 0, created})
			id++
		}
	}
	return rows
}

// sameValue compares a value a warehouse returned with the one the suite
// expects: numbers by value whatever their Go type, times as instants.
func sameValue(got, want any) bool {
	if gt, ok := got.(time.Time); ok {
		wt, ok := want.(time.Time)
		return ok && gt.Equal(wt)
	}
	if gf, ok := number(got); ok {
		wf, ok := number(want)
		return ok && (gf == wf || math.Abs(gf-wf) < 1e-9*math.Max(1, math.Abs(wf)))
	}
	return got == want
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int:
		return float64(n), true
	case int32:
		return float64(n), true
	case int64:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

// sameRows reports the first difference between two row sets, "" if none.
func sameRows(got, want [][]any) string {
	if len(got) != len(want) {
		return fmt.Sprintf("got %d rows, want %d: %v", len(got), len(want), got)
	}
	for i := range want {
		if len(got[i]) != len(want[i]) {
			return fmt.Sprintf("row %d: got %d values, want %d", i, len(got[i]), len(want[i]))
		}
		for j := range want[i] {
			if !sameValue(got[i][j], want[i][j]) {
				return fmt.Sprintf("row %d column %d: got %v (%T), want %v (%T)", i, j, got[i][j], got[i][j], want[i][j], want[i][j])
			}
		}
	}
	return ""
}
