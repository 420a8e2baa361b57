package spreadsheet

import (
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/arabic"
	"github.com/oman-sca/safeer/message"
)

// The canonical field names a roster column can map to: the person's
// synced fields, as the domain names them.
const (
	FieldKind         = safeer.FieldKind
	FieldNameAr       = safeer.FieldNameAr
	FieldNameEn       = safeer.FieldNameEn
	FieldGender       = safeer.FieldGender
	FieldCivilID      = safeer.FieldCivilID
	FieldPhone        = safeer.FieldPhone
	FieldEmail        = safeer.FieldEmail
	FieldGovernorate  = safeer.FieldGovernorate
	FieldWilayat      = safeer.FieldWilayat
	FieldOrganisation = safeer.FieldOrganisation
	FieldExpertise    = safeer.FieldExpertise
	FieldJoinedOn     = safeer.FieldJoinedOn
	FieldStatus       = safeer.FieldStatus
	FieldNotes        = safeer.FieldNotes
)

// Fields lists the canonical field names in roster order.
var Fields = []string{
	FieldKind, FieldNameAr, FieldNameEn, FieldGender, FieldCivilID, FieldPhone, FieldEmail,
	FieldGovernorate, FieldWilayat, FieldOrganisation, FieldExpertise, FieldJoinedOn, FieldStatus, FieldNotes,
}

// Mapping says which column holds which field.
type Mapping struct {
	// Header is the header the mapping was made for.
	Header []string
	// Columns maps a field name to its 0-based column index (the index in
	// Header and in every Row's Cells).
	Columns map[string]int
	// Unmapped lists the non-blank header cells, as written and in column
	// order, that no field was mapped to, so the importer can say which
	// columns it ignored.
	Unmapped []string
}

// Value is the cell of field in r, or "" when no column holds field.
func (m Mapping) Value(r Row, field string) string {
	i, ok := m.Columns[field]
	if !ok || i >= len(r.Cells) {
		return ""
	}
	return r.Cells[i]
}

// Column names the column of field for reports: its header text, or its
// letter when the header cell is blank; "" when field is not mapped.
func (m Mapping) Column(field string) string {
	i, ok := m.Columns[field]
	if !ok {
		return ""
	}
	if i < len(m.Header) && m.Header[i] != "" {
		return m.Header[i]
	}
	return ColumnLetter(i)
}

// ColumnLetter is Excel's name of the 0-based column i: 0 → "A", 26 → "AA".
func ColumnLetter(i int) string {
	var b []byte
	for i++; i > 0; i = (i - 1) / 26 {
		b = append([]byte{byte('A' + (i-1)%26)}, b...)
	}
	return string(b)
}

// columnRef reads a column given as letters ("C") or a 1-based number
// ("3") and returns its 0-based index.
func columnRef(s string) (int, bool) {
	s = strings.ToUpper(strings.TrimSpace(arabic.Digits(s)))
	if s == "" || len(s) > 5 {
		return 0, false
	}
	if n, err := strconv.Atoi(s); err == nil {
		return n - 1, n >= 1
	}
	n := 0
	for _, r := range s {
		if r < 'A' || r > 'Z' {
			return 0, false
		}
		n = n*26 + int(r-'A'+1)
	}
	return n - 1, true
}

// MapColumns maps header cells to fields.
//
// Automatic mapping compares each header cell, normalised (case, spaces,
// underscores and punctuation ignored; Arabic hamza forms, taa marbuta,
// alef maqsura, tashkeel and tatweel folded; Arabic-Indic digits as ASCII),
// with English and Arabic synonyms of each field ("Mobile", "GSM",
// "رقم الهاتف", "الجوال" → phone). A cell that matches no synonym but
// contains one distinctive word of exactly one field ("Mobile No. (WhatsApp)"
// → phone) is mapped too, if no other column claimed that field; such
// guesses never cause an error.
//
// overrides maps a header cell's text, as written (surrounding spaces
// ignored), to a field name ("name_ar", or "name-ar" as in command-line
// flags), or to "" or "-" to ignore that column. When no header cell has
// that text, the key may be a column letter ("C") or 1-based number ("3"),
// for columns without a header or with a repeated one. Overrides win over
// automatic mapping.
//
// It is an error, with a reason naming the columns in English and Arabic,
// when two columns map to the same field, when no column holds a name
// (name_ar or name_en), or when an override names an unknown field or
// column. The returned Mapping is filled as far as possible even then, so
// a screen can show it for correction.
func MapColumns(header []string, overrides map[string]string) (Mapping, error) {
	m := Mapping{Header: header, Columns: map[string]int{}}
	var errs []*Error
	decided := make([]bool, len(header)) // column settled by an override

	// Overrides first, in a stable order so that errors are reproducible.
	keys := make([]string, 0, len(overrides))
	for k := range overrides {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	overriddenBy := map[string]string{} // field → override key
	for _, k := range keys {
		field, ok := fieldName(overrides[k])
		if !ok {
			errs = append(errs, fail(nil, message.New("sheet.override.unknown_field", message.Quoted("override", k), message.Quoted("field", overrides[k]),
				message.Latin("fields", strings.Join(Fields, ", ")))))
			continue
		}
		i, err := findColumn(header, k)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if decided[i] {
			errs = append(errs, fail(nil, message.New("sheet.override.column_twice", message.List("column", column(header, i)))))
			continue
		}
		decided[i] = true
		if field == "" {
			continue
		}
		if prev, dup := overriddenBy[field]; dup {
			errs = append(errs, fail(nil, message.New("sheet.override.field_twice", message.Quoted("first", prev), message.Quoted("second", k), message.Latin("field", field))))
			continue
		}
		overriddenBy[field] = k
		m.Columns[field] = i
	}

	// Exact synonyms.
	claims := map[string][]int{}
	matched := make([]bool, len(header))
	for i, h := range header {
		if decided[i] {
			continue
		}
		if f, ok := synonymField[normHeader(h)]; ok {
			matched[i] = true
			if _, set := m.Columns[f]; !set {
				claims[f] = append(claims[f], i)
			}
		}
	}
	for _, f := range Fields {
		cols := claims[f]
		switch {
		case len(cols) == 1:
			m.Columns[f] = cols[0]
		case len(cols) > 1:
			names := make([]message.Message, len(cols))
			for j, i := range cols {
				names[j] = column(header, i)
			}
			errs = append(errs, fail(nil, message.New("sheet.columns.same_field", message.List("columns", names...), message.Latin("field", f),
				message.Text("header", header[cols[1]]))))
		}
	}

	// Distinctive words, for fields still missing.
	guesses := map[string][]int{}
	for i, h := range header {
		if decided[i] || matched[i] || h == "" {
			continue
		}
		n := normHeader(h)
		var hit string
		for _, kw := range keywords {
			if strings.Contains(n, kw.word) {
				if hit != "" && hit != kw.field {
					hit = ""
					break
				}
				hit = kw.field
			}
		}
		if hit == "" {
			continue
		}
		if _, set := m.Columns[hit]; !set && len(claims[hit]) == 0 {
			guesses[hit] = append(guesses[hit], i)
		}
	}
	for f, cols := range guesses {
		if len(cols) == 1 {
			m.Columns[f] = cols[0]
		}
	}

	_, ar := m.Columns[FieldNameAr]
	_, en := m.Columns[FieldNameEn]
	if !ar && !en {
		var found []string
		for _, h := range header {
			if h != "" {
				found = append(found, h)
			}
		}
		errs = append(errs, fail(nil, message.New("sheet.columns.no_name", message.QuotedList("found", found...))))
	}

	mappedCol := make([]bool, len(header))
	for _, i := range m.Columns {
		mappedCol[i] = true
	}
	for i, h := range header {
		if !mappedCol[i] && h != "" {
			m.Unmapped = append(m.Unmapped, h)
		}
	}

	switch len(errs) {
	case 0:
		return m, nil
	case 1:
		return m, errs[0]
	}
	all := make([]message.Message, len(errs))
	for i, e := range errs {
		all[i] = e.Msg
	}
	return m, fail(nil, message.New("sheet.errors", message.Clauses("errors", all...)))
}

// fieldName reads an override's target: a field name in any case with "_",
// "-" or a space, or "" / "-" for "ignore". ok is false for unknown names.
func fieldName(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" || s == "-" {
		return "", true
	}
	s = strings.NewReplacer("-", "_", " ", "_").Replace(s)
	for _, f := range Fields {
		if s == f {
			return f, true
		}
	}
	return "", false
}

// findColumn finds the column an override key names: exact header text,
// then normalised header text, then a column letter or number.
func findColumn(header []string, key string) (int, *Error) {
	k := strings.TrimSpace(key)
	for _, same := range []func(h string) bool{
		func(h string) bool { return strings.TrimSpace(h) == k },
		func(h string) bool { return normHeader(h) != "" && normHeader(h) == normHeader(k) },
	} {
		found := -1
		for i, h := range header {
			if !same(h) {
				continue
			}
			if found >= 0 {
				return 0, fail(nil, message.New("sheet.override.ambiguous", message.Quoted("override", key),
					message.Latin("first", ColumnLetter(found)), message.Latin("second", ColumnLetter(i))))
			}
			found = i
		}
		if found >= 0 {
			return found, nil
		}
	}
	if i, ok := columnRef(k); ok && i < len(header) {
		return i, nil
	}
	return 0, fail(nil, message.New("sheet.override.no_column", message.Quoted("override", key)))
}

// column names column i by its header and its letter.
func column(header []string, i int) message.Message {
	return message.New("sheet.column", message.Quoted("header", header[i]), message.Latin("letter", ColumnLetter(i)))
}

// normHeader reduces a header cell to lower-case letters and digits with
// Arabic spelling variants folded, so "Name (Arabic)", "name_arabic" and
// "NAME ARABIC" compare equal, as do "الإسم" and "الاسم". It is local on
// purpose: search normalisation (arabic.Fold) serves another need and may
// change for it.
func normHeader(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(arabic.Digits(s)) {
		switch r {
		case 'أ', 'إ', 'آ', 'ٱ':
			r = 'ا'
		case 'ة':
			r = 'ه'
		case 'ى', 'ی', 'ئ':
			r = 'ي'
		case 'ؤ':
			r = 'و'
		case 'ک':
			r = 'ك'
		case 'ـ': // tatweel is a "letter" to unicode, but only stretches words
			continue
		}
		// Tashkeel are marks, not letters, so this drops them with the
		// spaces and punctuation.
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// synonyms of each field, as people head their columns. Arabic entries
// starting with "ال" are also accepted without it.
var synonyms = map[string][]string{
	FieldKind: {"kind", "type", "category", "role", "member type", "الفئة", "الصفة", "النوع (سفير/ضيف)", "نوع المشارك"},
	FieldNameAr: {"name_ar", "name (arabic)", "arabic name", "name arabic", "name ar", "name in arabic", "full name (arabic)",
		"الاسم", "الاسم بالعربي", "الاسم بالعربية", "الاسم باللغة العربية", "الاسم الكامل", "الاسم الثلاثي",
		"الاسم الرباعي", "اسم السفير", "اسم السفيرة", "اسم المشارك", "الاسم عربي"},
	FieldNameEn: {"name_en", "name (english)", "english name", "name english", "name en", "name in english", "full name",
		"full name (english)", "name", "الاسم بالانجليزي", "الاسم بالانجليزية", "الاسم باللغة الانجليزية",
		"الاسم بالإنجليزي", "الاسم انجليزي", "الاسم باللاتيني"},
	FieldGender: {"gender", "sex", "الجنس", "النوع", "النوع الاجتماعي"},
	FieldCivilID: {"civil_id", "civil id", "civil no", "civil no.", "civil number", "civil id number", "id card number",
		"الرقم المدني", "رقم البطاقة", "رقم البطاقة المدنية", "البطاقة المدنية"},
	FieldPhone: {"phone", "mobile", "gsm", "phone number", "mobile number", "mobile no", "phone no", "tel", "telephone",
		"contact number", "whatsapp", "رقم الهاتف", "الهاتف", "النقال", "رقم النقال", "الجوال", "رقم الجوال",
		"الموبايل", "رقم التواصل", "رقم الاتصال", "الواتساب"},
	FieldEmail: {"email", "e-mail", "email address", "e-mail address", "mail", "البريد الإلكتروني", "البريد",
		"الايميل", "البريد الالكتروني"},
	FieldGovernorate: {"governorate", "region", "province", "المحافظة", "المنطقة"},
	FieldWilayat:     {"wilayat", "wilaya", "willayat", "state", "الولاية"},
	FieldOrganisation: {"organisation", "organization", "employer", "company", "entity", "workplace", "institution",
		"جهة العمل", "المؤسسة", "الجهة", "مكان العمل", "الشركة"},
	FieldExpertise: {"expertise", "specialisation", "specialization", "specialty", "speciality", "field", "major",
		"التخصص", "الخبرة", "مجال الخبرة", "المجال"},
	FieldJoinedOn: {"joined_on", "joined", "joined on", "join date", "date joined", "joining date", "date of joining",
		"start date", "تاريخ الانضمام", "تاريخ الالتحاق"},
	FieldStatus: {"status", "الحالة"},
	FieldNotes:  {"notes", "note", "remarks", "comments", "ملاحظات", "ملاحظة", "الملاحظات"},
}

var synonymField = func() map[string]string {
	m := map[string]string{}
	for f, words := range synonyms {
		for _, w := range words {
			m[normHeader(w)] = f
			if rest, ok := strings.CutPrefix(w, "ال"); ok {
				m[normHeader(rest)] = f
			}
		}
	}
	return m
}()

// keywords are words distinctive enough that a header containing one of
// them (and no other field's) is that field. Generic words such as "name",
// "date" or "status" ("marital status") are left out on purpose.
var keywords = func() []struct{ word, field string } {
	var kw []struct{ word, field string }
	for f, words := range map[string][]string{
		FieldNameAr:       {"arabic", "بالعربي", "عربي"},
		FieldNameEn:       {"english", "انجليزي", "انكليزي"},
		FieldPhone:        {"phone", "mobile", "gsm", "whatsapp", "هاتف", "نقال", "جوال", "موبايل", "واتساب"},
		FieldEmail:        {"email", "بريد", "ايميل"},
		FieldCivilID:      {"civil", "مدني"},
		FieldGovernorate:  {"governorate", "محافظة"},
		FieldWilayat:      {"wilayat", "ولاية"},
		FieldGender:       {"gender", "جنس"},
		FieldJoinedOn:     {"joined", "joining", "انضمام", "التحاق"},
		FieldExpertise:    {"expertise", "speciali", "تخصص"},
		FieldOrganisation: {"organisation", "organization", "employer", "company", "جهة العمل", "مؤسسة"},
		FieldNotes:        {"remarks", "notes", "ملاحظ"},
	} {
		for _, w := range words {
			kw = append(kw, struct{ word, field string }{normHeader(w), f})
		}
	}
	// Longest first, for stable results.
	sort.Slice(kw, func(i, j int) bool {
		if len(kw[i].word) != len(kw[j].word) {
			return len(kw[i].word) > len(kw[j].word)
		}
		return kw[i].word < kw[j].word
	})
	return kw
}()
