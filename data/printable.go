package data

import (
	"context"
	"errors"
	"regexp"
	"sort"
	"strings"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/certificate"
	"github.com/oman-sca/safeer/message"
)

// Gap is something a certificate would print blank: which field, where it
// is fixed (Workshop: the workshop's form; Template: the certificate
// settings) and its name: a message of the catalogue, rendered in English
// and Arabic.
type Gap struct {
	Field string          `json:"field"` // title_ar, title_en, wilayat, signatory_name_ar, …
	Where string          `json:"where"` // GapWorkshop or GapTemplate
	En    string          `json:"en"`
	Ar    string          `json:"ar"`
	Msg   message.Message `json:"-"`
}

// Message is the gap's name (its words as they are when the gap was read
// back from JSON, which does not keep the message).
func (g Gap) Message() message.Message {
	if g.Msg.IsZero() {
		return message.New("words", message.Pair("text", g.En, g.Ar))
	}
	return g.Msg
}

func newGap(field, where string, m message.Message) Gap {
	return Gap{Field: field, Where: where, En: m.English(), Ar: m.Arabic(), Msg: m}
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

// Message is the sentence the app and the command line show, naming every
// gap.
func (e *IncompleteError) Message() message.Message {
	names := make([]message.Message, len(e.Gaps))
	for i, g := range e.Gaps {
		names[i] = g.Message()
	}
	return message.New("print.incomplete", message.List("missing", names...))
}

// English and Arabic are the message in each language.
func (e *IncompleteError) English() string { return e.Message().English() }
func (e *IncompleteError) Arabic() string  { return e.Message().Arabic() }

// workshopGaps are the workshop's placeholders and what they are called.
var workshopGaps = []struct {
	placeholder, field string
	name               message.Message
}{
	{"workshop_ar", safeer.FieldTitleAr, message.New("print.gap.title_ar")},
	{"workshop_en", safeer.FieldTitleEn, message.New("print.gap.title_en")},
	{"wilayat_ar", safeer.FieldWilayat, message.New("print.gap.wilayat")},
	{"wilayat_en", safeer.FieldWilayat, message.New("print.gap.wilayat")},
}

// templateGapNames name the template's own texts a coordinator fills in.
var templateGapNames = map[string]message.Message{
	"signatory_name_ar":  message.New("print.gap.signatory_name_ar"),
	"signatory_name_en":  message.New("print.gap.signatory_name_en"),
	"signatory_title_ar": message.New("print.gap.signatory_title_ar"),
	"signatory_title_en": message.New("print.gap.signatory_title_en"),
	"programme_ar":       message.New("print.gap.programme_ar"),
	"programme_en":       message.New("print.gap.programme_en"),
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
			gaps = append(gaps, newGap(g.field, GapWorkshop, g.name))
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
			words = message.New("print.gap.template_text", message.Latin("name", name))
		}
		gaps = append(gaps, newGap(name, GapTemplate, words))
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
