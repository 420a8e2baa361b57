package data

import (
	"github.com/oman-sca/safeer"
)

// The rules are the domain's (safeer.ValidatePerson, ValidateWorkshop,
// ValidateAttendance); the store lends them its places.

// ValidatePerson checks p and puts its fields in canonical form (phone in
// E.164, governorate as ISO code, wilayat as its English name, dates ISO).
// It reports every problem at once as a *ValidationError.
func (s *Store) ValidatePerson(p *safeer.Person) error {
	return safeer.ValidatePerson(p, storePlaces{s})
}

// ValidateWorkshop checks w and puts its fields in canonical form.
func (s *Store) ValidateWorkshop(w *safeer.Workshop) error {
	return safeer.ValidateWorkshop(w, storePlaces{s})
}

// validateAttendance checks a against its workshop.
func validateAttendance(a *safeer.Attendance, w safeer.Workshop) error {
	return safeer.ValidateAttendance(a, w)
}

// storePlaces is the store's reference data as the domain's rules ask it.
type storePlaces struct{ s *Store }

func (p storePlaces) Governorate(s string) (string, bool)   { return p.s.places.governorate(s) }
func (p storePlaces) Wilayat(code, s string) (string, bool) { return p.s.places.wilayat(code, s) }
func (p storePlaces) WilayatAnywhere(s string) (safeer.Place, bool) {
	return p.s.places.wilayatAnywhere(s)
}

// GovernorateNames returns a governorate's names (its code if unknown).
func (p storePlaces) GovernorateNames(code string) (en, ar string) {
	for _, g := range p.s.Governorates() {
		if g.Code == code {
			return g.En, g.Ar
		}
	}
	return code, code
}
