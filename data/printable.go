package data

import (
	"context"
	"errors"
	"regexp"
	"sort"
	"strings"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/certificate"
)

// Gap is something a certificate would print blank: which field, where it
// is fixed (Workshop: the workshop's form; Template: the certificate
// settings) and its name in English and Arabic.
type Gap struct {
	Field string `json:"field"` // title_ar, title_en, wilayat, signatory_name_ar, …
	Where string `json:"where"` // GapWorkshop or GapTemplate
	En    string `json:"en"`
	Ar    string `json:"ar"`
}

// Where a gap is fixed.
const (
	GapWorkshop = "workshop"
	GapTemplate = "template"
)

// ErrIncomplete is returned (wrapped in *IncompleteError) when a workshop's
// certificates would print with blanks.
var ErrIncomplete = errors.New("the certificates would print with blanks")

// IncompleteError lists what a certificate would print blank.
type IncompleteError struct{ Gaps []Gap }

func (e *IncompleteError) Error() string { return e.English() }
func (e *IncompleteError) Unwrap() error { return ErrIncomplete }

// English and Arabic are the sentence the app and the command line show.
func (e *IncompleteError) English() string {
	var names []string
	for _, g := range e.Gaps {
		names = append(names, g.En)
	}
	return "Not issued: the certificates would print with blanks. Missing: " + strings.Join(names, ", ") + "."
}

func (e *IncompleteError) Arabic() string {
	var names []string
	for _, g := range e.Gaps {
		names = append(names, g.Ar)
	}
	return "لم تُصدر الشهادات: ستُطبع بفراغات. ينقصها: " + strings.Join(names, "، ") + "."
}

// workshopGaps are the workshop's placeholders and what they are called.
var workshopGaps = []struct{ placeholder, field, en, ar string }{
	{"workshop_ar", "title_ar", "the workshop's Arabic title", "عنوان الورشة بالعربية"},
	{"workshop_en", "title_en", "the workshop's English title", "عنوان الورشة بالإنجليزية"},
	{"wilayat_ar", "wilayat", "the workshop's wilayat", "ولاية الورشة"},
	{"wilayat_en", "wilayat", "the workshop's wilayat", "ولاية الورشة"},
}

// templateGapNames name the template's own texts a coordinator fills in.
var templateGapNames = map[string][2]string{
	"signatory_name_ar":  {"the signatory's name in Arabic", "اسم الموقّع بالعربية"},
	"signatory_name_en":  {"the signatory's name in English", "اسم الموقّع بالإنجليزية"},
	"signatory_title_ar": {"the signatory's title in Arabic", "صفة الموقّع بالعربية"},
	"signatory_title_en": {"the signatory's title in English", "صفة الموقّع بالإنجليزية"},
	"programme_ar":       {"the programme's name in Arabic", "اسم البرنامج بالعربية"},
	"programme_en":       {"the programme's name in English", "اسم البرنامج بالإنجليزية"},
}

var placeholderRE = regexp.MustCompile(`\{\{\s*([^{}]*?)\s*\}\}`)

// PrintGaps is what a certificate of workshop w (in place p) printed with
// tmpl would leave blank: a text of the template whose placeholder would be
// empty. Each field is named once, the workshop's first. The person's
// names are not looked at: a person without an English name is not a
// blank, the template leaves that line out.
func PrintGaps(w safeer.Workshop, p safeer.Place, tmpl certificate.Template) []Gap {
	used := map[string]bool{}
	for _, t := range tmpl.Texts {
		for _, m := range placeholderRE.FindAllStringSubmatch(t.Text, -1) {
			used[m[1]] = true
		}
	}
	values := map[string]string{
		"workshop_ar": w.TitleAr, "workshop_en": w.TitleEn,
		"wilayat_ar": p.WilayatAr, "wilayat_en": p.WilayatEn,
	}
	if w.Wilayat == "" {
		values["wilayat_ar"], values["wilayat_en"] = "", ""
	}
	var gaps []Gap
	seen := map[string]bool{}
	for _, g := range workshopGaps {
		if used[g.placeholder] && strings.TrimSpace(values[g.placeholder]) == "" && !seen[g.field] {
			seen[g.field] = true
			gaps = append(gaps, Gap{Field: g.field, Where: GapWorkshop, En: g.en, Ar: g.ar})
		}
	}
	var vars []string
	for name := range tmpl.Vars {
		vars = append(vars, name)
	}
	sort.Strings(vars)
	for _, name := range vars {
		if !used[name] || strings.TrimSpace(tmpl.Vars[name]) != "" {
			continue
		}
		words, ok := templateGapNames[name]
		if !ok {
			words = [2]string{"the template's " + name, "نص القالب " + name}
		}
		gaps = append(gaps, Gap{Field: name, Where: GapTemplate, En: words[0], Ar: words[1]})
	}
	return gaps
}

// CheckPrintable returns an *IncompleteError when the certificates of the
// workshop, printed with tmpl, would have blanks.
func (s *Store) CheckPrintable(ctx context.Context, workshopID string, tmpl certificate.Template) error {
	w, err := s.Workshop(ctx, workshopID)
	if err != nil {
		return err
	}
	p, _ := s.Place(w.Governorate, w.Wilayat)
	if gaps := PrintGaps(w, p, tmpl); len(gaps) > 0 {
		return &IncompleteError{Gaps: gaps}
	}
	return nil
}
