package bigquery_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/bigquery"

	"github.com/dre-dev/dre/internal/warehouse/warehousetest"
)

// TestConformance runs the shared warehouse suite against the adapter on
// the local BigQuery stand-in.
func TestConformance(t *testing.T) {
	warehousetest.Run(t, newFakeFixture(t))
}

// TestRealBigQuery runs the same suite against real BigQuery. It needs:
//
//	DRE_TEST_BIGQUERY_PROJECT     a project where the credentials (ADC) may create datasets
//	DRE_TEST_BIGQUERY_LOCATION    default US
//	DRE_TEST_BIGQUERY_PRINCIPALS  two IAM members that exist, comma-separated
//	DRE_TEST_BIGQUERY_POLICY_TAGS kind=policy-tag-name pairs, comma-separated, for email and name at least
//
// It creates and deletes its own datasets, and dre_meta if missing.
func TestRealBigQuery(t *testing.T) {
	project := os.Getenv("DRE_TEST_BIGQUERY_PROJECT")
	if project == "" {
		t.Skip("DRE_TEST_BIGQUERY_PROJECT is not set: set it to run the suite against real BigQuery")
	}
	warehousetest.Run(t, newRealFixture(t, project))
}

func newRealFixture(t *testing.T, project string) *fixture {
	location := envOr("DRE_TEST_BIGQUERY_LOCATION", "US")
	principals := strings.Split(os.Getenv("DRE_TEST_BIGQUERY_PRINCIPALS"), ",")
	if len(principals) != 2 {
		t.Fatal("DRE_TEST_BIGQUERY_PRINCIPALS must hold two IAM members, such as user:ann@example.com,group:analysts@example.com")
	}
	tags := map[string]string{}
	for _, pair := range strings.Split(os.Getenv("DRE_TEST_BIGQUERY_POLICY_TAGS"), ",") {
		kind, tag, ok := strings.Cut(pair, "=")
		if !ok {
			t.Fatal("DRE_TEST_BIGQUERY_POLICY_TAGS must hold kind=projects/.../policyTags/ID pairs, for email and name at least")
		}
		tags[tag] = kind
	}
	f := &fixture{project: project, location: location, a: principals[0], b: principals[1],
		prefix: fmt.Sprintf("dre_test_%d", time.Now().UnixNano())}
	f.open(t, tags)
	ledger := f.client.Dataset("dre_meta")
	if _, err := ledger.Metadata(t.Context()); err != nil {
		if err := ledger.Create(t.Context(), &bigquery.DatasetMetadata{Location: location}); err != nil {
			t.Fatalf("creating dre_meta: %v", err)
		}
	}
	return f
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

// ctx bounds one test.
func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}
