package pii

import "testing"

func TestNamesAndAddressesInsideText(t *testing.T) {
	names := []string{
		"Spoke with Hans Müller about the refund, he will call back tomorrow.",
		"Customer complained twice about the late delivery — Elea Noack",
		"Please forward the invoice to Dr. Zebulon Quart before the end of the month.",
		"Клиент Ирина Петрова просила перезвонить после обеда в понедельник.",
		"Refund issued after the call. (佐藤 健) The parcel was found at the depot.",
		"الرجاء الاتصال بالعميل لتأكيد الطلب غدا صباحا. محمد الغربي.",
	}
	for _, v := range names {
		if !textMentionsName(v) {
			t.Errorf("no name found in %q", v)
		}
	}
	addresses := []string{
		"Parcel returned from 221B Baker Street to the depot yesterday.",
		"Bitte an Hauptstraße 5, 10115 Berlin liefern, nicht an die alte Adresse.",
		"Livraison au 12 rue de la Paix, 75002 Paris, le mardi matin.",
		"Доставить по адресу ул. Ленина, 10 кв. 5 до пятницы.",
		"客户要求送到北京市朝阳区建国路88号的前台。",
	}
	for _, v := range addresses {
		if !textMentionsAddress(v) {
			t.Errorf("no address found in %q", v)
		}
	}
	decoys := []string{
		"The Apollo X2 headphones arrived quickly and sound great on long flights.",
		"Works with Google Home and Apple HomeKit, setup took about 10 minutes.",
		"Ordered 3 Nordic Oak shelves; two were fine, one had a scratch on the left panel.",
		"2026-03-01T12:00:00Z level=info msg=\"request done\" path=/api/v2/orders/12 status=200 duration=31ms",
		"Use the 1080p AGP transmitter, then you can bypass the mobile interface!",
		"Retry 3 via the admin console, then close ticket 4412 in the New York office.",
	}
	for _, v := range decoys {
		if textMentionsName(v) || textMentionsAddress(v) {
			t.Errorf("%q: name %v, address %v; want neither", v, textMentionsName(v), textMentionsAddress(v))
		}
	}
}
