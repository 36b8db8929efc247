package bigquery

import (
	"context"
	"fmt"
	"strings"
	"time"

	"cloud.google.com/go/bigquery"
	"cloud.google.com/go/civil"

	"github.com/dre-dev/dre/internal/warehouse"
)

// partitionTarget is one partition of a time-partitioned table, as BigQuery
// addresses it.
type partitionTarget struct {
	fieldType bigquery.FieldType
	// decorator is the partition's ID: 20260102, 2026010215 or 202601.
	decorator string
}

// decoratorLayouts are BigQuery's partition ID formats per granularity.
var decoratorLayouts = map[bigquery.TimePartitioningType]string{
	bigquery.HourPartitioningType:  "2006010215",
	bigquery.DayPartitioningType:   "20060102",
	bigquery.MonthPartitioningType: "200601",
	bigquery.YearPartitioningType:  "2006",
}

// targetPartition checks that p is exactly one partition of ref's time
// partitioning, because BigQuery replaces partitions only whole, and
// returns its decorator.
func (w *Warehouse) targetPartition(ctx context.Context, ref warehouse.TableRef, p warehouse.Partition) (partitionTarget, error) {
	md, err := w.metadata(ctx, ref)
	if err != nil {
		return partitionTarget{}, err
	}
	return partitionOf(md, ref, p)
}

// partitionOf is targetPartition on metadata already read.
func partitionOf(md *bigquery.TableMetadata, ref warehouse.TableRef, p warehouse.Partition) (partitionTarget, error) {
	tp := md.TimePartitioning
	if tp == nil || tp.Field == "" {
		return partitionTarget{}, fmt.Errorf("table %s is not partitioned by a column: BigQuery rewrites a partition through its decorator, which needs column time partitioning", ref)
	}
	if tp.Field != p.Column {
		return partitionTarget{}, fmt.Errorf("table %s is partitioned by %s, not %s", ref, tp.Field, p.Column)
	}
	dec, ok := decorator(tp.Type, p.Start, p.End)
	if !ok {
		return partitionTarget{}, fmt.Errorf("partition [%s, %s) of %s is not one whole %s partition",
			p.Start.UTC().Format(time.RFC3339), p.End.UTC().Format(time.RFC3339), ref, strings.ToLower(string(tp.Type)))
	}
	return partitionTarget{fieldType: fieldType(md.Schema, p.Column), decorator: dec}, nil
}

// decorator returns the partition ID of [start, end), if that is exactly
// one partition of the given type (DAY when empty).
func decorator(kind bigquery.TimePartitioningType, start, end time.Time) (string, bool) {
	if kind == "" {
		kind = bigquery.DayPartitioningType
	}
	layout, known := decoratorLayouts[kind]
	start, end = start.UTC(), end.UTC()
	if !known || !start.Equal(truncate(start, kind)) || !end.Equal(next(start, kind)) {
		return "", false
	}
	return start.Format(layout), true
}

// truncate returns the start of t's partition.
func truncate(t time.Time, kind bigquery.TimePartitioningType) time.Time {
	switch kind {
	case bigquery.HourPartitioningType:
		return t.Truncate(time.Hour)
	case bigquery.MonthPartitioningType:
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	case bigquery.YearPartitioningType:
		return time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// next returns the start of the partition after the one starting at t.
func next(t time.Time, kind bigquery.TimePartitioningType) time.Time {
	switch kind {
	case bigquery.HourPartitioningType:
		return t.Add(time.Hour)
	case bigquery.MonthPartitioningType:
		return t.AddDate(0, 1, 0)
	case bigquery.YearPartitioningType:
		return t.AddDate(1, 0, 0)
	}
	return t.AddDate(0, 0, 1)
}

// fieldType returns the type of a top-level column, "" when absent.
func fieldType(schema bigquery.Schema, column string) bigquery.FieldType {
	for _, f := range schema {
		if f.Name == column {
			return f.Type
		}
	}
	return ""
}

// boundParams returns @from and @to typed like the column, because
// BigQuery does not compare a DATE with a TIMESTAMP.
func boundParams(t bigquery.FieldType, p warehouse.Partition) []bigquery.QueryParameter {
	return []bigquery.QueryParameter{
		{Name: "from", Value: typed(t, p.Start)},
		{Name: "to", Value: typed(t, p.End)},
	}
}

func typed(t bigquery.FieldType, v time.Time) any {
	switch t {
	case bigquery.DateFieldType:
		return civil.DateOf(v.UTC())
	case bigquery.DateTimeFieldType:
		return civil.DateTimeOf(v.UTC())
	}
	return v.UTC()
}
