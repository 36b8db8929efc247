package bqfake

import (
	"slices"
	"strings"
)

// jobsView is the SQLite table behind INFORMATION_SCHEMA.JOBS.
const jobsView = "INFORMATION_SCHEMA.JOBS"

// resolveTables marks the paths that name tables: any path of three parts
// or more (`project.dataset.table`), and dataset.table right after FROM,
// JOIN, INTO or TABLE. Shorter paths are columns (alias.column) or CTE
// names. A table after INTO or TABLE is written, not read.
func (tr *translator) resolveTables() {
	for i := range tr.items {
		it := &tr.items[i]
		prev := tr.at(tr.prev(i)).word()
		written := prev == "INTO" || prev == "TABLE"
		// INSERT INTO t (a, b): the parenthesis is a column list, not a call.
		if it.path == nil || (tr.isCall(i) && !written) {
			continue
		}
		afterFrom := prev == "FROM" || prev == "JOIN" || written
		if len(it.path) < 3 && !it.dotted && !(len(it.path) == 2 && afterFrom) || isStructField(*it) {
			continue
		}
		name, key, err := tr.resolve(it.path)
		if err != nil {
			tr.fail(err)
			continue
		}
		it.table, it.into = name, written
		switch {
		case key == "":
			tr.stmt.jobs = true
		case it.into:
			tr.stmt.target = key
		case !slices.Contains(tr.stmt.reads, key):
			tr.stmt.reads = append(tr.stmt.reads, key)
		}
	}
}

// isStructField reports whether a path is alias.column.field of a STRUCT
// column of JOBS, which is three parts without being a table.
func isStructField(it item) bool {
	return len(it.path) == 3 && !it.dotted && structColumns[strings.ToLower(it.path[1])]
}

// resolve maps a table path to its SQLite table and state key ("" for
// INFORMATION_SCHEMA.JOBS).
func (tr *translator) resolve(parts []string) (name, key string, err *apiError) {
	s := tr.s
	if len(parts) == 4 && strings.EqualFold(parts[2], "INFORMATION_SCHEMA") && parts[0] == s.Project {
		parts = parts[1:]
	}
	if len(parts) == 3 && strings.EqualFold(parts[1], "INFORMATION_SCHEMA") {
		view := strings.ToUpper(parts[2])
		if strings.ToLower(parts[0]) != s.region() || (view != "JOBS" && view != "JOBS_BY_PROJECT") {
			return "", "", errQuery("the BigQuery stand-in has `%s`.INFORMATION_SCHEMA.JOBS only, not %s", s.region(), strings.Join(parts, "."))
		}
		return jobsView, "", nil
	}
	project := s.Project
	switch len(parts) {
	case 2:
	case 3:
		project, parts = parts[0], parts[1:]
	default:
		return "", "", errQuery("Invalid table name: %s", strings.Join(parts, "."))
	}
	if project != s.Project {
		return "", "", errNotFound("Not found: Project %s", project)
	}
	key = tableKey(parts[0], parts[1])
	return s.sqlName(key), key, nil
}

// reserved are words that follow a table but are not its alias.
var reserved = map[string]bool{
	"WHERE": true, "JOIN": true, "LEFT": true, "RIGHT": true, "INNER": true, "OUTER": true, "CROSS": true,
	"FULL": true, "ON": true, "USING": true, "GROUP": true, "ORDER": true, "LIMIT": true, "UNION": true,
	"HAVING": true, "WINDOW": true, "QUALIFY": true, "TABLESAMPLE": true, "FOR": true, "EXCEPT": true,
	"INTERSECT": true, "SELECT": true, "SET": true, "VALUES": true, "WITH": true, "FROM": true, "AS": true,
}

// findAliases records the aliases of tables and of UNNEST(...).
func (tr *translator) findAliases() {
	for i := range tr.items {
		it := &tr.items[i]
		switch {
		case it.table != "" && !it.into:
			alias, ok := tr.aliasAfter(i)
			it.aliased = ok
			if !ok {
				alias = it.path[len(it.path)-1] // BigQuery lets the table's own name qualify columns
			}
			tr.aliases[strings.ToLower(alias)] = it.table
		case it.word() == "UNNEST" && tr.isCall(i):
			if alias, ok := tr.aliasAfter(tr.closing(tr.next(i))); ok {
				tr.unnest[strings.ToLower(alias)] = true
			}
		}
	}
}

// aliasAfter returns the alias written after item i: [AS] name.
func (tr *translator) aliasAfter(i int) (string, bool) {
	j := tr.next(i)
	if tr.at(j).word() == "AS" {
		j = tr.next(j)
	}
	it := tr.at(j)
	if len(it.path) != 1 || reserved[it.word()] || tr.isCall(j) {
		return "", false
	}
	return it.path[0], true
}

func (tr *translator) fail(err *apiError) {
	if tr.err == nil {
		tr.err = err
	}
}

// region is the qualifier of this location's INFORMATION_SCHEMA.
func (s *Server) region() string { return "region-" + strings.ToLower(s.Location) }
