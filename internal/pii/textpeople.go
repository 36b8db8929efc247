package pii

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Names and addresses inside free text. A sentence gives no column to
// lean on, so a name needs its own evidence: two to four capitalised
// name-shaped words together, one of them a listed name, shaped like a
// surname ("Petrova", "Kowalski") or after a title ("Mr", "Frau"); two or
// three such words set off by punctuation ("— Elea Noack"); in a
// script without case, a listed name set off on its own between
// punctuation ("Contact: محمد علي."). An address needs a street line, as
// in a column (streetLine), or a numbered block in CJK.

// textMentionsAddress reports whether text holds a street line.
func textMentionsAddress(text string) bool {
	if cjkStreet.MatchString(text) {
		return true
	}
	return hasStreetLine(addrTokens(text))
}

// textMentionsName reports whether text holds a person's name.
func textMentionsName(text string) bool {
	cs := clauses(text)
	for i, clause := range cs {
		words := strings.Fields(clause)
		if len(words) == 0 {
			continue
		}
		// A clause beside a number is part of an address ("Suite 5,
		// Lake Harold, MD 06141"), not a name set off on its own.
		setOff := !edgeDigit(cs, i-1, true) && !edgeDigit(cs, i+1, false)
		if setOff && (caselessName(words) || setOffName(words)) {
			return true
		}
		for start := 0; start < len(words); start++ {
			if nameRunAt(words, start) {
				return true
			}
		}
	}
	return false
}

// nameRunAt reports whether a name starts at words[start]: two to four
// capitalised name words with evidence, or a title and one such word.
func nameRunAt(words []string, start int) bool {
	if honorifics[strings.ToLower(words[start])] {
		if start+1 >= len(words) {
			return false
		}
		ok, proper := nameWord(words[start+1])
		first, _ := utf8.DecodeRuneInString(words[start+1])
		return ok && proper && !unicode.IsLower(first)
	}
	run, evidence := 0, false
	for i, w := range words[start:min(len(words), start+4)] {
		if !properWord(w) || (addrToken{raw: w, lower: strings.ToLower(w), base: strings.ToLower(w)}).streetWord() != notStreet {
			break
		}
		if next := start + i + 1; next < len(words) && strings.ContainsAny(words[next], "0123456789") {
			return false // a street named after someone: "Calle José Emilio 97"
		}
		run++
		lower := strings.ToLower(w)
		evidence = evidence || givenNames[lower] || surnames[lower] || surnameShaped(lower)
		if run >= 2 && evidence {
			return true
		}
	}
	return false
}

// setOffName: a clause that is nothing but two or three capitalised
// name words, as a signature, a contact or an aside is written
// ("— Elea Noack", "(Raul Hingsen)", "Katja Mesloh: ...").
func setOffName(words []string) bool {
	if len(words) < 2 || len(words) > 3 {
		return false
	}
	for _, w := range words {
		if !properWord(w) || clauseStarters[strings.ToLower(w)] {
			return false
		}
	}
	return true
}

// clauseStarters are capitalised words that start clauses, not names.
var clauseStarters = wordSet("the a an our new this that we you i if use try it is are was be my your his her their",
	"le la les un une ce cette der die das ein eine el los las il lo gli una o os as um uma на в и")

// properWord is a capitalised word of letters in a script with case.
func properWord(w string) bool {
	ok, proper := nameWord(w)
	if !ok || !proper {
		return false
	}
	for _, r := range w {
		return unicode.IsUpper(r)
	}
	return false
}

// caselessName: a clause of one to three words in a script without case
// (Arabic, Hebrew, Devanagari, CJK) that holds a listed name.
func caselessName(words []string) bool {
	if len(words) > 3 {
		return false
	}
	v := strings.Join(words, " ")
	if _, hits, isCJK := cjkName(v); isCJK {
		// Japanese names are set off with a space between family and
		// given name ("上原 幸雄"); a listed family name vouches for others.
		return hits > 0 || (len(words) == 2 && hanOnly(words[0]) && hanOnly(words[1]))
	}
	hits := 0
	for _, w := range words {
		ok, _ := nameWord(w)
		first := []rune(w)[0]
		if !ok || unicode.IsUpper(first) || unicode.IsLower(first) {
			return false
		}
		if givenNames[w] || surnames[w] || arabicFamilyName(w) {
			hits++
		}
		if arabicFunctionWords[w] {
			return false
		}
	}
	return hits > 0 && len(words) >= 2
}

// arabicFamilyName: "al-" and a name ("الغربي"), the commonest shape of an
// Arabic family name; it counts only in a clause of two or three words
// with no function word, since the article starts many nouns.
func arabicFamilyName(w string) bool {
	return strings.HasPrefix(w, "ال") && len([]rune(w)) >= 5
}

// arabicFunctionWords are prepositions, demonstratives and particles.
var arabicFunctionWords = wordSet("في من على إلى الى عن مع هذا هذه ذلك تلك التي الذي الذين لا ما لم لن أن إن كان كانت قد ثم أو و هو هي هم نحن أنا")

// hanOnly: one to three Han characters.
func hanOnly(w string) bool {
	n := 0
	for _, r := range w {
		if !unicode.Is(unicode.Han, r) {
			return false
		}
		n++
	}
	return n >= 1 && n <= 3
}

// surnameShaped: endings that make a capitalised word a family name in
// Slavic languages, Greek, and Spanish or Portuguese patronymics.
func surnameShaped(lower string) bool {
	for _, end := range surnameEndings {
		if strings.HasSuffix(lower, end) && len([]rune(lower)) > len([]rune(end))+2 {
			return true
		}
	}
	return false
}

var surnameEndings = strings.Fields("ова ева ёва ина ов ев ёв ин ский ская ський ська енко чук юк ович овна евна " +
	"ski ska cki cka wicz czyk enko ová ovich ovna όπουλος οπουλος ίδης ιδης άκης ακης ίδου ιδου ez")

// honorifics are titles written before a person's name.
var honorifics = wordSet("mr mr. mrs mrs. ms ms. dr dr. prof prof. herr frau m. mme mme. mlle sr sr. sra sra. srta. sig. sig.ra",
	"dott. dott.ssa г-н г-жа пан пані господин госпожа κ. κος κα מר גברת ד\"ר السيد السيدة الدكتور")
