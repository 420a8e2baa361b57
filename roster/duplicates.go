package roster

import (
	"strings"

	"github.com/oman-sca/safeer/arabic"
)

// Reason says why two records look like one person.
type Reason string

// The reasons, strongest first. The values are stable codes (the CLI's
// JSON carries them); Sentence gives the words.
const (
	SameCivilID Reason = "civil_id"
	SamePhone   Reason = "phone"
	SameEmail   Reason = "email"
	SameName    Reason = "same_name"  // identical after arabic.Fold and NameKey
	CloseName   Reason = "close_name" // within an edit or two (see data's closeNames)
)

// Sentence is the reason in words, in English and in Arabic.
func (r Reason) Sentence() (en, ar string) {
	switch r {
	case SameCivilID:
		return "Same civil ID", "الرقم المدني نفسه"
	case SamePhone:
		return "Same phone number", "رقم الهاتف نفسه"
	case SameEmail:
		return "Same e-mail", "البريد الإلكتروني نفسه"
	case SameName:
		return "Same name", "الاسم نفسه"
	case CloseName:
		return "Names differ by a letter or two", "الاسمان يختلفان بحرف أو حرفين"
	}
	return string(r), string(r)
}

// En is the reason in English (Sentence's first half).
func (r Reason) En() string { en, _ := r.Sentence(); return en }

// Ar is the reason in Arabic (Sentence's second half).
func (r Reason) Ar() string { _, ar := r.Sentence(); return ar }

// Keys are what the duplicate rule compares of a person, each normalised
// (see KeysOf); an empty key is unknown.
type Keys struct {
	Gender string // "male", "female" or ""
	Civil  string // CivilKey
	Phone  string // PhoneKey
	Email  string // EmailKey
	NameAr string // NameKey of the Arabic name
	NameEn string // NameKey of the English name
}

// KeysOf normalises a person's fields for the duplicate rule.
func KeysOf(nameAr, nameEn, gender, civilID, phone, email string) Keys {
	return Keys{Gender: strings.ToLower(strings.TrimSpace(gender)), Civil: CivilKey(civilID),
		Phone: PhoneKey(phone), Email: EmailKey(email), NameAr: NameKey(nameAr), NameEn: NameKey(nameEn)}
}

// CivilKey is a civil ID's digits (Arabic-Indic ones read as digits), or ""
// when it is too short to tell people apart.
func CivilKey(s string) string {
	var b strings.Builder
	for _, r := range arabic.Digits(s) {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	if b.Len() < 5 {
		return ""
	}
	return b.String()
}

// PhoneKey is a phone's national digits (NationalDigits); "" when too
// short to be a phone.
func PhoneKey(s string) string {
	d := NationalDigits(s)
	if len(d) < 7 {
		return ""
	}
	return d
}

// NationalDigits is the digits of a phone number in any spelling (Arabic-
// Indic digits too): an Omani number without +968 (or 00968), any other
// number's digits as they are.
func NationalDigits(s string) string {
	var b strings.Builder
	for _, r := range arabic.Digits(s) {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	switch {
	case len(d) == 11 && strings.HasPrefix(d, "968"):
		d = d[3:]
	case len(d) == 13 && strings.HasPrefix(d, "00968"):
		d = d[5:]
	}
	return d
}

// EmailKey is an address in lower case, or "" when it is not one.
func EmailKey(s string) string {
	e := strings.ToLower(strings.TrimSpace(s))
	if !strings.Contains(e, "@") {
		return ""
	}
	return e
}

// NameKey is a name for duplicate matching: folded (arabic.Fold), then
// arabic.NameKey (compounds joined, بن/bin and the like dropped).
func NameKey(name string) string { return arabic.NameKey(arabic.Fold(name)) }

// NamesIdentical reports whether the two have an identical name, in Arabic or in
// English, after folding.
func NamesIdentical(a, b Keys) bool {
	return a.NameAr != "" && a.NameAr == b.NameAr || a.NameEn != "" && a.NameEn == b.NameEn
}

// Exact are the reasons two records match on a key exactly, strongest
// first: same civil ID, phone, e-mail, name. (A close name needs an edit
// distance; the device's index finds those.)
func Exact(a, b Keys) []Reason {
	var out []Reason
	if a.Civil != "" && a.Civil == b.Civil {
		out = append(out, SameCivilID)
	}
	if a.Phone != "" && a.Phone == b.Phone {
		out = append(out, SamePhone)
	}
	if a.Email != "" && a.Email == b.Email {
		out = append(out, SameEmail)
	}
	if NamesIdentical(a, b) {
		out = append(out, SameName)
	}
	return out
}

// ExactKeys are k's known keys as index keys ("civil:…", "phone:…",
// "email:…", "name:…"), each with the reason Exact gives two records that
// share it: records sharing an index key are the pairs Exact matches, so
// an index of them finds those pairs without comparing every two.
func ExactKeys(k Keys) map[string]Reason {
	keys := make(map[string]Reason, 5)
	if k.Civil != "" {
		keys["civil:"+k.Civil] = SameCivilID
	}
	if k.Phone != "" {
		keys["phone:"+k.Phone] = SamePhone
	}
	if k.Email != "" {
		keys["email:"+k.Email] = SameEmail
	}
	for _, n := range []string{k.NameAr, k.NameEn} {
		if n != "" {
			keys["name:"+n] = SameName
		}
	}
	return keys
}

// Offer is the rule for whether two records that share a key, or have
// close names, are offered as one person. A shared civil ID or an identical
// name (after folding) always is. Otherwise the pair is not offered when
// both genders are known and differ (a brother and a sister share a phone
// and a family name), or when both phones and both civil IDs are known and
// differ: whatever else they share, those say two people.
func Offer(a, b Keys) bool {
	if a.Civil != "" && a.Civil == b.Civil || NamesIdentical(a, b) {
		return true
	}
	if a.Gender != "" && b.Gender != "" && a.Gender != b.Gender {
		return false
	}
	if a.Phone != "" && b.Phone != "" && a.Phone != b.Phone &&
		a.Civil != "" && b.Civil != "" && a.Civil != b.Civil {
		return false
	}
	return true
}
