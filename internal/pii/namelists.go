package pii

import "strings"

// The name lists are compact on purpose: they are value evidence that
// adds to a column's name and shape, not a register of every name. Each
// locale contributes its most common given names and surnames. Words that
// are also everyday nouns or adjectives in English (Rose, King, Stone,
// Green, Wood) are left out, since product names and titles use them.

// givenNames are common given names, lower-cased, by locale.
var givenNames = wordSet(
	// English
	"james john robert michael william david richard joseph thomas charles christopher daniel matthew anthony",
	"donald steven paul andrew joshua kenneth kevin brian george timothy ronald edward jason jeffrey ryan jacob gary",
	"nicholas eric jonathan stephen larry justin scott brandon benjamin samuel gregory alexander patrick jack dennis",
	"jerry tyler aaron henry douglas peter adam nathan zachary walter kyle harold carl jeremy keith roger gerald ethan",
	"arthur terry christian sean lawrence austin noah liam oliver elijah lucas logan owen caleb luke isaac",
	"mary patricia jennifer linda elizabeth barbara susan jessica sarah karen lisa nancy betty margaret sandra ashley",
	"kimberly emily donna michelle carol amanda dorothy melissa deborah stephanie rebecca sharon laura cynthia kathleen",
	"amy angela shirley anna brenda pamela emma nicole helen samantha katherine christine debra rachel carolyn janet",
	"catherine maria heather diane julie joyce victoria kelly christina lauren joan evelyn olivia judith megan cheryl",
	"martha andrea hannah jacqueline ann gloria jean kathryn alice teresa sara janice doris madison julia judy",
	"abigail marie denise beverly theresa marilyn danielle diana brittany natalie sophia isabella charlotte mia",
	"amelia harper ava chloe ella zoe lily layla aria scarlett nora riley penelope",
	// German, Dutch, Nordic
	"hans klaus jürgen jurgen wolfgang dieter uwe günter gunter horst helmut werner stefan andreas thomas frank jörg",
	"joerg matthias markus sven lukas leon finn jonas elias felix maximilian paul ben luis moritz niklas tobias",
	"ursula monika petra sabine renate helga karin brigitte ingrid gisela claudia andrea birgit susanne katharina",
	"lena leonie hanna johanna sophie marie mia lea emilia anja jana sandra nina jan pieter sander daan bram thijs",
	"sem ruben lars anders erik nils johan mats henrik magnus astrid ingrid sigrid freya saga elsa linnea maja",
	// French, Italian, Spanish, Portuguese
	"jean pierre michel philippe alain nicolas christophe françois francois laurent sébastien sebastien olivier",
	"julien frédéric frederic stéphane stephane thierry éric antoine hugo louis gabriel raphaël raphael arthur jules",
	"nathalie isabelle sylvie catherine françoise francoise valérie valerie sandrine céline celine camille léa lea",
	"chloé manon inès ines jade louise juliette giuseppe giovanni antonio mario luigi francesco angelo vincenzo",
	"pietro salvatore carlo franco domenico bruno paolo alessandro lorenzo matteo leonardo andrea marco giulia",
	"francesca chiara sofia alessia martina giorgia federica valentina josé jose manuel francisco juan",
	"javier jesús jesus carlos miguel rafael pedro ángel angel alejandro fernando pablo sergio jorge alberto",
	"diego santiago mateo carmen josefa isabel dolores pilar teresa rosario lucía lucia paula elena cristina",
	"marta laura beatriz sofía valentina camila joão joao tiago rodrigo gonçalo goncalo afonso duarte ana",
	"mariana beatriz leonor matilde inês gabriela fernanda juliana larissa",
	// Polish, Czech, Turkish, Greek (Latin), Hungarian
	"piotr krzysztof andrzej tomasz paweł pawel michał michal marcin jakub mateusz łukasz lukasz anna katarzyna",
	"małgorzata malgorzata agnieszka barbara ewa magdalena joanna zofia jiří jiri petr tereza mehmet mustafa",
	"ahmet ali hüseyin huseyin hasan ibrahim ismail osman yusuf murat emre burak fatma ayşe ayse emine hatice",
	"zeynep elif meryem zehra giorgos georgios dimitris konstantinos nikos yannis maria eleni katerina",
	"lászló laszlo istván istvan zoltán zoltan éva",
	// Arabic, Persian, South Asian, African (Latin)
	"mohammed mohamed muhammad ahmed ahmad omar khalid abdullah hassan hussein youssef yousef karim tariq hamza",
	"fatima aisha khadija maryam noor layla amina zainab leila reza ali hossein mehdi amir sara raj rahul amit",
	"sanjay vijay arjun rohan aditya vikram anil sunil ravi priya pooja anjali neha sunita deepika kavya ananya",
	"divya lakshmi kwame kofi kojo ama akosua chinedu ngozi oluwaseun adebayo tunde thabo sipho",
	// East and Southeast Asian (Latin)
	"wei jing ming hui ling yan lei jun hao yang xin yu chen hiroshi takashi kenji yuki haruto yuto sota ren",
	"yui hina aoi sakura akira minho jiwoo seoyeon minjun jihoon hyun soojin nguyen minh anh linh thanh",
	// Cyrillic
	"александр сергей андрей дмитрий алексей иван михаил николай владимир евгений павел олег игорь виктор юрий",
	"анна мария елена ольга татьяна наталья ирина екатерина светлана юлия анастасия дарья софия олена оксана",
	"тарас богдан",
	// Greek, Arabic, Hebrew, Devanagari scripts
	"γιώργος γιωργος δημήτρης κωνσταντίνος νίκος μαρία ελένη αικατερίνη",
	"محمد أحمد احمد علي عمر خالد يوسف حسن حسين فاطمة عائشة مريم زينب خديجة ليلى إبراهيم ابراهيم إسماعيل",
	"عبدالله سعيد سعد سلمان سليمان سامي سمير سارة سلمى نور نورة هدى هند رانيا ريم رنا دينا لينا منى أمل أمينة",
	"جميلة كريم كمال مصطفى محمود ماجد مالك ناصر نبيل هشام وليد ياسر زياد طارق عادل عماد فيصل فهد بدر جمال",
	"حمزة رامي باسل شادي غادة هالة سلوى وفاء رشيد مروان أنس عثمان",
	"דוד משה יוסף אברהם שרה רחל מרים נועה יצחק יעקב תמר מיכל יעל רונית אורי איתי עומר נועם אלון גיל רון דנה",
	"שירה טל ליאור עדי חנה אסתר רות דניאל אריאל יונתן עידו אסף ברק גלעד",
	"राहुल अमित राज सुनील प्रिया पूजा अंजलि लक्ष्मी",
)

// surnames are common family names, lower-cased, by locale.
var surnames = wordSet(
	// English
	"smith johnson williams jones garcia miller davis rodriguez martinez hernandez lopez gonzalez wilson anderson",
	"thomas taylor moore jackson martin lee perez thompson harris sanchez clark ramirez lewis robinson walker",
	"allen wright scott torres nguyen flores adams nelson campbell mitchell carter roberts",
	"gomez phillips evans diaz parker cruz edwards collins reyes stewart morris morales murphy rogers",
	"gutierrez ortiz morgan peterson bailey kelly howard ramos kim cox richardson watson",
	"chavez bennett mendoza ruiz hughes alvarez castillo sanders myers foster jimenez",
	"powell jenkins perry russell sullivan henderson coleman simmons patterson jordan reynolds hamilton",
	"graham wallace gibson ellis stevens tucker hicks crawford henry boyd kennedy warren",
	"dixon burns gordon shaw holmes robertson murray ferguson hayes ortega vasquez sullivan o'brien",
	"obrien o'connor mcdonald macdonald",
	// German, Dutch, Nordic
	"müller mueller schmidt schneider fischer weber meyer wagner becker schulz hoffmann schäfer schaefer koch",
	"richter klein schröder schroeder neumann schwarz zimmermann braun krüger krueger hofmann hartmann",
	"lange schmitt werner krause lehmann köhler kohler maier huber bauer gruber mayer jansen janssen vries",
	"bakker visser smit meijer mulder dekker dijkstra jacobs hansen johansen olsen larsen andersen",
	"pedersen nielsen jensen andersson johansson karlsson nilsson eriksson larsson olsson persson svensson",
	"gustafsson virtanen korhonen nieminen",
	// French, Italian, Spanish, Portuguese
	"bernard dubois durand leroy moreau simon laurent lefebvre michel garnier fournier girard bonnet dupont",
	"lambert fontaine rousseau vincent muller faure mercier blanc guerin boyer rossi russo ferrari esposito",
	"bianchi romano colombo ricci marino greco bruno gallo conti costa giordano mancini rizzo lombardi moretti",
	"fernández fernandez gonzález rodríguez lópez martínez sánchez pérez gómez martín jiménez ruiz hernández",
	"díaz moreno muñoz munoz álvarez romero alonso gutiérrez navarro torres domínguez vázquez ramos gil",
	"serrano blanco molina suárez suarez ortega delgado castro ortiz rubio marín sanz iglesias medina silva",
	"santos ferreira pereira oliveira rodrigues almeida carvalho gomes ribeiro martins sousa souza lima araújo",
	"araujo barbosa",
	// Polish, Czech, Turkish, Greek (Latin), Hungarian, Irish
	"nowak kowalski kowalska wiśniewski wisniewski wójcik wojcik kowalczyk kamiński kaminski lewandowski",
	"zieliński zielinski szymański dvořák dvorak novák novak svoboda novotný yılmaz yilmaz kaya demir şahin",
	"sahin çelik celik yıldız yildiz aydın aydin öztürk ozturk arslan doğan dogan papadopoulos papadakis",
	"georgiou nagy kovács kovacs tóth toth szabó szabo horváth horvath murphy kelly byrne ryan walsh",
	// Arabic, Persian, South Asian, African (Latin)
	"khan hassan hussain ali rahman ahmed hosseini mohammadi rezaei patel sharma singh kumar gupta verma reddy",
	"iyer nair rao joshi mehta shah chopra das banerjee chatterjee mukherjee okafor okonkwo adeyemi mensah",
	"owusu boateng nkosi dlamini",
	// East and Southeast Asian (Latin)
	"wang li zhang liu chen yang huang zhao wu zhou xu zhu hu guo lin gao luo zheng liang tanaka",
	"suzuki takahashi watanabe ito yamamoto nakamura kobayashi kato yoshida yamada sasaki yamaguchi matsumoto",
	"inoue kimura hayashi shimizu sato kim lee park choi jung kang cho yoon jang lim nguyen tran pham hoang",
	"phan vu dang bui ngo duong ly santos reyes cruz bautista",
	// Cyrillic
	"иванов смирнов кузнецов попов васильев петров соколов михайлов новиков федоров морозов волков алексеев",
	"лебедев семенов егоров павлов козлов степанов николаев иванова смирнова кузнецова попова петрова",
	"шевченко коваленко бондаренко ткаченко",
	// Greek, Arabic, Hebrew scripts
	"παπαδόπουλος παπαδοπουλος γεωργίου νικολάου",
	"الحسن العلي الأحمد الخطيب المصري حسن",
	"כהן לוי מזרחי פרץ ביטון פרידמן שפירא גולן אזולאי דהן אוחיון חדד גבאי אשכנזי",
)

// hanSurnames are the commonest Chinese, Japanese and Korean family names
// written in Han characters; a two-to-four character Han value starting
// with one is likely a name.
var hanSurnames = wordSet(
	"王 李 张 張 刘 劉 陈 陳 杨 楊 黄 黃 赵 趙 吴 吳 周 徐 孙 孫 马 馬 朱 胡 郭 何 高 林 罗 羅 郑 鄭 梁 谢 謝 宋 唐 许 許",
	"韩 韓 冯 馮 邓 鄧 曹 彭 曾 萧 蕭 田 董 袁 潘 于 蒋 蔣 蔡 余 杜 叶 葉 程 苏 蘇 魏 吕 呂 丁 任 沈 姚 卢 盧",
	"金 朴 崔 郑 姜 赵 尹 张 林 韩 申 权 權 黄 安 宋 洪",
	// more of the hundred commonest Chinese family names, less those that
	// also start everyday words (时 成 来 全 方 文 ...)
	"石 孟 毛 邱 秦 江 史 顾 侯 邵 龙 段 雷 钱 汤 黎 易 武 乔 贺 赖 龚 庞 樊 殷 施 陶 翟 颜 倪 严 牛 温 季 俞 章 鲁",
	"葛 伍 韦 尤 毕 聂 焦 柳 邢 岳 齐 梅 莫 庄 辛 祝 涂 祁 舒 耿 詹 苗 凌 费 纪 靳 盛 童 欧 甄 项 裴 卫 屈 鲍 覃 霍",
	"翁 隋 甘 薛 柏 柯 阮 桂 闵 欧阳 柴 冉 房 戚 邹 谭 范 廖 孔 崔 康 熊 陆 郝 钟 汪 姚 褚 闾 戎 母",
	"佐藤 鈴木 高橋 田中 伊藤 渡辺 山本 中村 小林 加藤 吉田 山田 佐々木 山口 松本 井上 木村 林 清水 山崎 森 池田 橋本 阿部 石川",
)

// hangulSurnames are the commonest Korean family names in Hangul.
var hangulSurnames = wordSet("김 이 박 최 정 강 조 윤 장 임 한 오 서 신 권 황 안 송 전 홍 류 고 문 양 손 배 백 허 유 남 심 노 하 곽 성 차 주 우 구 민 진 나 표 명 기 반 라 왕 금 옥 육 인 맹 제 모 탁 국 여 어 은 편 용 예 경 봉 부 황보 남궁 선우 제갈 독고 위 마 길 연 방 변 석 설 도 원 염 천 추 계 소 엄 채 지 현 함 공 간 가 감 범 빈 피 탄 호")

// kanaSurnames are the commonest Japanese family names in kana.
var kanaSurnames = wordSet("さとう すずき たかはし たなか いとう わたなべ やまもと なかむら こばやし かとう サトウ スズキ タカハシ タナカ イトウ ワタナベ ヤマモト ナカムラ")

// wordSet splits space-separated lists into a set.
func wordSet(lists ...string) map[string]bool {
	set := map[string]bool{}
	for _, l := range lists {
		for _, w := range strings.Fields(l) {
			set[w] = true
		}
	}
	return set
}
