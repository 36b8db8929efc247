package bqfake

import (
	"slices"
	"strings"
)

// statement is a GoogleSQL statement translated for SQLite.
type statement struct {
	kind   string   // BigQuery's statement type: SELECT, INSERT... SCRIPT
	sql    string   // the SQLite text
	reads  []string // keys ("dataset.table") of the tables it reads
	jobs   bool     // whether it reads INFORMATION_SCHEMA.JOBS
	target string   // key of the table written (INSERT INTO, CREATE TABLE...)
	params []string // names of the @parameters used
}

// item is a token, or a dotted path of identifiers grouped from several.
type item struct {
	tok     token
	path    []string // identifier parts, for paths
	quoted  bool     // some part was in backquotes
	dotted  bool     // a backquoted part held dots: `p.d.t`
	table   string   // SQLite table name, when the path names a table
	aliased bool     // the table has an alias in the text
	into    bool     // the table is written: it follows INTO or TABLE
}

// translator turns one statement's items into SQLite text.
type translator struct {
	s       *Server
	items   []item
	aliases map[string]string // alias (lower case) → SQLite table name
	unnest  map[string]bool   // aliases of UNNEST(...), lower case
	stmt    statement
	err     *apiError
}

// translate parses and translates a statement; see the package doc for the
// subset of GoogleSQL it knows.
func (s *Server) translate(sql string) (statement, *apiError) {
	toks, err := lex(sql)
	if err != nil {
		return statement{}, errQuery("Syntax error: %v", err)
	}
	tr := &translator{s: s, items: group(toks), aliases: map[string]string{}, unnest: map[string]bool{}}
	tr.stmt.kind = statementKind(tr.items)
	for _, t := range toks {
		if t.kind == tkParam && !slices.Contains(tr.stmt.params, t.text) {
			tr.stmt.params = append(tr.stmt.params, t.text)
		}
	}
	tr.resolveTables()
	tr.findAliases()
	tr.stmt.sql = tr.render()
	if tr.err != nil {
		return statement{}, tr.err
	}
	return tr.stmt, nil
}

// group joins identifiers separated by dots into paths.
func group(toks []token) []item {
	var out []item
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		it := item{tok: t}
		if t.kind == tkWord || t.kind == tkQuoted {
			it.addPart(t)
			for i+2 < len(toks) && toks[i+1].kind == tkPunct && toks[i+1].text == "." &&
				(toks[i+2].kind == tkWord || toks[i+2].kind == tkQuoted) {
				it.addPart(toks[i+2])
				i += 2
			}
		}
		out = append(out, it)
	}
	return out
}

func (it *item) addPart(t token) {
	if t.kind == tkQuoted {
		it.quoted = true
		it.dotted = it.dotted || strings.Contains(t.text, ".")
		it.path = append(it.path, strings.Split(t.text, ".")...)
		return
	}
	it.path = append(it.path, t.text)
}

// word is the upper-case text of an unquoted one-part path, else "".
func (it item) word() string {
	if len(it.path) != 1 || it.quoted {
		return ""
	}
	return strings.ToUpper(it.path[0])
}

func (it item) is(punct string) bool { return it.tok.kind == tkPunct && it.tok.text == punct }

// next and prev find the neighbouring significant item (not space), or -1.
func (tr *translator) next(i int) int {
	for j := i + 1; j < len(tr.items); j++ {
		if tr.items[j].tok.kind != tkSpace {
			return j
		}
	}
	return -1
}

func (tr *translator) prev(i int) int {
	for j := i - 1; j >= 0; j-- {
		if tr.items[j].tok.kind != tkSpace {
			return j
		}
	}
	return -1
}

// at returns the item at i, or an empty one for -1.
func (tr *translator) at(i int) item {
	if i < 0 || i >= len(tr.items) {
		return item{}
	}
	return tr.items[i]
}

// isCall reports a path followed by "(": a function, not a table.
func (tr *translator) isCall(i int) bool { return tr.at(tr.next(i)).is("(") }

// closing returns the index of the ")" matching the "(" at i.
func (tr *translator) closing(i int) int {
	depth := 0
	for j := i; j < len(tr.items); j++ {
		switch {
		case tr.items[j].is("("):
			depth++
		case tr.items[j].is(")"):
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return len(tr.items) - 1
}

// statementKind is the type a dry run reports. More than one statement is
// a SCRIPT, as in BigQuery.
func statementKind(items []item) string {
	kind, seenEnd := "", false
	for _, it := range items {
		switch {
		case it.tok.kind == tkSpace:
		case it.is(";"):
			seenEnd = true
		case seenEnd:
			return "SCRIPT"
		case kind == "":
			kind = firstWordKind(it)
		}
	}
	return kind
}

func firstWordKind(it item) string {
	switch w := it.word(); w {
	case "SELECT", "WITH":
		return "SELECT"
	case "CREATE", "DROP", "ALTER", "TRUNCATE":
		return w + "_TABLE"
	case "BEGIN", "DECLARE", "EXECUTE", "IF", "LOOP", "CALL":
		return "SCRIPT"
	case "":
		if it.is("(") {
			return "SELECT"
		}
		return "UNKNOWN"
	default:
		return w
	}
}
