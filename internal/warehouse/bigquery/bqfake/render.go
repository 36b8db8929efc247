package bqfake

import (
	"strings"
)

// castTypes are GoogleSQL type names as SQLite CAST understands them
// (CAST(x AS STRING) would give a number in SQLite).
var castTypes = map[string]string{
	"STRING": "TEXT", "INT64": "INTEGER", "FLOAT64": "REAL", "BOOL": "INTEGER", "BYTES": "BLOB", "NUMERIC": "NUMERIC",
}

// render writes the SQLite text. It keeps a stack of the functions whose
// parentheses are open, to translate CAST's type names.
func (tr *translator) render() string {
	var b strings.Builder
	var calls []string
	for i := 0; i < len(tr.items); i++ {
		it := tr.items[i]
		switch {
		case it.is("("):
			calls = append(calls, tr.at(tr.prev(i)).word())
		case it.is(")") && len(calls) > 0:
			calls = calls[:len(calls)-1]
		}
		inCast := len(calls) > 0 && (calls[len(calls)-1] == "CAST" || calls[len(calls)-1] == "SAFE_CAST")
		i = tr.renderItem(&b, i, inCast)
	}
	return b.String()
}

// renderItem writes item i, or the several items starting there that
// translate together, and returns the index of the last one written.
func (tr *translator) renderItem(b *strings.Builder, i int, inCast bool) int {
	it := tr.items[i]
	switch {
	case it.path == nil && it.tok.kind == tkString:
		b.WriteString(sqlString(it.tok.text))
	case it.path == nil && it.tok.kind == tkParam:
		b.WriteString("@" + it.tok.text)
	case it.path == nil:
		b.WriteString(it.tok.text)
	case it.table != "":
		b.WriteString(quoteIdent(it.table))
		if !it.aliased && !it.into {
			b.WriteString(" AS " + quoteIdent(it.path[len(it.path)-1]))
		}
	case it.word() != "":
		return tr.renderWord(b, i, inCast)
	case len(it.path) == 2 && tr.unnest[strings.ToLower(it.path[0])]:
		// UNNEST became json_each: a field of an element is in its value.
		b.WriteString("json_extract(" + quoteIdent(it.path[0]) + ".value, " + sqlString("$."+it.path[1]) + ")")
	case isStructField(it):
		// A STRUCT column is a JSON object: a field is in it.
		b.WriteString("json_extract(" + quoteIdent(it.path[0]) + "." + quoteIdent(it.path[1]) + ", " + sqlString("$."+it.path[2]) + ")")
	default:
		quoted := make([]string, len(it.path))
		for k, p := range it.path {
			quoted[k] = quoteIdent(p)
		}
		b.WriteString(strings.Join(quoted, "."))
	}
	return i
}

// renderWord writes a bare word: a keyword, function or column name.
func (tr *translator) renderWord(b *strings.Builder, i int, inCast bool) int {
	it := tr.items[i]
	w := it.word()
	call := tr.isCall(i)
	switch {
	case w == "UNNEST" && call:
		b.WriteString("json_each")
	case w == "TO_JSON_STRING" && call:
		return tr.renderToJSON(b, i)
	case w == "CURRENT_TIMESTAMP" && call:
		b.WriteString("bq_now()")
		return tr.closing(tr.next(i))
	case w == "SAFE_CAST" && call:
		b.WriteString("CAST")
	case w == "TABLESAMPLE":
		// Sampling is an optimisation: the stand-in reads every row.
		return tr.closing(tr.next(tr.next(i)))
	case (w == "TIMESTAMP" || w == "DATE" || w == "DATETIME") && tr.at(tr.next(i)).tok.kind == tkString:
		return tr.renderTimeLiteral(b, i, w)
	case inCast && castTypes[w] != "" && tr.at(tr.prev(i)).word() == "AS":
		b.WriteString(castTypes[w])
	default:
		b.WriteString(it.path[0])
	}
	return i
}

// renderToJSON writes TO_JSON_STRING(alias) — a whole row — as a
// json_object of the table's columns in schema order; TO_JSON_STRING of
// anything else calls the scalar function.
func (tr *translator) renderToJSON(b *strings.Builder, i int) int {
	open := tr.next(i)
	arg := tr.next(open)
	end := tr.next(arg)
	a := tr.at(arg)
	table, ok := "", false
	if len(a.path) == 1 && tr.at(end).is(")") {
		table, ok = tr.aliases[strings.ToLower(a.path[0])]
	}
	if !ok {
		b.WriteString("to_json_string")
		return i
	}
	var fields []string
	for _, c := range tr.s.columnsOf(table) {
		fields = append(fields, sqlString(c)+", "+quoteIdent(a.path[0])+"."+quoteIdent(c))
	}
	b.WriteString("json_object(" + strings.Join(fields, ", ") + ")")
	return end
}

// renderTimeLiteral writes TIMESTAMP '...' and the like in stored form.
func (tr *translator) renderTimeLiteral(b *strings.Builder, i int, typ string) int {
	lit := tr.next(i)
	v, err := storeTime(typ, tr.items[lit].tok.text)
	if err != nil {
		tr.fail(errQuery("Invalid %s literal: %v", typ, err))
	}
	b.WriteString(sqlString(v))
	return lit
}

// sqlString quotes a SQLite string literal.
func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
