package message

// helpCatalogue is the command lines' help (cmd/safeer and cmd/safeer-hq):
// the frame of a help page and what each command does, printed in the
// language of the locale. Commands, flags and file names are Latin
// arguments, isolated in Arabic. It joins the catalogue at init.
var helpCatalogue = map[Code]template{
	"cli.help.usage":    {"Usage: {usage}", "الاستخدام: {usage}"},
	"cli.help.commands": {"Commands:", "الأوامر:"},
	"cli.help.app":      {"With no command, {safeer} opens the app. Commands:", "بلا أمر يفتح {safeer} التطبيق. الأوامر:"},
	"cli.help.more": {
		"Run {cmd} (or {alt}) for a command's usage and flags.",
		"شغّل {cmd} (أو {alt}) لعرض طريقة استخدام أمر وخياراته."},
	"cli.help.group":      {"{what}. Commands:", "{what}. الأوامر:"},
	"cli.help.group_more": {"Run {cmd} for a command's flags.", "شغّل {cmd} لعرض خيارات أي أمر."},
	"cli.help.sentence":   {"{what}.", "{what}."},
	"cli.help.flags":      {"Flags:", "الخيارات:"},

	// safeer's commands.
	"cli.help.cmd.import": {
		"import a roster from {csv} or {xlsx}, or undo an import",
		"استيراد قائمة من ملف {csv} أو {xlsx}، أو التراجع عن استيراد"},
	"cli.help.cmd.people":       {"the roster", "قائمة الأشخاص"},
	"cli.help.cmd.workshops":    {"workshops", "الورش"},
	"cli.help.cmd.attend":       {"check a person in at a workshop", "تسجيل حضور شخص في ورشة"},
	"cli.help.cmd.certificates": {"certificates of attendance", "شهادات الحضور"},
	"cli.help.cmd.export":       {"export to a spreadsheet", "التصدير إلى جدول بيانات"},
	"cli.help.cmd.backup":       {"write a consistent copy of the database", "كتابة نسخة متسقة من قاعدة البيانات"},
	"cli.help.cmd.enrol":        {"enrol this computer with HQ", "تسجيل هذا الجهاز لدى المقر"},
	"cli.help.cmd.sync": {
		"sync with HQ now, or show how sync stands; with no network, by file: export a sealed file for HQ, import HQ's reply, relay others' files over this computer's link",
		"المزامنة مع المقر الآن، أو عرض حالة المزامنة؛ ودون شبكة، بملف: تصدير ملف مختوم للمقر، واستيراد رد المقر، ونقل ملفات الآخرين عبر اتصال هذا الحاسوب"},
	"cli.help.cmd.conflicts":  {"concurrent edits to review", "تعديلات متزامنة تنتظر المراجعة"},
	"cli.help.cmd.protect":    {"encrypt the database's personal data under a passphrase", "تشفير البيانات الشخصية في قاعدة البيانات بعبارة مرور"},
	"cli.help.cmd.passphrase": {"change the passphrase of an encrypted database", "تغيير عبارة المرور لقاعدة بيانات مشفرة"},
	"cli.help.cmd.escrow": {
		"entrust an encrypted database's key to HQ's recovery key ({cmd})",
		"إيداع مفتاح قاعدة بيانات مشفرة لدى مفتاح الاسترداد في المقر ({cmd})"},
	"cli.help.cmd.version": {"print the version (also: {alt})", "طباعة رقم الإصدار (أو: {alt})"},

	// safeer's subcommands ("cli.help.sub.GROUP" is the group's own command).
	"cli.help.sub.import": {
		"import a roster from {csv} or {xlsx}: all rows or none",
		"استيراد قائمة من ملف {csv} أو {xlsx}: كل الصفوف أو لا شيء"},
	"cli.help.sub.import.undo":         {"take an import back", "التراجع عن استيراد"},
	"cli.help.sub.import.list":         {"the imports made on this computer", "عمليات الاستيراد التي جرت على هذا الجهاز"},
	"cli.help.sub.people.search":       {"find people; no query: everyone, by name", "البحث عن أشخاص؛ بلا نص بحث: الجميع مرتبين بالاسم"},
	"cli.help.sub.people.add":          {"add a person", "إضافة شخص"},
	"cli.help.sub.people.edit":         {"change a person's fields", "تعديل حقول شخص"},
	"cli.help.sub.people.show":         {"a person and their attendance", "شخص وسجل حضوره"},
	"cli.help.sub.people.delete":       {"delete a person", "حذف شخص"},
	"cli.help.sub.people.merge":        {"merge a duplicate record ({from}) into the one to keep ({into})", "دمج سجل مكرر ({from}) في السجل الذي يبقى ({into})"},
	"cli.help.sub.people.duplicates":   {"people who look like this one", "أشخاص يشبهون هذا الشخص"},
	"cli.help.sub.workshops.add":       {"add a workshop", "إضافة ورشة"},
	"cli.help.sub.workshops.edit":      {"change a workshop's fields", "تعديل حقول ورشة"},
	"cli.help.sub.workshops.list":      {"every workshop", "كل الورش"},
	"cli.help.sub.workshops.show":      {"a workshop and who attended", "ورشة ومن حضرها"},
	"cli.help.sub.workshops.delete":    {"delete a workshop", "حذف ورشة"},
	"cli.help.sub.certificates.issue":  {"certificates for everyone present at a workshop", "شهادات لكل من حضر ورشة"},
	"cli.help.sub.certificates.list":   {"certificates issued for a workshop", "الشهادات الصادرة لورشة"},
	"cli.help.sub.certificates.revoke": {"revoke a certificate", "إلغاء شهادة"},
	"cli.help.sub.certificates.verify": {"check a certificate's signatures, offline", "التحقق من توقيعات شهادة دون اتصال"},
	"cli.help.sub.sync":                {"push and pull once, now", "إرسال التغييرات واستلامها مرة واحدة، الآن"},
	"cli.help.sub.sync.status":         {"how sync stands", "حالة المزامنة"},
	"cli.help.sub.sync.log":            {"the latest sync runs", "آخر عمليات المزامنة"},
	"cli.help.sub.sync.rejected":       {"changes HQ refused", "التغييرات التي رفضها المقر"},
	"cli.help.sub.sync.export": {
		"write a sealed sync file for HQ, to carry on a stick (no network needed)",
		"كتابة ملف مزامنة مختوم للمقر، يُحمل على ذاكرة (دون حاجة إلى شبكة)"},
	"cli.help.sub.sync.import": {"load HQ's reply to a sync file", "تحميل رد المقر على ملف مزامنة"},
	"cli.help.sub.sync.relay": {
		"send the sync files in {dir}, of any device, to HQ over this computer's link; the replies are saved beside them",
		"إرسال ملفات المزامنة الموجودة في {dir}، لأي جهاز، إلى المقر عبر اتصال هذا الحاسوب؛ وتُحفظ الردود بجانبها"},
	"cli.help.sub.certificates.export": {
		"the {ob} credentials HQ issued: a {jwt} and a badge {png} with it baked in, each",
		"الشهادات الرقمية ({ob}) التي أصدرها المقر: لكل منها ملف {jwt} وشارة {png} مدمجة فيها"},
	"cli.help.sub.conflicts":         {"concurrent edits to review", "تعديلات متزامنة تنتظر المراجعة"},
	"cli.help.sub.conflicts.resolve": {"keep one side of a conflict", "الإبقاء على أحد طرفي تعارض"},

	// safeer's flags, by what each flag set's usage says in English
	// (cmd/safeer/cli_help_flags.go).
	"cli.flag.capacity":         {"places available", "عدد المقاعد المتاحة"},
	"cli.flag.civil_id":         {"civil ID number", "الرقم المدني"},
	"cli.flag.code":             {"the one-time enrolment code from HQ", "رمز التسجيل لمرة واحدة من المقر"},
	"cli.flag.date":             {"date (YYYY-MM-DD or d/m/yyyy)", "التاريخ (" + ltr("YYYY-MM-DD") + " أو " + ltr("d/m/yyyy") + ")"},
	"cli.flag.db":               {"database file", "ملف قاعدة البيانات"},
	"cli.flag.email":            {"email address", "البريد الإلكتروني"},
	"cli.flag.expertise":        {"expertise", "مجال الخبرة"},
	"cli.flag.facilitator":      {"facilitator", "الميسّر"},
	"cli.flag.force":            {"add even when the person looks like someone already on the roster", "الإضافة حتى لو بدا الشخص مسجلًا في القائمة من قبل"},
	"cli.flag.format":           {"csv or xlsx (default: from --out's extension)", ltr("csv") + " أو " + ltr("xlsx") + " (الافتراضي: من امتداد " + ltr("--out") + ")"},
	"cli.flag.gender":           {"male or female", "ذكر أو أنثى"},
	"cli.flag.governorate":      {"governorate: code (OM-MA) or name", "المحافظة: رمزها (" + ltr("OM-MA") + ") أو اسمها"},
	"cli.flag.only_governorate": {"only this governorate (code)", "هذه المحافظة فقط (رمزها)"},
	"cli.flag.attend_hours":     {"hours attended (default: the whole workshop)", "ساعات الحضور (الافتراضي: الورشة كلها)"},
	"cli.flag.hours":            {"length in hours", "المدة بالساعات"},
	"cli.flag.hq":               {"HQ's address, e.g. https://hq.example.om", "عنوان المقر، مثل " + ltr("https://hq.example.om")},
	"cli.flag.hq_key":           {"HQ's public key (base64url or hex, or a file holding it); default: the one this device enrolled with", "المفتاح العام للمقر (" + ltr("base64url") + " أو ست عشري، أو ملف يحتويه)؛ الافتراضي: المفتاح الذي سُجّل به هذا الجهاز"},
	"cli.flag.insecure_http":    {"allow plain http to another computer (tests only)", "السماح بـ" + ltr("http") + " غير المشفر إلى حاسوب آخر (للاختبارات فقط)"},
	"cli.flag.joined_on":        {"date joined (YYYY-MM-DD or d/m/yyyy)", "تاريخ الانضمام (" + ltr("YYYY-MM-DD") + " أو " + ltr("d/m/yyyy") + ")"},
	"cli.flag.json":             {"machine-readable output", "مخرجات تقرؤها البرامج"},
	"cli.flag.kind":             {"ambassador or guest", "سفير أو ضيف"},
	"cli.flag.limit_people":     {"at most this many people (0: all)", "هذا العدد من الأشخاص على الأكثر (0: الجميع)"},
	"cli.flag.limit_runs":       {"the latest this many runs", "آخر هذا العدد من عمليات المزامنة"},
	"cli.flag.limit_refused":    {"at most this many, newest first", "هذا العدد على الأكثر، الأحدث أولًا"},
	"cli.flag.all_refused":      {"list other authors' values re-sent after HQ's restore one by one too", "اعرض أيضًا كل قيمة على حدة من قيم الأجهزة الأخرى أو المقر التي أُعيد إرسالها بعد استعادة بيانات المقر"},
	"cli.flag.min_hours":        {"hours needed for a certificate (default: all)", "الساعات اللازمة للشهادة (الافتراضي: كلها)"},
	"cli.flag.name":             {"a name for this computer at HQ (default: its host name)", "اسم هذا الجهاز لدى المقر (الافتراضي: اسمه على الشبكة)"},
	"cli.flag.name_ar":          {"name in Arabic", "الاسم بالعربية"},
	"cli.flag.name_en":          {"name in English", "الاسم بالإنجليزية"},
	"cli.flag.notes":            {"notes", "ملاحظات"},
	"cli.flag.offline":          {"do not check whether HQ answers", "دون التحقق من أن المقر يستجيب"},
	"cli.flag.organisation":     {"organisation", "الجهة"},
	"cli.flag.out":              {"file to write", "الملف المراد كتابته"},
	"cli.flag.out_pdf":          {"write every certificate into this one PDF, one page a person", "كتابة كل الشهادات في ملف " + ltr("PDF") + " واحد، صفحة لكل شخص"},
	"cli.flag.phone":            {"phone, any spelling of an Omani number", "الهاتف، رقم عُماني بأي طريقة كتابة"},
	"cli.flag.reason":           {"why (travels with the revocation)", "السبب (يرافق الإلغاء)"},
	"cli.flag.signatory_ar":     {"the signatory's name in Arabic (else the template's)", "اسم الموقّع بالعربية (وإلا فالاسم الذي في القالب)"},
	"cli.flag.signatory_en":     {"the signatory's name in English (else the template's)", "اسم الموقّع بالإنجليزية (وإلا فالاسم الذي في القالب)"},
	"cli.flag.split":            {"write one PDF per person into this folder", "كتابة ملف " + ltr("PDF") + " لكل شخص في هذا المجلد"},
	"cli.flag.open_badges":      {"write the credentials into this folder", "كتابة الشهادات الرقمية في هذا المجلد"},
	"cli.flag.only_workshop":    {"only this workshop's", "شهادات هذه الورشة فقط"},
	"cli.flag.sync_out":         {"the file to write (or a folder: a new name in it)", "الملف المراد كتابته (أو مجلد: باسم جديد فيه)"},
	"cli.flag.start_time":       {"start time (HH:MM)", "وقت البدء (" + ltr("HH:MM") + ")"},
	"cli.flag.status":           {"active or inactive", "نشط أو غير نشط"},
	"cli.flag.only_status":      {"only active or inactive people", "الأشخاص النشطون فقط أو غير النشطين فقط"},
	"cli.flag.workshop_status":  {"planned, held or cancelled", "مخطط لها أو منعقدة أو ملغاة"},
	"cli.flag.attend_status":    {"present, absent or excused", "حاضر أو غائب أو معتذر"},
	"cli.flag.take_merge":       {"FIELD=merged or FIELD=kept: whose value the kept person gets (repeat it; default: a value over none, of two the more recently changed)", ltr("FIELD=merged") + " أو " + ltr("FIELD=kept") + ": قيمة أيهما يأخذها الشخص الباقي (كرّره؛ الافتراضي: قيمة على لا شيء، ومن قيمتين الأحدث تعديلًا)"},
	"cli.flag.take_conflict":    {"winner or loser: the value to keep", ltr("winner") + " أو " + ltr("loser") + ": القيمة التي تبقى"},
	"cli.flag.template":         {"certificate template (JSON); default: the built-in one", "قالب الشهادة (" + ltr("JSON") + ")؛ الافتراضي: القالب المدمج"},
	"cli.flag.title_ar":         {"title in Arabic", "العنوان بالعربية"},
	"cli.flag.title_en":         {"title in English", "العنوان بالإنجليزية"},
	"cli.flag.topic":            {"topic", "الموضوع"},
	"cli.flag.undo":             {"undo the check-in", "التراجع عن تسجيل الحضور"},
	"cli.flag.venue":            {"venue", "المكان"},
	"cli.flag.verbose":          {"log what sync does", "تسجيل ما تفعله المزامنة"},
	"cli.flag.only_wilayat":     {"only this wilayat (English name)", "هذه الولاية فقط (اسمها بالإنجليزية)"},
	"cli.flag.wilayat":          {"wilayat name, Arabic or English", "اسم الولاية، بالعربية أو بالإنجليزية"},
	"cli.flag.workshop":         {"workshop id", "معرّف الورشة"},

	"cli.flag.again":        {"import the file even though it was imported before", "استيراد الملف ولو استُورد من قبل"},
	"cli.flag.dry_run":      {"check every row and report; change nothing", "فحص كل الصفوف وإعداد تقرير دون تغيير شيء"},
	"cli.flag.map":          {"HEADER=FIELD: read the column HEADER as FIELD (repeatable)", ltr("HEADER=FIELD") + ": قراءة العمود " + ltr("HEADER") + " على أنه الحقل " + ltr("FIELD") + " (يمكن تكراره)"},
	"cli.flag.sheet":        {"XLSX: the worksheet to read (default: the first visible)", ltr("XLSX") + ": ورقة العمل المراد قراءتها (الافتراضي: أول ورقة ظاهرة)"},
	"cli.flag.skip_invalid": {"import the valid rows even if some rows are not valid", "استيراد الصفوف الصحيحة ولو كان بعض الصفوف غير صحيح"},
	"cli.flag.all":          {"include resolved conflicts", "بما في ذلك التعارضات المحلولة"},
	"cli.flag.passphrase_fd": {
		"read the database's passphrase from this file descriptor (one line); a new or clear one is encrypted under it",
		"قراءة عبارة مرور قاعدة البيانات من واصف الملف هذا (سطر واحد)؛ وبها تُشفَّر قاعدة البيانات الجديدة أو غير المشفرة"},
	"cli.flag.passphrase_env": {
		"read the database's passphrase from the environment variable of this name; a new or clear one is encrypted under it",
		"قراءة عبارة مرور قاعدة البيانات من متغير البيئة بهذا الاسم؛ وبها تُشفَّر قاعدة البيانات الجديدة أو غير المشفرة"},
	"cli.flag.new_passphrase_fd": {
		"read the new passphrase from this file descriptor (one line)",
		"قراءة عبارة المرور الجديدة من واصف الملف هذا (سطر واحد)"},
	"cli.flag.new_passphrase_env": {
		"read the new passphrase from the environment variable of this name",
		"قراءة عبارة المرور الجديدة من متغير البيئة بهذا الاسم"},
	"cli.flag.recipient": {
		"HQ's recovery key: an age public key (age1…)",
		"مفتاح الاسترداد في المقر: مفتاح " + ltr("age") + " عام (" + ltr("age1…") + ")"},

	// safeer-hq's help.
	"hq.help.db": {
		"The database ({db}) is a {sqlite} file path or a {url} URL; default {env} or {file}.",
		"قاعدة البيانات ({db}) مسار ملف {sqlite} أو عنوان {url}؛ الافتراضي {env} أو {file}."},
	"hq.help.cmd.serve": {
		"serve the sync API, the verification page ({verify}) and the console ({admin}); plain HTTP only on loopback unless {insecure};\n" +
			"                 X-Forwarded-For and X-Forwarded-Proto are believed only from a {proxy} (IPs or CIDRs);\n" +
			"                 {publicurl}: HQ's did:web ({did}) and credential revocation list",
		"تقديم واجهة المزامنة وصفحة التحقق ({verify}) ولوحة الإدارة ({admin})؛ لا يُقبل " + ltr("HTTP") + " غير المشفر إلا على عنوان الجهاز نفسه ما لم يُستخدم {insecure}؛\n" +
			"                 لا تُصدَّق " + ltr("X-Forwarded-For") + " و" + ltr("X-Forwarded-Proto") + " إلا من {proxy} (عناوين " + ltr("IP") + " أو نطاقات " + ltr("CIDR") + ")؛\n" +
			"                 {publicurl}: معرّف المقر " + ltr("did:web") + " ({did}) وقائمة إلغاء الشهادات الرقمية"},
	"hq.help.cmd.sync": {
		"read sync files carried from devices with no network; write HQ's sealed reply next to each (or into DIR)",
		"قراءة ملفات المزامنة المحمولة من أجهزة بلا شبكة؛ وكتابة رد المقر المختوم بجانب كل منها (أو في " + ltr("DIR") + ")"},
	"hq.help.cmd.verify_credential": {
		"check an {ob} credential (or a badge with one baked in) as {json} does: valid, revoked, not ours or invalid",
		"التحقق من شهادة رقمية ({ob}) (أو شارة مدمجة فيها) كما يفعل {json}: صحيحة أو ملغاة أو ليست منا أو غير صالحة"},
	"hq.help.cmd.enrol": {
		"make a one-time code (valid 7 days) a device trades for its token",
		"إنشاء رمز لمرة واحدة (صالح 7 أيام) يستبدله جهاز برمز دخوله"},
	"hq.help.cmd.devices": {
		"list devices, their last sync and unresolved conflicts",
		"عرض الأجهزة وآخر مزامنة لكل منها والتعارضات التي لم تُحل"},
	"hq.help.cmd.revoke": {
		"revoke a device: its next request gets {status}",
		"إلغاء تسجيل جهاز: يُرد على طلبه التالي بـ{status}"},
	"hq.help.cmd.key": {
		"print HQ's public key ({base64url}; {hex} for hex), made on first use",
		"طباعة المفتاح العام للمقر ({base64url}؛ {hex} للصيغة الست عشرية)، يُنشأ عند أول استخدام"},
	"hq.help.cmd.reset_epoch": {
		"after restoring HQ's database from a backup: every device pushes, then pulls everything again",
		"بعد استعادة قاعدة بيانات المقر من نسخة احتياطية: يرسل كل جهاز تغييراته ثم يستلم كل شيء من جديد"},
	"hq.help.cmd.recovery_key": {
		"make HQ's recovery key for laptops' data keys; prints its public key (for {cmd})",
		"إنشاء مفتاح الاسترداد في المقر لمفاتيح بيانات الحواسيب المحمولة؛ يطبع مفتاحه العام (لأجل {cmd})"},
	"hq.help.cmd.recover": {
		"set a new passphrase (stdin, or asked twice) on a laptop's key file with HQ's recovery key",
		"تعيين عبارة مرور جديدة (من " + ltr("stdin") + " أو تُطلب مرتين) لملف مفتاح حاسوب محمول بمفتاح الاسترداد في المقر"},
	"hq.help.cmd.admin": {
		"console accounts: add one (password from stdin, or asked for twice), change a password, disable one, list them",
		"حسابات لوحة الإدارة: إضافة حساب (كلمة المرور من " + ltr("stdin") + " أو تُطلب مرتين)، تغيير كلمة مرور، تعطيل حساب، عرضها"},
}

func init() {
	for code, t := range helpCatalogue {
		catalogue[code] = t
	}
}
