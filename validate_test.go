package safeer_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/message"
)

// testPlaces is a few rows of the reference data, resolved as the device
// resolves them (names folded by safeer.PlaceKey).
type testPlaces []safeer.Place

var places = testPlaces{
	{Governorate: "OM-MA", GovernorateEn: "Muscat", GovernorateAr: "مسقط", WilayatEn: "As Seeb", WilayatAr: "السيب"},
	{Governorate: "OM-MA", GovernorateEn: "Muscat", GovernorateAr: "مسقط", WilayatEn: "Bawshar", WilayatAr: "بوشر"},
	{Governorate: "OM-BS", GovernorateEn: "North Al Batinah", GovernorateAr: "شمال الباطنة", WilayatEn: "Sohar", WilayatAr: "صحار"},
}

func (ps testPlaces) Governorate(s string) (string, bool) {
	k := safeer.PlaceKey(s)
	for _, p := range ps {
		for _, n := range []string{p.Governorate, strings.TrimPrefix(p.Governorate, "OM-"), p.GovernorateEn, p.GovernorateAr} {
			if safeer.PlaceKey(n) == k {
				return p.Governorate, true
			}
		}
	}
	return "", false
}

func (ps testPlaces) Wilayat(code, s string) (string, bool) {
	for _, p := range ps {
		if p.Governorate == code && (safeer.PlaceKey(p.WilayatEn) == safeer.PlaceKey(s) || safeer.PlaceKey(p.WilayatAr) == safeer.PlaceKey(s)) {
			return p.WilayatEn, true
		}
	}
	return "", false
}

func (ps testPlaces) WilayatAnywhere(s string) (safeer.Place, bool) {
	for _, p := range ps {
		if safeer.PlaceKey(p.WilayatEn) == safeer.PlaceKey(s) || safeer.PlaceKey(p.WilayatAr) == safeer.PlaceKey(s) {
			return p, true
		}
	}
	return safeer.Place{}, false
}

func (ps testPlaces) GovernorateNames(code string) (string, string) {
	for _, p := range ps {
		if p.Governorate == code {
			return p.GovernorateEn, p.GovernorateAr
		}
	}
	return code, code
}

// problem is one expected field error: its code and words each language's
// rendering must hold (Arabic with its arguments isolated).
type problem struct {
	field string
	code  message.Code
	en    string
	ar    string
}

// checkProblems compares err with want, field by field and in order.
func checkProblems(t *testing.T, err error, want []problem) {
	t.Helper()
	if len(want) == 0 {
		if err != nil {
			t.Fatalf("err = %v, want none", err)
		}
		return
	}
	var ve *safeer.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v (%T), want a *safeer.ValidationError", err, err)
	}
	if len(ve.Errors) != len(want) {
		t.Fatalf("%d problems (%v), want %d", len(ve.Errors), ve, len(want))
	}
	for i, w := range want {
		got := ve.Errors[i]
		if got.Field != w.field || got.Msg.Code != w.code {
			t.Errorf("problem %d = %s %s, want %s %s", i, got.Field, got.Msg.Code, w.field, w.code)
		}
		if !strings.Contains(got.En, w.en) {
			t.Errorf("problem %d in English = %q, want it to hold %q", i, got.En, w.en)
		}
		if !strings.Contains(got.Ar, w.ar) {
			t.Errorf("problem %d in Arabic = %q, want it to hold %q", i, got.Ar, w.ar)
		}
		if got.En != got.Msg.English() || got.Ar != got.Msg.Arabic() {
			t.Errorf("problem %d: the words (%q, %q) are not its message's", i, got.En, got.Ar)
		}
	}
	// The whole error names each field, in both languages.
	for _, w := range want {
		if !strings.Contains(ve.Error(), w.field) || !strings.Contains(ve.Arabic(), w.field) {
			t.Errorf("the error (%q / %q) does not name the field %s", ve.Error(), ve.Arabic(), w.field)
		}
	}
}

// fsi and lri isolate an argument as the catalogue renders it in Arabic.
func fsi(s string) string { return "\u2068" + s + "\u2069" }
func lri(s string) string { return "\u2066" + s + "\u2069" }

func TestValidatePerson(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   safeer.Person
		want safeer.Person // when valid: the canonical form
		bad  []problem
	}{{
		name: "canonical forms",
		in: safeer.Person{NameAr: "  أحمد   بن   سالم ", NameEn: " Ahmed\t Salim ", Kind: "ضيف", Phone: "٩١٢٣ ٤٥٦٧",
			Gender: "ذكر", Email: " A@Example.OM ", CivilID: " 12345678 ", JoinedOn: "5/3/2024",
			Governorate: " muscat ", Wilayat: "السيب", Status: "نشط", Notes: "  note  "},
		want: safeer.Person{NameAr: "أحمد بن سالم", NameEn: "Ahmed Salim", Kind: safeer.KindGuest, Phone: "+96891234567",
			Gender: "male", Email: "a@example.om", CivilID: "12345678", JoinedOn: "2024-03-05",
			Governorate: "OM-MA", Wilayat: "As Seeb", Status: safeer.StatusActive, Notes: "note"},
	}, {
		name: "defaults",
		in:   safeer.Person{NameEn: "Guest", Governorate: "OM-BS"},
		want: safeer.Person{NameEn: "Guest", Kind: safeer.KindAmbassador, Governorate: "OM-BS", Status: safeer.StatusActive},
	}, {
		name: "nothing given",
		in:   safeer.Person{},
		bad: []problem{
			{"name", "data.person.name_required", "name is required", "الاسم"},
			{"governorate", "data.place.governorate_required", "the governorate is required", "المحافظة مطلوبة"},
		},
	}, {
		name: "Arabic name without Arabic letters, unknown kind and status",
		in:   safeer.Person{NameAr: "Ahmed", Kind: "chief", Status: "retired", Governorate: "OM-MA"},
		bad: []problem{
			{"kind", "data.person.kind", "chief", fsi("«chief»")},
			{"name_ar", "data.person.name_ar_not_arabic", "the Arabic name has no Arabic letters", "الاسم العربي لا يحتوي على حروف عربية"},
			{"status", "data.person.status", "retired", fsi("«retired»")},
		},
	}, {
		name: "name too long",
		in:   safeer.Person{NameEn: strings.Repeat("a", safeer.MaxNameLength+1), Governorate: "OM-MA"},
		bad:  []problem{{"name", "data.person.name_too_long", "200", lri("200")}},
	}, {
		name: "bad phone and date",
		in:   safeer.Person{NameAr: "سالم", Phone: "12", JoinedOn: "2024-02-30", Governorate: "OM-MA"},
		bad: []problem{
			{"phone", "input.phone.omani_length", "not an Omani phone number", "ليس رقم هاتف عُماني"},
			{"joined_on", "input.date.day", "2024-02-30", "2024-02-30"},
		},
	}, {
		name: "unknown governorate",
		in:   safeer.Person{NameAr: "سالم", Governorate: "Atlantis"},
		bad:  []problem{{"governorate", "data.place.governorate_unknown", "Atlantis", fsi("«Atlantis»")}},
	}, {
		name: "wilayat of another governorate",
		in:   safeer.Person{NameAr: "سالم", Governorate: "مسقط", Wilayat: "Sohar"},
		bad: []problem{{"wilayat", "data.place.wilayat_elsewhere", "Sohar is in North Al Batinah, not in Muscat",
			"ولاية " + fsi("صحار") + " تتبع محافظة " + fsi("شمال الباطنة") + " وليس محافظة " + fsi("مسقط")}},
	}, {
		name: "unknown wilayat",
		in:   safeer.Person{NameAr: "سالم", Governorate: "OM-MA", Wilayat: "Nowhere"},
		bad:  []problem{{"wilayat", "data.place.wilayat_unknown", "Nowhere", fsi("مسقط")}},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.in
			err := safeer.ValidatePerson(&p, places)
			checkProblems(t, err, tc.bad)
			if tc.bad == nil && !reflect.DeepEqual(p, tc.want) {
				t.Errorf("canonical form\n got %+v\nwant %+v", p, tc.want)
			}
		})
	}
}

func TestValidateWorkshop(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   safeer.Workshop
		want safeer.Workshop
		bad  []problem
	}{{
		name: "canonical forms",
		in: safeer.Workshop{TitleAr: " الأمن   الرقمي ", TitleEn: " Digital safety ", Date: "٢٠٢٤-٠٣-٠٥", StartTime: " 9:30 ",
			Hours: 3, MinHours: 2, Governorate: "North Al-Batinah", Wilayat: "صحار", Status: "HELD"},
		want: safeer.Workshop{TitleAr: "الأمن   الرقمي", TitleEn: "Digital safety", Date: "2024-03-05", StartTime: "09:30",
			Hours: 3, MinHours: 2, Governorate: "OM-BS", Wilayat: "Sohar", Status: safeer.WorkshopHeld},
	}, {
		name: "nothing given",
		in:   safeer.Workshop{},
		bad: []problem{
			{"title", "data.workshop.title_required", "title", "عنوان الورشة مطلوب"},
			{"date", "data.workshop.date_required", "the date is required", "التاريخ مطلوب"},
			{"hours", "data.workshop.hours", "hours", "الساعات"},
			{"governorate", "data.place.governorate_required", "the governorate is required", "المحافظة مطلوبة"},
		},
	}, {
		name: "every rule broken",
		in: safeer.Workshop{TitleAr: "Safety", Date: "yesterday", StartTime: "25:00", Hours: 2, MinHours: 3,
			Capacity: -1, Status: "postponed", Governorate: "OM-MA"},
		bad: []problem{
			{"title_ar", "data.workshop.title_ar_not_arabic", "Arabic", "عربية"},
			{"date", "input.date.form", "yesterday", fsi("«yesterday»")},
			{"start_time", "data.workshop.start_time", "25:00", "25:00"},
			{"min_hours", "data.workshop.min_hours", "hours", "الحد الأدنى لساعات الشهادة"},
			{"capacity", "data.workshop.capacity_negative", "capacity cannot be negative", "السعة لا يمكن أن تكون سالبة"},
			{"status", "data.workshop.status", "postponed", fsi("«postponed»")},
		},
	}, {
		name: "more than a day",
		in:   safeer.Workshop{TitleEn: "Marathon", Date: "2024-03-05", Hours: 25, Governorate: "OM-MA"},
		bad:  []problem{{"hours", "data.workshop.hours", "24", "ولا يزيد على 24"}},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			w := tc.in
			err := safeer.ValidateWorkshop(&w, places)
			checkProblems(t, err, tc.bad)
			if tc.bad == nil && !reflect.DeepEqual(w, tc.want) {
				t.Errorf("canonical form\n got %+v\nwant %+v", w, tc.want)
			}
		})
	}
}

func TestValidateAttendance(t *testing.T) {
	w := safeer.Workshop{Hours: 3}
	for _, tc := range []struct {
		name   string
		in     safeer.Attendance
		status string
		bad    []problem
	}{
		{name: "present by default", in: safeer.Attendance{Hours: 3}, status: safeer.Present},
		{name: "excused", in: safeer.Attendance{Status: safeer.Excused}, status: safeer.Excused},
		{name: "unknown status", in: safeer.Attendance{Status: "late", Hours: 1},
			bad: []problem{{"status", "data.attendance.status", "late", fsi("«late»")}}},
		{name: "more than the workshop", in: safeer.Attendance{Hours: 3.5},
			bad: []problem{{"hours", "data.attendance.hours", "between 0 and the workshop's 3", "بين 0 و" + lri("3")}}},
		{name: "negative", in: safeer.Attendance{Hours: -1},
			bad: []problem{{"hours", "data.attendance.hours", "3", lri("3")}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := tc.in
			checkProblems(t, safeer.ValidateAttendance(&a, w), tc.bad)
			if tc.bad == nil && a.Status != tc.status {
				t.Errorf("status %q, want %q", a.Status, tc.status)
			}
		})
	}
}

func TestPlaceKey(t *testing.T) {
	for _, same := range [][2]string{
		{"Al Batinah North", "al-batinah   north"},
		{"As Seeb", "as seeb"},
		{"Al-Mudhaibi", "al mudhaibi"},
		{"شمال الباطنة", "شمال  الباطنه"},
		{"إبراء", "ابراء"},
	} {
		if a, b := safeer.PlaceKey(same[0]), safeer.PlaceKey(same[1]); a != b {
			t.Errorf("PlaceKey(%q) = %q, PlaceKey(%q) = %q: want one key", same[0], a, same[1], b)
		}
	}
	if safeer.PlaceKey("Sohar") == safeer.PlaceKey("Suhar") {
		t.Error("two different names folded to one key")
	}
}

func TestCollapseSpacesAndArabicLetters(t *testing.T) {
	if got := safeer.CollapseSpaces(" a \t b\n\nc "); got != "a b c" {
		t.Errorf("CollapseSpaces = %q", got)
	}
	for s, want := range map[string]bool{"سالم": true, "Salim ١٢": false, "١٢٣": false, "Ali علي": true, "": false} {
		if safeer.HasArabicLetter(s) != want {
			t.Errorf("HasArabicLetter(%q) = %v, want %v", s, !want, want)
		}
	}
}
