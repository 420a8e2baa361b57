package certificate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// The page: A4 landscape, in millimetres, origin at the top left.
const (
	PageWidth  = 297.0
	PageHeight = 210.0
)

// Template says what a certificate page shows and where. Positions and
// sizes are in millimetres from the page's top left, font sizes in points,
// colours "#RGB" or "#RRGGBB".
//
// A template file is JSON laid over DefaultTemplate: a file that sets only
// "vars" or "arabic_indic_digits" keeps the default layout; a file that sets
// "texts" replaces all of them.
type Template struct {
	// VerifyURL is the start of the URL in the QR code (DefaultVerifyURL).
	VerifyURL string `json:"verify_url"`
	// ArabicIndicDigits writes dates and hours in Arabic text as ٠١٢٣.
	ArabicIndicDigits bool `json:"arabic_indic_digits"`
	// Background fills the page; empty for none.
	Background string `json:"background"`
	Border     Border `json:"border"`
	// Logo is drawn in its box; with no Path, the built-in emblem is.
	Logo Image `json:"logo"`
	// Signature is the signatory's signature image; nothing when no Path.
	Signature Image   `json:"signature"`
	Images    []Image `json:"images"`
	Rules     []Rule  `json:"rules"`
	// Vars are extra placeholders, e.g. {{signatory_name_ar}}.
	Vars  map[string]string `json:"vars"`
	Texts []Text            `json:"texts"`
	QR    QRBox             `json:"qr"`
}

// Border is the built-in frame drawn around the page.
type Border struct {
	Style  string `json:"style"`  // "classic" or "none"
	Color  string `json:"color"`  // main line
	Accent string `json:"accent"` // inner line and corner ornaments
}

// Image places a PNG or JPEG file. With H zero the height follows the
// image's proportions.
type Image struct {
	Path string  `json:"path"`
	X    float64 `json:"x"`
	Y    float64 `json:"y"`
	W    float64 `json:"w"`
	H    float64 `json:"h"`
}

// Rule is a straight line, e.g. the line to sign on.
type Rule struct {
	X1    float64 `json:"x1"`
	Y1    float64 `json:"y1"`
	X2    float64 `json:"x2"`
	Y2    float64 `json:"y2"`
	Width float64 `json:"width"` // mm
	Color string  `json:"color"`
}

// Text is one line of text in a box (X, Y, W, H). Placeholders such as
// {{name_ar}} are filled per certificate; a text whose placeholder is empty
// (say {{name_en}} for a person with no English name) is left out, and the
// rest of the page stays where it is. Text too wide for its box is set
// smaller, down to MinSize, then wrapped onto up to MaxLines lines.
type Text struct {
	Text     string  `json:"text"`
	Lang     string  `json:"lang"` // "ar" or "en" (the default): which digits and word order
	X        float64 `json:"x"`
	Y        float64 `json:"y"`
	W        float64 `json:"w"`
	H        float64 `json:"h"` // lines are centred vertically in it; 0: one line's height
	Size     float64 `json:"size"`
	MinSize  float64 `json:"min_size"`  // 0: 60% of Size
	MaxLines int     `json:"max_lines"` // 0: 2
	Align    string  `json:"align"`     // "L", "C" (the default) or "R"
	Bold     bool    `json:"bold"`
	Color    string  `json:"color"`
}

// QRBox places the QR code; Size includes the quiet zone.
type QRBox struct {
	X     float64 `json:"x"`
	Y     float64 `json:"y"`
	Size  float64 `json:"size"`
	Color string  `json:"color"`
	Level string  `json:"level"` // error correction: "M" (the default) or "L"
}

// Placeholders filled from each certificate.
var builtinVars = []string{
	"name_ar", "name_en", "workshop_ar", "workshop_en", "wilayat_ar", "wilayat_en",
	"date_ar", "date_en", "hours", "code", "reissue_of", "verify_host",
}

var (
	placeholderRE = regexp.MustCompile(`\{\{\s*([^{}]*?)\s*\}\}`)
	varNameRE     = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	colourRE      = regexp.MustCompile(`^#([0-9A-Fa-f]{3}|[0-9A-Fa-f]{6})$`)
)

// DefaultTemplate is the built-in certificate: the programme's colours, a
// frame and emblem, Arabic above English, the QR code bottom right.
func DefaultTemplate() Template {
	const (
		ink    = "#16324F" // deep navy for names
		teal   = "#0E5A5A"
		gold   = "#A67C2E"
		grey   = "#5A6470"
		centre = 30.0 // left edge of the centred column
		width  = PageWidth - 2*centre
	)
	t := func(text, lang string, y, h, size float64, bold bool, color string) Text {
		return Text{Text: text, Lang: lang, X: centre, Y: y, W: width, H: h, Size: size, Bold: bold, Color: color}
	}
	// Three details columns: wilayat, date, hours.
	col := func(i int) float64 { return 70.5 + float64(i)*52 }
	detail := func(i int, text, lang string, y, h, size float64, bold bool, color string) Text {
		return Text{Text: text, Lang: lang, X: col(i), Y: y, W: 52, H: h, Size: size, Bold: bold, Color: color}
	}
	return Template{
		VerifyURL:  DefaultVerifyURL,
		Background: "#FFFDF7",
		Border:     Border{Style: "classic", Color: teal, Accent: gold},
		Logo:       Image{X: PageWidth/2 - 10, Y: 17, W: 20, H: 20},
		Signature:  Image{X: 33, Y: 158, W: 50, H: 16},
		Rules: []Rule{
			{X1: 108, Y1: 83, X2: 189, Y2: 83, Width: 0.3, Color: gold},
			{X1: 28, Y1: 176, X2: 88, Y2: 176, Width: 0.3, Color: grey},
		},
		Vars: map[string]string{
			"programme_ar":       "سفراء المدن الذكية",
			"programme_en":       "Smart City Ambassadors",
			"signatory_name_ar":  "",
			"signatory_name_en":  "",
			"signatory_title_ar": "مدير البرنامج",
			"signatory_title_en": "Programme Director",
		},
		Texts: []Text{
			t("{{programme_ar}}", "ar", 38, 8, 17, true, teal),
			t("{{programme_en}}", "en", 46, 6, 11, false, gold),
			t("شهادة حضور", "ar", 53, 14, 34, true, teal),
			t("Certificate of Attendance", "en", 67, 11, 22, false, teal),
			t("تمنح هذه الشهادة إلى · This certificate is presented to", "ar", 86, 7, 12, false, grey),
			t("{{name_ar}}", "ar", 93, 14, 30, true, ink),
			t("{{name_en}}", "en", 107, 10, 21, false, ink),
			t("لحضور ورشة العمل «{{workshop_ar}}»", "ar", 119, 9, 16, false, teal),
			t("for attending the workshop “{{workshop_en}}”", "en", 128, 8, 13, false, teal),
			detail(0, "الولاية · Wilayat", "ar", 140, 5, 9.5, false, gold),
			detail(0, "{{wilayat_ar}}", "ar", 145, 7, 13, true, ink),
			detail(0, "{{wilayat_en}}", "en", 152, 6, 11, false, ink),
			detail(1, "التاريخ · Date", "ar", 140, 5, 9.5, false, gold),
			detail(1, "{{date_ar}}", "ar", 145, 7, 13, true, ink),
			detail(1, "{{date_en}}", "en", 152, 6, 11, false, ink),
			detail(2, "عدد الساعات · Hours", "ar", 140, 5, 9.5, false, gold),
			detail(2, "{{hours}}", "ar", 145, 7, 13, true, ink),
			detail(2, "{{hours}} hours", "en", 152, 6, 11, false, ink),
			{Text: "{{signatory_name_ar}}", Lang: "ar", X: 23, Y: 177, W: 70, H: 6, Size: 12, Bold: true, Color: ink},
			{Text: "{{signatory_name_en}}", Lang: "en", X: 23, Y: 183, W: 70, H: 5, Size: 10, Color: ink},
			{Text: "{{signatory_title_ar}} · {{signatory_title_en}}", Lang: "ar", X: 23, Y: 188, W: 70, H: 5, Size: 9.5, Color: grey},
			{Text: "رمز التحقق · Verification code", Lang: "ar", X: 235, Y: 185.5, W: 50, H: 3.5, Size: 7.5, Color: grey},
			{Text: "{{code}}", Lang: "en", X: 235, Y: 189, W: 50, H: 5, Size: 12, Bold: true, Color: ink},
			{Text: "{{verify_host}}", Lang: "en", X: 235, Y: 194, W: 50, H: 3.5, Size: 7.5, Color: grey},
			{Text: "تحل محل الشهادة {{reissue_of}} · Replaces certificate {{reissue_of}}", Lang: "ar", X: 95, Y: 188, W: 107, H: 5, Size: 8.5, Color: grey},
		},
		QR: QRBox{X: 238, Y: 141, Size: 44, Color: "#000000", Level: "M"},
	}
}

// ParseTemplate reads a JSON template laid over DefaultTemplate and checks
// it. Relative image paths are taken from the working directory.
func ParseTemplate(data []byte) (Template, error) { return parseTemplate(data, "") }

// LoadTemplate reads a template file; relative image paths in it are taken
// from the file's directory.
func LoadTemplate(path string) (Template, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Template{}, fmt.Errorf("template: %w", err)
	}
	return parseTemplate(data, filepath.Dir(path))
}

func parseTemplate(data []byte, dir string) (Template, error) {
	def := DefaultTemplate()
	t := def
	// encoding/json decodes a list over the existing elements, which would
	// mix a file's texts with the default ones: start lists empty and bring
	// back the defaults only for lists the file does not mention.
	t.Texts, t.Images, t.Rules = nil, nil, nil
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&t); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			line := 1 + bytes.Count(data[:min(int(te.Offset), len(data))], []byte("\n"))
			return Template{}, fmt.Errorf("template: %s: %s is not a %s (line %d)", te.Field, te.Value, te.Type, line)
		}
		return Template{}, fmt.Errorf("template: %w", err)
	}
	if dec.More() {
		return Template{}, errors.New("template: more than one JSON value")
	}
	var present map[string]json.RawMessage
	if err := json.Unmarshal(data, &present); err != nil {
		return Template{}, fmt.Errorf("template: %w", err)
	}
	if _, ok := present["texts"]; !ok {
		t.Texts = def.Texts
	}
	if _, ok := present["images"]; !ok {
		t.Images = def.Images
	}
	if _, ok := present["rules"]; !ok {
		t.Rules = def.Rules
	}
	for _, img := range []*Image{&t.Logo, &t.Signature} {
		img.Path = resolve(dir, img.Path)
	}
	for i := range t.Images {
		t.Images[i].Path = resolve(dir, t.Images[i].Path)
	}
	if err := t.Validate(); err != nil {
		return Template{}, err
	}
	return t, nil
}

func resolve(dir, path string) string {
	if path == "" || dir == "" || filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(dir, path)
}

// Validate checks a template and names the first field that is wrong,
// e.g. `template: texts[3].color: "#12G" is not a colour`.
func (t *Template) Validate() error {
	fail := func(field, format string, args ...any) error {
		return fmt.Errorf("template: %s: %s", field, fmt.Sprintf(format, args...))
	}
	colour := func(field, c string, optional bool) error {
		if c == "" && optional {
			return nil
		}
		if !colourRE.MatchString(c) {
			return fail(field, "%q is not a colour (#RGB or #RRGGBB)", c)
		}
		return nil
	}
	box := func(field string, x, y, w, h float64) error {
		switch {
		case w <= 0:
			return fail(field+".w", "%v must be more than 0", w)
		case h < 0:
			return fail(field+".h", "%v must not be negative", h)
		case x < 0 || x+w > PageWidth:
			return fail(field+".x", "box %v..%v mm is off the %v mm wide page", x, x+w, PageWidth)
		case y < 0 || y+h > PageHeight:
			return fail(field+".y", "box %v..%v mm is off the %v mm high page", y, y+h, PageHeight)
		}
		return nil
	}

	if t.VerifyURL != "" {
		u, err := url.Parse(t.VerifyURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fail("verify_url", "%q is not an http(s) URL", t.VerifyURL)
		}
	}
	if err := colour("background", t.Background, true); err != nil {
		return err
	}
	switch t.Border.Style {
	case "", "classic", "none":
	default:
		return fail("border.style", "%q is not one of classic, none", t.Border.Style)
	}
	if t.Border.Style != "none" {
		if err := colour("border.color", t.Border.Color, false); err != nil {
			return err
		}
		if err := colour("border.accent", t.Border.Accent, false); err != nil {
			return err
		}
	}
	images := []struct {
		field string
		img   Image
		opt   bool
	}{{"logo", t.Logo, true}, {"signature", t.Signature, true}}
	for i, img := range t.Images {
		images = append(images, struct {
			field string
			img   Image
			opt   bool
		}{fmt.Sprintf("images[%d]", i), img, false})
	}
	for _, im := range images {
		if im.img.Path == "" && im.opt {
			if im.img.W == 0 { // no box: nothing drawn
				continue
			}
		} else {
			if im.img.Path == "" {
				return fail(im.field+".path", "missing")
			}
			switch strings.ToLower(filepath.Ext(im.img.Path)) {
			case ".png", ".jpg", ".jpeg":
			default:
				return fail(im.field+".path", "%q is not a .png, .jpg or .jpeg file", im.img.Path)
			}
			if _, err := os.Stat(im.img.Path); err != nil {
				return fail(im.field+".path", "%v", err)
			}
		}
		if err := box(im.field, im.img.X, im.img.Y, im.img.W, im.img.H); err != nil {
			return err
		}
	}
	for i, r := range t.Rules {
		f := fmt.Sprintf("rules[%d]", i)
		if err := colour(f+".color", r.Color, false); err != nil {
			return err
		}
		if r.Width <= 0 || r.Width > 10 {
			return fail(f+".width", "%v must be more than 0 and at most 10 mm", r.Width)
		}
		for _, p := range [][2]float64{{r.X1, r.Y1}, {r.X2, r.Y2}} {
			if p[0] < 0 || p[0] > PageWidth || p[1] < 0 || p[1] > PageHeight {
				return fail(f, "point (%v, %v) is off the page", p[0], p[1])
			}
		}
	}
	builtin := make(map[string]bool, len(builtinVars))
	for _, v := range builtinVars {
		builtin[v] = true
	}
	for k := range t.Vars {
		if !varNameRE.MatchString(k) {
			return fail("vars", "%q is not a placeholder name (a-z, 0-9, _)", k)
		}
		if builtin[k] {
			return fail("vars."+k, "is filled from each certificate and cannot be set here")
		}
	}
	for i, tx := range t.Texts {
		f := fmt.Sprintf("texts[%d]", i)
		if strings.TrimSpace(tx.Text) == "" {
			return fail(f+".text", "empty")
		}
		for _, m := range placeholderRE.FindAllStringSubmatch(tx.Text, -1) {
			if _, ok := t.Vars[m[1]]; !ok && !builtin[m[1]] {
				return fail(f+".text", "unknown placeholder %s (known: %s and vars)", m[0], strings.Join(builtinVars, ", "))
			}
		}
		if strings.Contains(placeholderRE.ReplaceAllString(tx.Text, ""), "{{") {
			return fail(f+".text", "unclosed placeholder in %q", tx.Text)
		}
		switch tx.Lang {
		case "", "ar", "en":
		default:
			return fail(f+".lang", "%q is not ar or en", tx.Lang)
		}
		switch tx.Align {
		case "", "L", "C", "R":
		default:
			return fail(f+".align", "%q is not L, C or R", tx.Align)
		}
		if tx.Size <= 0 || tx.Size > 200 {
			return fail(f+".size", "%v pt must be more than 0 and at most 200", tx.Size)
		}
		if tx.MinSize < 0 || tx.MinSize > tx.Size {
			return fail(f+".min_size", "%v pt must be between 0 and size (%v)", tx.MinSize, tx.Size)
		}
		if tx.MaxLines < 0 || tx.MaxLines > 10 {
			return fail(f+".max_lines", "%d must be between 0 and 10", tx.MaxLines)
		}
		if err := colour(f+".color", tx.Color, true); err != nil {
			return err
		}
		if err := box(f, tx.X, tx.Y, tx.W, tx.H); err != nil {
			return err
		}
	}
	if t.QR.Size < 15 {
		return fail("qr.size", "%v mm is too small to scan from print (at least 15)", t.QR.Size)
	}
	if err := box("qr", t.QR.X, t.QR.Y, t.QR.Size, t.QR.Size); err != nil {
		return err
	}
	if err := colour("qr.color", t.QR.Color, true); err != nil {
		return err
	}
	switch t.QR.Level {
	case "", "M", "L":
	default:
		return fail("qr.level", "%q is not M or L", t.QR.Level)
	}
	return nil
}
