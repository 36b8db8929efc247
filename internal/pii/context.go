package pii

import (
	"slices"
	"strings"
)

// columnContext is what a column's name says about one kind.
type columnContext int

const (
	contextNone columnContext = iota
	// contextWeak: the name fits the kind among others ("name").
	contextWeak
	// contextStrong: the name says the kind ("full_name", "street").
	contextStrong
	// contextAgainst: the name says something else ("product_name").
	contextAgainst
)

// columnWords splits a column name into lower-case words at anything but
// letters and digits, and at camelCase humps.
func columnWords(column string) []string {
	var b strings.Builder
	prevLower := false
	for _, r := range column {
		if r >= 'A' && r <= 'Z' && prevLower {
			b.WriteByte('_')
		}
		prevLower = (r >= 'a' && r <= 'z') || isDigit(r)
		b.WriteRune(r)
	}
	return strings.FieldsFunc(strings.ToLower(b.String()), func(r rune) bool { return !isLetter(r) && !isDigit(r) })
}

func hasAny(words []string, set map[string]bool) bool {
	return slices.ContainsFunc(words, func(w string) bool { return set[w] })
}

// Words in column names, for names and addresses.
var (
	personNameWords = wordSet("surname surnames forename forenames firstname lastname fullname givenname familyname " +
		"middlename maidenname cardholder recipient addressee")
	personQualifiers = wordSet("first last full given family middle maiden legal contact customer person patient " +
		"employee holder passenger guest user member client buyer sender recipient owner display billing shipping " +
		"account emergency parent spouse beneficiary driver customers users people persons employees contacts " +
		"patients members clients guests passengers students authors owners buyers")
	notPersonWords = wordSet("product company file table schema city town street brand category host domain app " +
		"service job event item sku title country state region team project org organization organisation business " +
		"merchant store shop vendor model device column field bucket queue topic key tag label type status template " +
		"campaign plan dataset database metric feature package bank school course department role group channel " +
		"products companies cities vendors merchants stores shops teams projects organizations categories brands " +
		"items datasets tables files tags services apps events jobs roles groups channels plans")
	addressWords = wordSet("address addresses addr street streetaddress address1 address2 line1 line2 " +
		"residence mailing shipping billing postal postcode zip zipcode")
	notAddressWords = wordSet("email mail ip mac url web wallet host ipv4 ipv6 remote server bitcoin eth memory")
)

// nameContext reads a column name for person names: "full_name" and
// "surname" are strong, "name" alone is weak, "product_name" is against.
func nameContext(column string) columnContext {
	words := columnWords(column)
	switch {
	case hasAny(words, notPersonWords):
		return contextAgainst
	case hasAny(words, personNameWords):
		return contextStrong
	case slices.Contains(words, "name") && hasAny(words, personQualifiers):
		return contextStrong
	case slices.Contains(words, "name") || slices.Contains(words, "customer") || slices.Contains(words, "person"):
		return contextWeak
	}
	return contextNone
}

// contextColumn is the name detectors read a column's context from: a
// bare "name" borrows its table's ("customers.name" is a person's,
// "products.name" is not).
func contextColumn(table, column string) string {
	if table != "" && slices.Equal(columnWords(column), []string{"name"}) {
		return table + "." + column
	}
	return column
}

// addressContext reads a column name for postal addresses: "addr",
// "street" and "shipping_*" are strong, while "email_address" and
// "ip_address" are against.
func addressContext(column string) columnContext {
	words := columnWords(column)
	switch {
	case hasAny(words, notAddressWords):
		return contextAgainst
	case hasAny(words, addressWords):
		return contextStrong
	case slices.Contains(words, "location") || slices.Contains(words, "destination"):
		return contextWeak
	}
	return contextNone
}
