package postgres

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// bindParams rewrites the @name parameters of sql to PostgreSQL's $n and
// returns their values in $n order; a name used twice binds one value.
// String literals, quoted identifiers, dollar quotes, comments and ::
// casts are copied unchanged, so '@home' or "a@b" are not parameters.
// Parameters without a value are an error; values sql does not use are
// ignored, so callers can offer @from and @to to a SELECT that needs one.
func bindParams(sql string, params map[string]any) (string, []any, error) {
	b := binder{params: params, index: map[string]int{}}
	return b.rewrite(sql)
}

// inlineTimes is bindParams for text that cannot take bound parameters
// (a statement run by EXECUTE): each @name becomes its time as a quoted
// literal of unknown type, which PostgreSQL types from its context just as
// it types a parameter. The values are times dre formats, never input.
func inlineTimes(sql string, params map[string]time.Time) (string, error) {
	values := make(map[string]any, len(params))
	for k, v := range params {
		values[k] = v
	}
	b := binder{params: values, index: map[string]int{}, literal: true}
	out, _, err := b.rewrite(sql)
	return out, err
}

// rewrite copies sql to b.out, replacing its @name parameters.
func (b *binder) rewrite(sql string) (string, []any, error) {
	for i := 0; i < len(sql); {
		if n := opaqueLen(sql, i); n > 0 {
			b.out.WriteString(sql[i : i+n])
			i += n
			continue
		}
		switch c := sql[i]; {
		case c == '@' && i+1 < len(sql) && isNameStart(sql[i+1]):
			end := i + 1
			for end < len(sql) && isNameChar(sql[end]) {
				end++
			}
			if err := b.bind(sql[i+1 : end]); err != nil {
				return "", nil, err
			}
			i = end
		case c == '$' && i+1 < len(sql) && isDigit(sql[i+1]) && !(i > 0 && isIdentChar(sql[i-1])):
			return "", nil, fmt.Errorf("SQL uses a positional parameter $%c: write parameters as @name", sql[i+1])
		default:
			b.out.WriteByte(c)
			i++
		}
	}
	return b.out.String(), b.args, nil
}

// binder accumulates bindParams' output.
type binder struct {
	params map[string]any
	out    strings.Builder
	args   []any
	index  map[string]int // parameter name to its $n
	// literal writes time values as quoted literals instead of $n.
	literal bool
}

// bind writes the $n of parameter name, giving it the next n on first use.
func (b *binder) bind(name string) error {
	n, ok := b.index[name]
	if !ok {
		v, ok := b.params[name]
		if !ok {
			return fmt.Errorf("SQL uses parameter @%s, which has no value", name)
		}
		b.args = append(b.args, v)
		n = len(b.args)
		b.index[name] = n
	}
	if b.literal {
		t, ok := b.args[n-1].(time.Time)
		if !ok {
			return fmt.Errorf("SQL parameter @%s is a %T; only times can be written into the statement", name, b.args[n-1])
		}
		b.out.WriteString("'" + t.UTC().Format("2006-01-02 15:04:05.999999Z07:00") + "'")
		return nil
	}
	b.out.WriteString("$" + strconv.Itoa(n))
	return nil
}

// opaqueLen returns the length of the literal, quoted identifier, comment
// or cast starting at sql[i], or 0 when none starts there. An unterminated
// one runs to the end of the text, where PostgreSQL will report it.
func opaqueLen(sql string, i int) int {
	rest := sql[i:]
	switch {
	case rest[0] == '\'':
		return quotedLen(rest, '\'', escapeString(sql, i))
	case rest[0] == '"':
		return quotedLen(rest, '"', false)
	case strings.HasPrefix(rest, "--"):
		if n := strings.IndexByte(rest, '\n'); n >= 0 {
			return n
		}
		return len(rest)
	case strings.HasPrefix(rest, "/*"):
		return blockCommentLen(rest)
	case strings.HasPrefix(rest, "::"):
		return 2
	case rest[0] == '$' && !(i > 0 && isIdentChar(sql[i-1])):
		return dollarQuoteLen(rest)
	}
	return 0
}

// escapeString reports whether the literal at sql[i] is an E'...' string,
// in which a backslash escapes the next character.
func escapeString(sql string, i int) bool {
	if i == 0 || (sql[i-1] != 'E' && sql[i-1] != 'e') {
		return false
	}
	return i == 1 || !isIdentChar(sql[i-2])
}

// quotedLen measures a literal or identifier quoted with q, in which a
// doubled quote stands for itself.
func quotedLen(s string, q byte, backslash bool) int {
	for i := 1; i < len(s); i++ {
		switch {
		case backslash && s[i] == '\\':
			i++
		case s[i] == q && i+1 < len(s) && s[i+1] == q:
			i++
		case s[i] == q:
			return i + 1
		}
	}
	return len(s)
}

// blockCommentLen measures a /* comment */; they nest in PostgreSQL.
func blockCommentLen(s string) int {
	depth := 0
	for i := 0; i+1 < len(s); i++ {
		switch s[i : i+2] {
		case "/*":
			depth++
			i++
		case "*/":
			depth--
			i++
			if depth == 0 {
				return i + 1
			}
		}
	}
	return len(s)
}

// dollarQuoteLen measures a $tag$...$tag$ string, or returns 0 when the $
// does not open one.
func dollarQuoteLen(s string) int {
	end := 1
	for end < len(s) && s[end] != '$' {
		if !isIdentChar(s[end]) || (end == 1 && isDigit(s[end])) {
			return 0
		}
		end++
	}
	if end == len(s) {
		return 0
	}
	tag := s[:end+1]
	if n := strings.Index(s[len(tag):], tag); n >= 0 {
		return len(tag) + n + len(tag)
	}
	return len(s)
}

// firstKeyword returns the statement's first word in upper case, after
// any comments, blanks and opening parentheses.
func firstKeyword(sql string) string {
	i := 0
	for i < len(sql) {
		switch c := sql[i]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '(':
			i++
		case strings.HasPrefix(sql[i:], "--") || strings.HasPrefix(sql[i:], "/*"):
			i += opaqueLen(sql, i)
		default:
			end := i
			for end < len(sql) && isNameChar(sql[end]) {
				end++
			}
			return strings.ToUpper(sql[i:end])
		}
	}
	return ""
}

func isNameStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isNameChar(c byte) bool { return isNameStart(c) || isDigit(c) }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isIdentChar reports whether c can continue an unquoted PostgreSQL
// identifier: letters, digits, _, $ and any byte of a non-ASCII letter.
func isIdentChar(c byte) bool { return isNameChar(c) || c == '$' || c >= 0x80 }
