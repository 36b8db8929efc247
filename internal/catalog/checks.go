package catalog

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Publish modes of Validation.Mode: how a backfill makes a partition's new
// rows visible.
const (
	// PublishDirect replaces the partition in one transaction and
	// validates it afterwards: a partition that fails stays written.
	PublishDirect = "direct"
	// PublishWAP writes the new rows where readers cannot see them, audits
	// them, and publishes only the rows that pass (write-audit-publish).
	PublishWAP = "wap"
)

// Validation is what a dataset's rows must satisfy. Backfills run these
// checks against each partition's new rows before publishing them; the
// triage diagnosis reads the same definitions.
type Validation struct {
	// Mode is PublishWAP or PublishDirect; "" means PublishWAP when any
	// check is declared (checks on rows already published protect no
	// reader), PublishDirect otherwise.
	Mode string `yaml:"mode,omitempty" json:"mode,omitempty"`
	// NotNull lists columns that must never be NULL.
	NotNull []string `yaml:"not_null,omitempty" json:"not_null,omitempty"`
	// Unique asks that the dataset's unique_key identify one row each.
	Unique bool `yaml:"unique,omitempty" json:"unique,omitempty"`
	// AcceptedValues maps a column to the only values it may hold (NULL
	// is left to not_null).
	AcceptedValues map[string][]string `yaml:"accepted_values,omitempty" json:"accepted_values,omitempty"`
	// SQL are assertions: each SELECT returns the violating rows, none for
	// good data (the dbt convention).
	SQL []SQLCheck `yaml:"sql,omitempty" json:"sql,omitempty"`
}

// SQLCheck is a named SELECT over {{ .Table }} (the rows under check: a
// backfill's staged rows, or the table itself) that may also read the
// partition's bounds as {{ .From }} and {{ .To }}; every row it returns
// is a violation.
type SQLCheck struct {
	Name   string `yaml:"name" json:"name"`
	Select string `yaml:"select" json:"select"`
}

// HasChecks reports whether any check is declared.
func (v *Validation) HasChecks() bool {
	return v != nil && (len(v.NotNull) > 0 || v.Unique || len(v.AcceptedValues) > 0 || len(v.SQL) > 0)
}

// PublishMode is how a backfill of the dataset publishes when its run
// does not say: Validation.Mode, else PublishWAP when checks are
// declared, else PublishDirect.
func (d Dataset) PublishMode() string {
	switch {
	case d.Validation != nil && d.Validation.Mode != "":
		return d.Validation.Mode
	case d.Validation.HasChecks():
		return PublishWAP
	}
	return PublishDirect
}

// AcceptedColumns lists the columns of AcceptedValues in sorted order, so
// that checks always run and report in the same order.
func (v *Validation) AcceptedColumns() []string {
	if v == nil {
		return nil
	}
	return slices.Sorted(maps.Keys(v.AcceptedValues))
}

// ExpandCheck renders an SQL check: {{ .Table }} becomes table (an
// identifier dre chose, never user text) and the bounds become the bind
// placeholders from and to, as in ExpandBounds.
func ExpandCheck(text, table, from, to string) (string, error) {
	tmpl, err := parseTemplate("validation.sql", text, "Table", "From", "To")
	if err != nil {
		return "", err
	}
	var out strings.Builder
	if err := tmpl.Execute(&out, struct{ Table, From, To string }{table, from, to}); err != nil {
		return "", fmt.Errorf("render the check: %v", err)
	}
	return out.String(), nil
}

// checkValidation requires known modes, identifier columns, a unique_key
// for unique, and SQL checks that name themselves and read {{ .Table }}.
func checkValidation(ps *problems, d Dataset) {
	for i, col := range d.UniqueKey {
		checkIdentifier(ps, fmt.Sprintf("unique_key[%d]", i), col)
	}
	v := d.Validation
	if v == nil {
		return
	}
	if v.Mode != "" && v.Mode != PublishWAP && v.Mode != PublishDirect {
		ps.addf("validation.mode", "mode %q is not valid; want %q or %q", v.Mode, PublishWAP, PublishDirect)
	}
	for i, col := range v.NotNull {
		checkIdentifier(ps, fmt.Sprintf("validation.not_null[%d]", i), col)
	}
	if v.Unique && len(d.UniqueKey) == 0 {
		ps.addf("validation.unique", "unique needs the dataset's unique_key: add unique_key: [<column>, ...] to the dataset")
	}
	for _, col := range v.AcceptedColumns() {
		checkIdentifier(ps, "validation.accepted_values."+col, col)
		if len(v.AcceptedValues[col]) == 0 {
			ps.addf("validation.accepted_values."+col, "list the values %s may hold", col)
		}
	}
	for i, c := range v.SQL {
		path := fmt.Sprintf("validation.sql[%d]", i)
		if c.Name == "" {
			ps.addf(path+".name", "name the check, so reports can say which one failed")
		}
		if _, err := parseTemplate("validation.sql", c.Select, "Table", "From", "To"); err != nil {
			ps.addf(path+".select", "%v", err)
		} else if !strings.Contains(c.Select, ".Table") {
			ps.addf(path+".select", "the SELECT must read the rows under check as {{ .Table }}, e.g. SELECT * FROM {{ .Table }} WHERE amount < 0")
		}
	}
}
