package spreadsheet

import (
	"reflect"
	"strings"
	"testing"
)

func TestMapColumnsSynonyms(t *testing.T) {
	cases := map[string][]string{
		FieldNameAr:       {"Name (Arabic)", "Arabic Name", "الاسم", "الاسم بالعربي", "الاسم الكامل", "اسم السفير", "الإسم", "  NAME_AR ", "الاسم الثلاثي"},
		FieldNameEn:       {"Name (English)", "English Name", "Full Name", "الاسم بالانجليزي", "الاسم بالإنجليزي", "Name", "name-en"},
		FieldPhone:        {"Mobile", "Phone", "GSM", "رقم الهاتف", "الهاتف", "النقال", "الجوال", "Mobile No.", "هاتف", "Phone Number"},
		FieldCivilID:      {"Civil ID", "Civil No", "Civil No.", "الرقم المدني", "CIVIL_ID", "رقم البطاقة المدنية"},
		FieldEmail:        {"E-mail", "Email", "البريد الإلكتروني", "البريد الالكترونى", "E-Mail Address"},
		FieldGovernorate:  {"Governorate", "Region", "المحافظة", "المحافظه", "محافظة"},
		FieldWilayat:      {"Wilayat", "State", "الولاية", "ولايه"},
		FieldGender:       {"Gender", "Sex", "الجنس", "النوع"},
		FieldOrganisation: {"Organisation", "Organization", "Employer", "Company", "Entity", "جهة العمل", "المؤسسة", "جهة  العمل"},
		FieldExpertise:    {"Expertise", "Specialisation", "Specialization", "التخصص", "الخبرة", "الخبره"},
		FieldJoinedOn:     {"Joined", "Join Date", "Date Joined", "تاريخ الانضمام", "تاريخ الإنضمام", "joined_on"},
		FieldStatus:       {"Status", "الحالة", "STATUS"},
		FieldNotes:        {"Notes", "Remarks", "ملاحظات", "ملاحظـــات", "مُلاحَظات"},
		FieldKind:         {"Type", "Kind", "الفئة", "Category"},
	}
	for field, heads := range cases {
		for _, h := range heads {
			header := []string{"م", h}
			if field != FieldNameAr && field != FieldNameEn {
				header = append(header, "الاسم")
			}
			m, err := MapColumns(header, nil)
			if err != nil {
				t.Errorf("%q: %v", h, err)
				continue
			}
			if i, ok := m.Columns[field]; !ok || i != 1 {
				t.Errorf("%q: mapped %v, want %s in column 1", h, m.Columns, field)
			}
		}
	}
}

func TestSynonymsAreUnambiguous(t *testing.T) {
	seen := map[string]string{}
	for f, words := range synonyms {
		for _, w := range words {
			n := normHeader(w)
			if prev, ok := seen[n]; ok && prev != f {
				t.Errorf("%q (%s) normalises like a synonym of %s", w, f, prev)
			}
			seen[n] = f
		}
	}
}

func TestMapColumnsRoster(t *testing.T) {
	header := []string{"م", "الاسم", "Name (English)", "الجنس", "الرقم المدني", "Mobile No. (WhatsApp)", "E-mail",
		"المحافظة", "الولاية", "جهة العمل", "", "Shirt size", "ملاحظات"}
	m, err := MapColumns(header, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{FieldNameAr: 1, FieldNameEn: 2, FieldGender: 3, FieldCivilID: 4, FieldPhone: 5,
		FieldEmail: 6, FieldGovernorate: 7, FieldWilayat: 8, FieldOrganisation: 9, FieldNotes: 12}
	if !reflect.DeepEqual(m.Columns, want) {
		t.Errorf("columns = %v, want %v", m.Columns, want)
	}
	if want := []string{"م", "Shirt size"}; !reflect.DeepEqual(m.Unmapped, want) {
		t.Errorf("unmapped = %q, want %q", m.Unmapped, want)
	}
	row := Row{Number: 2, Cells: []string{"1", "سالم", "Salim", "ذكر", "", "91234567", "", "", "", "", "", "", ""}}
	if got := m.Value(row, FieldPhone); got != "91234567" {
		t.Errorf("Value(phone) = %q", got)
	}
	if got := m.Value(row, FieldStatus); got != "" {
		t.Errorf("Value(status) = %q", got)
	}
	if got := m.Column(FieldPhone); got != "Mobile No. (WhatsApp)" {
		t.Errorf("Column(phone) = %q", got)
	}
}

func TestMapColumnsGuessesNeverConflict(t *testing.T) {
	// Two headers that only contain "phone" guess nothing rather than fail;
	// an exact synonym wins over a guess.
	m, err := MapColumns([]string{"Name", "Home phone", "Work phone"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := m.Columns[FieldPhone]; ok || len(m.Unmapped) != 2 {
		t.Errorf("columns = %v, unmapped %q", m.Columns, m.Unmapped)
	}
	m, err = MapColumns([]string{"Name", "Emergency phone", "GSM"}, nil)
	if err != nil || m.Columns[FieldPhone] != 2 {
		t.Errorf("columns = %v, %v", m.Columns, err)
	}
	// A header with words of two fields is not guessed.
	m, _ = MapColumns([]string{"Name", "Email or phone"}, nil)
	if len(m.Columns) != 1 {
		t.Errorf("columns = %v", m.Columns)
	}
}

func TestMapColumnsErrors(t *testing.T) {
	cases := []struct {
		name      string
		header    []string
		overrides map[string]string
		en, ar    []string
	}{
		{"two phones", []string{"الاسم", "Mobile", "Email", "GSM"}, nil,
			[]string{`«Mobile» (column B)`, `«GSM» (column D)`, "phone"}, []string{"العمود \u2066B\u2069", "العمود \u2066D\u2069"}},
		{"no name", []string{"Phone", "Email", "Notes"}, nil,
			[]string{"no name column", "«Phone», «Email», «Notes»"}, []string{"لا يوجد عمود للاسم"}},
		{"two errors", []string{"Mobile", "GSM"}, nil,
			[]string{"phone", "no name column"}, []string{"لا يوجد عمود للاسم"}},
		{"unknown field", []string{"الاسم", "X"}, map[string]string{"X": "shoe_size"},
			[]string{"unknown field «shoe_size»"}, []string{"غير معروف"}},
		{"unknown column", []string{"الاسم"}, map[string]string{"Telephone 2": "phone"},
			[]string{"«Telephone 2»", "no column"}, []string{"لا يوجد عمود"}},
		{"column out of range", []string{"الاسم"}, map[string]string{"C": "phone"},
			[]string{"«C»"}, nil},
		{"ambiguous override", []string{"الاسم", "Phone", "Phone"}, map[string]string{"Phone": "phone"},
			[]string{"columns B and C"}, nil},
		{"two overrides one field", []string{"الاسم", "A1", "A2"}, map[string]string{"A1": "phone", "A2": "phone"},
			[]string{"both map to phone"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := MapColumns(c.header, c.overrides)
			if err == nil {
				t.Fatal("no error")
			}
			checkBilingual(t, err, c.en...)
			for _, w := range c.ar {
				if !strings.Contains(err.(*Error).Ar, w) {
					t.Errorf("Arabic %q does not mention %q", err.(*Error).Ar, w)
				}
			}
		})
	}
}

func TestMapColumnsOverrides(t *testing.T) {
	header := []string{"الاسم", "Mobile", "GSM", "", "Coordinator", "Phone"}
	// GSM ignored, blank column D as civil_id by letter, column 5 by number,
	// "Phone" (a synonym of phone) moved to notes, field names as flags write them.
	m, err := MapColumns(header, map[string]string{
		"GSM": "-", "D": "civil-id", "5": "Notes", " Phone ": "expertise",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{FieldNameAr: 0, FieldPhone: 1, FieldCivilID: 3, FieldNotes: 4, FieldExpertise: 5}
	if !reflect.DeepEqual(m.Columns, want) {
		t.Errorf("columns = %v, want %v", m.Columns, want)
	}
	if !reflect.DeepEqual(m.Unmapped, []string{"GSM"}) {
		t.Errorf("unmapped = %q", m.Unmapped)
	}
	if got := m.Column(FieldCivilID); got != "D" {
		t.Errorf("Column(civil_id) = %q", got)
	}
	// An override to a field wins over the column that matched it
	// automatically, which becomes unmapped.
	m, err = MapColumns([]string{"Name", "الاسم", "Arabic"}, map[string]string{"Arabic": "name_ar"})
	if err != nil || m.Columns[FieldNameAr] != 2 || !reflect.DeepEqual(m.Unmapped, []string{"الاسم"}) {
		t.Errorf("columns = %v, unmapped %q, %v", m.Columns, m.Unmapped, err)
	}
}

func TestColumnLetters(t *testing.T) {
	for i, want := range map[int]string{0: "A", 25: "Z", 26: "AA", 27: "AB", 701: "ZZ", 702: "AAA", 16383: "XFD"} {
		if got := ColumnLetter(i); got != want {
			t.Errorf("ColumnLetter(%d) = %q, want %q", i, got, want)
		}
		if got, ok := columnRef(strings.ToLower(want)); !ok || got != i {
			t.Errorf("columnRef(%q) = %d, %v", want, got, ok)
		}
	}
	for in, want := range map[string]int{"1": 0, "٣": 2, " 10 ": 9} {
		if got, ok := columnRef(in); !ok || got != want {
			t.Errorf("columnRef(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "0", "-1", "A1", "ب", "ABCDEF"} {
		if _, ok := columnRef(in); ok {
			t.Errorf("columnRef(%q) ok", in)
		}
	}
}
