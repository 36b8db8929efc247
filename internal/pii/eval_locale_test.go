package pii

import (
	"fmt"
	"strings"
	"time"

	"github.com/brianvoe/gofakeit/v7"
)

func dateOf(year int) time.Time { return time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC) }

// localeNames are given names and family names by locale, chosen to mix
// names on the detectors' lists with names that are not, so that recall
// is not a property of the lists alone.
var localeNames = []struct {
	given, family []string
	familyFirst   bool
	sep           string
}{
	{strings.Fields("Gottfried Hannelore Wiebke Jürgen Ottilie Lukas Hanna Bernd"), strings.Fields("Ebersbach Müller Kühnel Schneider Brandstätter Weber Lindqvist"), false, " "},
	{strings.Fields("Gaëlle Thibault Manon Aurélien Solène Pierre Camille"), strings.Fields("Lefèvre Delacroix Moreau Chevalier Dubois Marchand"), false, " "},
	{strings.Fields("Ximena Iker Lucía Joaquín Pilar Mateo Nerea"), strings.Fields("García Etxeberria Fernández Villalobos López Cifuentes"), false, " "},
	{strings.Fields("Zbigniew Grażyna Wojciech Katarzyna Bożena Piotr"), strings.Fields("Nowak Brzęczyszczykiewicz Kowalski Wróblewska Lewandowski"), false, " "},
	{strings.Fields("Всеволод Ирина Ярослав Наталья Святослав Ольга"), strings.Fields("Кручинин Иванова Белозёров Смирнов Петрова Воронцов"), false, " "},
	{strings.Fields("Ευάγγελος Μαρία Σπυρίδων Ελένη"), strings.Fields("Παπαδόπουλος Καραγιάννη Νικολάου Οικονόμου"), false, " "},
	{strings.Fields("伟 芳 娜 秀英 敏 静 丽 强 磊 洋"), strings.Fields("王 李 张 刘 陈 杨 欧阳 黄 赵 周"), true, ""},
	{strings.Fields("健 翔太 美咲 陽菜 大輔 由美"), strings.Fields("佐藤 鈴木 高橋 田中 渡辺 山本"), true, " "},
	{strings.Fields("민준 서연 지호 하은 도윤 수빈"), strings.Fields("김 이 박 최 정 강"), true, ""},
	{strings.Fields("محمد فاطمة يوسف ليلى عمر نور"), strings.Fields("الحسن العلي المصري الخطيب حداد"), false, " "},
	{strings.Fields("राहुल प्रिया अमित अंजलि सुनील"), strings.Fields("शर्मा वर्मा गुप्ता पटेल सिंह"), false, " "},
}

// localeName is a person's name from one of localeNames, written in that
// locale's order.
func localeName(f *gofakeit.Faker) string {
	l := localeNames[f.IntN(len(localeNames))]
	given, family := l.given[f.IntN(len(l.given))], l.family[f.IntN(len(l.family))]
	if l.familyFirst {
		return family + l.sep + given
	}
	return given + l.sep + family
}

// localeAddress is a street address in one of several countries' formats;
// street names borrow gofakeit's surnames where the language allows.
func localeAddress(f *gofakeit.Faker) string {
	n := 1 + f.IntN(250)
	switch f.IntN(9) {
	case 0:
		return fmt.Sprintf("%s%s %d, %s %s", f.LastName(), pick(f, "straße", "weg", "allee", "platz"), n, f.Numerify("#####"), pick(f, "Berlin", "Köln", "Leipzig", "Bremen"))
	case 1:
		return fmt.Sprintf("%d %s %s, %s %s", n, pick(f, "rue", "avenue", "boulevard", "chemin"), pick(f, "de la Paix", "Victor Hugo", "des Lilas", "du Moulin"), f.Numerify("#####"), pick(f, "Paris", "Lyon", "Nantes"))
	case 2:
		return fmt.Sprintf("%s %s %d, %s %s", pick(f, "Calle", "Avenida", "Paseo"), pick(f, "Mayor", "de Goya", "del Prado", f.LastName()), n, f.Numerify("28###"), "Madrid")
	case 3:
		return fmt.Sprintf("%s %d, %s %s", pick(f, "Via", "Viale", "Corso", "Piazza"), n, f.Numerify("00###"), pick(f, "Roma", "Milano"))
	case 4:
		return fmt.Sprintf("%s%s %d, %s %s", f.LastName(), pick(f, "straat", "laan", "gracht"), n, f.Numerify("1###"), pick(f, "AB Amsterdam", "XK Utrecht"))
	case 5:
		return fmt.Sprintf("%s %s, д. %d, кв. %d", pick(f, "ул.", "улица", "проспект"), pick(f, "Ленина", "Гагарина", "Мира", "Садовая"), n, 1+f.IntN(99))
	case 6:
		return fmt.Sprintf("%s市%s区%s路%d号", pick(f, "北京", "上海", "广州"), pick(f, "朝阳", "海淀", "浦东"), pick(f, "建国", "人民", "中山"), n)
	case 7:
		return fmt.Sprintf("〒%s 東京都%s区%s%d丁目%d番", f.Numerify("###-####"), pick(f, "千代田", "港", "新宿"), pick(f, "丸の内", "六本木", "西新宿"), 1+f.IntN(9), n)
	}
	return fmt.Sprintf("서울특별시 %s구 %s로 %d", pick(f, "강남", "종로", "마포"), pick(f, "테헤란", "세종대", "월드컵북"), n)
}
