package safeer

import (
	"errors"
	"strings"
	"time"
	"unicode"

	"github.com/oman-sca/safeer/arabic"
	"github.com/oman-sca/safeer/input"
	"github.com/oman-sca/safeer/message"
)

// The rules a person, a workshop and an attendance obey wherever they are
// written (the device's store, its import, its screens and commands).
// Each puts the record's fields in canonical form and reports every
// problem at once as a *ValidationError whose messages are the catalogue's
// (codes data.person.*, data.workshop.*, data.attendance.*, data.place.*).

// Places is the reference data the place check needs: governorates and
// wilayats named by code or by name in either language.
type Places interface {
	// Governorate resolves a code or a name in either language to the
	// governorate's ISO 3166-2:OM code.
	Governorate(s string) (code string, ok bool)
	// Wilayat resolves a wilayat's name in either language, within the
	// governorate code, to its English name.
	Wilayat(code, s string) (wilayatEn string, ok bool)
	// WilayatAnywhere finds the place a wilayat's name belongs to, in
	// whichever governorate.
	WilayatAnywhere(s string) (Place, bool)
	// GovernorateNames are a governorate's names in English and Arabic
	// (its code when it is unknown).
	GovernorateNames(code string) (en, ar string)
}

// MaxNameLength is the longest name, in characters, a person may have in
// either language.
const MaxNameLength = 200

// ValidatePerson checks p and puts its fields in canonical form (names
// trimmed with their spaces collapsed, phone in E.164, governorate as ISO
// code, wilayat as its English name, dates ISO).
func ValidatePerson(p *Person, places Places) error {
	var bad Problems
	trimAll(&p.NameAr, &p.NameEn, &p.Organisation, &p.Expertise, &p.Notes)
	p.NameAr = CollapseSpaces(p.NameAr)
	p.NameEn = CollapseSpaces(p.NameEn)

	switch strings.ToLower(strings.TrimSpace(p.Kind)) {
	case "", KindAmbassador, "سفير":
		p.Kind = KindAmbassador
	case KindGuest, "ضيف":
		p.Kind = KindGuest
	default:
		bad.Add(FieldKind, message.New("data.person.kind", message.Quoted("value", p.Kind)))
	}
	if p.NameAr == "" && p.NameEn == "" {
		bad.Add("name", message.New("data.person.name_required"))
	}
	if p.NameAr != "" && !HasArabicLetter(p.NameAr) {
		bad.Add(FieldNameAr, message.New("data.person.name_ar_not_arabic"))
	}
	if len([]rune(p.NameAr)) > MaxNameLength || len([]rune(p.NameEn)) > MaxNameLength {
		bad.Add("name", message.New("data.person.name_too_long", message.Int("max", MaxNameLength)))
	}
	if g, err := input.Gender(p.Gender); err != nil {
		bad.addParse(FieldGender, err)
	} else {
		p.Gender = g
	}
	if v, err := input.CivilID(p.CivilID); err != nil {
		bad.addParse(FieldCivilID, err)
	} else {
		p.CivilID = v
	}
	if v, err := input.Phone(p.Phone); err != nil {
		bad.addParse(FieldPhone, err)
	} else {
		p.Phone = v
	}
	if v, err := input.Email(p.Email); err != nil {
		bad.addParse(FieldEmail, err)
	} else {
		p.Email = v
	}
	if v, err := input.Date(p.JoinedOn); err != nil {
		bad.addParse(FieldJoinedOn, err)
	} else {
		p.JoinedOn = v
	}
	switch strings.ToLower(strings.TrimSpace(p.Status)) {
	case "", StatusActive, "نشط", "فعال":
		p.Status = StatusActive
	case StatusInactive, "غير نشط", "غير فعال":
		p.Status = StatusInactive
	default:
		bad.Add(FieldStatus, message.New("data.person.status", message.Quoted("value", p.Status)))
	}
	bad.checkPlace(places, &p.Governorate, &p.Wilayat)
	return bad.Err()
}

// ValidateWorkshop checks w and puts its fields in canonical form.
func ValidateWorkshop(w *Workshop, places Places) error {
	var bad Problems
	trimAll(&w.TitleAr, &w.TitleEn, &w.Topic, &w.Venue, &w.Facilitator, &w.StartTime)
	if w.TitleAr == "" && w.TitleEn == "" {
		bad.Add("title", message.New("data.workshop.title_required"))
	}
	if w.TitleAr != "" && !HasArabicLetter(w.TitleAr) {
		bad.Add(FieldTitleAr, message.New("data.workshop.title_ar_not_arabic"))
	}
	if strings.TrimSpace(w.Date) == "" {
		bad.Add(FieldDate, message.New("data.workshop.date_required"))
	} else if v, err := input.Date(w.Date); err != nil {
		bad.addParse(FieldDate, err)
	} else {
		w.Date = v
	}
	if w.StartTime != "" {
		if t, err := time.Parse("15:04", w.StartTime); err != nil {
			bad.Add(FieldStartTime, message.New("data.workshop.start_time", message.Quoted("value", w.StartTime)))
		} else {
			w.StartTime = t.Format("15:04")
		}
	}
	if w.Hours <= 0 || w.Hours > 24 {
		bad.Add(FieldHours, message.New("data.workshop.hours"))
	}
	if w.MinHours < 0 || (w.Hours > 0 && w.MinHours > w.Hours) {
		bad.Add(FieldMinHours, message.New("data.workshop.min_hours"))
	}
	if w.Capacity < 0 {
		bad.Add(FieldCapacity, message.New("data.workshop.capacity_negative"))
	}
	switch strings.ToLower(strings.TrimSpace(w.Status)) {
	case "", WorkshopPlanned:
		w.Status = WorkshopPlanned
	case WorkshopHeld:
		w.Status = WorkshopHeld
	case WorkshopCancelled:
		w.Status = WorkshopCancelled
	default:
		bad.Add(FieldStatus, message.New("data.workshop.status", message.Quoted("value", w.Status)))
	}
	bad.checkPlace(places, &w.Governorate, &w.Wilayat)
	return bad.Err()
}

// ValidateAttendance checks a against its workshop w: a known status
// (none is present) and hours within the day and the workshop's.
func ValidateAttendance(a *Attendance, w Workshop) error {
	var bad Problems
	switch a.Status {
	case "":
		a.Status = Present
	case Present, Absent, Excused:
	default:
		bad.Add(FieldStatus, message.New("data.attendance.status", message.Quoted("value", a.Status)))
	}
	if a.Hours < 0 || a.Hours > 24 || (w.Hours > 0 && a.Hours > w.Hours) {
		bad.Add(FieldHours, message.New("data.attendance.hours", message.Float("hours", w.Hours)))
	}
	return bad.Err()
}

// checkPlace resolves governorate and wilayat (code or name, either
// language) and checks that the wilayat belongs to the governorate.
func (bad *Problems) checkPlace(places Places, gov, wil *string) {
	*gov, *wil = strings.TrimSpace(*gov), strings.TrimSpace(*wil)
	if *gov == "" {
		bad.Add(FieldGovernorate, message.New("data.place.governorate_required"))
		return
	}
	code, ok := places.Governorate(*gov)
	if !ok {
		bad.Add(FieldGovernorate, message.New("data.place.governorate_unknown", message.Quoted("value", *gov)))
		return
	}
	*gov = code
	if *wil == "" {
		return
	}
	if w, ok := places.Wilayat(code, *wil); ok {
		*wil = w
		return
	}
	en, ar := places.GovernorateNames(code)
	if p, ok := places.WilayatAnywhere(*wil); ok {
		bad.Add(FieldWilayat, message.New("data.place.wilayat_elsewhere", message.Pair("wilayat", p.WilayatEn, p.WilayatAr),
			message.Pair("governorate", p.GovernorateEn, p.GovernorateAr), message.Pair("chosen", en, ar)))
		return
	}
	bad.Add(FieldWilayat, message.New("data.place.wilayat_unknown", message.Quoted("value", *wil), message.Pair("governorate", en, ar)))
}

// addParse records a value package input refused: its own message, or
// the error's words when it carries none.
func (bad *Problems) addParse(field string, err error) {
	var pe *input.Error
	if errors.As(err, &pe) {
		bad.Add(field, pe.Msg)
		return
	}
	bad.Add(field, message.New("words", message.Pair("text", err.Error(), err.Error())))
}

// HasArabicLetter reports whether s has at least one letter of the Arabic
// script (an Arabic name or title must).
func HasArabicLetter(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Arabic, r) && unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

// CollapseSpaces trims s and makes every run of white space in it one
// space, as names are kept.
func CollapseSpaces(s string) string { return strings.Join(strings.Fields(s), " ") }

func trimAll(ss ...*string) {
	for _, s := range ss {
		*s = strings.TrimSpace(*s)
	}
}

var placeNoise = strings.NewReplacer("-", " ", "'", "", "’", "")

// PlaceKey folds a place's name for comparison, so "Al Batinah North",
// "al-batinah north" and "شمال الباطنة" with or without hamza are one key
// (the device's look-up of places and HQ's check for a wilayat it has).
func PlaceKey(s string) string {
	return CollapseSpaces(placeNoise.Replace(arabic.Fold(s)))
}
