package pii

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
)

// addressDetector finds postal addresses: a house number beside a street
// word in one of several languages, or a postal code in a country's
// format, weighed with the column's name.
type addressDetector struct{}

func (addressDetector) Kind() Kind { return Address }

// Score of one value: a street line scores at MatchScore or above, a
// postal code beside it more; a bare postal code matches only in a column
// named like an address, since five digits are any number.
func (addressDetector) Score(column, value string) float64 {
	ctx := addressContext(column)
	if ctx == contextAgainst || !strings.ContainsAny(value, "0123456789０１２３４５６７８９") {
		return 0 // every address shape has a house number or a postal code
	}
	street, postal := streetLine(value), postalCode(value)
	house := !street && houseLine.MatchString(strings.TrimSpace(value))
	s := 0.0
	switch {
	case street && postal:
		s = 0.9
	case house && postal:
		s = 0.8
	case street:
		s = 0.75
	case house:
		s = 0.4
	case postal:
		s = 0.25
	default:
		return 0
	}
	switch ctx {
	case contextStrong:
		s += 0.3
	case contextWeak:
		s += 0.1
	}
	return min(s, 0.97)
}

// ScoreColumn is Score's per-value verdict with its reasons spelt out.
func (d addressDetector) ScoreColumn(column string, values []string) Match {
	m := perValue(d, column, values)
	if m.Matched == 0 {
		return m
	}
	streets, houses, postals := 0, 0, 0
	for _, v := range values {
		if streetLine(v) {
			streets++
		} else if houseLine.MatchString(strings.TrimSpace(v)) {
			houses++
		}
		if postalCode(v) {
			postals++
		}
	}
	if streets > 0 {
		m.Reasons = append(m.Reasons, fmt.Sprintf("%.0f%% have a house number beside a street word", ratioOf(streets, len(values))*100))
	}
	if houses > 0 {
		m.Reasons = append(m.Reasons, fmt.Sprintf("%.0f%% start with a house number and a capitalised name", ratioOf(houses, len(values))*100))
	}
	if postals > 0 {
		m.Reasons = append(m.Reasons, fmt.Sprintf("%.0f%% have a postal code", ratioOf(postals, len(values))*100))
	}
	contextEvidence(addressContext(column), &m, column, "an address")
	return m
}

// Street words: types written after the name ("Main Street"), before it
// ("rue de la Paix", "Calle Mayor"), or fused to it ("Hauptstraße").
var (
	streetAfter = wordSet("street st st. avenue ave ave. road rd rd. lane ln ln. drive dr dr. boulevard blvd blvd. " +
		"way court ct ct. place pl pl. terrace circle cir square sq parkway pkwy highway hwy crescent close " +
		"alley trail trl row mews grove gardens walk hill heights pike loop run path pass crossing plaza " +
		"center ctr junction ridge view vista creek brook meadow meadows park parks point port ranch spring springs " +
		"station summit valley village ville harbor haven landing manor mill mills oval shore shores")
	streetBefore = wordSet("rue avenue av av. bd boulevard chemin allée allee impasse quai cours calle avenida avda " +
		"avda. carrera carrer paseo plaza camino via viale piazza corso largo vicolo rua travessa alameda praça praca " +
		"estrada ulica ul ul. aleja al. улица ул ул. проспект пр-т пр. переулок пер. шоссе вулиця вул. odos οδός")
	streetFused = []string{"straße", "strasse", "str.", "weg", "allee", "platz", "gasse", "ring", "damm", "ufer",
		"straat", "laan", "gracht", "plein", "kade", "singel", "gatan", "vägen", "gade", "vej", "veien", "gata",
		"katu", "tie", "utca", "út"}
	cjkStreet = regexp.MustCompile(`[0-9０-９一二三四五六七八九十]+\s*(号|號|番地|番|丁目|巷|弄|번지|번길)|(路|街|大道|通り|로|길)\s*[0-9０-９]+`)
)

// houseLine is a house number and capitalised words, a street without a
// street word ("346 Harborsfort"): an address only in an address column
// or beside a postal code, since titles start with numbers too.
var houseLine = regexp.MustCompile(`^[0-9]{1,6}[a-zA-Z]? (\p{Lu}[\p{L}'.-]*)( \p{Lu}[\p{L}'.-]*){0,3}(,|$)`)

// houseNumber accepts 12, 12a, 221B, 12-14 and 12/3.
var houseNumber = regexp.MustCompile(`^[0-9]{1,5}[a-zA-Z]?([-/][0-9]{1,4}[a-zA-Z]?)?,?$`)

// streetLine reports whether a value holds a house number and a street
// word in one of the orders streets are written.
func streetLine(value string) bool {
	if cjkStreet.MatchString(value) {
		return true
	}
	words := strings.Fields(value)
	if len(words) < 2 || len(words) > 20 {
		return false
	}
	for i, w := range words {
		if !houseNumber.MatchString(w) {
			continue
		}
		if numberThenStreet(words[i+1:]) || streetThenNumber(words[:i]) {
			return true
		}
	}
	return false
}

// numberThenStreet: "221B Baker Street", "12 rue de la Paix".
func numberThenStreet(after []string) bool {
	if len(after) > 0 && streetBefore[lowerWord(after[0])] && len(after) > 1 {
		return true
	}
	for i := 1; i < len(after) && i <= 5; i++ {
		if !startsUpperOrDigit(after[i-1]) {
			return false
		}
		if streetAfter[lowerWord(after[i])] {
			return true
		}
	}
	return false
}

// streetThenNumber: "Hauptstraße 5", "Calle Mayor 12", "ул. Ленина 10".
func streetThenNumber(before []string) bool {
	if len(before) == 0 {
		return false
	}
	last := lowerWord(before[len(before)-1])
	for _, suffix := range streetFused {
		if strings.HasSuffix(last, suffix) && len(last) > len(suffix)+2 {
			return true
		}
	}
	from := max(0, len(before)-5)
	for _, w := range before[from : len(before)-1] {
		if streetBefore[lowerWord(w)] {
			return true
		}
	}
	return false
}

func lowerWord(w string) string { return strings.ToLower(strings.TrimRight(w, ",")) }

func startsUpperOrDigit(w string) bool {
	for _, r := range w {
		return unicode.IsUpper(r) || unicode.IsDigit(r)
	}
	return false
}

// postalCodes are postal code formats by country, each anchored to what
// stands beside it in an address so that bare numbers do not match.
var postalCodes = []*regexp.Regexp{
	regexp.MustCompile(`\b[A-Z]{2},? [0-9]{5}(-[0-9]{4})?\b`), // US: state and ZIP
	usStateZIP, // US: state name and ZIP
	regexp.MustCompile(`\b[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][ABD-HJLNP-UW-Z]{2}\b`), // UK
	regexp.MustCompile(`\b[A-Z][0-9][A-Z] [0-9][A-Z][0-9]\b`),                   // Canada
	regexp.MustCompile(`\b[1-9][0-9]{3} ?[A-Z]{2}\b`),                           // Netherlands
	regexp.MustCompile(`(^|, ?)[0-9]{5} \p{Lu}\p{Ll}+`),                         // DE, FR, ES, IT: code then city
	regexp.MustCompile(`〒\s?[0-9]{3}-[0-9]{4}`),                                 // Japan
	regexp.MustCompile(`\b[0-9]{5}-[0-9]{3}\b`),                                 // Brazil
	regexp.MustCompile(`\b[0-9]{2}-[0-9]{3} \p{Lu}`),                            // Poland: code then city
}

// postalCode reports whether a value holds a postal code in one of
// postalCodes' formats, or is a bare 5-digit or ZIP+4 code.
func postalCode(value string) bool {
	v := strings.TrimSpace(value)
	if zipOnly.MatchString(v) {
		return true
	}
	for _, re := range postalCodes {
		if re.MatchString(v) {
			return true
		}
	}
	return false
}

// usStateZIP is a US state's name and a ZIP code, as in "Ohio 43004".
var usStateZIP = regexp.MustCompile(`(Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia|Hawaii|Idaho|` +
	`Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|Michigan|Minnesota|Mississippi|Missouri|Montana|` +
	`Nebraska|Nevada|New Hampshire|New Jersey|New Mexico|New York|North Carolina|North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|` +
	`Rhode Island|South Carolina|South Dakota|Tennessee|Texas|Utah|Vermont|Virginia|Washington|West Virginia|Wisconsin|Wyoming|` +
	`District of Columbia),? [0-9]{5}(-[0-9]{4})?\b`)

var zipOnly = regexp.MustCompile(`^[0-9]{5}(-[0-9]{4})?$`)
