package bigquery

import (
	"context"
	"fmt"
	"sort"
	"time"

	"cloud.google.com/go/bigquery"

	"github.com/dre-dev/dre/internal/warehouse"
)

// jobLineageSQL reads one job history: one row per (table read, table
// written) pair, over the successful query jobs that write a table. A
// SELECT counts only when it was given a destination: otherwise its
// results land in an anonymous dataset (named with a leading _, tables
// anon...), which is no table of anyone's. Script parents are left out,
// since each of their statements is a job of its own; so are dre's own
// bookkeeping jobs.
const jobLineageSQL = `SELECT rt.project_id, rt.dataset_id, rt.table_id,
  j.destination_table.project_id, j.destination_table.dataset_id, j.destination_table.table_id,
  COUNT(*) AS jobs, MAX(j.creation_time) AS last_seen
FROM %s AS j, UNNEST(j.referenced_tables) AS rt
WHERE j.creation_time >= @since
  AND j.job_type = 'QUERY' AND j.state = 'DONE' AND j.error_result IS NULL
  AND j.statement_type IN ('INSERT', 'MERGE', 'CREATE_TABLE_AS_SELECT', 'UPDATE', 'SELECT')
  AND j.destination_table.table_id IS NOT NULL
  AND SUBSTR(j.destination_table.dataset_id, 1, 1) <> '_'
  AND j.destination_table.table_id NOT LIKE 'anon%%'
  AND NOT EXISTS (SELECT 1 FROM UNNEST(j.labels) AS l WHERE l.key = @label)
GROUP BY 1, 2, 3, 4, 5, 6`

// JobLineage returns the tables each table was written from since a time,
// from the INFORMATION_SCHEMA.JOBS views of the usage scope
// (SetUsageScope): the lineage of pipelines nobody declared. It needs
// bigquery.jobs.listAll on each project; a view that cannot be read is an
// error naming it, since a partial graph would look complete.
func (w *Warehouse) JobLineage(ctx context.Context, since time.Time) ([]warehouse.JobEdge, error) {
	params := []bigquery.QueryParameter{
		{Name: "since", Value: since.UTC().Truncate(time.Millisecond)},
		{Name: "label", Value: internalLabel},
	}
	byPair := map[[2]string]*warehouse.JobEdge{}
	for _, v := range w.jobViews() {
		o := op{permission: "bigquery.jobs.listAll on project " + v[0]}
		rows, err := w.read(ctx, "lineage", fmt.Sprintf(jobLineageSQL, v[1]), params, o)
		if err != nil {
			return nil, fmt.Errorf("reading job lineage from %s: %w", v[1], err)
		}
		for _, row := range rows {
			w.foldJobEdge(byPair, row)
		}
	}
	edges := make([]warehouse.JobEdge, 0, len(byPair))
	for _, e := range byPair {
		edges = append(edges, *e)
	}
	sort.Slice(edges, func(i, j int) bool {
		if edges[i].To != edges[j].To {
			return edges[i].To < edges[j].To
		}
		return edges[i].From < edges[j].From
	})
	return edges, nil
}

// foldJobEdge adds one row of jobLineageSQL to the edges, summing the
// same pair seen in several job views.
func (w *Warehouse) foldJobEdge(byPair map[[2]string]*warehouse.JobEdge, row []bigquery.Value) {
	from, to := w.jobTable(row[0:3]), w.jobTable(row[3:6])
	if from == "" || to == "" || from == to {
		return // an UPDATE reads its own target: no edge
	}
	jobs, _ := row[6].(int64)
	last, _ := row[7].(time.Time)
	e, ok := byPair[[2]string{from, to}]
	if !ok {
		e = &warehouse.JobEdge{From: from, To: to}
		byPair[[2]string{from, to}] = e
	}
	e.Jobs += jobs
	if last.After(e.LastSeen) {
		e.LastSeen = last.UTC()
	}
}

// jobTable names a table of a job's record: dataset.table in the
// warehouse's project, project.dataset.table elsewhere.
func (w *Warehouse) jobTable(v []bigquery.Value) string {
	project, _ := v[0].(string)
	dataset, _ := v[1].(string)
	table, _ := v[2].(string)
	if dataset == "" || table == "" {
		return ""
	}
	if project != "" && project != w.project {
		return project + "." + dataset + "." + table
	}
	return dataset + "." + table
}
