package warehousetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/warehouse"
)

// Run runs the conformance suite against f, one subtest per part of the
// warehouse.Warehouse contract.
func Run(t *testing.T, f Fixture) {
	s := &suite{f: f, w: f.Warehouse()}
	parts := []struct {
		name string
		run  func(*testing.T)
	}{
		{"Ping", s.testPing},
		{"Describe", s.testDescribe},
		{"Query", s.testQuery},
		{"QueryRefusesWrites", s.testQueryRefusesWrites},
		{"QueryTimeout", s.testQueryTimeout},
		{"PartitionStats", s.testPartitionStats},
		{"RewritePartition", s.testRewritePartition},
		{"RewritePartitionConcurrent", s.testRewriteConcurrent},
		{"RewritePartitionChecksumOnRequest", s.testRewriteChecksumOnRequest},
		{"EstimateCost", s.testEstimateCost},
		{"Grants", s.testGrants},
		{"Annotations", s.testAnnotations},
		{"MoveAndBack", s.testMoveAndBack},
		{"SnapshotDropRestore", s.testSnapshotDropRestore},
		{"LifecycleErrors", s.testLifecycleErrors},
		{"Usage", s.testUsage},
		{"Sample", s.testSample},
		{"InvalidIdentifiers", s.testInvalidIdentifiers},
	}
	for _, p := range parts {
		t.Run(p.name, p.run)
	}
}

// suite holds what every subtest uses.
type suite struct {
	f Fixture
	w warehouse.Warehouse
}

// ctx bounds each subtest, so a hung backend fails the test instead of
// blocking the whole run until go test's global timeout.
func (s *suite) ctx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// newTable creates a table in a fresh schema and returns its reference.
func (s *suite) newTable(t *testing.T, name string, cols []ColumnSpec, rows [][]any) warehouse.TableRef {
	t.Helper()
	ref := warehouse.TableRef{Schema: s.f.Schema(t), Table: name}
	s.f.CreateTable(t, ref, cols, rows)
	return ref
}

func (s *suite) testPing(t *testing.T) {
	if err := s.w.Ping(s.ctx(t)); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

// wantNotFound fails t unless err is a *warehouse.NotFoundError.
func wantNotFound(t *testing.T, what string, err error) {
	t.Helper()
	var nf *warehouse.NotFoundError
	if !errors.As(err, &nf) {
		t.Errorf("%s: got error %v (%T), want *warehouse.NotFoundError", what, err, err)
	}
}

// mustRows returns the row count Describe reports, failing t if it fails.
func (s *suite) mustRows(t *testing.T, ref warehouse.TableRef) int64 {
	t.Helper()
	info, err := s.w.Describe(s.ctx(t), ref)
	if err != nil {
		t.Fatalf("Describe(%s): %v", ref, err)
	}
	return info.Rows
}
