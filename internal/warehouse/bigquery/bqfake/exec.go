package bqfake

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"

	bq "google.golang.org/api/bigquery/v2"
)

// result is a query's rows, in stored form, with their schema.
type result struct {
	schema *bq.TableSchema
	rows   [][]any
}

// checkReads fails as BigQuery does when a statement reads a table that
// does not exist or that the caller may not read.
func (s *Server) checkReads(stmt statement) *apiError {
	if stmt.jobs {
		if err := s.check("bigquery.jobs.listAll", ""); err != nil {
			return err
		}
	}
	for _, key := range stmt.reads {
		dataset, name, _ := strings.Cut(key, ".")
		if _, err := s.lookup(dataset, name); err != nil {
			return errNotFound("Not found: Table %s:%s was not found in location %s", s.Project, key, s.Location)
		}
		if err := s.check("bigquery.tables.getData", key); err != nil {
			return err
		}
	}
	return nil
}

// bind converts query parameters to SQLite's named arguments.
func bind(params []*bq.QueryParameter) ([]any, *apiError) {
	args := make([]any, 0, len(params))
	for _, p := range params {
		v, err := paramValue(p)
		if err != nil {
			return nil, errQuery("%v", err)
		}
		args = append(args, sql.Named(p.Name, v))
	}
	return args, nil
}

// selectRows runs a SELECT.
func (s *Server) selectRows(ctx context.Context, stmt statement, args []any) (*result, *apiError) {
	rows, err := s.db.QueryContext(ctx, stmt.sql, args...)
	if err != nil {
		return nil, sqliteError(err)
	}
	defer rows.Close()
	cols, err := rows.ColumnTypes()
	if err != nil {
		return nil, sqliteError(err)
	}
	var data [][]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, sqliteError(err)
		}
		data = append(data, vals)
	}
	if err := rows.Err(); err != nil {
		return nil, sqliteError(err)
	}
	return &result{schema: resultSchema(cols, data), rows: data}, nil
}

var fieldName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// resultSchema types each column by its declared type, or by its values
// when it is an expression. Unnamed expressions are f0_, f1_... as in
// BigQuery.
func resultSchema(cols []*sql.ColumnType, data [][]any) *bq.TableSchema {
	schema := &bq.TableSchema{}
	for i, c := range cols {
		typ, ok := typeOfDecl[c.DatabaseTypeName()]
		if !ok {
			values := make([]any, len(data))
			for r, row := range data {
				values[r] = row[i]
			}
			typ = inferType(values)
		}
		name := c.Name()
		if !fieldName.MatchString(name) {
			name = fmt.Sprintf("f%d_", i)
		}
		schema.Fields = append(schema.Fields, &bq.TableFieldSchema{Name: name, Type: typ, Mode: "NULLABLE"})
	}
	return schema
}

// insert runs an INSERT statement into an existing, writable table.
func (s *Server) insert(ctx context.Context, stmt statement, args []any) (int64, *apiError) {
	dataset, name, _ := strings.Cut(stmt.target, ".")
	t, err := s.lookup(dataset, name)
	if err != nil {
		return 0, err
	}
	if err := s.writable(t, stmt.target); err != nil {
		return 0, err
	}
	res, xerr := s.db.ExecContext(ctx, stmt.sql, args...)
	if xerr != nil {
		return 0, sqliteError(xerr)
	}
	n, _ := res.RowsAffected()
	t.touch()
	return n, nil
}

// writable refuses writes into snapshots and without updateData.
func (s *Server) writable(t *table, key string) *apiError {
	if t.meta.Type == "SNAPSHOT" {
		return errInvalid("Table %s:%s is a table snapshot, which is read-only", s.Project, key)
	}
	return s.check("bigquery.tables.updateData", key)
}

var noSuchTable = regexp.MustCompile(`no such table: (\S+)`)

// sqliteError reports SQLite's complaint as BigQuery's invalidQuery.
func sqliteError(err error) *apiError {
	if m := noSuchTable.FindStringSubmatch(err.Error()); m != nil {
		return errNotFound("Not found: Table %s was not found", m[1])
	}
	return errQuery("%v", err)
}
