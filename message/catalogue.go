package message

// template is a message's words in each language. Placeholders are
// {name}; both templates of a code have the same ones (TestCatalogue).
type template struct{ En, Ar string }

// ltr isolates Latin written into an Arabic template itself (".xlsx",
// "+968"), which would otherwise lose its order at the edge of Arabic.
func ltr(s string) string { return LRI + s + PDI }

// catalogue is every bilingual message of the packages below the UI (the
// UI's own labels and sentences are ui/messages.go). Codes are named after
// what they mean: the package's area, the thing, what is wrong with it.
// Typed values are Quoted arguments: between guillemets «…» inside their
// isolate, so the marks always go with the value they quote.
var catalogue = map[Code]template{
	// A text already in words from another catalogue (the UI's), carried
	// by an error of this one.
	"words": {"{text}", "{text}"},

	// input: values as people type them.
	"input.phone.plus": {
		`not a phone number {value}: a "+" can only come first`,
		"ليس رقم هاتف {value}: علامة " + ltr(`"+"`) + " تأتي في البداية فقط"},
	"input.phone.char": {
		"not a phone number {value}: it contains {char}",
		"ليس رقم هاتف {value}: يحتوي على {char}"},
	"input.phone.no_digits": {
		"not a phone number {value}: it has no digits",
		"ليس رقم هاتف {value}: لا يحتوي على أرقام"},
	"input.phone.country_zero": {
		"not a phone number {value}: a country code cannot start with 0",
		"ليس رقم هاتف {value}: رمز الدولة لا يبدأ بالصفر"},
	"input.phone.international_length": {
		"not an international phone number {value}: expected 8 to 15 digits including the country code",
		"ليس رقم هاتف دولي {value}: يجب أن يتكون من 8 إلى 15 رقمًا مع رمز الدولة"},
	"input.phone.omani_length": {
		"not an Omani phone number {value}: expected 8 digits (or +968 and 8 digits); write foreign numbers with + and the country code",
		"ليس رقم هاتف عُماني {value}: يجب أن يتكون من 8 أرقام (أو " + ltr("+968") + " و8 أرقام)؛ اكتب الأرقام الأجنبية مع " + ltr("+") + " ورمز الدولة"},
	"input.phone.omani_after_code": {
		"not an Omani phone number {value}: expected 8 digits after +968",
		"ليس رقم هاتف عُماني {value}: يجب أن يتكون من 8 أرقام بعد " + ltr("+968")},
	"input.phone.omani_prefix": {
		"not an Omani phone number {value}: Omani numbers start with 9 or 7 (mobile) or 2 (landline)",
		"ليس رقم هاتف عُماني {value}: الأرقام العُمانية تبدأ بـ 9 أو 7 (نقال) أو 2 (ثابت)"},
	"input.date.year_only": {
		"not a date {value}: only a year; write the whole date as day/month/year",
		"ليس تاريخًا {value}: هذه سنة فقط؛ اكتب التاريخ كاملًا يوم/شهر/سنة"},
	"input.date.number": {
		"not a date {value}: write it as day/month/year, e.g. 5/3/2024",
		"ليس تاريخًا {value}: اكتبه بالصيغة يوم/شهر/سنة، مثل " + ltr("5/3/2024")},
	"input.date.serial_range": {
		"not a date {value}: as an Excel date number it must be between {min} (1927) and {max} (2100); write it as day/month/year",
		"ليس تاريخًا {value}: رقم التاريخ في Excel يجب أن يكون بين {min} (1927) و{max} (2100)؛ اكتبه بالصيغة يوم/شهر/سنة"},
	"input.date.form": {
		"not a date {value}: write it as day/month/year (5/3/2024) or year-month-day (2024-03-05)",
		"ليس تاريخًا {value}: اكتبه بالصيغة يوم/شهر/سنة (" + ltr("5/3/2024") + ") أو سنة-شهر-يوم (" + ltr("2024-03-05") + ")"},
	"input.date.two_digit_year": {
		"not a date {value}: write the year with 4 digits (e.g. 2024), so that the century is not guessed",
		"ليس تاريخًا {value}: اكتب السنة بأربعة أرقام (مثل 2024) حتى لا يُخمَّن القرن"},
	"input.date.year_range": {
		"not a plausible date {value}: the year {year} is outside {min}–{max}",
		"تاريخ غير معقول {value}: السنة {year} خارج المدى {min}–{max}"},
	"input.date.month": {
		"not a date {value}: there is no month {month} (dates are read day first: day/month/year)",
		"ليس تاريخًا {value}: لا يوجد شهر رقم {month} (يُقرأ التاريخ بالصيغة يوم/شهر/سنة)"},
	"input.date.day": {
		"not a date {value}: {month} {year} has {days} days",
		"ليس تاريخًا {value}: شهر {month} {year} فيه {days} يومًا"},
	"input.gender": {
		"not a gender {value}: expected male or female (ذكر or أنثى)",
		"ليس جنسًا معروفًا {value}: المتوقع ذكر أو أنثى (" + ltr("male/female") + ")"},
	"input.email.space": {
		"not an e-mail address {value}: it contains a space",
		"ليس بريدًا إلكترونيًا {value}: يحتوي على مسافة"},
	"input.email.several": {
		`not an e-mail address {value}: it contains , ; < > ( ) [ ] or "; write one address only`,
		"ليس بريدًا إلكترونيًا {value}: يحتوي على " + ltr(`, ; < > ( ) [ ]`) + " أو \"؛ اكتب عنوانًا واحدًا فقط"},
	"input.email.no_at": {
		"not an e-mail address {value}: it has no @",
		"ليس بريدًا إلكترونيًا {value}: لا يحتوي على @"},
	"input.email.many_at": {
		"not an e-mail address {value}: it has more than one @; write one address only",
		"ليس بريدًا إلكترونيًا {value}: يحتوي على أكثر من @؛ اكتب عنوانًا واحدًا فقط"},
	"input.email.no_local": {
		"not an e-mail address {value}: nothing before the @",
		"ليس بريدًا إلكترونيًا {value}: لا يوجد شيء قبل @"},
	"input.email.no_dot": {
		"not an e-mail address {value}: the part after @ needs a dot, as in example.com",
		"ليس بريدًا إلكترونيًا {value}: الجزء بعد @ يحتاج إلى نقطة، مثل example.com"},
	"input.email.empty_label": {
		"not an e-mail address {value}: the part after @ has an empty piece between dots",
		"ليس بريدًا إلكترونيًا {value}: الجزء بعد @ فيه نقطتان متتاليتان أو نقطة في طرفه"},
	"input.civil_id.digits": {
		"not a civil ID number {value}: only digits are allowed",
		"ليس رقمًا مدنيًا {value}: يُسمح بالأرقام فقط"},
	"input.civil_id.length": {
		"not a civil ID number {value}: expected 6 to 10 digits, found {count}",
		"ليس رقمًا مدنيًا {value}: يجب أن يتكون من 6 إلى 10 أرقام، وفيه {count}"},
	"input.hours": {
		"not a number of hours {value}: write it like 2 or 2.5",
		"ليس عددًا من الساعات {value}: اكتبه مثل 2 أو " + ltr("2.5")},

	// data: records checked before they are stored.
	"data.invalid": {"invalid: {problems}", "بيانات غير صحيحة: {problems}"},
	"data.field":   {"{field}: {problem}", "{field}: {problem}"},
	"data.person.kind": {
		`{value} is not a kind of person: use ambassador or guest`,
		"{value} ليس نوعًا معروفًا: استخدم سفير أو ضيف"},
	"data.person.name_required": {
		"a name is required, in Arabic or in English",
		"الاسم مطلوب، بالعربية أو بالإنجليزية"},
	"data.person.name_ar_not_arabic": {
		"the Arabic name has no Arabic letters",
		"الاسم العربي لا يحتوي على حروف عربية"},
	"data.person.name_too_long": {
		"a name may have at most {max} characters",
		"الاسم لا يزيد على {max} حرف"},
	"data.person.status": {
		`{value} is not a status: use active or inactive`,
		"{value} ليست حالة معروفة: استخدم نشط أو غير نشط"},
	"data.workshop.title_required": {
		"a title is required, in Arabic or in English",
		"عنوان الورشة مطلوب، بالعربية أو بالإنجليزية"},
	"data.workshop.title_ar_not_arabic": {
		"the Arabic title has no Arabic letters",
		"العنوان العربي لا يحتوي على حروف عربية"},
	"data.workshop.date_required": {"the date is required", "التاريخ مطلوب"},
	"data.workshop.start_time": {
		`{value} is not a time of day like 09:30`,
		"{value} ليس وقتًا صحيحًا مثل " + ltr("09:30")},
	"data.workshop.hours": {
		"hours must be more than 0 and at most 24",
		"عدد الساعات يجب أن يكون أكبر من 0 ولا يزيد على 24"},
	"data.workshop.min_hours": {
		"the minimum hours for a certificate must be between 0 and the workshop's hours",
		"الحد الأدنى لساعات الشهادة يجب أن يكون بين 0 وعدد ساعات الورشة"},
	"data.workshop.capacity_negative": {"capacity cannot be negative", "السعة لا يمكن أن تكون سالبة"},
	"data.workshop.status": {
		`{value} is not a workshop status: use planned, held or cancelled`,
		"{value} ليست حالة ورشة معروفة: استخدم مخططة أو منعقدة أو ملغاة"},
	"data.attendance.status": {
		`{value} is not an attendance status: use present, absent or excused`,
		"{value} ليست حالة حضور معروفة: استخدم حاضر أو غائب أو معتذر"},
	"data.attendance.hours": {
		"hours attended must be between 0 and the workshop's {hours}",
		"ساعات الحضور يجب أن تكون بين 0 و{hours} (ساعات الورشة)"},
	"data.place.governorate_required": {"the governorate is required", "المحافظة مطلوبة"},
	"data.place.governorate_unknown": {
		`{value} is not a governorate of Oman`,
		"{value} ليست محافظة عُمانية"},
	"data.place.wilayat_elsewhere": {
		"{wilayat} is in {governorate}, not in {chosen}",
		"ولاية {wilayat} تتبع محافظة {governorate} وليس محافظة {chosen}"},
	"data.place.wilayat_unknown": {
		`{value} is not a wilayat of {governorate}`,
		"{value} ليست ولاية في محافظة {governorate}"},
	"data.certificate.revoke_reason": {"say why the certificate is revoked", "اذكر سبب إلغاء الشهادة"},
	// data: encryption at rest of the device's database (issue 14).
	"data.vault.protected": {
		"the database is encrypted already",
		"قاعدة البيانات مشفرة من قبل"},
	"data.vault.not_protected": {
		"the database is not encrypted: there is no passphrase to enter or change",
		"قاعدة البيانات غير مشفرة: لا توجد عبارة مرور لإدخالها أو تغييرها"},
	"data.vault.wait": {
		"Too many wrong passphrases: wait {seconds} seconds and try again.",
		"عبارات مرور خاطئة كثيرة: انتظر {seconds} ثانية ثم حاول مرة أخرى."},
	"data.vault.keyfile_missing": {
		"the database is encrypted but its key file {path} is missing: put the key file back beside the database, or ask HQ to recover it",
		"قاعدة البيانات مشفرة لكن ملف مفتاحها {path} مفقود: أعد ملف المفتاح بجانب قاعدة البيانات، أو اطلب من المقر استعادته"},
	"data.vault.changed": {
		"Another Safeer encrypted this database while this one had it open: nothing was saved. Close Safeer and open it again.",
		"شفّر سفير آخر قاعدة البيانات هذه بينما كانت مفتوحة هنا: لم يُحفظ شيء. أغلق سفير وافتحه من جديد."},
	"data.vault.key_other": {
		"the key file {path} holds the key of another database",
		"ملف المفتاح {path} يحمل مفتاح قاعدة بيانات أخرى"},
	"certificate.skip.not_present": {"was {status}, not present", "لم يحضر ({status})"},
	"certificate.skip.too_few_hours": {
		"attended {hours} of the {needed} hours needed",
		"حضر {hours} من {needed} ساعات مطلوبة"},

	// data: certificates that would print with blanks.
	"print.incomplete": {
		"Not issued: the certificates would print with blanks. Missing: {missing}.",
		"لم تُصدر الشهادات: ستُطبع بفراغات. ينقصها: {missing}."},
	"print.gap.title_ar":           {"the workshop's Arabic title", "عنوان الورشة بالعربية"},
	"print.gap.title_en":           {"the workshop's English title", "عنوان الورشة بالإنجليزية"},
	"print.gap.wilayat":            {"the workshop's wilayat", "ولاية الورشة"},
	"print.gap.signatory_name_ar":  {"the signatory's name in Arabic", "اسم الموقّع بالعربية"},
	"print.gap.signatory_name_en":  {"the signatory's name in English", "اسم الموقّع بالإنجليزية"},
	"print.gap.signatory_title_ar": {"the signatory's title in Arabic", "صفة الموقّع بالعربية"},
	"print.gap.signatory_title_en": {"the signatory's title in English", "صفة الموقّع بالإنجليزية"},
	"print.gap.programme_ar":       {"the programme's name in Arabic", "اسم البرنامج بالعربية"},
	"print.gap.programme_en":       {"the programme's name in English", "اسم البرنامج بالإنجليزية"},
	"print.gap.template_text":      {"the template's {name}", "نص القالب {name}"},

	// spreadsheet: files that cannot be read as rosters.
	"sheet.errors": {"{errors}", "{errors}"},
	"sheet.open.ods": {
		"cannot read {file}: OpenDocument spreadsheets are not supported; save it as .xlsx or CSV UTF-8",
		"لا يمكن قراءة {file}: صيغة OpenDocument غير مدعومة؛ احفظ الملف بصيغة " + ltr(".xlsx") + " أو CSV UTF-8"},
	"sheet.open.type": {
		"cannot read {file}: unsupported file type; use .xlsx or .csv (CSV UTF-8)",
		"لا يمكن قراءة {file}: نوع ملف غير مدعوم؛ استخدم " + ltr(".xlsx") + " أو " + ltr(".csv") + " (CSV UTF-8)"},
	"sheet.open.not_found": {"file not found: {path}", "الملف غير موجود: {path}"},
	"sheet.open.failed":    {"cannot open {path}: {cause}", "تعذر فتح الملف {path} ({cause})"},
	"sheet.open.folder":    {"{path} is a folder, not a file", "{path} مجلد وليس ملفًا"},
	"sheet.read.failed":    {"cannot read the file: {cause}", "تعذرت قراءة الملف ({cause})"},
	"sheet.read.too_large": {
		"the file is larger than {mib} MiB; split it into smaller files",
		"حجم الملف أكبر من {mib} ميغابايت؛ قسّمه إلى ملفات أصغر"},
	"sheet.password": {
		"the workbook is protected with a password: open it in Excel, remove the password and save it again",
		"المصنف محمي بكلمة مرور: افتحه في Excel وأزل كلمة المرور ثم احفظه من جديد"},
	"sheet.xls": {
		"old Excel format (.xls): save it as .xlsx or CSV UTF-8",
		"صيغة Excel قديمة (" + ltr(".xls") + "): احفظ الملف بصيغة " + ltr(".xlsx") + " أو CSV UTF-8"},
	"sheet.not_xlsx": {
		"not an .xlsx workbook (the file is damaged or in another format): save it again as .xlsx or CSV UTF-8",
		"ليس مصنف " + ltr(".xlsx") + " (الملف تالف أو بصيغة أخرى): احفظه من جديد بصيغة " + ltr(".xlsx") + " أو CSV UTF-8"},
	"sheet.row.columns": {
		"row {row} has more than {max} columns",
		"الصف {row} فيه أكثر من {max} عمود"},
	"sheet.empty": {"the sheet is empty: no header row found", "الورقة فارغة: لا يوجد صف عناوين"},
	"sheet.csv.is_xlsx": {
		"this is an Excel workbook (.xlsx), not a CSV file: give it the .xlsx extension",
		"هذا مصنف Excel (" + ltr(".xlsx") + ") وليس ملف CSV: اجعل امتداده " + ltr(".xlsx")},
	"sheet.csv.nul": {
		"line {line}: the file contains NUL bytes, so it is not a text CSV (perhaps UTF-16 without a BOM, or not a spreadsheet at all): save it as CSV UTF-8",
		"السطر {line}: الملف يحتوي على بايتات صفرية فليس ملف CSV نصيًا (ربما UTF-16 بلا BOM أو ليس جدولًا أصلًا): احفظه بصيغة CSV UTF-8"},
	"sheet.csv.not_utf8": {
		"line {line}: the file is not UTF-8 (perhaps Windows-1256): save it as CSV UTF-8",
		"السطر {line}: الملف ليس بترميز UTF-8 (ربما Windows-1256): احفظه بصيغة CSV UTF-8"},
	"sheet.csv.open_quote": {
		`line {line}: a quoted cell starts here but its closing quote (") is missing`,
		`السطر {line}: تبدأ هنا خلية بين علامتي تنصيص لكن علامة الإغلاق (") مفقودة`},
	"sheet.xlsx.unreadable": {
		"cannot read the workbook (damaged, or not an .xlsx file): {cause}",
		"تعذرت قراءة المصنف (تالف أو ليس ملف " + ltr(".xlsx") + "): {cause}"},
	"sheet.xlsx.sheet_unreadable": {
		"cannot read the sheet {sheet}: {cause}",
		"تعذرت قراءة الورقة {sheet}: {cause}"},
	"sheet.xlsx.no_visible_sheet": {"the workbook has no visible sheet", "لا توجد في المصنف ورقة ظاهرة"},
	"sheet.xlsx.no_such_sheet": {
		"the workbook has no sheet named {sheet}; its sheets are {sheets}",
		"لا توجد في المصنف ورقة باسم {sheet}؛ أوراقه هي {sheets}"},
	"sheet.override.unknown_field": {
		"override {override}: unknown field {field}; the fields are {fields}",
		"التعيين {override}: الحقل {field} غير معروف؛ الحقول هي {fields}"},
	"sheet.override.column_twice": {
		"column {column} is named by two overrides",
		"العمود {column} مذكور في تعيينين"},
	"sheet.override.field_twice": {
		"overrides {first} and {second} both map to {field}",
		"التعيينان {first} و{second} كلاهما للحقل {field}"},
	"sheet.columns.same_field": {
		`columns {columns} all look like {field}; keep one and ignore the others with an override (e.g. "{header}=-")`,
		"الأعمدة {columns} كلها تبدو للحقل {field}؛ أبقِ واحدًا وتجاهل البقية بتعيين (مثل " + ltr(`"{header}=-"`) + ")"},
	"sheet.columns.no_name": {
		"no name column: expected a column such as «Name (Arabic)», «الاسم» or «Name (English)»; the header has {found}",
		"لا يوجد عمود للاسم: المتوقع عمود مثل «الاسم» أو «الاسم بالانجليزي» أو «" + ltr("Name (English)") + "»؛ العناوين الموجودة هي {found}"},
	"sheet.override.ambiguous": {
		"override {override}: columns {first} and {second} have that name; name the column by its letter instead",
		"التعيين {override}: العمودان {first} و{second} لهما هذا الاسم؛ اذكر العمود بحرفه بدلًا من ذلك"},
	"sheet.override.no_column": {
		"override {override}: no column has that header, and it is not a column letter or number of this sheet",
		"التعيين {override}: لا يوجد عمود بهذا العنوان، وليس حرف عمود أو رقمه في هذه الورقة"},
	"sheet.column": {"{header} (column {letter})", "{header} (العمود {letter})"},

	// sync/client: sync failures and warnings, by the client's problem code.
	"sync.token_missing": {
		"This database was restored from a backup. Backups do not keep the HQ sync token, so this computer cannot sync until it is enrolled again: ask HQ for a new enrolment code and enrol this computer with it. Your data and unsent changes are kept.",
		"استُعيدت قاعدة البيانات هذه من نسخة احتياطية. النسخ الاحتياطية لا تحفظ رمز المزامنة مع المقر، لذلك لا يستطيع هذا الجهاز المزامنة حتى يُسجَّل من جديد: اطلب من المقر رمز تسجيل جديدًا وسجّل هذا الجهاز به. بياناتك وتغييراتك غير المرسلة محفوظة."},
	"sync.not_enrolled": {
		"This computer is not enrolled with HQ yet. Ask HQ for an enrolment code, then enrol it.",
		"هذا الجهاز غير مسجّل لدى المقر بعد. اطلب رمز تسجيل من المقر ثم سجّل الجهاز."},
	"sync.unreachable": {
		"HQ cannot be reached. Check the internet connection. Your changes are kept on this computer and will be sent when HQ answers.",
		"تعذّر الوصول إلى المقر. تحقّق من الاتصال بالإنترنت. تغييراتك محفوظة على هذا الجهاز وستُرسل عندما يستجيب المقر."},
	"sync.timeout": {
		"The connection to HQ is too slow and timed out. Your changes are kept and will be sent on the next try.",
		"الاتصال بالمقر بطيء جداً وانتهت مهلته. تغييراتك محفوظة وستُرسل في المحاولة التالية."},
	"sync.tls": {
		"The secure connection to HQ failed. Check this computer's date and time and the HQ address.",
		"فشل الاتصال الآمن بالمقر. تحقّق من تاريخ هذا الجهاز ووقته ومن عنوان المقر."},
	"sync.server": {
		"HQ had a problem. Your changes are kept; Safeer will try again later.",
		"حدثت مشكلة لدى المقر. تغييراتك محفوظة وسيحاول سفير مرة أخرى لاحقاً."},
	"sync.server.status": {
		"HQ had a problem (error {status}). Your changes are kept; Safeer will try again later.",
		"حدثت مشكلة لدى المقر (خطأ {status}). تغييراتك محفوظة وسيحاول سفير مرة أخرى لاحقاً."},
	"sync.revoked": {
		"HQ has revoked this computer, so it no longer syncs. Your data and unsent changes are kept on this computer. Contact HQ.",
		"ألغى المقر تسجيل هذا الجهاز فتوقفت المزامنة. بياناتك وتغييراتك غير المرسلة محفوظة على هذا الجهاز. تواصل مع المقر."},
	"sync.unauthorized": {
		"HQ does not recognise this computer. Enrol it again with a new code from HQ; your unsent changes are kept.",
		"لا يتعرّف المقر على هذا الجهاز. سجّله مرة أخرى برمز جديد من المقر؛ تغييراتك غير المرسلة محفوظة."},
	"sync.bad_code": {
		"The enrolment code is wrong, already used or expired. Ask HQ for a new code.",
		"رمز التسجيل غير صحيح أو مستخدم من قبل أو منتهي الصلاحية. اطلب رمزاً جديداً من المقر."},
	"sync.must_resync": {
		"HQ was restored from a backup. Safeer sent your changes and is downloading everything again.",
		"استُعيدت بيانات المقر من نسخة احتياطية. أرسل سفير تغييراتك ويعيد تنزيل كل البيانات."},
	"sync.clock_skew": {
		"This computer's date and time differ from HQ's too much. Set the correct date and time, then sync again.",
		"يختلف تاريخ هذا الجهاز ووقته عن المقر كثيرًا. اضبط التاريخ والوقت الصحيحين ثم زامن مرة أخرى."},
	"sync.clock_ahead": {
		"This computer's clock was ahead of HQ's. Changes made offline were given HQ's time so that HQ accepts them. Check the date and time.",
		"كانت ساعة هذا الجهاز متقدمة على ساعة المقر. أُعطيت التغييرات التي أُجريت دون اتصال وقتَ المقر ليقبلها. تحقق من التاريخ والوقت."},
	"sync.rejected": {
		"HQ refused some changes from this computer. They are kept in the list of refused changes.",
		"رفض المقر بعض التغييرات من هذا الجهاز. وهي محفوظة في قائمة التغييرات المرفوضة."},
	"sync.protocol": {
		"HQ did not accept what this Safeer sent. Safeer may need an update.",
		"لم يقبل المقر ما أرسله سفير. قد يحتاج سفير إلى تحديث."},
	"sync.protocol.status": {
		"HQ did not accept what this Safeer sent (error {status}). Safeer may need an update.",
		"لم يقبل المقر ما أرسله سفير (خطأ {status}). قد يحتاج سفير إلى تحديث."},
	"sync.insecure_url": {
		"The HQ address must start with https:// (plain http only works on this computer itself).",
		"يجب أن يبدأ عنوان المقر بـ " + ltr("https://") + " (لا يعمل " + ltr("http") + " العادي إلا على هذا الجهاز نفسه)."},
	"sync.endorsement": {
		"Enrolled, but HQ's signature of this computer's key does not check out: certificates printed here may not verify. Tell HQ.",
		"تم التسجيل، لكن توقيع المقر لمفتاح هذا الجهاز غير صحيح: قد لا يمكن التحقق من الشهادات المطبوعة هنا. أبلغ المقر."},
	"sync.database": {
		"Safeer could not read or write its database on this computer.",
		"تعذّر على سفير قراءة قاعدة بياناته على هذا الجهاز أو الكتابة فيها."},
	"sync.cancelled": {
		"Sync was stopped before it finished. Nothing is lost; it continues next time.",
		"توقفت المزامنة قبل أن تكتمل. لم يضع شيء، وستستكمل في المرة القادمة."},
	"sync.unknown": {
		"Sync failed. Your changes are kept on this computer.",
		"فشلت المزامنة. تغييراتك محفوظة على هذا الجهاز."},

	// cmd/safeer: the command line's own errors (its usage errors stay
	// English; its help is catalogue_help.go).
	"cli.invalid": {"the data is not valid:", "البيانات غير صحيحة:"},
	// cli: the passphrase of an encrypted database (issue 14).
	"cli.passphrase.needed": {
		"This database is encrypted: give its passphrase on a terminal, or with --passphrase-fd N (read from file descriptor N) or --passphrase-env NAME (the variable NAME holds it). Nothing was done.",
		"قاعدة البيانات هذه مشفرة: أدخل عبارة مرورها في الطرفية، أو مرّرها بالخيار " + ltr("--passphrase-fd N") + " (تُقرأ من واصف الملف N) أو " + ltr("--passphrase-env NAME") + " (يحملها المتغير NAME). لم يُنفَّذ شيء."},
	"cli.passphrase.needed_clear": {
		"This database is not encrypted yet, and Safeer encrypts it before any command uses it: choose a passphrase and give it on a terminal, or with --passphrase-fd N (read from file descriptor N) or --passphrase-env NAME (the variable NAME holds it). Nothing was done.",
		"قاعدة البيانات هذه غير مشفرة بعد، ويشفرها سفير قبل أن يستخدمها أي أمر: اختر عبارة مرور وأدخلها في الطرفية، أو مرّرها بالخيار " + ltr("--passphrase-fd N") + " (تُقرأ من واصف الملف N) أو " + ltr("--passphrase-env NAME") + " (يحملها المتغير NAME). لم يُنفَّذ شيء."},
	"cli.passphrase.argument": {
		"Never give the passphrase itself on the command line (others can read it there): use --passphrase-fd N or --passphrase-env NAME, or type it when asked.",
		"لا تكتب عبارة المرور نفسها في سطر الأوامر (يستطيع غيرك قراءتها هناك): استخدم " + ltr("--passphrase-fd N") + " أو " + ltr("--passphrase-env NAME") + "، أو اكتبها عند الطلب."},
	"cli.passphrase.env_empty": {
		"the environment variable {name} holds no passphrase",
		"متغير البيئة {name} لا يحمل عبارة مرور"},
	"cli.passphrase.fd": {
		"cannot read the passphrase from file descriptor {fd}: {cause}",
		"تعذرت قراءة عبارة المرور من واصف الملف {fd}: {cause}"},
	"cli.passphrase.prompt": {"Passphrase: ", "عبارة المرور: "},
	"cli.passphrase.new":    {"New passphrase: ", "عبارة المرور الجديدة: "},
	"cli.passphrase.again":  {"The same passphrase again: ", "عبارة المرور نفسها مرة أخرى: "},
	"cli.passphrase.mismatch": {
		"the two passphrases differ: nothing was changed",
		"عبارتا المرور مختلفتان: لم يتغير شيء"},
	"cli.protect.progress": {
		"encrypting: {done} of {total} records",
		"جارٍ التشفير: {done} من {total} سجلًا"},
	"cli.protect.first": {
		"This database is not encrypted yet: Safeer encrypts its personal data now, before the command (a backup copy is kept until it is done).",
		"قاعدة البيانات هذه غير مشفرة بعد: يشفر سفير بياناتها الشخصية الآن قبل تنفيذ الأمر (وتُحفظ نسخة احتياطية حتى يكتمل ذلك)."},
	"cli.protect.choose": {
		"A new database: choose the passphrase Safeer encrypts it under (at least {min} characters), and type it twice.",
		"قاعدة بيانات جديدة: اختر عبارة المرور التي يشفرها سفير بها (من {min} أحرف على الأقل)، واكتبها مرتين."},
	"cli.protect.choose_clear": {
		"Choose the passphrase Safeer encrypts this database under (at least {min} characters), and type it twice.",
		"اختر عبارة المرور التي يشفر بها سفير قاعدة البيانات هذه (من {min} أحرف على الأقل)، واكتبها مرتين."},
	"cli.protect.created": {
		"The new database {path} is encrypted under the passphrase given. Its key file is {key}: keep it beside the database, and do not forget the passphrase.",
		"قاعدة البيانات الجديدة {path} مشفرة بعبارة المرور المعطاة. ملف مفتاحها {key}: أبقه بجانب قاعدة البيانات ولا تنسَ عبارة المرور."},
	"cli.protect.done": {
		"The database is encrypted. Its key file is {key}: keep it beside the database, and do not forget the passphrase. The backup {backup} is encrypted too.",
		"قاعدة البيانات مشفرة. ملف مفتاحها {key}: أبقه بجانب قاعدة البيانات ولا تنسَ عبارة المرور. النسخة الاحتياطية {backup} مشفرة أيضًا."},
	"cli.escrowed": {
		"The database's key is entrusted to HQ's recovery key {recipient}: HQ can unlock it if the passphrase is forgotten.",
		"أُودِع مفتاح قاعدة البيانات لدى مفتاح الاستعادة الخاص بالمقر {recipient}: يستطيع المقر فتحها إن نُسيت عبارة المرور."},
	"cli.passphrase.changed": {
		"The passphrase is changed. The data was not touched.",
		"تغيّرت عبارة المرور. لم تُمس البيانات."},
	"cli.enrolled": {
		"Enrolled with {hq} for {governorates}.",
		"تم تسجيل الجهاز لدى المقر {hq} للمحافظات {governorates}."},
	"cli.refused.resent": {
		"Values other laptops or HQ wrote, sent again after HQ's restore, refused as they belong to governorates this laptop is not enrolled for: {n}. Nothing to do.",
		"قيم كتبتها أجهزة أخرى أو المقر وأُعيد إرسالها بعد استعادة بيانات المقر، فرُفضت لأنها تتبع محافظات لم يُسجَّل لها هذا الجهاز: {n}. لا شيء عليك فعله."},
	"cli.import.invalid_rows": {
		"{invalid} row(s) are not valid, so nothing was imported: fix them, or add --skip-invalid to import the {valid} valid rows",
		"الصفوف غير الصحيحة {invalid}، فلم يُستورد شيء: صححها، أو أضف " + ltr("--skip-invalid") + " لاستيراد الصفوف الصحيحة وعددها {valid}"},
	"cli.import.again": {
		"this file was imported before ({source}, {when}, batch {batch}), so nothing was imported: add --again to import it once more, or undo that import first",
		"استُورد هذا الملف من قبل ({source}، {when}، الدفعة {batch})، فلم يُستورد شيء: أضف " + ltr("--again") + " لاستيراده مرة أخرى، أو تراجع عن ذلك الاستيراد أولًا"},
	"cli.import.again_by": {
		"this file was imported before ({source}, {when} by {by}, batch {batch}), so nothing was imported: add --again to import it once more, or undo that import first",
		"استُورد هذا الملف من قبل ({source}، {when} بواسطة {by}، الدفعة {batch})، فلم يُستورد شيء: أضف " + ltr("--again") + " لاستيراده مرة أخرى، أو تراجع عن ذلك الاستيراد أولًا"},
	"cli.people.duplicate": {
		"this person looks like someone already on the roster; add --force to add them anyway, or merge",
		"يبدو هذا الشخص مسجلًا في القائمة من قبل؛ أضف " + ltr("--force") + " لإضافته على أي حال، أو ادمج الاثنين"},
	"cli.certificates.unreadable": {"cannot read {path}: {cause}", "تعذرت قراءة {path}: {cause}"},
	"cli.certificates.no_record": {
		"{path} holds no Safeer certificate record",
		"الملف {path} لا يحتوي على سجل شهادة من سفير"},

	// hq/web: the public verification page and its JSON.
	"verify.headline.valid":           {"Valid certificate", "شهادة صحيحة"},
	"verify.headline.revoked":         {"Revoked certificate", "شهادة ملغاة"},
	"verify.headline.unknown":         {"Unknown code", "رمز غير معروف"},
	"verify.headline.invalid_code":    {"Not a verification code", "ليس رمز تحقق"},
	"verify.headline.tampered":        {"Altered certificate", "شهادة معدَّلة"},
	"verify.headline.not_programme":   {"Not issued by the programme", "ليست صادرة عن البرنامج"},
	"verify.headline.not_certificate": {"Not a certificate", "ليست شهادة"},
	"verify.invalid_code": {
		"This is not a verification code: it has a typing mistake, or it is not 10 letters and digits. A code looks like 7K3MQ-9XZ2F; check it on the certificate and type it again.",
		"هذا ليس رمز تحقق: فيه خطأ في الكتابة أو ليس من 10 حروف وأرقام. يبدو الرمز هكذا " + ltr("7K3MQ-9XZ2F") + "؛ راجعه على الشهادة واكتبه مرة أخرى."},
	"verify.unknown": {
		"HQ has no certificate with this code. Check the code on the paper; if it is right, the certificate was not issued by the programme, or its device has not synced yet — ask the issuer.",
		"لا توجد لدى المقر شهادة بهذا الرمز. راجع الرمز المطبوع؛ إن كان صحيحًا فالشهادة ليست صادرة عن البرنامج أو لم يُزامَن جهازها بعد — اسأل الجهة المصدرة."},
	"verify.unsigned_copy": {
		"HQ's copy of this certificate carries no valid signature, so it cannot be confirmed. Contact the programme.",
		"نسخة المقر من هذه الشهادة بلا توقيع صالح، فلا يمكن تأكيدها. تواصل مع البرنامج."},
	"verify.mismatch": {
		"This record does not match the certificate HQ holds under the same code. Do not accept it; contact the programme.",
		"لا تطابق هذه البيانات الشهادة المسجلة لدى المقر بالرمز نفسه. لا تقبلها، وتواصل مع البرنامج."},
	"verify.withdrawn_device": {
		"HQ has no record of this certificate, and the device that signed it has been withdrawn. It cannot be confirmed; contact the programme.",
		"لا يوجد لدى المقر سجل لهذه الشهادة، والجهاز الذي وقّعها سُحب. لا يمكن تأكيدها؛ تواصل مع البرنامج."},
	"verify.valid": {
		"This certificate is genuine: it was issued by the Smart City Ambassadors programme and has not been revoked.",
		"هذه الشهادة صحيحة: صادرة عن برنامج سفراء المدن الذكية ولم تُلغَ."},
	"verify.valid_unrecorded": {
		"This certificate's signature is genuine: it was issued by a device of the programme. HQ has not received it from that device yet, so a revocation made since would not show here.",
		"توقيع هذه الشهادة صحيح: صادرة عن جهاز تابع للبرنامج. لم تصل إلى المقر من ذلك الجهاز بعد، فلو أُلغيت منذ ذلك الحين لما ظهر الإلغاء هنا."},
	"verify.revoked": {
		"This certificate was revoked on {date} and is no longer valid.",
		"أُلغيت هذه الشهادة بتاريخ {date} ولم تعد صالحة."},
	"verify.revoked_replaced": {
		"This certificate was revoked on {date} and is no longer valid. It was replaced by the certificate {code}.",
		"أُلغيت هذه الشهادة بتاريخ {date} ولم تعد صالحة. وحلّت محلها الشهادة {code}."},
	"verify.tampered": {
		"This certificate's record has been altered: it does not match its signature. Do not accept it.",
		"تم التلاعب ببيانات هذه الشهادة: لا تطابق توقيعها. لا تقبلها."},
	"verify.unknown_signer": {
		"This certificate was not signed by a device of the Smart City Ambassadors programme. Do not accept it.",
		"لم تُوقَّع هذه الشهادة من جهاز تابع لبرنامج سفراء المدن الذكية. لا تقبلها."},
	"verify.not_endorsed": {
		"This certificate was signed by a device that was not enrolled with HQ, so it cannot be confirmed.",
		"وُقّعت هذه الشهادة من جهاز غير مسجل لدى المقر، فلا يمكن تأكيدها."},
	"verify.malformed": {
		"This link does not hold a certificate record. Type the verification code printed on the certificate instead.",
		"لا يحمل هذا الرابط بيانات شهادة. اكتب رمز التحقق المطبوع على الشهادة بدلًا من ذلك."},
	"verify.rate_limited.title": {"Too many checks", "طلبات كثيرة"},
	"verify.rate_limited": {
		"Too many checks from your address in a short time. Please wait {seconds} seconds and try again.",
		"طلبات تحقق كثيرة من عنوانك في وقت قصير. انتظر {seconds} ثانية ثم حاول مرة أخرى."},
	"verify.bad_request": {
		"give ?code=VERIFICATION-CODE or ?qr=TEXT-OF-THE-QR-CODE",
		"أرسل " + ltr("?code=") + "رمز-التحقق أو " + ltr("?qr=") + "نص-رمز-الاستجابة"},
	"verify.unavailable": {
		"HQ cannot check certificates right now; try again later.",
		"لا يستطيع المقر التحقق من الشهادات الآن؛ حاول لاحقًا."},
	"web.not_found.title": {"Page not found", "الصفحة غير موجودة"},
	"web.not_found": {
		"There is no page at this address. To check a certificate, open the verification page.",
		"لا توجد صفحة بهذا العنوان. للتحقق من شهادة افتح صفحة التحقق."},

	// vault: the data key, sealed fields, the key file, HQ's escrow.
	"vault.locked": {
		"Safeer is locked: enter the passphrase to open the data.",
		"سفير مقفل: أدخل عبارة المرور لفتح البيانات."},
	"vault.value.malformed": {
		"an encrypted value of the field {field} is not in Safeer's form: it is damaged or was not written by Safeer",
		"القيمة المشفرة للحقل {field} ليست بصيغة سفير: إنها تالفة أو لم يكتبها سفير"},
	"vault.value.version": {
		"an encrypted value of the field {field} was written by a newer Safeer (format {version}): update Safeer to read it",
		"القيمة المشفرة للحقل {field} كتبها إصدار أحدث من سفير (الصيغة {version}): حدّث سفير لقراءتها"},
	"vault.value.unopenable": {
		"an encrypted value of the field {field} cannot be opened: it is damaged, was copied from another record, or was encrypted with another key",
		"لا يمكن فتح القيمة المشفرة للحقل {field}: إنها تالفة، أو نُسخت من سجل آخر، أو شُفّرت بمفتاح آخر"},
	"vault.passphrase.short": {
		"the passphrase is too short: use at least {min} characters",
		"عبارة المرور قصيرة جدًا: استخدم {min} أحرف على الأقل"},
	"vault.passphrase.wrong": {
		"The passphrase is wrong: it does not unlock this computer's data. Nothing was changed.",
		"عبارة المرور خاطئة: لا تفتح بيانات هذا الحاسوب. لم يتغير شيء."},
	"vault.params.invalid": {
		"the passphrase settings are out of range; Safeer cannot use them",
		"إعدادات عبارة المرور خارج المدى المسموح؛ لا يستطيع سفير استخدامها"},
	"vault.keyfile.damaged": {
		"the key file is damaged: Safeer cannot read the key to this computer's data",
		"ملف المفتاح تالف: لا يستطيع سفير قراءة مفتاح بيانات هذا الحاسوب"},
	"vault.keyfile.unreadable": {
		"the key file {path} is damaged or is not a Safeer key file",
		"ملف المفتاح {path} تالف أو ليس ملف مفتاح لسفير"},
	"vault.keyfile.version": {
		"the key file was written by a newer Safeer (version {version}): update Safeer to open it",
		"ملف المفتاح كتبه إصدار أحدث من سفير (الإصدار {version}): حدّث سفير لفتحه"},
	"vault.key.other": {
		"this key is not the key of this key file",
		"هذا المفتاح ليس مفتاح ملف المفتاح هذا"},
	"vault.escrow.recipient": {
		"HQ's public key is not an age key (age1…): the data key cannot be entrusted to HQ",
		"المفتاح العام للمقر ليس مفتاح " + ltr("age (age1…)") + ": لا يمكن إيداع مفتاح البيانات لدى المقر"},
	"vault.escrow.identity_form": {
		"not an age secret key (AGE-SECRET-KEY-1…)",
		"ليس مفتاحًا سريًا من نوع " + ltr("age (AGE-SECRET-KEY-1…)")},
	"vault.escrow.identity": {
		"this HQ key cannot unlock this computer's data: its key was entrusted to another HQ key",
		"مفتاح المقر هذا لا يفتح بيانات هذا الحاسوب: أُودع مفتاحها لدى مفتاح آخر للمقر"},
	"vault.escrow.none": {
		"this computer's key was never entrusted to HQ (it was not enrolled), so HQ cannot unlock it",
		"لم يُودَع مفتاح هذا الحاسوب لدى المقر قط (لم يُسجَّل)، فلا يستطيع المقر فتحه"},
	// sync/syncfile: sealed sync files carried on a stick (issue 15).
	"syncfile.not_sync_file": {
		"This is not a Safeer sync file. Choose the file Safeer saved for sync (from the device, or HQ's reply).",
		"هذا ليس ملف مزامنة من صفير. اختر الملف الذي حفظه صفير للمزامنة (من الجهاز، أو رد المقر)."},
	"syncfile.truncated": {
		"This sync file is incomplete: it was cut short, probably while it was being copied or the stick was removed too early. Copy it again from where it was saved.",
		"ملف المزامنة هذا ناقص: انقطع أثناء نسخه على الأرجح، أو نُزعت الذاكرة قبل انتهاء النسخ. انسخه مرة أخرى من المكان الذي حُفظ فيه."},
	"syncfile.damaged": {
		"This sync file is damaged: its content changed after it was written (or it was cut short). Nothing was read from it. Copy it again from where it was saved.",
		"ملف المزامنة هذا تالف: تغيّر محتواه بعد كتابته (أو انقطع). لم يُقرأ منه شيء. انسخه مرة أخرى من المكان الذي حُفظ فيه."},
	"syncfile.wrong_recipient": {
		"This sync file is not for this place: it was sealed for another device or another HQ (or damaged where it names its recipient). Nothing was read from it.",
		"ملف المزامنة هذا ليس لهذا المكان: خُتم لجهاز آخر أو لمقر آخر (أو تلف الجزء الذي يحدد المرسَل إليه). لم يُقرأ منه شيء."},
	"syncfile.unknown_author": {
		"This sync file comes from a device that is not enrolled here ({device}). Nothing was read from it.",
		"ملف المزامنة هذا من جهاز غير مسجل هنا ({device}). لم يُقرأ منه شيء."},
	"syncfile.revoked_author": {
		"This sync file comes from a device whose access has been revoked ({device}). Nothing was read from it.",
		"ملف المزامنة هذا من جهاز أُلغي تسجيله ({device}). لم يُقرأ منه شيء."},
	"syncfile.bad_signature": {
		"This sync file's signature is not that of the device it names ({device}): it was altered or forged. Nothing was read from it; do not use it.",
		"توقيع ملف المزامنة هذا لا يطابق الجهاز المذكور فيه ({device}): عُدّل أو زُوّر. لم يُقرأ منه شيء؛ لا تستخدمه."},
	"syncfile.newer_version": {
		"This sync file was written by a newer version of Safeer (file format {version}; this one reads up to {supported}). Update Safeer, then open it again.",
		"كتب ملف المزامنة هذا إصدارٌ أحدث من صفير (صيغة الملف {version}؛ وهذا الإصدار يقرأ حتى {supported}). حدّث صفير ثم افتحه مرة أخرى."},
	"syncfile.malformed": {
		"This sync file is not laid out as Safeer writes them, so it was refused. Nothing was read from it.",
		"ملف المزامنة هذا ليس بالصيغة التي يكتبها صفير، فرُفض. لم يُقرأ منه شيء."},
	"syncfile.too_large": {
		"This file is too large to be a sync file (more than {mb} MB).",
		"هذا الملف أكبر من أن يكون ملف مزامنة (أكثر من {mb} ميغابايت)."},
	"syncfile.not_request": {
		"This is a reply from HQ, not a device's sync file: load it on the device it was written for.",
		"هذا رد من المقر وليس ملف مزامنة من جهاز: حمّله على الجهاز الذي كُتب له."},
	"syncfile.not_reply": {
		"This is a device's sync file, not a reply from HQ: take it to HQ (or to a computer that relays to HQ).",
		"هذا ملف مزامنة من جهاز وليس ردًا من المقر: أوصله إلى المقر (أو إلى حاسوب ينقله إلى المقر)."},
	"syncfile.lookup_failed": {
		"The sync file's device ({device}) could not be checked right now. Try again.",
		"تعذّر التحقق من جهاز ملف المزامنة ({device}) الآن. حاول مرة أخرى."},
	"syncfile.read_failed": {
		"The sync file could not be read from the disk or stick. Check that it is still plugged in, then try again.",
		"تعذّرت قراءة ملف المزامنة من القرص أو الذاكرة. تأكد أنها ما زالت موصولة ثم حاول مرة أخرى."},

	// credential: Open Badges 3.0 credentials issued by HQ (issue 16).
	// Their texts: the credential's description, the workshop's and its
	// criteria, Arabic first and English after in the credential.
	"credential.description": {
		"A certificate of attendance of {programme}.",
		"شهادة حضور من {programme}."},
	"credential.achievement": {
		"The workshop {title}, held in {wilayat} on {date}: {hours} hours.",
		"ورشة {title} التي أقيمت في {wilayat} بتاريخ {date}: عدد الساعات {hours}."},
	"credential.criteria": {
		"Attend the workshop {title} for the hours it requires ({hours} hours), as the programme records attendance.",
		"حضور ورشة {title} للساعات التي تتطلبها (عدد الساعات {hours})، كما يسجل البرنامج الحضور."},
	// What the check of a credential found.
	"credential.valid": {
		"Valid credential: signed by the programme, not revoked.",
		"شهادة رقمية صحيحة: موقعة من البرنامج وغير ملغاة."},
	"credential.revoked": {
		"This credential was revoked by the programme.",
		"ألغى البرنامج هذه الشهادة الرقمية."},
	"credential.no_status": {
		"It names no revocation list, so whether it was revoked cannot be checked.",
		"لا تذكر قائمة إلغاء، فلا يمكن التحقق مما إذا كانت ملغاة."},
	"credential.status_unchecked": {
		"Whether it was revoked was not checked.",
		"لم يُتحقق مما إذا كانت ملغاة."},
	"credential.status_invalid": {
		"Its revocation list could not be read or checked ({detail}), so the credential cannot be trusted now. Try again later.",
		"تعذرت قراءة قائمة الإلغاء الخاصة بها أو التحقق منها ({detail})، فلا يمكن الوثوق بها الآن. حاول لاحقًا."},
	"credential.malformed": {
		"This is not a credential Safeer can read: a credential is a signed token (JWT) of three parts separated by dots.",
		"هذه ليست شهادة رقمية يقرؤها سفير: الشهادة الرقمية رمز موقّع " + ltr("(JWT)") + " من ثلاثة أجزاء بينها نقاط."},
	"credential.not_openbadge": {
		"This signed token is not an Open Badges credential.",
		"هذا الرمز الموقّع ليس شهادة رقمية من نوع " + ltr("Open Badges") + "."},
	"credential.other_issuer": {
		"This credential was not issued by the programme but by {issuer}.",
		"لم يُصدر البرنامج هذه الشهادة الرقمية، بل أصدرها {issuer}."},
	"credential.algorithm": {
		"This credential is signed with {alg}, which the programme never uses: it is not one of the programme's.",
		"هذه الشهادة الرقمية موقعة بخوارزمية {alg} التي لا يستخدمها البرنامج: ليست من شهاداته."},
	"credential.foreign_key": {
		"This credential is signed with a key ({kid}) that does not belong to the issuer it names.",
		"هذه الشهادة الرقمية موقعة بمفتاح ({kid}) لا يعود إلى الجهة التي تذكرها مُصدِرةً."},
	"credential.unknown_key": {
		"The key that signed this credential ({kid}) is not one of the programme's.",
		"المفتاح الذي وقّع هذه الشهادة الرقمية ({kid}) ليس من مفاتيح البرنامج."},
	"credential.bad_signature": {
		"The signature does not match the contents: the credential was altered or forged.",
		"التوقيع لا يطابق المحتوى: عُدّلت الشهادة الرقمية أو زُوّرت."},
	"credential.claim_mismatch": {
		"The token's {claim} claim contradicts the credential inside it.",
		"حقل {claim} في الرمز يناقض الشهادة الرقمية التي يحملها."},
	"credential.no_subject": {
		"The credential does not say whom it is about.",
		"لا تذكر الشهادة الرقمية صاحبها."},
	"credential.not_yet_valid": {
		"This credential is not valid before {date}.",
		"هذه الشهادة الرقمية غير صالحة قبل {date}."},
	"credential.expired": {
		"This credential expired on {date}.",
		"انتهت صلاحية هذه الشهادة الرقمية في {date}."},
	// Sync by file, at HQ and on the device (hq/syncfile.go, sync/client/file.go).
	"syncfile.hq_imported": {
		"Read the sync file of {name} ({device}): {applied} changes taken, {rejected} refused; the reply carries {changes} changes from HQ back.",
		"قُرئ ملف المزامنة من {name} ({device}): قُبلت {applied} تغييرات ورُفضت {rejected}؛ ويحمل الرد {changes} تغييرات من المقر."},
	"syncfile.hq_again": {
		"This sync file of {name} ({device}) was read before: nothing changed. Its reply is handed out again.",
		"قُرئ ملف المزامنة هذا من {name} ({device}) من قبل: لم يتغير شيء. يُسلَّم رده مرة أخرى."},
	"syncfile.not_enrolled": {
		"This computer is not enrolled with HQ, so it cannot sync by file. Enrol it first, with a code from HQ.",
		"هذا الحاسوب غير مسجل لدى المقر، فلا يستطيع المزامنة بالملفات. سجّله أولًا برمز من المقر."},
	"syncfile.no_hq_key": {
		"This computer does not have HQ's key (it was enrolled by an older Safeer). Enrol it again, then sync by file.",
		"لا يملك هذا الحاسوب مفتاح المقر (سُجّل بإصدار أقدم من صفير). سجّله مرة أخرى ثم زامن بالملفات."},
	"syncfile.device_revoked": {
		"HQ has revoked this computer: it no longer syncs, by network or by file. Its data and unsent changes stay on it.",
		"ألغى المقر تسجيل هذا الحاسوب: لم يعد يزامن، لا عبر الشبكة ولا بالملفات. تبقى بياناته وتغييراته غير المرسلة عليه."},
	"syncfile.exported": {
		"Saved {ops} changes for HQ in {file}. Carry the file to HQ; load HQ's reply here when it comes back.",
		"حُفظت {ops} تغييرات للمقر في {file}. أوصل الملف إلى المقر، ثم حمّل رد المقر هنا عندما يعود."},
	"syncfile.write_failed": {
		"The sync file could not be written to {file}. Check that the stick is plugged in and has room, then try again.",
		"تعذّرت كتابة ملف المزامنة في {file}. تأكد أن الذاكرة موصولة وفيها مساحة، ثم حاول مرة أخرى."},
	"syncfile.reply_loaded": {
		"Loaded HQ's reply: {acked} changes acknowledged, {rejected} refused; {changes} changes from HQ applied.",
		"حُمّل رد المقر: أُكّد استلام {acked} تغييرات ورُفض {rejected}؛ وطُبّقت {changes} تغييرات من المقر."},
	"syncfile.reply_again": {
		"This reply from HQ was loaded before: nothing changed.",
		"حُمّل رد المقر هذا من قبل: لم يتغير شيء."},
	"syncfile.reply_stale": {
		"This reply from HQ is older than this computer's last sync: what it answers is already acknowledged and its news is already here. Nothing changed.",
		"رد المقر هذا أقدم من آخر مزامنة لهذا الحاسوب: ما يجيب عنه مؤكد من قبل وأخباره وصلت من قبل. لم يتغير شيء."},
	"syncfile.relay_none": {
		"No sync files in {dir}.",
		"لا توجد ملفات مزامنة في {dir}."},
	"syncfile.relayed": {
		"Relayed {file}; HQ's reply is in {reply}.",
		"نُقل {file}؛ ورد المقر في {reply}."},
	"credential.hq_issues_none": {
		"This HQ issues no credentials: it was started without its public address (safeer-hq serve --public-url).",
		"لا يُصدر هذا المقر شهادات رقمية: شُغّل دون عنوانه العام " + ltr("(safeer-hq serve --public-url)") + "."},
}
