package dbt

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/dre-dev/dre/internal/catalog"
)

// dataset builds r's catalog entry, named name, in warehouse.
func (imp *importer) dataset(r *resource, name, warehouse string) catalog.Dataset {
	d := catalog.Dataset{
		Name:        name,
		Description: strings.TrimSpace(r.description),
		Warehouse:   warehouse,
		Table:       r.table(),
		Owner:       imp.owner(r),
		Partition:   imp.partition(r),
		UniqueKey:   imp.uniqueKey(r),
		Lifecycle:   imp.lifecycle(r),
		Upstream:    imp.dependencies(r),
		Labels:      map[string]string{"dbt_unique_id": r.id},
	}
	if r.database != "" {
		// Tables with one schema and name in two databases are two
		// datasets; the label says which database each is in.
		d.Labels["dbt_database"] = r.database
	}
	if identifier.MatchString(r.loadedAt) {
		d.FreshnessColumn = r.loadedAt
	}
	return d
}

// owner reads meta (owner or team, slack_channel, pagerduty_service),
// then the model's group: its owner's name, else the group's own name.
func (imp *importer) owner(r *resource) catalog.Owner {
	o := catalog.Owner{
		Team:             metaString(r.meta, "team", "owner"),
		SlackChannel:     metaString(r.meta, "slack_channel"),
		PagerDutyService: metaString(r.meta, "pagerduty_service"),
	}
	if o.Team == "" && r.group != "" {
		o.Team = r.group
		for _, g := range imp.m.Groups {
			if g.Name == r.group && g.Owner.Name != nil && *g.Owner.Name != "" {
				o.Team = *g.Owner.Name
			}
		}
	}
	return o
}

// metaString returns the first of keys that meta holds as a string.
func metaString(meta map[string]any, keys ...string) string {
	for _, k := range keys {
		if s, ok := meta[k].(string); ok && s != "" {
			return s
		}
	}
	return ""
}

// partition reads BigQuery's partition_by {field, granularity}, else a
// microbatch model's event_time and batch_size. Other adapters' shapes
// and integer ranges have no dre equivalent and are left out.
func (imp *importer) partition(r *resource) *catalog.Partition {
	var bq struct {
		Field       string `json:"field"`
		DataType    string `json:"data_type"`
		Granularity string `json:"granularity"`
	}
	column, granularity := r.eventTime, r.batchSize
	if len(r.partitionBy) > 0 && json.Unmarshal(r.partitionBy, &bq) == nil && bq.Field != "" {
		if strings.EqualFold(bq.DataType, "int64") {
			imp.warnf("%s: integer-range partitioning has no dre equivalent; partition left out", r.id)
			return nil
		}
		column, granularity = bq.Field, bq.Granularity
		if granularity == "" {
			granularity = "day" // BigQuery's default
		}
	}
	if column == "" {
		return nil
	}
	g := catalog.Granularity(strings.ToLower(granularity))
	if !g.Valid() || !identifier.MatchString(column) {
		imp.warnf("%s: partition %s by %q is not one dre runs (hour, day or month of a plain column); partition left out", r.id, column, granularity)
		return nil
	}
	return &catalog.Partition{Column: column, Granularity: g}
}

// uniqueKey reads unique_key, a column or a list of them. An expression
// (a || b) is not a column, so it is left out.
func (imp *importer) uniqueKey(r *resource) []string {
	var cols []string
	if json.Unmarshal(r.uniqueKey, &cols) != nil {
		var one string
		if json.Unmarshal(r.uniqueKey, &one) != nil || one == "" {
			return nil
		}
		cols = []string{one}
	}
	for _, c := range cols {
		if !identifier.MatchString(c) {
			imp.warnf("%s: unique_key %q is not a plain column; unique_key left out", r.id, c)
			return nil
		}
	}
	return cols
}

// lifecycle turns deprecation_date into a deprecation on that day that
// archives the table: reversible, and the owner edits the rest.
func (imp *importer) lifecycle(r *resource) *catalog.Lifecycle {
	if r.deprecation == "" {
		return nil
	}
	on, err := deprecationDay(r.deprecation)
	if err != nil {
		imp.warnf("%s: deprecation_date %q: %v; lifecycle left out", r.id, r.deprecation, err)
		return nil
	}
	return &catalog.Lifecycle{DeprecateOn: on, FinalAction: catalog.FinalArchive}
}

// deprecationDay reads the date of a deprecation_date, which dbt writes
// as a date-time (with or without a zone) or a plain date.
func deprecationDay(s string) (catalog.Date, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return catalog.DateOf(t.UTC()), nil
		}
	}
	return catalog.Date{}, fmt.Errorf("want a date or date-time like 2027-03-01T00:00:00Z")
}
