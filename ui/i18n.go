package ui

import (
	"embed"
	"log/slog"
	"strings"

	"fyne.io/fyne/v2/lang"
)

// Fyne's own words (the file chooser's title and buttons, Cancel, OK,
// Yes, No, the entries' menu) in both languages: Fyne 2.7 has no Arabic.
//
//go:embed translations/fyne.*.json
var fyneWords embed.FS

// fyneLanguage makes Fyne's own dialogs speak l. Fyne picks its language
// once, from the computer's locale, and has no call to change it; but it
// takes translations at any time and then looks its language up again. So
// the words of l are added as the translation for the computer's own
// locale: Fyne then finds them, in whatever language the app was started
// and however often it is switched. Dialogs already open keep their words.
func fyneLanguage(l Lang) {
	data, err := fyneWords.ReadFile("translations/fyne." + string(l) + ".json")
	if err == nil {
		err = lang.AddTranslationsForLocale(data, lang.SystemLocale())
	}
	if err != nil {
		slog.Warn("ui: Fyne's translations", "lang", l, "err", err)
	}
}

// Lang is the language the app speaks: every string a person reads goes
// through the catalog in messages.go, in English and Arabic.
type Lang string

const (
	English Lang = "en"
	Arabic  Lang = "ar"
)

// RTL reports whether the language reads right to left, so layouts mirror.
func (l Lang) RTL() bool { return l == Arabic }

// T is the message for key in l. A key missing from the catalog is logged
// and shown as itself, which the catalog test prevents.
func (l Lang) T(key string) string {
	m, ok := messages[key]
	if !ok {
		slog.Warn("ui: no message", "key", key)
		return key
	}
	if l == Arabic {
		return m.ar
	}
	return m.en
}

// F is T with fmt.Sprintf arguments, each in a directional isolate
// (format, in text.go).
func (l Lang) F(key string, a ...any) string { return format(l.RTL(), l.T(key), a...) }

// N is the message for a count n, in the plural form the language uses for
// n: English has one and other; Arabic has zero, one, two, few (3–10),
// many (11–99) and other. Forms are catalog keys "key#form"; a form the
// catalog lacks falls back to key. The message gets n as its only argument
// when it has a verb ("شخصان" has none).
func (l Lang) N(key string, n int) string {
	form := pluralForm(l, n)
	text := ""
	if m, ok := messages[key+"#"+form]; ok {
		text = m.en
		if l == Arabic {
			text = m.ar
		}
	}
	if text == "" {
		text = l.T(key)
	}
	if strings.Contains(text, "%") {
		return format(l.RTL(), text, n)
	}
	return text
}

func pluralForm(l Lang, n int) string {
	if l != Arabic {
		if n == 1 {
			return "one"
		}
		return "other"
	}
	switch m := n % 100; {
	case n == 0:
		return "zero"
	case n == 1:
		return "one"
	case n == 2:
		return "two"
	case m >= 3 && m <= 10:
		return "few"
	case m >= 11 && m <= 99:
		return "many"
	}
	return "other"
}

// pick returns the text for l of a pair (from the store: names, places,
// validation errors), falling back to the other language when l's is empty.
func (l Lang) pick(en, ar string) string {
	if l == Arabic {
		if strings.TrimSpace(ar) != "" {
			return ar
		}
		return en
	}
	if strings.TrimSpace(en) != "" {
		return en
	}
	return ar
}

// systemLang is Arabic when the computer's locale is Arabic, else English.
func systemLang() Lang {
	if strings.HasPrefix(strings.ToLower(lang.SystemLocale().LanguageString()), "ar") {
		return Arabic
	}
	return English
}

// message is one string in both languages.
type message struct{ en, ar string }
