package pii

import (
	"testing"

	"github.com/dre-dev/dre/internal/catalog"
)

// detectorCase is one value and whether a detector must match it.
type detectorCase struct {
	column, value string
	match         bool
}

func checkDetector(t *testing.T, d Detector, cases []detectorCase) {
	t.Helper()
	for _, c := range cases {
		s := d.Score(c.column, c.value)
		if s < 0 || s > 1 {
			t.Errorf("%s score of %q = %v, outside [0, 1]", d.Kind(), c.value, s)
		}
		if got := s >= MatchScore; got != c.match {
			t.Errorf("%s(%q, %q) = %.2f: match %v, want %v", d.Kind(), c.column, c.value, s, got, c.match)
		}
	}
}

func TestEmail(t *testing.T) {
	checkDetector(t, emailDetector{}, []detectorCase{
		{"c", "jane.doe@example.com", true}, {"c", "J+tag@mail.Example.co.uk", true},
		{"c", "user@localhost", false}, {"c", "@handle", false}, {"c", "a@b.c", false},
		{"c", "a..b@example.com", false}, {"c", "a@-x.com", false}, {"c", "a@b@example.com", false},
		{"c", "jane doe@example.com", false}, {"c", "x@example.c0m", false},
	})
}

func TestPhone(t *testing.T) {
	checkDetector(t, phoneDetector{}, []detectorCase{
		{"p", "+14155552671", true}, {"p", "+44 7911 123456", true}, {"p", "(415) 555-2671", true},
		{"p", "415.555.2671", true}, {"p", "1 415 555 2671", true}, {"p", "020 7946 0958", true},
		{"p", "06 12 34 56 78", true}, {"p", "030-12345678", true},
		{"p", "4155552671", false},     // bare digits: an ID as often as a phone
		{"p", "+0123456789", false},    // no country code starts with 0
		{"p", "+1234", false},          // too short
		{"p", "(415 555-2671", false},  // unbalanced
		{"p", "115-555-2671", false},   // area codes do not start with 1
		{"p", "192.168.100.12", false}, // an IP, not 3-3-4
		{"p", "2024-03-05", false}, {"p", "ORD-12345678", false}, {"p", "1.2.3", false}, {"p", "()", false},
	})
}

func TestCardNeedsLuhnAndAnIssuer(t *testing.T) {
	checkDetector(t, cardDetector{}, []detectorCase{
		{"c", "4111 1111 1111 1111", true}, {"c", "5555-5555-5555-4444", true}, {"c", "378282246310005", true},
		{"c", "6011111111111117", true},
		{"c", "4111111111111112", false},     // fails Luhn
		{"c", "9111111111111115", false},     // passes Luhn, no network issues 9
		{"c", "37828224631000", false},       // Amex prefix, wrong length
		{"c", "4111-1111-1111-111a", false},  // not digits
		{"c", "411111111111", false},         // too short
		{"c", "41111111111111111111", false}, // too long
	})
	if !luhn("79927398713") || luhn("79927398710") {
		t.Error("luhn disagrees with the textbook example 79927398713")
	}
}

func TestIBANNeedsMod97(t *testing.T) {
	checkDetector(t, ibanDetector{}, []detectorCase{
		{"i", "DE89370400440532013000", true}, {"i", "GB82 WEST 1234 5698 7654 32", true},
		{"i", "fr1420041010050500013m02606", true}, {"i", "MT84MALT011000012345MTLCAST001S", true},
		{"i", "DE89370400440532013001", false}, // checksum
		{"i", "DE8937040044053201300", false},  // German IBANs have 22 characters
		{"i", "D189370400440532013000", false}, {"i", "DE89-3704-0044-0532-0130-00", false},
	})
}

func TestSSNExcludesUnassignedRanges(t *testing.T) {
	checkDetector(t, ssnDetector{}, []detectorCase{
		{"x", "123-45-6789", true}, {"x", "123 45 6789", true}, {"ssn", "123456789", true}, {"customer_ssn", "123-45-6789", true},
		{"x", "123456789", false}, // nine bare digits outside an SSN column
		{"x", "000-12-3456", false}, {"x", "666-12-3456", false}, {"x", "900-12-3456", false},
		{"x", "123-00-4567", false}, {"x", "123-45-0000", false}, {"x", "123-45 6789", false}, {"x", "1234-5-6789", false},
	})
}

func TestIP(t *testing.T) {
	checkDetector(t, ipDetector{}, []detectorCase{
		{"a", "192.168.1.20", true}, {"a", "8.8.8.8", true}, {"a", "2001:db8::1", true}, {"a", "fe80::1%eth0", true},
		{"a", "10.0.0.1/32", true}, {"a", "2001:db8::1/128", true}, {"a", "10.0.0.0/8", false},
		{"a", "0.0.0.0", false}, {"a", "::", false}, {"a", "1.2.3", false}, {"a", "256.1.1.1", false},
		{"a", "01.2.3.4", false}, {"a", "1.2.3.4.5", false}, {"a", "00:1a:2b:3c:4d:5e", false},
	})
}

func TestDOBNeedsNameAndDate(t *testing.T) {
	checkDetector(t, dobDetector{}, []detectorCase{
		{"date_of_birth", "1984-07-12", true}, {"dob", "07/12/1984", true}, {"BirthDate", "12.07.1984", true},
		{"born_on", "1984-07-12 00:00:00+00", true}, {"birthday", "1984-07-12T00:00:00Z", true},
		{"order_date", "1984-07-12", false},      // a date, not a birth
		{"dob", "1984-07-12 10:11:12+00", false}, // an event time
		{"dob", "1850-01-01", false},             // no living person
		{"dob", "not a date", false}, {"doberman", "1984-07-12", false},
	})
}

func TestKindsMapToCatalogKinds(t *testing.T) {
	for _, d := range Detectors() {
		if k := d.Kind().PIIKind(); !k.Valid() || k == catalog.PIIOther {
			t.Errorf("%s maps to %q, want a specific catalog kind", d.Kind(), k)
		}
	}
	if SSN.PIIKind() != catalog.PIINationalID || !Detectable(catalog.PIIEmail) || !Detectable(catalog.PIIName) ||
		!Detectable(catalog.PIIAddress) || Detectable(catalog.PIIOther) {
		t.Error("SSN must map to national_id; email, name and address must be detectable and other not")
	}
}
