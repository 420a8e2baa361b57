package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/oman-sca/safeer/certificate"
)

// settingsScreen switches the language (at once, without a restart), sets
// where certificates are saved, and says which database and device this is.
type settingsScreen struct {
	u         *UI
	language  *widget.Select
	folder    *label
	vars      map[string]*entry
	images    map[string]*entry
	tmplSaved *label
	security  *securitySettings // nil without an encrypted store
	content   fyne.CanvasObject
}

// templateVars are the certificate's texts a coordinator may change; they
// fill the placeholders of certificate.DefaultTemplate.
var templateVars = []struct{ name, key string }{
	{"programme_ar", "tmpl.programme_ar"},
	{"programme_en", "tmpl.programme_en"},
	{"signatory_name_ar", "tmpl.signatory_name_ar"},
	{"signatory_name_en", "tmpl.signatory_name_en"},
	{"signatory_title_ar", "tmpl.signatory_title_ar"},
	{"signatory_title_en", "tmpl.signatory_title_en"},
}

// Preference keys of the certificate template.
const (
	prefTemplateVar   = "certificate.var."   // + name
	prefTemplateImage = "certificate.image." // + logo | signature
	// prefSignatoryAsked: the first issue asked for the signatory.
	prefSignatoryAsked = "certificate.signatoryasked"
)

// saveSignatory keeps the signatory's names with the certificate's texts
// (and in the settings' fields) and remembers they were asked for.
func (u *UI) saveSignatory(ar, en string) {
	prefs := u.app.Preferences()
	prefs.SetString(prefTemplateVar+"signatory_name_ar", ar)
	prefs.SetString(prefTemplateVar+"signatory_name_en", en)
	prefs.SetBool(prefSignatoryAsked, true)
	if u.settings != nil {
		u.settings.vars["signatory_name_ar"].SetText(ar)
		u.settings.vars["signatory_name_en"].SetText(en)
	}
}

// template is the certificate template with this computer's texts and
// images laid over the default.
func (u *UI) template() certificate.Template {
	t := certificate.DefaultTemplate()
	prefs := u.app.Preferences()
	for _, v := range templateVars {
		if s, ok := prefString(prefs, prefTemplateVar+v.name); ok {
			t.Vars[v.name] = s
		}
	}
	if p := prefs.String(prefTemplateImage + "logo"); p != "" {
		t.Logo.Path = p
	}
	if p := prefs.String(prefTemplateImage + "signature"); p != "" {
		t.Signature.Path = p
	}
	return t
}

// prefString reads a preference that may have been set to "".
func prefString(p fyne.Preferences, key string) (string, bool) {
	const unset = "\x00unset"
	s := p.StringWithFallback(key, unset)
	return s, s != unset
}

// languageChoices are the language options, each named in its own language
// so anyone can find theirs.
var languageChoices = []struct {
	lang Lang
	name string
}{
	{Arabic, "العربية"},
	{English, "English"},
	{"", ""}, // the system's: named in the current language
}

func newSettingsScreen(u *UI) *settingsScreen {
	s := &settingsScreen{u: u}
	var names []string
	for _, c := range languageChoices {
		if c.lang == "" {
			names = append(names, u.T("settings.system"))
		} else {
			names = append(names, c.name)
		}
	}
	s.language = u.selectBox(names, nil)
	saved := Lang(u.app.Preferences().String(prefLanguage))
	for i, c := range languageChoices {
		if c.lang == saved {
			s.language.SetSelectedIndex(i)
		}
	}
	s.language.OnChanged = func(string) {
		i := s.language.SelectedIndex()
		if i < 0 {
			return
		}
		u.setLanguage(languageChoices[i].lang)
	}
	s.folder = u.label("")
	s.vars = map[string]*entry{}
	def := certificate.DefaultTemplate()
	var tmplRows []formRow
	for _, v := range templateVars {
		e := u.entry("")
		text, ok := prefString(u.app.Preferences(), prefTemplateVar+v.name)
		if !ok {
			text = def.Vars[v.name]
		}
		e.SetText(text)
		s.vars[v.name] = e
		tmplRows = append(tmplRows, formRow{u.T(v.key), e})
	}
	s.images = map[string]*entry{}
	for _, img := range []struct{ name, key string }{{"logo", "tmpl.logo"}, {"signature", "tmpl.signature"}} {
		e := u.entry(u.T("tmpl.imageph"))
		e.SetText(u.app.Preferences().String(prefTemplateImage + img.name))
		s.images[img.name] = e
		choose := u.button(u.T("tmpl.choose"), theme.FileImageIcon(), func() { s.chooseImage(e) })
		tmplRows = append(tmplRows, formRow{u.T(img.key), u.border(nil, nil, nil, choose, e)})
	}
	s.tmplSaved = u.label("")
	saveTmpl := u.button(u.T("tmpl.save"), theme.DocumentSaveIcon(), s.saveTemplate)
	choose := u.button(u.T("certs.choosefolder"), theme.FolderOpenIcon(), func() {
		u.certificates.chooseFolder()
	})
	parts := []fyne.CanvasObject{
		u.heading(u.T("settings.language")),
		u.form(formRow{u.T("settings.language"), s.language}),
		widget.NewSeparator(),
	}
	if s.security = newSecuritySettings(u); s.security != nil {
		parts = append(parts, s.security.content, widget.NewSeparator())
	}
	s.content = container.NewVScroll(container.NewVBox(append(parts,
		u.heading(u.T("settings.certificates")),
		u.form(formRow{u.T("certs.folder"), u.border(nil, nil, nil, choose, s.folder)}),
		u.form(tmplRows...),
		u.row(saveTmpl, s.tmplSaved),
		widget.NewSeparator(),
		u.heading(u.T("settings.device")),
		u.form(
			formRow{u.T("settings.database"), u.label(u.store.Path())},
			formRow{u.T("settings.deviceid"), u.label(u.store.DeviceID())},
		),
		u.wrapped(u.T("settings.shortcuts")),
	)...))
	return s
}

func (s *settingsScreen) view() fyne.CanvasObject { return s.content }

// saveTemplate keeps the certificate's texts and images for the next
// certificates printed on this computer.
func (s *settingsScreen) saveTemplate() {
	prefs := s.u.app.Preferences()
	for name, e := range s.vars {
		prefs.SetString(prefTemplateVar+name, e.Text)
	}
	for name, e := range s.images {
		prefs.SetString(prefTemplateImage+name, e.Text)
	}
	s.tmplSaved.SetText(s.u.T("form.saved"))
}

func (s *settingsScreen) chooseImage(e *entry) {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		r.Close()
		e.SetText(r.URI().Path())
	}, s.u.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".png", ".jpg", ".jpeg"}))
	s.u.showFileDialog(d)
}

func (s *settingsScreen) shown() { s.folder.SetText(s.u.certificates.dir()) }
