package pii

import (
	"strings"
	"unicode"
)

// clauses splits text at the punctuation that ends a name: sentence
// ends, colons, commas, brackets, quotes and dashes. A full stop after a
// single capital ("J. Smith") does not end a clause.
func clauses(text string) []string {
	var out []string
	var b strings.Builder
	runes := []rune(text)
	for i, r := range runes {
		if strings.ContainsRune(".!?;:,()[]\"«»“”—–|\n，。！？：；（）、「」", r) && !(r == '.' && abbreviationBefore(runes, i)) {
			out = append(out, b.String())
			b.Reset()
			continue
		}
		b.WriteRune(r)
	}
	return append(out, b.String())
}

// abbreviationBefore: the word before the full stop at i is an initial
// ("J.") or a title ("Dr.").
func abbreviationBefore(runes []rune, i int) bool {
	start := i
	for start > 0 && runes[start-1] != ' ' {
		start--
	}
	word := runes[start:i]
	return (len(word) == 1 && unicode.IsUpper(word[0])) || honorifics[strings.ToLower(string(word))+"."]
}

// edgeDigit reports whether clause i's last (or first) word holds a digit.
func edgeDigit(cs []string, i int, last bool) bool {
	if i < 0 || i >= len(cs) {
		return false
	}
	words := strings.Fields(cs[i])
	if len(words) == 0 {
		return false
	}
	w := words[0]
	if last {
		w = words[len(words)-1]
	}
	return strings.ContainsAny(w, "0123456789")
}
