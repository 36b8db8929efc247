package runbooks

import "slices"

// destroying are statements that lose data, access or definitions, or
// that run code lint cannot see (CALL, DO, EXECUTE).
var destroying = []string{"DELETE", "DROP", "TRUNCATE", "ALTER", "GRANT", "REVOKE",
	"MERGE", "CALL", "DO", "EXECUTE"}

// explainable are the statements EXPLAIN ANALYZE can run.
var explainable = []string{"SELECT", "INSERT", "UPDATE", "DELETE", "MERGE", "VALUES",
	"EXECUTE", "CREATE", "DECLARE", "WITH"}

// Destructive returns what is destructive in sql, one entry per kind of
// statement, like "DELETE" or "UPDATE without WHERE"; nil means the
// statements only read or add. It reads every statement, including those
// nested in parentheses such as PostgreSQL's data-modifying WITH
// queries, and errs on the side of caution where the dialects disagree.
// It is a lint, not a sandbox: the warehouse's grants are the real limit.
func Destructive(sql string) []string {
	var out []string
	for _, backslash := range []bool{false, true} {
		for _, stmt := range sqlStatements(sql, backslash) {
			for h := range stmt {
				if h > 0 && stmt[h-1] != "(" {
					continue // only words that start a statement
				}
				if f := headFinding(stmt, h); f != "" && !slices.Contains(out, f) {
					out = append(out, f)
				}
			}
		}
	}
	return out
}

// headFinding says what is destructive about the statement starting at
// stmt[h], or "".
func headFinding(stmt []string, h int) string {
	switch w := stmt[h]; {
	case slices.Contains(destroying, w):
		return w
	case w == "UPDATE" && !hasWhere(stmt, h):
		return "UPDATE without WHERE"
	case w == "CREATE" && h+2 < len(stmt) && stmt[h+1] == "OR" && stmt[h+2] == "REPLACE":
		return "CREATE OR REPLACE"
	case w == "REASSIGN":
		return "REASSIGN OWNED"
	case w == "EXPLAIN" && (slices.Contains(stmt, "ANALYZE") || slices.Contains(stmt, "ANALYSE")):
		// EXPLAIN ANALYZE runs the statement it explains.
		for k := h + 1; k < len(stmt); k++ {
			if slices.Contains(explainable, stmt[k]) {
				return headFinding(stmt, k)
			}
		}
	}
	return ""
}

// hasWhere reports whether the UPDATE at stmt[h] has a WHERE of its own
// that is not just WHERE TRUE (which BigQuery requires to update all rows).
func hasWhere(stmt []string, h int) bool {
	depth := 0
	for k := h + 1; k < len(stmt); k++ {
		switch stmt[k] {
		case "(":
			depth++
		case ")":
			if depth == 0 {
				return false // the end of the subquery holding the UPDATE
			}
			depth--
		case "WHERE":
			if depth == 0 {
				whereTrue := k+1 < len(stmt) && stmt[k+1] == "TRUE" && (k+2 == len(stmt) || stmt[k+2] == ")")
				return !whereTrue
			}
		}
	}
	return false
}
