package bqfake

import (
	"fmt"
	"strings"
)

// tokKind is the kind of a GoogleSQL token.
type tokKind int

const (
	tkSpace  tokKind = iota // whitespace and comments
	tkWord                  // identifier or keyword
	tkQuoted                // `quoted identifier`, text without backquotes
	tkString                // string literal, text decoded
	tkNumber
	tkParam // @name, text without the @
	tkPunct
)

type token struct {
	kind tokKind
	text string
}

// lex splits GoogleSQL text into tokens.
func lex(src string) ([]token, error) {
	var out []token
	for i := 0; i < len(src); {
		tok, n, err := lexOne(src[i:])
		if err != nil {
			return nil, err
		}
		out = append(out, tok)
		i += n
	}
	return out, nil
}

// lexOne reads the token at the start of s and returns its length.
func lexOne(s string) (token, int, error) {
	c := s[0]
	switch {
	case isSpace(c):
		return token{tkSpace, " "}, prefixLen(s, isSpace), nil
	case strings.HasPrefix(s, "--") || c == '#':
		return lineComment(s)
	case strings.HasPrefix(s, "/*"):
		return blockComment(s)
	case c == '`':
		return quotedIdentifier(s)
	case c == '\'' || c == '"':
		return lexString(s, false)
	case strings.IndexByte("rRbB", c) >= 0 && len(s) > 1 && (s[1] == '\'' || s[1] == '"'):
		tok, n, err := lexString(s[1:], c == 'r' || c == 'R') // r'raw', b'bytes'
		return tok, n + 1, err
	case c == '@':
		n := 1 + prefixLen(s[1:], isIdent)
		return token{tkParam, s[1:n]}, n, nil
	case isDigit(c):
		n := prefixLen(s, isNumber)
		return token{tkNumber, s[:n]}, n, nil
	case isIdent(c):
		n := prefixLen(s, isIdent)
		return token{tkWord, s[:n]}, n, nil
	}
	return lexPunct(s)
}

// prefixLen counts the leading bytes of s that ok accepts.
func prefixLen(s string, ok func(byte) bool) int {
	n := 0
	for n < len(s) && ok(s[n]) {
		n++
	}
	return n
}

func lineComment(s string) (token, int, error) {
	n := strings.IndexByte(s, '\n')
	if n < 0 {
		n = len(s)
	}
	return token{tkSpace, " "}, n, nil
}

func blockComment(s string) (token, int, error) {
	n := strings.Index(s[2:], "*/")
	if n < 0 {
		return token{}, 0, fmt.Errorf("unclosed comment")
	}
	return token{tkSpace, " "}, n + 4, nil
}

func quotedIdentifier(s string) (token, int, error) {
	n := strings.IndexByte(s[1:], '`')
	if n < 0 {
		return token{}, 0, fmt.Errorf("unclosed identifier in backticks")
	}
	return token{tkQuoted, s[1 : n+1]}, n + 2, nil
}

// lexPunct reads an operator: two characters when it is one of those.
func lexPunct(s string) (token, int, error) {
	for _, op := range []string{"<=", ">=", "<>", "!=", "||", "<<", ">>"} {
		if strings.HasPrefix(s, op) {
			return token{tkPunct, op}, 2, nil
		}
	}
	return token{tkPunct, s[:1]}, 1, nil
}

// lexString reads a quoted string: '...', "...", or triple-quoted, with
// backslash escapes unless raw.
func lexString(s string, raw bool) (token, int, error) {
	quote := s[:1]
	if strings.HasPrefix(s, strings.Repeat(quote, 3)) {
		quote = s[:3]
	}
	var b strings.Builder
	for i := len(quote); i < len(s); i++ {
		switch {
		case strings.HasPrefix(s[i:], quote):
			return token{tkString, b.String()}, i + len(quote), nil
		case s[i] == '\\' && !raw && i+1 < len(s):
			i++
			b.WriteByte(unescape(s[i]))
		case s[i] == '\\' && raw && i+1 < len(s):
			b.WriteString(s[i : i+2])
			i++
		default:
			b.WriteByte(s[i])
		}
	}
	return token{}, 0, fmt.Errorf("unclosed string literal")
}

func unescape(c byte) byte {
	switch c {
	case 'n':
		return '\n'
	case 't':
		return '\t'
	case 'r':
		return '\r'
	}
	return c
}

func isSpace(c byte) bool  { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isNumber(c byte) bool { return isDigit(c) || c == '.' || c == 'e' || c == 'E' }
func isIdent(c byte) bool  { return c == '_' || isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'z') }
