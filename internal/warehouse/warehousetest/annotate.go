package warehousetest

import (
	"maps"
	"testing"

	"github.com/dre-dev/dre/internal/warehouse"
)

func (s *suite) testAnnotations(t *testing.T) {
	ctx := s.ctx(t)
	ref := s.newTable(t, "orders", ordersColumns, orderRows(1, 2, 1))
	const comment = `Orders: one row per order, it's "quoted" -- and not SQL; /* really */`
	steps := []struct {
		name    string
		do      func() error
		comment string
		labels  map[string]string
		pii     map[string]string
	}{
		{"set a comment", func() error { return s.w.SetComment(ctx, ref, comment) }, comment, nil, nil},
		{"set labels", func() error {
			return s.w.SetLabels(ctx, ref, map[string]string{"owner": "data-team", "tier": "gold"})
		}, comment, map[string]string{"owner": "data-team", "tier": "gold"}, nil},
		{"remove one label, add another", func() error {
			return s.w.SetLabels(ctx, ref, map[string]string{"tier": "", "env": "prod"})
		}, comment, map[string]string{"owner": "data-team", "env": "prod"}, nil},
		{"tag two columns", func() error {
			if err := s.w.TagPII(ctx, ref, "email", "email"); err != nil {
				return err
			}
			return s.w.TagPII(ctx, ref, "customer", "name")
		}, comment, map[string]string{"owner": "data-team", "env": "prod"}, map[string]string{"email": "email", "customer": "name"}},
		{"untag a column", func() error { return s.w.TagPII(ctx, ref, "customer", "") },
			comment, map[string]string{"owner": "data-team", "env": "prod"}, map[string]string{"email": "email"}},
		{"remove the comment", func() error { return s.w.SetComment(ctx, ref, "") },
			"", map[string]string{"owner": "data-team", "env": "prod"}, map[string]string{"email": "email"}},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		s.checkAnnotations(t, st.name, ref, warehouse.TableMeta{Comment: st.comment, Labels: st.labels, PII: st.pii})
	}
	s.annotationErrors(t, ref)
}

// checkAnnotations compares what Describe and Metadata say with want.
func (s *suite) checkAnnotations(t *testing.T, step string, ref warehouse.TableRef, want warehouse.TableMeta) {
	t.Helper()
	info, err := s.w.Describe(s.ctx(t), ref)
	if err != nil {
		t.Fatalf("after %s: Describe: %v", step, err)
	}
	pii := map[string]string{}
	for _, c := range info.Columns {
		if c.PII != "" {
			pii[c.Name] = c.PII
		}
	}
	if info.Comment != want.Comment || !maps.Equal(info.Labels, want.Labels) || !maps.Equal(pii, want.PII) {
		t.Errorf("after %s: Describe says comment %q, labels %v, PII %v; want %q, %v, %v",
			step, info.Comment, info.Labels, pii, want.Comment, want.Labels, want.PII)
	}
	meta, err := s.w.Metadata(s.ctx(t), ref)
	if err != nil {
		t.Fatalf("after %s: Metadata: %v", step, err)
	}
	if meta.Comment != want.Comment || !maps.Equal(meta.Labels, want.Labels) || !maps.Equal(meta.PII, want.PII) {
		t.Errorf("after %s: Metadata says comment %q, labels %v, PII %v; want %q, %v, %v",
			step, meta.Comment, meta.Labels, meta.PII, want.Comment, want.Labels, want.PII)
	}
}

// annotationErrors covers annotations of things that do not exist.
func (s *suite) annotationErrors(t *testing.T, ref warehouse.TableRef) {
	ctx := s.ctx(t)
	missing := warehouse.TableRef{Schema: ref.Schema, Table: "missing"}
	wantNotFound(t, "SetComment of a missing table", s.w.SetComment(ctx, missing, "x"))
	wantNotFound(t, "SetLabels of a missing table", s.w.SetLabels(ctx, missing, map[string]string{"a": "b"}))
	wantNotFound(t, "TagPII of a missing table", s.w.TagPII(ctx, missing, "email", "email"))
	wantNotFound(t, "TagPII of a missing column", s.w.TagPII(ctx, ref, "no_such_column", "email"))
	_, err := s.w.Metadata(ctx, missing)
	wantNotFound(t, "Metadata of a missing table", err)
}
