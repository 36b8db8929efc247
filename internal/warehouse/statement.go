package warehouse

import (
	"fmt"
	"strings"
)

// MultipleStatementsError is the refusal of a text that holds more than
// one statement: dre runs exactly one per call, so that a value that
// slipped into the text can never end the statement and start another.
type MultipleStatementsError struct {
	// Next is the start of the second statement, for the message.
	Next string
}

func (e *MultipleStatementsError) Error() string {
	return fmt.Sprintf("the SQL holds more than one statement (another starts after a ';': %q); "+
		"dre runs exactly one statement per step, with values bound as parameters ($1, $2, ...), never written into the text", e.Next)
}

// SingleStatement returns a *MultipleStatementsError when sql has
// something other than blanks and comments after a ';' that is outside
// strings, quoted names, comments and dollar-quoted bodies. Dialects
// disagree on backslash escapes and on # comments, so it reads the text
// each way and refuses when any reading finds a second statement.
func SingleStatement(sql string) error {
	for _, backslash := range []bool{false, true} {
		for _, hash := range []bool{false, true} {
			if next, ok := secondStatement(sql, lexing{backslash: backslash, hashComments: hash}); ok {
				return &MultipleStatementsError{Next: clip(next, 40)}
			}
		}
	}
	return nil
}

// lexing says how one dialect reads SQL text.
type lexing struct {
	backslash    bool // a backslash escapes a quote (BigQuery, PostgreSQL E'...')
	hashComments bool // # starts a comment (BigQuery)
}

// secondStatement returns the text from where a statement starts after a
// ';', if one does.
func secondStatement(sql string, lx lexing) (string, bool) {
	ended := false
	for i := 0; i < len(sql); {
		c := sql[i]
		switch {
		case c == ';':
			ended = true
			i++
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			i++
		case lx.commentLen(sql[i:]) > 0:
			i += lx.commentLen(sql[i:])
		case ended:
			return sql[i:], true
		default:
			i += max(lx.opaqueLen(sql[i:]), 1)
		}
	}
	return "", false
}

// commentLen is the length of the comment at the start of s, or 0. An
// unterminated one runs to the end of s.
func (lx lexing) commentLen(s string) int {
	switch {
	case strings.HasPrefix(s, "--") || lx.hashComments && s[0] == '#':
		return until(s, 1, "\n")
	case strings.HasPrefix(s, "/*"):
		return until(s, 2, "*/")
	}
	return 0
}

// opaqueLen is the length of the quoted string or name, or dollar-quoted
// body at the start of s, or 0. An unterminated one runs to the end of s.
func (lx lexing) opaqueLen(s string) int {
	switch {
	case isQuote(s[0]):
		return lx.quotedLen(s)
	case s[0] == '$':
		if tag := dollarTag(s); tag != "" {
			return until(s, len(tag), tag)
		}
	}
	return 0
}

// quotedLen is the length of the quoted text at the start of s, where a
// doubled quote (or, with backslash, a backslash) escapes the quote.
func (lx lexing) quotedLen(s string) int {
	q := s[0]
	for j := 1; j < len(s); j++ {
		switch {
		case lx.backslash && s[j] == '\\':
			j++
		case s[j] == q && j+1 < len(s) && s[j+1] == q:
			j++
		case s[j] == q:
			return j + 1
		}
	}
	return len(s)
}

// until is the length of s up to and including the first end at or
// after from, or len(s).
func until(s string, from int, end string) int {
	if k := strings.Index(s[from:], end); k >= 0 {
		return from + k + len(end)
	}
	return len(s)
}

// dollarTag returns the $tag$ opening a dollar-quoted body at the start
// of s, or "" ($1 is a parameter, not a tag).
func dollarTag(s string) string {
	for j := 1; j < len(s); j++ {
		c := s[j]
		switch {
		case c == '$':
			return s[:j+1]
		case c >= '0' && c <= '9' && j == 1:
			return ""
		case c != '_' && !(c >= '0' && c <= '9') && !(c|0x20 >= 'a' && c|0x20 <= 'z') && c < 0x80:
			return ""
		}
	}
	return ""
}

func isQuote(c byte) bool { return c == '\'' || c == '"' || c == '`' }

// clip shortens s to n bytes for a message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
