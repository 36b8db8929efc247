package postgres

import "strings"

// columnRef is alias.column in an EXPLAIN VERBOSE expression; column "*"
// is the whole row.
type columnRef struct{ alias, column string }

// columnRefs lists the column references of an expression as EXPLAIN
// VERBOSE prints it, where every column is qualified by its scan's alias:
// dotted names not followed by "(" (a function) nor preceded by "::" (a
// type). Unqualified words are keywords, functions or types, never
// columns. hidden reports a SubPlan, an InitPlan or a $n parameter, which
// may stand for a subquery's result.
func columnRefs(expr string) (refs []columnRef, hidden bool) {
	hidden = strings.Contains(expr, "SubPlan") || strings.Contains(expr, "InitPlan")
	afterCast := false
	for i := 0; i < len(expr); {
		c := expr[i]
		switch {
		case c == '\'':
			i += quotedLen(expr[i:], '\'', false)
			afterCast = false
		case strings.HasPrefix(expr[i:], "::"):
			i += 2
			afterCast = true
		case c == '$' && i+1 < len(expr) && isDigit(expr[i+1]):
			hidden = true
			i++
		case c == '"' || isNameStart(c):
			parts, n := dottedName(expr[i:])
			i += n
			if len(parts) >= 2 && !afterCast && !startsCall(expr[i:]) {
				refs = append(refs, columnRef{alias: parts[0], column: parts[1]})
			}
			afterCast = false
		default:
			if c != ' ' {
				afterCast = false
			}
			i++
		}
	}
	return refs, hidden
}

// dottedName reads name(.name)* (names plain or double-quoted, the last
// possibly *) and returns its parts unquoted and its length.
func dottedName(s string) (parts []string, n int) {
	for {
		part, m := namePart(s[n:])
		if m == 0 {
			return parts, n
		}
		parts = append(parts, part)
		n += m
		if n+1 >= len(s) || s[n] != '.' || part == "*" {
			return parts, n
		}
		n++ // the dot
	}
}

// namePart reads one plain or quoted name, or a *, at the start of s.
func namePart(s string) (string, int) {
	switch {
	case s == "":
		return "", 0
	case s[0] == '*':
		return "*", 1
	case s[0] == '"':
		n := quotedLen(s, '"', false)
		if n < 2 {
			return "", 0
		}
		return strings.ReplaceAll(s[1:n-1], `""`, `"`), n
	case isNameStart(s[0]):
		n := 1
		for n < len(s) && isIdentChar(s[n]) {
			n++
		}
		return s[:n], n
	}
	return "", 0
}

// startsCall reports whether s, after blanks, opens an argument list.
func startsCall(s string) bool {
	return strings.HasPrefix(strings.TrimLeft(s, " "), "(")
}
