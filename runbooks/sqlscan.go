package runbooks

import (
	"regexp"
	"strings"
	"unicode"
)

// templateAction matches a {{ }} action, which Destructive reads as a
// name: templates only fill in tables and values.
var templateAction = regexp.MustCompile(`(?s)\{\{.*?\}\}`)

// sqlStatements splits sql into statements, each a list of tokens:
// upper-cased words, "(" and ")". Comments, string literals, quoted
// identifiers and dollar-quoted bodies are dropped, so that a keyword
// inside them is never mistaken for the statement's. backslash says
// whether a backslash escapes a quote, as in BigQuery and in PostgreSQL's
// E'...' strings, but not in standard SQL strings.
func sqlStatements(sql string, backslash bool) [][]string {
	src := []rune(templateAction.ReplaceAllString(sql, " tmpl "))
	var out [][]string
	var cur []string
	for i := 0; i < len(src); {
		r := src[i]
		switch {
		case r == ';':
			out, cur = appendStatement(out, cur), nil
			i++
		case r == '(' || r == ')':
			cur = append(cur, string(r))
			i++
		case isWordStart(r):
			j := i
			for j < len(src) && isWordPart(src[j]) {
				j++
			}
			cur = append(cur, strings.ToUpper(string(src[i:j])))
			i = j
		default:
			i = skipOpaque(src, i, backslash)
		}
	}
	return appendStatement(out, cur)
}

// appendStatement adds a statement that has tokens.
func appendStatement(out [][]string, stmt []string) [][]string {
	if len(stmt) == 0 {
		return out
	}
	return append(out, stmt)
}

// isWordStart reports whether r starts a keyword or a name.
func isWordStart(r rune) bool { return r == '_' || unicode.IsLetter(r) }

// isWordPart reports whether r continues a keyword or a name.
func isWordPart(r rune) bool {
	return r == '_' || r == '$' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// skipOpaque returns the index after what starts at src[i] when it is a
// comment, a quoted string or identifier, or a dollar-quoted body, and
// i+1 for any other character.
func skipOpaque(src []rune, i int, backslash bool) int {
	at := func(s string) bool { return strings.HasPrefix(string(src[i:min(i+len(s), len(src))]), s) }
	switch {
	case at("--"):
		return skipTo(src, i+2, "\n")
	case at("/*"):
		return skipTo(src, i+2, "*/")
	case src[i] == '\'' || src[i] == '"' || src[i] == '`':
		return skipQuoted(src, i, backslash)
	case src[i] == '$':
		if tag, ok := dollarTag(src, i); ok {
			return skipTo(src, i+len(tag), tag)
		}
	}
	return i + 1
}

// skipTo returns the index after the first end at or after i, or the end
// of src when there is none.
func skipTo(src []rune, i int, end string) int {
	if k := strings.Index(string(src[i:]), end); k >= 0 {
		return i + len([]rune(string(src[i:])[:k])) + len([]rune(end))
	}
	return len(src)
}

// skipQuoted skips a quoted literal or identifier, where a doubled quote
// (and, when backslash is set, a backslash) escapes the quote character.
func skipQuoted(src []rune, i int, backslash bool) int {
	q := src[i]
	for j := i + 1; j < len(src); j++ {
		switch {
		case backslash && src[j] == '\\':
			j++
		case src[j] == q && j+1 < len(src) && src[j+1] == q:
			j++
		case src[j] == q:
			return j + 1
		}
	}
	return len(src)
}

// dollarTag returns the $tag$ that opens a dollar-quoted body at src[i].
func dollarTag(src []rune, i int) (string, bool) {
	for j := i + 1; j < len(src); j++ {
		switch {
		case src[j] == '$':
			return string(src[i : j+1]), true
		case !isWordPart(src[j]) || unicode.IsDigit(src[j]) && j == i+1:
			return "", false // $1 is a parameter, not a tag
		}
	}
	return "", false
}
