package bigquery

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"cloud.google.com/go/bigquery"

	"github.com/dre-dev/dre/internal/warehouse"
)

// usageSQL reads one job history: one row per reader of the table,
// counting every successful query job that referenced it, whatever its
// statement type: an INSERT...SELECT, MERGE or CREATE TABLE AS SELECT
// pipeline reads the table as surely as a SELECT does. referenced_tables
// lists the tables a job read, not its destination, so a job that only
// writes the table is not counted. dre's own bookkeeping jobs (labelled
// dre-internal) are not reads and are left out; queries dre runs for
// someone, through Query, are.
const usageSQL = `SELECT j.user_email AS reader, COUNT(*) AS reads, MAX(j.creation_time) AS last_read
FROM %s AS j, UNNEST(j.referenced_tables) AS rt
WHERE j.creation_time >= @since
  AND j.job_type = 'QUERY' AND j.error_result IS NULL
  AND rt.project_id = @project AND rt.dataset_id = @dataset AND rt.table_id = @table
  AND NOT EXISTS (SELECT 1 FROM UNNEST(j.labels) AS l WHERE l.key = @label)
GROUP BY j.user_email`

// SetUsageScope sets the job histories Usage reads: INFORMATION_SCHEMA.JOBS
// of every project in projects, in every region in regions. Jobs are kept
// where they ran, so a pipeline in another project or region that reads
// the table is only seen there. Empty lists mean the warehouse's own
// project and location.
func (w *Warehouse) SetUsageScope(projects, regions []string) error {
	for _, p := range projects {
		if !projectPattern.MatchString(p) {
			return fmt.Errorf("invalid BigQuery project ID %q in usage_projects", p)
		}
	}
	for _, r := range regions {
		if !locationPattern.MatchString(r) {
			return fmt.Errorf("invalid BigQuery location %q in usage_regions: use a location such as US, EU or europe-west1", r)
		}
	}
	w.usageProjects, w.usageRegions = slices.Clone(projects), slices.Clone(regions)
	return nil
}

// jobViews lists the INFORMATION_SCHEMA.JOBS views Usage reads, each with
// its project.
func (w *Warehouse) jobViews() [][2]string {
	projects, regions := w.usageProjects, w.usageRegions
	if len(projects) == 0 {
		projects = []string{w.project}
	}
	if len(regions) == 0 {
		regions = []string{w.location}
	}
	var views [][2]string
	for _, p := range projects {
		for _, r := range regions {
			views = append(views, [2]string{p, fmt.Sprintf("`%s`.`region-%s`.INFORMATION_SCHEMA.JOBS", p, strings.ToLower(r))})
		}
	}
	return views
}

// Usage reports the reads of a table since a time, from the
// INFORMATION_SCHEMA.JOBS views of the usage scope (SetUsageScope), which
// log every query with who ran it (kept about 180 days). It needs
// bigquery.jobs.listAll on each project. A view that cannot be read makes
// a UsageUnreadableError naming it: a partial count is not a count.
func (w *Warehouse) Usage(ctx context.Context, ref warehouse.TableRef, since time.Time) (warehouse.Usage, error) {
	if err := ref.Validate(); err != nil {
		return warehouse.Usage{}, err
	}
	if _, err := w.metadata(ctx, ref); err != nil {
		return warehouse.Usage{}, err // the job history would just show no reads
	}
	params := []bigquery.QueryParameter{
		// Job times are kept to the millisecond: a read in since's own
		// millisecond would otherwise look earlier than since.
		{Name: "since", Value: since.UTC().Truncate(time.Millisecond)},
		{Name: "project", Value: w.project},
		{Name: "dataset", Value: ref.Schema},
		{Name: "table", Value: ref.Table},
		{Name: "label", Value: internalLabel},
	}
	var all [][]bigquery.Value
	for _, v := range w.jobViews() {
		o := op{permission: "bigquery.jobs.listAll on project " + v[0]}
		rows, err := w.read(ctx, "usage", fmt.Sprintf(usageSQL, v[1]), params, o)
		if err != nil {
			return warehouse.Usage{}, &warehouse.UsageUnreadableError{Source: v[1], Err: err}
		}
		all = append(all, rows...)
	}
	return foldUsage(all), nil
}

// foldUsage sums the per-reader rows of usageSQL, over every job view.
func foldUsage(rows [][]bigquery.Value) warehouse.Usage {
	u := warehouse.Usage{Exact: true}
	for _, row := range rows {
		reader, _ := row[0].(string)
		reads, _ := row[1].(int64)
		last, _ := row[2].(time.Time)
		u.Reads += reads
		if reader != "" && !slices.Contains(u.Readers, reader) {
			u.Readers = append(u.Readers, reader)
		}
		if u.LastRead == nil || last.After(*u.LastRead) {
			t := last.UTC()
			u.LastRead = &t
		}
	}
	sort.Strings(u.Readers)
	return u
}

// sampleBytes is about what Sample lets a query scan: above it, the sample
// is drawn from a share of the table's storage blocks (TABLESAMPLE), since
// BigQuery bills a LIMIT query for every byte of the columns it reads.
const sampleBytes = 256 << 20

// Sample returns up to limit non-NULL values of each column (all columns
// when columns is empty, as the PII scan asks), as text; JSON, STRUCT and
// ARRAY values arrive as their JSON text.
func (w *Warehouse) Sample(ctx context.Context, ref warehouse.TableRef, columns []string, limit int) (warehouse.Sample, error) {
	md, err := w.sampled(ctx, ref, columns)
	if err != nil {
		return warehouse.Sample{}, err
	}
	if len(columns) == 0 {
		for _, f := range md.Schema {
			columns = append(columns, f.Name)
		}
	}
	out := warehouse.Sample{Columns: map[string][]string{}, Method: sampleMethod(md.NumBytes), TableRows: int64(md.NumRows)}
	if len(columns) == 0 || limit <= 0 {
		return out, nil
	}
	rows, err := w.read(ctx, "sample", sampleSQL(w.qualified(ref), columns, limit, md.NumBytes), nil, tableOp(ref, "bigquery.tables.getData"))
	if err != nil {
		return warehouse.Sample{}, err
	}
	for _, row := range rows {
		for i, c := range columns {
			if row[i] != nil && len(out.Columns[c]) < limit {
				out.Columns[c] = append(out.Columns[c], sampleText(schemaField(md.Schema, c), row[i]))
			}
		}
	}
	return out, nil
}

// sampled checks the names, then that the columns exist, and returns the
// table's metadata.
func (w *Warehouse) sampled(ctx context.Context, ref warehouse.TableRef, columns []string) (*bigquery.TableMetadata, error) {
	if err := ref.Validate(); err != nil {
		return nil, err
	}
	for _, c := range columns {
		if err := warehouse.ValidIdentifier(c); err != nil {
			return nil, err
		}
	}
	md, err := w.metadata(ctx, ref)
	if err != nil {
		return nil, err
	}
	for _, c := range columns {
		if fieldType(md.Schema, c) == "" {
			return nil, &warehouse.NotFoundError{Kind: "column", Name: ref.String() + "." + c}
		}
	}
	return md, nil
}

// sampleMethod says how sampleSQL chooses rows, for reports.
func sampleMethod(tableBytes int64) string {
	if tableBytes > sampleBytes {
		return fmt.Sprintf("TABLESAMPLE SYSTEM (%d PERCENT)", max(1, 100*sampleBytes/tableBytes))
	}
	return "first rows (too small a table for TABLESAMPLE)"
}

// sampleSQL selects the columns, from a share of the blocks of a large
// table. limit is an int, so formatting it into the text is safe.
func sampleSQL(table string, columns []string, limit int, tableBytes int64) string {
	list := ""
	for i, c := range columns {
		if i > 0 {
			list += ", "
		}
		list += quoteColumn(c)
	}
	from := table
	if tableBytes > sampleBytes {
		percent := max(1, 100*sampleBytes/tableBytes)
		from += fmt.Sprintf(" TABLESAMPLE SYSTEM (%d PERCENT)", percent)
	}
	return fmt.Sprintf("SELECT %s FROM %s LIMIT %d", list, from, limit)
}

// ProbeTable counts a table's rows and reads the newest value of its
// freshness column. A missing table is reported through Exists.
func (w *Warehouse) ProbeTable(ctx context.Context, ref warehouse.TableRef, freshnessColumn string) (warehouse.TableProbe, error) {
	if err := ref.Validate(); err != nil {
		return warehouse.TableProbe{}, err
	}
	latest := "CAST(NULL AS TIMESTAMP)"
	if freshnessColumn != "" {
		if err := warehouse.ValidIdentifier(freshnessColumn); err != nil {
			return warehouse.TableProbe{}, err
		}
		latest = "MAX(" + quoteColumn(freshnessColumn) + ")"
	}
	rows, err := w.read(ctx, "probe", fmt.Sprintf("SELECT COUNT(*), %s FROM %s", latest, w.qualified(ref)), nil, tableOp(ref, "bigquery.tables.getData"))
	if isNotFound(err) {
		return warehouse.TableProbe{}, nil
	}
	if err != nil || len(rows) != 1 {
		return warehouse.TableProbe{}, err
	}
	probe := warehouse.TableProbe{Exists: true}
	probe.Rows, _ = rows[0][0].(int64)
	if t, ok := plain(rows[0][1]).(time.Time); ok {
		probe.Latest = &t
	}
	return probe, nil
}
