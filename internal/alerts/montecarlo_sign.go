package alerts

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
)

// MonteCarloSignatureHeader is where Monte Carlo puts a webhook's
// signature when the webhook has a shared secret.
const MonteCarloSignatureHeader = "x-mcd-signature"

// MonteCarloSigned reports whether sig (hex) is the HMAC-SHA512 under
// secret that Monte Carlo's reference verifier expects for body. That
// verifier does not hash the bytes sent: it hashes Python's
// urllib.parse.urlencode of the decoded JSON object, whose nested values
// are written as Python writes them (str and repr), so this rebuilds that
// form; an HMAC of the raw body is accepted too. Comparisons take
// constant time.
func MonteCarloSigned(body []byte, secret, sig string) bool {
	want, err := hex.DecodeString(strings.TrimSpace(sig))
	if err != nil || secret == "" {
		return false
	}
	ok := hmac.Equal(want, mcMAC(secret, body))
	if form, err := PythonURLEncoded(body); err == nil {
		ok = hmac.Equal(want, mcMAC(secret, form)) || ok
	}
	return ok
}

func mcMAC(secret string, msg []byte) []byte {
	mac := hmac.New(sha512.New, []byte(secret))
	mac.Write(msg)
	return mac.Sum(nil)
}

// PythonURLEncoded is urllib.parse.urlencode(json.loads(body)) as Python 3
// computes it: each top-level key and str(value), quote_plus-escaped, in
// the document's order. It fails on a body that is not a JSON object.
func PythonURLEncoded(body []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, errors.New("a Monte Carlo webhook body is a JSON object")
	}
	obj, err := pyObject(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data after the JSON object")
	}
	parts := make([]string, len(obj))
	for i, kv := range obj {
		parts[i] = quotePlus(kv.key) + "=" + quotePlus(pyStr(kv.val))
	}
	return []byte(strings.Join(parts, "&")), nil
}

// pyValue is a decoded JSON value that keeps object key order, as a
// Python dict does.
type pyValue any

type pyPair struct {
	key string
	val pyValue
}

// pyDict is an object's members in order; a repeated key keeps its first
// place and its last value, as json.loads leaves it.
type pyDict []pyPair

// pyObject reads members up to the closing brace.
func pyObject(dec *json.Decoder) (pyDict, error) {
	var d pyDict
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := t.(string)
		v, err := pyRead(dec)
		if err != nil {
			return nil, err
		}
		if i := d.index(key); i >= 0 {
			d[i].val = v
		} else {
			d = append(d, pyPair{key, v})
		}
	}
	_, err := dec.Token() // }
	return d, err
}

func (d pyDict) index(key string) int {
	for i, kv := range d {
		if kv.key == key {
			return i
		}
	}
	return -1
}

// pyRead reads one value.
func pyRead(dec *json.Decoder) (pyValue, error) {
	t, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t {
	case json.Delim('{'):
		return pyObject(dec)
	case json.Delim('['):
		var list []pyValue
		for dec.More() {
			v, err := pyRead(dec)
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
		_, err := dec.Token() // ]
		return list, err
	}
	return t, nil
}

// pyStr is Python's str(v): a string as itself, anything else as repr.
func pyStr(v pyValue) string {
	if s, ok := v.(string); ok {
		return s
	}
	return pyRepr(v)
}

// pyRepr is Python's repr of a json.loads value.
func pyRepr(v pyValue) string {
	switch v := v.(type) {
	case nil:
		return "None"
	case bool:
		if v {
			return "True"
		}
		return "False"
	case string:
		return reprString(v)
	case json.Number:
		return reprNumber(v)
	case []pyValue:
		items := make([]string, len(v))
		for i, x := range v {
			items[i] = pyRepr(x)
		}
		return "[" + strings.Join(items, ", ") + "]"
	case pyDict:
		items := make([]string, len(v))
		for i, kv := range v {
			items[i] = reprString(kv.key) + ": " + pyRepr(kv.val)
		}
		return "{" + strings.Join(items, ", ") + "}"
	}
	return fmt.Sprint(v)
}

// reprNumber writes an integer literal as Python's int, anything with a
// fraction or exponent as Python's float repr: the shortest digits that
// round-trip, in positional form for exponents -4 to 15, else as 1e+16.
func reprNumber(n json.Number) string {
	s := n.String()
	if !strings.ContainsAny(s, ".eE") {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return strconv.FormatInt(i, 10) // -0 becomes 0, as in Python
		}
		return s
	}
	f, err := n.Float64()
	if err != nil {
		return "inf" // json.loads gives inf for literals past float64
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // d.ddde±XX
	_, expText, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expText)
	if exp < -4 || exp >= 16 {
		return e
	}
	out := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(out, ".") {
		out += ".0"
	}
	return out
}

// reprString quotes s as Python's repr does: single quotes unless s has
// one and no double quote, backslash escapes for the quote, backslashes
// and control characters, printable non-ASCII kept as it is.
func reprString(s string) string {
	quote := '\''
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		quote = '"'
	}
	var b strings.Builder
	b.WriteRune(quote)
	for _, r := range s {
		switch {
		case r == quote || r == '\\':
			b.WriteRune('\\')
			b.WriteRune(r)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r < 0x80 || unicode.IsPrint(r):
			b.WriteRune(r)
		case r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r < 0x10000:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
	}
	b.WriteRune(quote)
	return b.String()
}

// quotePlus is Python's urllib.parse.quote_plus: letters, digits and
// _.-~ stay, a space becomes +, every other UTF-8 byte %XX.
func quotePlus(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', strings.IndexByte("_.-~", c) >= 0:
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
