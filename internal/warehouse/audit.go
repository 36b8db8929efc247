package warehouse

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// Check kinds of Check.Kind: the dataset-level checks of dre.yaml.
const (
	CheckNotNull        = "not_null"
	CheckUnique         = "unique"
	CheckAcceptedValues = "accepted_values"
	CheckSQL            = "sql"
)

// Check is one assertion about a partition's staged rows. The adapter
// builds the SQL of the structured kinds in its own dialect; CheckSQL
// carries a SELECT reading the rows as StagedRows, which returns the
// violating ones.
type Check struct {
	// Name is how reports call it: not_null(order_id), unique(order_id).
	Name    string   `json:"name"`
	Kind    string   `json:"kind"`
	Columns []string `json:"columns,omitempty"`
	Values  []string `json:"values,omitempty"`
	SQL     string   `json:"sql,omitempty"`
}

// Audit asks for a write-audit-publish rewrite: the new rows are staged
// where readers cannot see them, checked, and published only if every
// check passes; otherwise the partition keeps its rows and the ledger
// records the failure.
type Audit struct {
	Checks []Check `json:"checks,omitempty"`
	// CountSource compares the staged rows with a count of the SELECT's,
	// allowing Tolerance (0.01: 1%) of difference (validation rowcount).
	CountSource bool    `json:"countSource,omitempty"`
	Tolerance   float64 `json:"tolerance,omitempty"`
	// CompareTable, when set, must hold the same rows (count and
	// checksum) in the partition as the staged ones (validation checksum
	// of a copy).
	CompareTable *TableRef `json:"compareTable,omitempty"`
}

// AuditResult is what the audit found, beside the partition's row counts.
type AuditResult struct {
	Passed bool `json:"passed"`
	// OldRows were in the partition before; NewRows are the staged rows.
	OldRows int64 `json:"oldRows"`
	NewRows int64 `json:"newRows"`
	// Findings holds one entry per check, in order.
	Findings []CheckFinding `json:"findings,omitempty"`
}

// CheckFinding is one check's outcome.
type CheckFinding struct {
	Name       string `json:"name"`
	Violations int64  `json:"violations"`
	// Example is one violating row or value, as text.
	Example string `json:"example,omitempty"`
}

// StagedRows is the name under which a check reads the rows under audit
// ({{ .Table }} in dre.yaml's SQL checks): the adapter binds it to them,
// whatever holds them (see each adapter's RewriteAudited).
const StagedRows = "dre_staged"

// Ledger statuses of LedgerEntry.Status.
const (
	LedgerWritten = "written"
	LedgerFailed  = "failed"
)

// LedgerEntry is what a backfill run recorded about one partition.
type LedgerEntry struct {
	RunID      string    `json:"runId"`
	Start      time.Time `json:"start"`
	Status     string    `json:"status"`
	SourceHash string    `json:"sourceHash,omitempty"`
	Detail     string    `json:"detail,omitempty"`
	At         time.Time `json:"at"`
}

// SourceHash identifies a backfill's source definition (its rendered
// SELECT), so that a later backfill can tell whether a partition was
// written from the same definition.
func SourceHash(sel string) string {
	sum := sha256.Sum256([]byte(sel))
	return hex.EncodeToString(sum[:12])
}

// Summary says what an audit found, with the row counts: the text of the
// ledger's detail and of the backfill report.
func (a AuditResult) Summary() string {
	var failed []string
	for _, f := range a.Findings {
		if f.Violations > 0 {
			s := fmt.Sprintf("%s: %d violations", f.Name, f.Violations)
			if f.Example != "" {
				s += " (e.g. " + f.Example + ")"
			}
			failed = append(failed, s)
		}
	}
	verdict := "passed"
	if !a.Passed {
		verdict = "failed: " + strings.Join(failed, "; ")
	}
	return fmt.Sprintf("audit %s; old rows %d, new rows %d", verdict, a.OldRows, a.NewRows)
}

// UnpublishedPartition is a partition whose latest backfill failed
// validation, so its new rows were never published, and that no later
// backfill has written: downstream readers still see the old rows.
type UnpublishedPartition struct {
	Start  time.Time `json:"start"`
	RunID  string    `json:"runId"`
	Detail string    `json:"detail,omitempty"`
	At     time.Time `json:"at"`
}
