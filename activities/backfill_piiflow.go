package activities

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"go.temporal.io/sdk/temporal"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/warehouse"
)

// checkPIIFlow refuses a SELECT whose result column copies a PII-tagged
// source column into a target column that is not tagged, since the copy
// would escape the PII access reviews; it returns a hold reason when some
// untagged target column's sources cannot be traced. The SELECT's columns
// fill the target's in order, as the rewrite inserts them.
//
// Tags come from the worker's catalog (every dataset on the warehouse,
// the target's by the table written), or from the run's own dataset when
// the worker has no catalog.
//
// The planner runs as role when there is one: planning evaluates some
// functions, which must not run with dre's own privileges.
func (b *Backfills) checkPIIFlow(ctx context.Context, w warehouse.Warehouse, ref warehouse.TableRef, in CheckSelectInput, role string) (string, error) {
	ds := in.Dataset
	tr, ok := w.(selectTracer)
	if !ok {
		return fmt.Sprintf("warehouse %q cannot trace which source columns feed the --select's columns, so a PII column copied into an untagged one cannot be ruled out", ds.Warehouse), nil
	}
	cols, err := tr.TraceSelect(ctx, warehouse.Query{SQL: in.Select, Params: map[string]any{"from": in.From, "to": in.To}, PlanAs: role})
	if err != nil {
		return "", backfillFailure(err)
	}
	info, err := w.Describe(ctx, ref)
	if err != nil {
		return "", backfillFailure(err)
	}
	pii := b.piiColumns(ds)
	var untraced []string
	for i, c := range cols {
		if i >= len(info.Columns) {
			break
		}
		target := info.Columns[i]
		if _, tagged := pii[ref][target.Name]; tagged || target.PII != "" {
			continue
		}
		if c.Untraced != "" {
			untraced = append(untraced, fmt.Sprintf("%s (%s)", target.Name, c.Untraced))
			continue
		}
		if err := refusePIIFlow(pii, c, ds, target.Name); err != nil {
			return "", err
		}
	}
	if len(untraced) == 0 {
		return "", nil
	}
	return fmt.Sprintf("dre could not trace which source columns feed %s of %s, so a PII column copied into an untagged one cannot be ruled out",
		strings.Join(untraced, ", "), ds.Table), nil
}

// refusePIIFlow is the refusal of a result column fed by a PII column
// into the untagged target column, nil when no source is PII.
func refusePIIFlow(pii map[warehouse.TableRef]map[string]catalog.PIIKind, c warehouse.OutputColumn, ds catalog.Dataset, target string) error {
	for _, src := range c.Sources {
		cols := pii[src.Table]
		kind, ok := cols[src.Column]
		if src.Column == "*" && len(cols) > 0 {
			src.Column = slices.Sorted(maps.Keys(cols))[0] // a whole row copies every column
			kind, ok = cols[src.Column], true
		}
		if !ok {
			continue
		}
		msg := fmt.Sprintf("--select copies PII column %s (%s) into %s.%s, which is not tagged as PII; nothing was written. "+
			"Tag it in dre.yaml (dataset %s, pii: columns: {%s: %s}) so its readers are reviewed, or leave %s out of the SELECT",
			src, kind, ds.Table, target, ds.Name, target, kind, src.Column)
		return temporal.NewNonRetryableApplicationError(msg, ErrPIIFlow, nil)
	}
	return nil
}

// piiColumns are the PII-tagged columns of every catalog dataset on ds's
// warehouse (just ds's without a worker catalog), by table.
func (b *Backfills) piiColumns(ds catalog.Dataset) map[warehouse.TableRef]map[string]catalog.PIIKind {
	all := []catalog.Dataset{ds}
	if b.Catalog != nil {
		all = b.Catalog.Datasets()
	}
	out := map[warehouse.TableRef]map[string]catalog.PIIKind{}
	for _, d := range all {
		if d.Warehouse != ds.Warehouse || len(d.PII.Columns) == 0 {
			continue
		}
		if ref, err := warehouse.ParseTableRef(d.Table); err == nil {
			out[ref] = d.PII.Columns
		}
	}
	return out
}
