package data

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/data/input"
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
		bad.add("kind", fmt.Sprintf("%q is not a kind of person: use ambassador or guest", p.Kind),
			fmt.Sprintf("«%s» ليس نوعًا معروفًا: استخدم سفير أو ضيف", p.Kind))
	}
	if p.NameAr == "" && p.NameEn == "" {
		bad.add("name", "a name is required, in Arabic or in English", "الاسم مطلوب، بالعربية أو بالإنجليزية")
	}
	if p.NameAr != "" && !hasArabicLetter(p.NameAr) {
		bad.add("name_ar", "the Arabic name has no Arabic letters", "الاسم العربي لا يحتوي على حروف عربية")
	}
	if len([]rune(p.NameAr)) > 200 || len([]rune(p.NameEn)) > 200 {
		bad.add("name", "a name may have at most 200 characters", "الاسم لا يزيد على 200 حرف")
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
		bad.add("status", fmt.Sprintf("%q is not a status: use active or inactive", p.Status),
			fmt.Sprintf("«%s» ليست حالة معروفة: استخدم نشط أو غير نشط", p.Status))
	}
	s.checkPlace(&bad, &p.Governorate, &p.Wilayat)
	return bad.err()
}

// ValidateWorkshop checks w and puts its fields in canonical form.
func (s *Store) ValidateWorkshop(w *safeer.Workshop) error {
	var bad problems
	trimAll(&w.TitleAr, &w.TitleEn, &w.Topic, &w.Venue, &w.Facilitator, &w.StartTime)
	if w.TitleAr == "" && w.TitleEn == "" {
		bad.add("title", "a title is required, in Arabic or in English", "عنوان الورشة مطلوب، بالعربية أو بالإنجليزية")
	}
	if w.TitleAr != "" && !hasArabicLetter(w.TitleAr) {
		bad.add("title_ar", "the Arabic title has no Arabic letters", "العنوان العربي لا يحتوي على حروف عربية")
	}
	if strings.TrimSpace(w.Date) == "" {
		bad.add("date", "the date is required", "التاريخ مطلوب")
	} else if v, err := input.Date(w.Date); err != nil {
		bad.addParse("date", err)
	} else {
		w.Date = v
	}
	if w.StartTime != "" {
		if t, err := time.Parse("15:04", w.StartTime); err != nil {
			bad.add("start_time", fmt.Sprintf("%q is not a time of day like 09:30", w.StartTime),
				fmt.Sprintf("«%s» ليس وقتًا صحيحًا مثل 09:30", w.StartTime))
		} else {
			w.StartTime = t.Format("15:04")
		}
	}
	if w.Hours <= 0 || w.Hours > 24 {
		bad.add("hours", "hours must be more than 0 and at most 24", "عدد الساعات يجب أن يكون أكبر من 0 ولا يزيد على 24")
	}
	if w.MinHours < 0 || (w.Hours > 0 && w.MinHours > w.Hours) {
		bad.add("min_hours", "the minimum hours for a certificate must be between 0 and the workshop's hours",
			"الحد الأدنى لساعات الشهادة يجب أن يكون بين 0 وعدد ساعات الورشة")
	}
	if w.Capacity < 0 {
		bad.add("capacity", "capacity cannot be negative", "السعة لا يمكن أن تكون سالبة")
	}
	switch strings.ToLower(strings.TrimSpace(w.Status)) {
	case "", safeer.WorkshopPlanned:
		w.Status = safeer.WorkshopPlanned
	case safeer.WorkshopHeld:
		w.Status = safeer.WorkshopHeld
	case safeer.WorkshopCancelled:
		w.Status = safeer.WorkshopCancelled
	default:
		bad.add("status", fmt.Sprintf("%q is not a workshop status: use planned, held or cancelled", w.Status),
			fmt.Sprintf("«%s» ليست حالة ورشة معروفة: استخدم مخططة أو منعقدة أو ملغاة", w.Status))
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
		bad.add("status", fmt.Sprintf("%q is not an attendance status: use present, absent or excused", a.Status),
			fmt.Sprintf("«%s» ليست حالة حضور معروفة: استخدم حاضر أو غائب أو معتذر", a.Status))
	}
	if a.Hours < 0 || a.Hours > 24 || (w.Hours > 0 && a.Hours > w.Hours) {
		bad.add("hours", fmt.Sprintf("hours attended must be between 0 and the workshop's %g", w.Hours),
			fmt.Sprintf("ساعات الحضور يجب أن تكون بين 0 و%g (ساعات الورشة)", w.Hours))
	}
	return bad.err()
}

// checkPlace resolves governorate and wilayat (code or name, either
// language) and checks that the wilayat belongs to the governorate.
func (s *Store) checkPlace(bad *problems, gov, wil *string) {
	*gov, *wil = strings.TrimSpace(*gov), strings.TrimSpace(*wil)
	if *gov == "" {
		bad.add("governorate", "the governorate is required", "المحافظة مطلوبة")
		return
	}
	code, ok := s.places.governorate(*gov)
	if !ok {
		bad.add("governorate", fmt.Sprintf("%q is not a governorate of Oman", *gov),
			fmt.Sprintf("«%s» ليست محافظة عُمانية", *gov))
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
		bad.add("wilayat", fmt.Sprintf("%s is in %s, not in %s", p.WilayatEn, p.GovernorateEn, g.En),
			fmt.Sprintf("ولاية %s تتبع محافظة %s وليس محافظة %s", p.WilayatAr, p.GovernorateAr, g.Ar))
		return
	}
	g := s.governorateNames(code)
	bad.add("wilayat", fmt.Sprintf("%q is not a wilayat of %s", *wil, g.En),
		fmt.Sprintf("«%s» ليست ولاية في محافظة %s", *wil, g.Ar))
}

func (p *problems) addParse(field string, err error) {
	var pe *input.Error
	if errors.As(err, &pe) {
		p.add(field, pe.En, pe.Ar)
		return
	}
	p.add(field, err.Error(), err.Error())
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
