package warehouse

// OutputColumn is one column a SELECT produces and the source columns
// that feed it, as the warehouse's planner shows them.
type OutputColumn struct {
	// Name is the column's name in the SELECT's result.
	Name string `json:"name"`
	// Sources are the table columns its value is computed from; a Column
	// of "*" is a whole row of Table.
	Sources []ColumnRef `json:"sources,omitempty"`
	// Untraced, when set, says why the sources could not be told (a
	// subquery, a UNION, a function's rows); Sources is then incomplete.
	Untraced string `json:"untraced,omitempty"`
}

// ColumnRef is a column of a table.
type ColumnRef struct {
	Table  TableRef `json:"table"`
	Column string   `json:"column"`
}

// String renders the column as schema.table.column.
func (c ColumnRef) String() string { return c.Table.String() + "." + c.Column }

// RoleCheck is what a warehouse found about a role a backfill SELECT is
// to run as (catalog backfill.select_role).
type RoleCheck struct {
	// Problems make the role unfit: it is not limited (a superuser, RLS
	// bypassed, a member of a read-everything role), dre's user cannot
	// take it, or it cannot read a declared source. Each says what to do.
	Problems []string `json:"problems,omitempty"`
	// Undeclared are tables the role may read that PUBLIC may not and
	// that are not declared sources (at most a few): not fatal, but more
	// than the dataset needs.
	Undeclared []string `json:"undeclared,omitempty"`
}
