package certificate

import (
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestDefaultTemplateValid(t *testing.T) {
	tm := DefaultTemplate()
	if err := tm.Validate(); err != nil {
		t.Fatal(err)
	}
	parsed, err := ParseTemplate([]byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(parsed.Texts) != len(tm.Texts) || parsed.QR != tm.QR {
		t.Error("an empty template file should give the default template")
	}
}

func TestParseTemplateErrors(t *testing.T) {
	tests := []struct{ json, want string }{
		{`{"texts": [{"text": "x", "x": 10, "y": 10, "w": 50, "size": 12, "color": "#12G"}]}`,
			`template: texts[0].color: "#12G" is not a colour`},
		{`{"texts": [{"text": "a", "x": 10, "y": 10, "w": 50, "size": 12}, {"text": "b", "x": 10, "y": 10, "w": 50, "size": 12}, {"text": "c", "x": 10, "y": 10, "w": 50, "size": 12}, {"text": "d", "x": 10, "y": 10, "w": 50, "size": 12, "color": "red"}]}`,
			`template: texts[3].color: "red" is not a colour`},
		{`{"texts": [{"text": "{{nmae_en}}", "x": 10, "y": 10, "w": 50, "size": 12}]}`,
			`template: texts[0].text: unknown placeholder {{nmae_en}}`},
		{`{"texts": [{"text": "{{name_en", "x": 10, "y": 10, "w": 50, "size": 12}]}`,
			`template: texts[0].text: unclosed placeholder`},
		{`{"texts": [{"text": "", "x": 10, "y": 10, "w": 50, "size": 12}]}`,
			`template: texts[0].text: empty`},
		{`{"texts": [{"text": "x", "x": 250, "y": 10, "w": 50, "size": 12}]}`,
			`template: texts[0].x: box 250..300 mm is off the 297 mm wide page`},
		{`{"texts": [{"text": "x", "x": 10, "y": 10, "w": 0, "size": 12}]}`,
			`template: texts[0].w: 0 must be more than 0`},
		{`{"texts": [{"text": "x", "x": 10, "y": 10, "w": 50, "size": 0}]}`,
			`template: texts[0].size: 0 pt must be more than 0`},
		{`{"texts": [{"text": "x", "x": 10, "y": 10, "w": 50, "size": 10, "min_size": 12}]}`,
			`template: texts[0].min_size: 12 pt must be between 0 and size (10)`},
		{`{"texts": [{"text": "x", "x": 10, "y": 10, "w": 50, "size": 10, "align": "middle"}]}`,
			`template: texts[0].align: "middle" is not L, C or R`},
		{`{"texts": [{"text": "x", "x": 10, "y": 10, "w": 50, "size": 10, "lang": "fr"}]}`,
			`template: texts[0].lang: "fr" is not ar or en`},
		{`{"texts": [{"text": "x", "x": 10, "y": 10, "w": 50, "size": "big"}]}`,
			`template: texts.size:`},
		{`{"texts": [{"text": "x", "colour": "#fff"}]}`,
			`template: json: unknown field "colour"`},
		{`{"background": "#ffff"}`, `template: background: "#ffff" is not a colour`},
		{`{"border": {"style": "fancy"}}`, `template: border.style: "fancy" is not one of classic, none`},
		{`{"border": {"accent": ""}}`, `template: border.accent: "" is not a colour`},
		{`{"qr": {"size": 10}}`, `template: qr.size: 10 mm is too small to scan from print`},
		{`{"qr": {"x": 280}}`, `template: qr.x: box`},
		{`{"qr": {"level": "H"}}`, `template: qr.level: "H" is not M or L`},
		{`{"logo": {"path": "missing.png"}}`, `template: logo.path: stat missing.png: no such file`},
		{`{"signature": {"path": "sig.gif"}}`, `template: signature.path: "sig.gif" is not a .png, .jpg or .jpeg file`},
		{`{"images": [{"x": 1, "y": 1, "w": 10}]}`, `template: images[0].path: missing`},
		{`{"rules": [{"x1": 0, "y1": 0, "x2": 400, "y2": 0, "width": 1, "color": "#000"}]}`, `template: rules[0]: point (400, 0) is off the page`},
		{`{"rules": [{"x1": 0, "y1": 0, "x2": 10, "y2": 0, "width": 0, "color": "#000"}]}`, `template: rules[0].width: 0 must be more`},
		{`{"vars": {"name_en": "x"}}`, `template: vars.name_en: is filled from each certificate`},
		{`{"vars": {"Bad Name": "x"}}`, `template: vars: "Bad Name" is not a placeholder name`},
		{`{"verify_url": "ftp://x/"}`, `template: verify_url: "ftp://x/" is not an http(s) URL`},
		{`{"arabic_indic_digits": true} {}`, `template: more than one JSON value`},
		{`{"texts": [`, `template: unexpected EOF`},
	}
	for _, tt := range tests {
		_, err := ParseTemplate([]byte(tt.json))
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("ParseTemplate(%s)\n got: %v\nwant: %s…", tt.json, err, tt.want)
		}
	}
}

func TestParseTemplateOverlay(t *testing.T) {
	tm, err := ParseTemplate([]byte(`{
		"arabic_indic_digits": true,
		"vars": {"signatory_name_ar": "سالم", "org": "SCA"},
		"qr": {"size": 50}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	def := DefaultTemplate()
	if !tm.ArabicIndicDigits || tm.QR.Size != 50 || tm.QR.X != def.QR.X || len(tm.Texts) != len(def.Texts) {
		t.Errorf("overlay lost defaults: %+v", tm.QR)
	}
	if tm.Vars["signatory_name_ar"] != "سالم" || tm.Vars["programme_en"] != def.Vars["programme_en"] {
		t.Errorf("vars not merged: %v", tm.Vars)
	}
	// A file's texts replace the default ones wholesale; missing fields of
	// a text do not come from the default text at the same index.
	tm, err = ParseTemplate([]byte(`{"texts": [{"text": "Hi {{name_en}}", "x": 10, "y": 10, "w": 100, "size": 12}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(tm.Texts) != 1 || tm.Texts[0].Bold || tm.Texts[0].Lang != "" || tm.Texts[0].Color != "" {
		t.Errorf("texts = %+v", tm.Texts)
	}
}

func TestLoadTemplateRelativeImages(t *testing.T) {
	dir := t.TempDir()
	writePNG(t, filepath.Join(dir, "logo.png"), 40, 40)
	path := filepath.Join(dir, "cert.json")
	if err := os.WriteFile(path, []byte(`{"logo": {"path": "logo.png", "x": 138, "y": 16, "w": 21}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	tm, err := LoadTemplate(path)
	if err != nil {
		t.Fatal(err)
	}
	if tm.Logo.Path != filepath.Join(dir, "logo.png") {
		t.Errorf("logo path %q not resolved against the template's directory", tm.Logo.Path)
	}
	if _, err := LoadTemplate(filepath.Join(dir, "none.json")); err == nil {
		t.Error("missing template file accepted")
	}
}

// writePNG writes a small test image: a dark diagonal stroke.
func writePNG(t testing.TB, path string, w, h int) {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range min(w, h) {
		img.Set(i, h-1-i, color.NRGBA{20, 40, 90, 255})
		img.Set(i, max(0, h-2-i), color.NRGBA{20, 40, 90, 255})
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}

// The default template, written out, is a complete template file: a
// starting point for anyone who wants to change the layout.
func TestDefaultTemplateRoundTrip(t *testing.T) {
	data, err := json.MarshalIndent(DefaultTemplate(), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseTemplate(data)
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	if !reflect.DeepEqual(back, DefaultTemplate()) {
		t.Error("default template changed on a JSON round trip")
	}
}
