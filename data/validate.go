package data

import (
	"errors"
	"strings"
	"time"
	"unicode"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/data/input"
	"github.com/oman-sca/safeer/message"
)

// ValidatePerson checks p and puts its fields in canonical form (phone in
// E.164, governorate as ISO code, wilayat as its English name, dates ISO).
// It reports every problem at once as a *ValidationError.
func (s *Store) ValidatePerson(p *safeer.Person) error {
	var bad problems
	trimAll(&p.NameAr, &p.NameEn, &p.Organisation, &p.Expertise, &p.Notes)
	p.NameAr = collapseSpaces(p.NameAr)
	p.NameEn = collapseSpaces(p.NameEn)

	switch strings.ToLower(strings.TrimSpace(p.Kind)) {
	case "", safeer.KindAmbassador, "سفير":
		p.Kind = safeer.KindAmbassador
	case safeer.KindGuest, "ضيف":
		p.Kind = safeer.KindGuest
	default:
		bad.add("kind", message.New("data.person.kind", message.Quoted("value", p.Kind)))
	}
	if p.NameAr == "" && p.NameEn == "" {
		bad.add("name", message.New("data.person.name_required"))
	}
	if p.NameAr != "" && !hasArabicLetter(p.NameAr) {
		bad.add("name_ar", message.New("data.person.name_ar_not_arabic"))
	}
	if len([]rune(p.NameAr)) > 200 || len([]rune(p.NameEn)) > 200 {
		bad.add("name", message.New("data.person.name_too_long", message.Int("max", 200)))
	}
	if g, err := input.Gender(p.Gender); err != nil {
		bad.addParse("gender", err)
	} else {
		p.Gender = g
	}
	if v, err := input.CivilID(p.CivilID); err != nil {
		bad.addParse("civil_id", err)
	} else {
		p.CivilID = v
	}
	if v, err := input.Phone(p.Phone); err != nil {
		bad.addParse("phone", err)
	} else {
		p.Phone = v
	}
	if v, err := input.Email(p.Email); err != nil {
		bad.addParse("email", err)
	} else {
		p.Email = v
	}
	if v, err := input.Date(p.JoinedOn); err != nil {
		bad.addParse("joined_on", err)
	} else {
		p.JoinedOn = v
	}
	switch strings.ToLower(strings.TrimSpace(p.Status)) {
	case "", safeer.StatusActive, "نشط", "فعال":
		p.Status = safeer.StatusActive
	case safeer.StatusInactive, "غير نشط", "غير فعال":
		p.Status = safeer.StatusInactive
	default:
		bad.add("status", message.New("data.person.status", message.Quoted("value", p.Status)))
	}
	s.checkPlace(&bad, &p.Governorate, &p.Wilayat)
	return bad.err()
}

// ValidateWorkshop checks w and puts its fields in canonical form.
func (s *Store) ValidateWorkshop(w *safeer.Workshop) error {
	var bad problems
	trimAll(&w.TitleAr, &w.TitleEn, &w.Topic, &w.Venue, &w.Facilitator, &w.StartTime)
	if w.TitleAr == "" && w.TitleEn == "" {
		bad.add("title", message.New("data.workshop.title_required"))
	}
	if w.TitleAr != "" && !hasArabicLetter(w.TitleAr) {
		bad.add("title_ar", message.New("data.workshop.title_ar_not_arabic"))
	}
	if strings.TrimSpace(w.Date) == "" {
		bad.add("date", message.New("data.workshop.date_required"))
	} else if v, err := input.Date(w.Date); err != nil {
		bad.addParse("date", err)
	} else {
		w.Date = v
	}
	if w.StartTime != "" {
		if t, err := time.Parse("15:04", w.StartTime); err != nil {
			bad.add("start_time", message.New("data.workshop.start_time", message.Quoted("value", w.StartTime)))
		} else {
			w.StartTime = t.Format("15:04")
		}
	}
	if w.Hours <= 0 || w.Hours > 24 {
		bad.add("hours", message.New("data.workshop.hours"))
	}
	if w.MinHours < 0 || (w.Hours > 0 && w.MinHours > w.Hours) {
		bad.add("min_hours", message.New("data.workshop.min_hours"))
	}
	if w.Capacity < 0 {
		bad.add("capacity", message.New("data.workshop.capacity_negative"))
	}
	switch strings.ToLower(strings.TrimSpace(w.Status)) {
	case "", safeer.WorkshopPlanned:
		w.Status = safeer.WorkshopPlanned
	case safeer.WorkshopHeld:
		w.Status = safeer.WorkshopHeld
	case safeer.WorkshopCancelled:
		w.Status = safeer.WorkshopCancelled
	default:
		bad.add("status", message.New("data.workshop.status", message.Quoted("value", w.Status)))
	}
	s.checkPlace(&bad, &w.Governorate, &w.Wilayat)
	return bad.err()
}

// validateAttendance checks a against its workshop.
func validateAttendance(a *safeer.Attendance, w safeer.Workshop) error {
	var bad problems
	switch a.Status {
	case "":
		a.Status = safeer.Present
	case safeer.Present, safeer.Absent, safeer.Excused:
	default:
		bad.add("status", message.New("data.attendance.status", message.Quoted("value", a.Status)))
	}
	if a.Hours < 0 || a.Hours > 24 || (w.Hours > 0 && a.Hours > w.Hours) {
		bad.add("hours", message.New("data.attendance.hours", message.Float("hours", w.Hours)))
	}
	return bad.err()
}

// checkPlace resolves governorate and wilayat (code or name, either
// language) and checks that the wilayat belongs to the governorate.
func (s *Store) checkPlace(bad *problems, gov, wil *string) {
	*gov, *wil = strings.TrimSpace(*gov), strings.TrimSpace(*wil)
	if *gov == "" {
		bad.add("governorate", message.New("data.place.governorate_required"))
		return
	}
	code, ok := s.places.governorate(*gov)
	if !ok {
		bad.add("governorate", message.New("data.place.governorate_unknown", message.Quoted("value", *gov)))
		return
	}
	*gov = code
	if *wil == "" {
		return
	}
	if w, ok := s.places.wilayat(code, *wil); ok {
		*wil = w
		return
	}
	if p, ok := s.places.wilayatAnywhere(*wil); ok {
		g := s.governorateNames(code)
		bad.add("wilayat", message.New("data.place.wilayat_elsewhere", message.Pair("wilayat", p.WilayatEn, p.WilayatAr),
			message.Pair("governorate", p.GovernorateEn, p.GovernorateAr), message.Pair("chosen", g.En, g.Ar)))
		return
	}
	g := s.governorateNames(code)
	bad.add("wilayat", message.New("data.place.wilayat_unknown", message.Quoted("value", *wil), message.Pair("governorate", g.En, g.Ar)))
}

func (p *problems) addParse(field string, err error) {
	var pe *input.Error
	if errors.As(err, &pe) {
		p.add(field, pe.Msg)
		return
	}
	p.add(field, message.New("words", message.Pair("text", err.Error(), err.Error())))
}

func hasArabicLetter(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Arabic, r) && unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

func trimAll(ss ...*string) {
	for _, s := range ss {
		*s = strings.TrimSpace(*s)
	}
}

func collapseSpaces(s string) string { return strings.Join(strings.Fields(s), " ") }

// governorateNames returns a governorate's names (its code if unknown).
func (s *Store) governorateNames(code string) Governorate {
	for _, g := range s.Governorates() {
		if g.Code == code {
			return g
		}
	}
	return Governorate{Code: code, En: code, Ar: code}
}
