package activities

import (
	"strconv"
	"strings"
)

// namedParams rewrites the $1, $2, ... of a runbook statement to the
// @p1, @p2, ... that warehouse.Query takes. Quoted strings and names,
// comments and $$-quoted bodies are copied unchanged, so '$1' stays text.
func namedParams(sql string) string {
	var out strings.Builder
	for i := 0; i < len(sql); {
		if n := literalLen(sql[i:]); n > 0 {
			out.WriteString(sql[i : i+n])
			i += n
			continue
		}
		if sql[i] == '$' && i+1 < len(sql) && isDigit(sql[i+1]) && (i == 0 || !isWordByte(sql[i-1])) {
			end := i + 1
			for end < len(sql) && isDigit(sql[end]) {
				end++
			}
			out.WriteString("@p" + sql[i+1:end])
			i = end
			continue
		}
		out.WriteByte(sql[i])
		i++
	}
	return out.String()
}

// literalLen is the length of the quoted text or comment at the start of
// s, or 0. An unterminated one runs to the end, for the warehouse to report.
func literalLen(s string) int {
	end := func(closer string, from int) int {
		if n := strings.Index(s[from:], closer); n >= 0 {
			return from + n + len(closer)
		}
		return len(s)
	}
	switch {
	case s[0] == '\'' || s[0] == '"':
		return end(s[:1], 1) // a doubled quote reads as two adjacent literals: same result
	case strings.HasPrefix(s, "--"):
		return end("\n", 2)
	case strings.HasPrefix(s, "/*"):
		return end("*/", 2)
	case strings.HasPrefix(s, "$$"):
		return end("$$", 2)
	}
	return 0
}

// paramMap names params p1, p2, ... for warehouse.Query.
func paramMap(params []any) map[string]any {
	m := make(map[string]any, len(params))
	for i, v := range params {
		m["p"+strconv.Itoa(i+1)] = v
	}
	return m
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isWordByte(c byte) bool {
	return c == '_' || isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'z')
}
