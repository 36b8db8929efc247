package pii

import (
	"regexp"
	"strings"
	"unicode"
)

// An address line is recognised by what stands around a house number: a
// street type ("Baker Street", "rue de la Paix", "ул. Ленина",
// "Hauptstraße", "테헤란로"), a flat or floor ("Apt. 4", "кв. 12"), and the
// names of the street between them. The word lists are in
// addresswords.go.

// addrToken is one word of a value with its lookup forms.
type addrToken struct {
	raw   string
	lower string // lower-cased, without surrounding punctuation
	base  string // lower without a trailing dot ("str." -> "str")
}

func addrTokens(value string) []addrToken {
	fields := strings.Fields(value)
	out := make([]addrToken, 0, len(fields))
	for _, f := range fields {
		l := strings.ToLower(strings.Trim(f, ",;:()\"،"))
		out = append(out, addrToken{raw: f, lower: l, base: strings.TrimSuffix(l, ".")})
	}
	return out
}

// houseNumberRe accepts 12, 12a, 221B, 12-14, 12/3, and Hebrew's 'א12.
var houseNumberRe = regexp.MustCompile(`^(['׳]?\p{Hebrew})?[0-9]{1,5}\p{L}?([-/][0-9]{1,4}\p{L}?)?$`)

func (t addrToken) isHouseNumber() bool {
	return houseNumberRe.MatchString(t.lower) || t.lower == "s/n" || t.lower == "s/n."
}

// streetKind is where a street type stands relative to the name.
type streetKind int

const (
	notStreet  streetKind = iota
	typeBefore            // "rue de la Paix", "ул. Ленина"
	typeAfter             // "Baker Street": capitalised there
	typeFused             // "Hauptstraße", "테헤란로"
)

// streetWord is the kind of street type t is, if any.
func (t addrToken) streetWord() streetKind {
	switch {
	case streetBefore[t.lower] || streetBefore[t.base]:
		return typeBefore
	case (streetAfter[t.base] || streetAfter[strings.TrimSuffix(t.base, "s")]) && startsUpperOrDigit(t.raw):
		return typeAfter
	case !startsLower(t.raw) && fusedStreet(t.base):
		return typeFused
	}
	return notStreet
}

// fusedStreet: a street type grown onto the name ("Hauptstraße",
// "Kerkstraat", "Industrigränden", "테헤란로", "둔산9길").
func fusedStreet(w string) bool {
	for _, suffix := range streetFused {
		if strings.HasSuffix(w, suffix) && len(w) > len(suffix)+2 {
			return true
		}
	}
	return hangulRoad.MatchString(w)
}

var hangulRoad = regexp.MustCompile(`^\p{Hangul}[\p{Hangul}0-9]*(로|길)$`)

// unitWord reports whether t marks a flat, suite or floor ("Apt.", "кв.").
func (t addrToken) unitWord() bool {
	if unitWords[t.base] || unitWords[t.lower] {
		return true
	}
	return unitWordsCased[t.base] && startsUpperOrDigit(t.raw)
}

// nameLike: a street's name between a number and a street type, in a
// script with case capitalised, or a particle of one ("de", "d'Orsay").
func (t addrToken) nameLike() bool {
	if streetParticles[t.lower] || strings.HasPrefix(t.lower, "d'") || strings.HasPrefix(t.lower, "l'") {
		return true
	}
	for _, r := range t.raw {
		return unicode.IsDigit(r) || (unicode.IsLetter(r) && !unicode.IsLower(r))
	}
	return false
}

// streetLine reports whether a value holds a house number beside a street
// type or a flat, in one of the orders addresses are written.
func streetLine(value string) bool {
	if cjkStreet.MatchString(value) {
		return true
	}
	toks := addrTokens(value)
	return len(toks) >= 2 && len(toks) <= 40 && hasStreetLine(toks)
}

// hasStreetLine reports whether some house number in toks stands beside
// a street type or is followed by a flat.
func hasStreetLine(toks []addrToken) bool {
	for i, t := range toks {
		if t.isHouseNumber() && (streetAround(toks, i) || unitAfterHouse(toks, i)) {
			return true
		}
	}
	return false
}

// streetAround looks up to four words either side of the house number at
// i for a street type with only a street's name in between.
func streetAround(toks []addrToken, i int) bool {
	for j := i + 1; j < len(toks) && j <= i+4; j++ {
		switch toks[j].streetWord() {
		case typeFused:
			return true
		case typeAfter: // "221B Baker Street", not "5 Street"
			if j > i+1 {
				return true
			}
		case typeBefore: // "12 rue de la Paix", not "in 1 place where"
			if j > i+1 || (j+1 < len(toks) && toks[j+1].nameLike()) {
				return true
			}
		}
		if !toks[j].nameLike() {
			break
		}
	}
	for j := i - 1; j >= 0 && j >= i-4; j-- {
		// A type written after the name must stand just before the
		// number ("Baker Street 5"), lest "Road Bike 29" be a street.
		if k := toks[j].streetWord(); k == typeBefore || k == typeFused || (k == typeAfter && j == i-1) {
			return true
		}
		if !toks[j].nameLike() {
			break
		}
	}
	return false
}

// unitAfterHouse: "786 Ivy Views Suite 225", a house number and a name,
// then a flat or floor.
func unitAfterHouse(toks []addrToken, i int) bool {
	if i+2 >= len(toks) || !toks[i+1].nameLike() || toks[i+1].isHouseNumber() {
		return false
	}
	for j := i + 2; j < len(toks) && j <= i+6; j++ {
		if toks[j].unitWord() {
			return true
		}
	}
	return false
}

// houseShape is a house number beside a capitalised or caseless name,
// "346 Harborsfort" or "Wüstenhof 2": an address only in a column named
// like one or beside a postal code, since titles hold numbers too.
func houseShape(value string) bool {
	toks := addrTokens(value)
	if len(toks) < 2 || len(toks) > 8 {
		return false
	}
	for i, t := range toks {
		if !t.isHouseNumber() {
			continue
		}
		if (i+1 < len(toks) && toks[i+1].nameLike() && !toks[i+1].isHouseNumber()) ||
			(i > 0 && toks[i-1].nameLike() && !toks[i-1].isHouseNumber()) {
			return true
		}
	}
	return false
}

func startsLower(w string) bool {
	for _, r := range w {
		return unicode.IsLower(r)
	}
	return false
}

func startsUpperOrDigit(w string) bool {
	for _, r := range w {
		return unicode.IsUpper(r) || unicode.IsDigit(r)
	}
	return false
}
