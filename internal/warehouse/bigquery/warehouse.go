package bigquery

import (
	"context"
	"fmt"
	"regexp"
	"sync"
	"time"

	"cloud.google.com/go/bigquery"
	datacatalog "google.golang.org/api/datacatalog/v1"
	"google.golang.org/api/option"

	"github.com/dre-dev/dre/internal/warehouse"
)

// Warehouse is a BigQuery project used as a warehouse.
type Warehouse struct {
	client   *bigquery.Client
	catalog  *datacatalog.Service // Data Catalog: policy tags' IAM
	project  string
	location string
	pii      piiTags

	// usageProjects and usageRegions are the job histories Usage reads
	// (SetUsageScope); empty means project and location.
	usageProjects, usageRegions []string

	// ready remembers the dre_meta tables known to exist, so that each is
	// looked up once per process and not before every ledger write.
	mu    sync.Mutex
	ready map[string]bool
}

var (
	_ warehouse.Warehouse = (*Warehouse)(nil)
	_ warehouse.Conn      = (*Warehouse)(nil)
)

// Project IDs and locations are pasted into SQL (the region qualifier of
// INFORMATION_SCHEMA, backquoted table paths), so they are checked as
// strictly as identifiers. Domain-scoped projects look like example.com:p.
var (
	projectPattern  = regexp.MustCompile(`^[a-z][a-z0-9.:-]{4,61}[a-z0-9]$`)
	locationPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]{1,40}$`)
)

// Open connects to BigQuery for project, running jobs in location (US, EU,
// europe-west1...), and checks the connection with a free dry run. opts
// are passed to the client: credentials, or an endpoint for tests.
func Open(ctx context.Context, project, location string, opts ...option.ClientOption) (*Warehouse, error) {
	if !projectPattern.MatchString(project) {
		return nil, fmt.Errorf("invalid BigQuery project ID %q", project)
	}
	if !locationPattern.MatchString(location) {
		return nil, fmt.Errorf("invalid BigQuery location %q: use a location such as US, EU or europe-west1", location)
	}
	client, err := bigquery.NewClient(ctx, project, opts...)
	if err != nil {
		return nil, fmt.Errorf("BigQuery client for project %s: %w", project, err)
	}
	client.Location = location
	catalog, err := datacatalog.NewService(ctx, opts...)
	if err != nil {
		_ = client.Close()
		return nil, fmt.Errorf("the Data Catalog client for project %s: %w", project, err)
	}
	w := &Warehouse{client: client, catalog: catalog, project: project, location: location, ready: map[string]bool{}}
	if err := w.Ping(ctx); err != nil {
		_ = client.Close()
		return nil, fmt.Errorf("BigQuery project %s does not answer: %w", project, err)
	}
	return w, nil
}

// Close releases the client.
func (w *Warehouse) Close() { _ = w.client.Close() }

// Ping checks credentials and the project with a dry run, which BigQuery
// does not bill.
func (w *Warehouse) Ping(ctx context.Context) error {
	_, err := w.dryRun(ctx, "SELECT 1", nil)
	return err
}

// table returns the client's handle on ref, in the warehouse's project.
func (w *Warehouse) table(ref warehouse.TableRef) *bigquery.Table {
	return w.client.DatasetInProject(w.project, ref.Schema).Table(ref.Table)
}

// qualified returns ref as a backquoted standard-SQL path. Callers validate
// ref first, so no backquote can be inside.
func (w *Warehouse) qualified(ref warehouse.TableRef) string {
	return fmt.Sprintf("`%s.%s.%s`", w.project, ref.Schema, ref.Table)
}

// quoteColumn backquotes a validated column name.
func quoteColumn(name string) string { return "`" + name + "`" }

// Job labels: every job dre starts says why in dre-job, for cost
// attribution; dre's bookkeeping (statistics, ledger, probes, samples)
// also carries dre-internal, and Usage does not count those as reads.
const (
	jobLabel      = "dre-job"
	internalLabel = "dre-internal"
)

// jobLabels labels a job that does work someone asked for: a query, a
// rewrite, a copy.
func jobLabels(purpose string) map[string]string {
	return map[string]string{jobLabel: purpose}
}

// internalLabels labels dre's own bookkeeping.
func internalLabels(purpose string) map[string]string {
	return map[string]string{jobLabel: purpose, internalLabel: "true"}
}

// timeoutOr returns d, or the warehouse default when d is zero.
func timeoutOr(d time.Duration) time.Duration {
	if d <= 0 {
		return warehouse.DefaultTimeout
	}
	return d
}

// validateRefs checks table references before anything is sent.
func validateRefs(refs ...warehouse.TableRef) error {
	for _, r := range refs {
		if err := r.Validate(); err != nil {
			return err
		}
	}
	return nil
}
