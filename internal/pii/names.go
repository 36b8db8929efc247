package pii

import (
	"fmt"
	"strings"
	"unicode"
)

// nameDetector finds person names in Latin, Cyrillic, Greek, Arabic,
// Hebrew, Devanagari, Han, kana and Hangul scripts.
type nameDetector struct{}

func (nameDetector) Kind() Kind { return Name }

// Score of one value: the shape of a name, a word from the name lists
// and the column's name each add evidence. A shape alone stays below
// MatchScore, since titles and product names are capitalised words too.
func (nameDetector) Score(column, value string) float64 {
	ctx := nameContext(column)
	words, hits, ok := nameShape(value)
	if ctx == contextAgainst || !ok || (words == 1 && hits == 0 && ctx != contextStrong) {
		return 0
	}
	s := 0.15
	if hits > 0 {
		s += 0.5
	}
	switch ctx {
	case contextStrong:
		s += 0.4
	case contextWeak:
		s += 0.1
	}
	return min(s, 0.97)
}

// ScoreColumn weighs the column as a whole: a compact name list finds
// some of a column's names, not each of them, so a fifth of the values
// holding a listed name is evidence enough when most are shaped like
// names.
func (nameDetector) ScoreColumn(column string, values []string) Match {
	m := Match{Kind: Name, Sampled: len(values)}
	ctx := nameContext(column)
	if ctx == contextAgainst {
		return m
	}
	shaped, listed := 0, 0
	for _, v := range values {
		words, hits, ok := nameShape(v)
		if !ok || (words == 1 && hits == 0 && ctx != contextStrong) {
			continue
		}
		shaped++
		if hits > 0 {
			listed++
		}
	}
	shapeRatio, listRatio := ratioOf(shaped, len(values)), ratioOf(listed, max(shaped, 1))
	evidence := 0.0
	if listRatio >= 0.2 {
		evidence += 0.5 + min(0.3, listRatio*0.4)
		m.Reasons = append(m.Reasons, fmt.Sprintf("%.0f%% hold a listed given name or surname", listRatio*100))
	}
	evidence += contextEvidence(ctx, &m, column, "a person's name")
	if evidence < 0.5 || shaped == 0 {
		return Match{Kind: Name, Sampled: len(values)}
	}
	m.Reasons = append([]string{fmt.Sprintf("%.0f%% are shaped like names", shapeRatio*100)}, m.Reasons...)
	m.Matched, m.Ratio, m.Confidence = shaped, shapeRatio, min(evidence, 0.97)*shapeRatio
	return m
}

// contextEvidence adds what a column's name says to a column verdict.
func contextEvidence(ctx columnContext, m *Match, column, what string) float64 {
	switch ctx {
	case contextStrong:
		m.Reasons = append(m.Reasons, fmt.Sprintf("column %q suggests %s", column, what))
		return 0.55
	case contextWeak:
		m.Reasons = append(m.Reasons, fmt.Sprintf("column %q may hold %s", column, what))
		return 0.15
	}
	return 0
}

func ratioOf(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// nameShape splits a value into words and reports whether it is shaped
// like a person's name (one to four words in one script, capitalised
// where the script has case) and how many of its words are listed names.
func nameShape(value string) (words, hits int, ok bool) {
	v := strings.TrimSpace(value)
	if v == "" || len(v) > 80 {
		return 0, 0, false
	}
	if n, h, isCJK := cjkName(v); isCJK {
		return n, h, n > 0
	}
	fields := strings.Fields(v)
	if len(fields) > 4 {
		return 0, 0, false
	}
	oddCase := false
	for i, f := range fields {
		lower := strings.ToLower(strings.Trim(f, ",."))
		if nameParticles[lower] && i < len(fields)-1 { // "de Boer", "Ludwig van Beethoven"
			continue
		}
		ok, proper := nameWord(f)
		if !ok {
			return 0, 0, false
		}
		oddCase = oddCase || !proper
		words++
		if givenNames[lower] || surnames[lower] {
			hits++
		}
	}
	// "JOHN SMITH" and "john smith" are names too, but so is any upper-
	// or lower-case phrase in shape: only a listed name vouches for them.
	return words, hits, words > 0 && (!oddCase || hits > 0)
}

// nameParticles are the lower-case words inside European and Arabic
// names (Ludwig van Beethoven, Mohammed bin Salman).
var nameParticles = wordSet("van von der den de da di del della du le la bin ibn al el dos das ter")

// nameWord accepts a word of letters in one script, with the apostrophes,
// hyphens and dots of O'Brien, Jean-Luc and J. proper is false for an
// all upper- or lower-case word of a script with case.
func nameWord(w string) (ok, proper bool) {
	w = strings.TrimSuffix(w, ",")
	var first rune = -1
	var script *unicode.RangeTable
	letters := 0
	for _, r := range w {
		if r == '\'' || r == '-' || r == '.' || r == '’' {
			continue
		}
		if !unicode.IsLetter(r) {
			return false, false
		}
		if first < 0 {
			first, script = r, scriptOf(r)
		} else if scriptOf(r) != script {
			return false, false
		}
		letters++
	}
	switch {
	case first < 0 || script == nil:
		return false, false
	case caseless(script):
		return letters >= 2, true
	case strings.ToLower(w) == w:
		return true, false
	case strings.ToUpper(w) == w:
		return true, letters <= 3 // initials and short names: "J.", "LI"
	}
	return unicode.IsUpper(first), unicode.IsUpper(first)
}

// nameScripts are the scripts whose names nameWord accepts.
var nameScripts = []*unicode.RangeTable{unicode.Latin, unicode.Cyrillic, unicode.Greek, unicode.Arabic, unicode.Hebrew, unicode.Devanagari}

func scriptOf(r rune) *unicode.RangeTable {
	for _, s := range nameScripts {
		if unicode.Is(s, r) {
			return s
		}
	}
	return nil
}

func caseless(s *unicode.RangeTable) bool {
	return s == unicode.Arabic || s == unicode.Hebrew || s == unicode.Devanagari
}

// cjkName handles names written without spaces: two to four Han
// characters or Hangul syllables (a space may separate a Japanese family
// name), or kana. A listed family name at the start is the hit.
func cjkName(v string) (words, hits int, isCJK bool) {
	compact := strings.ReplaceAll(v, " ", "")
	runes := []rune(compact)
	if len(runes) == 0 || !(unicode.Is(unicode.Han, runes[0]) || unicode.Is(unicode.Hangul, runes[0]) ||
		unicode.Is(unicode.Hiragana, runes[0]) || unicode.Is(unicode.Katakana, runes[0])) {
		return 0, 0, false
	}
	for _, r := range runes {
		if !unicode.Is(unicode.Han, r) && !unicode.Is(unicode.Hangul, r) && !unicode.Is(unicode.Hiragana, r) &&
			!unicode.Is(unicode.Katakana, r) && r != 'ー' {
			return 0, 0, true
		}
	}
	if len(runes) == 1 { // a family name alone ("王", "김"): a name only in a column named so
		return 1, 0, true
	}
	if len(runes) > 8 || (unicode.Is(unicode.Hangul, runes[0]) && len(runes) > 4) {
		return 0, 0, true
	}
	for n := 1; n <= 4 && n < len(runes); n++ {
		prefix := string(runes[:n])
		if hanSurnames[prefix] || hangulSurnames[prefix] || kanaSurnames[prefix] {
			return 1, 1, true
		}
	}
	return 1, 0, true
}
