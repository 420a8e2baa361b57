// Package message is Safeer's one catalogue of bilingual messages. A
// Message is a Code and its Args; the catalogue (catalogue.go) holds, for
// each code, one English and one Arabic template with named placeholders
// ("{value}"). Rendering a message in a language fills the placeholders,
// each argument wrapped in a Unicode isolate (LRI … PDI for numbers, paths,
// phones, codes and Latin text; FSI … PDI for names and typed text of
// unknown direction), so the bidi algorithm sees every argument as one
// whole run and never reorders it with the words around it: no message is
// concatenated from pieces.
//
// Errors carry a Message (Error, or any error with a Message method, found
// by Find), and the app, the command line and HQ's pages render it in the
// reader's language. It depends on nothing but the standard library.
package message

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Lang is a language messages are rendered in.
type Lang int

const (
	English Lang = iota
	Arabic
)

func (l Lang) String() string {
	if l == Arabic {
		return "ar"
	}
	return "en"
}

// LangOfLocale reads a POSIX locale name (ar_OM.UTF-8, en_GB, C): Arabic
// for ar and its variants, English for anything else.
func LangOfLocale(locale string) Lang {
	l := strings.ToLower(strings.TrimSpace(locale))
	if l == "ar" || strings.HasPrefix(l, "ar_") || strings.HasPrefix(l, "ar.") || strings.HasPrefix(l, "ar-") || strings.HasPrefix(l, "ar@") {
		return Arabic
	}
	return English
}

// LangOfEnv is the language of messages for a program run with the
// environment getenv reads: the first of LC_ALL, LC_MESSAGES and LANG that
// is set decides, as POSIX has it.
func LangOfEnv(getenv func(string) string) Lang {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := getenv(k); v != "" {
			return LangOfLocale(v)
		}
	}
	return English
}

// The Unicode isolates (UAX #9): an isolate's content is laid out on its
// own and the text around it sees one neutral character.
const (
	LRI = "\u2066" // LEFT-TO-RIGHT ISOLATE
	RLI = "\u2067" // RIGHT-TO-LEFT ISOLATE
	FSI = "\u2068" // FIRST STRONG ISOLATE: direction of the first strong letter
	PDI = "\u2069" // POP DIRECTIONAL ISOLATE
)

// LTR is a left-to-right run (a command, a flag, a file name, a code) as
// it stands in a line of language l that is not a message of the
// catalogue (a help page's table): isolated (LRI … PDI) in Arabic, plain
// in English, as a Latin argument is rendered.
func (l Lang) LTR(s string) string { return isolate(l, LRI, s) }

// Code names a message in the catalogue, after what it means
// ("input.phone.digits").
type Code string

// kind is how an argument is isolated and rendered.
type kind uint8

const (
	kindText       kind = iota // FSI: names, titles
	kindLatin                  // LRI: paths, phones, codes, numbers, Latin words
	kindQuoted                 // FSI: typed text, between guillemets inside the isolate
	kindQuotedList             // several of those, joined with ", "
	kindPair                   // FSI: a value with a form in each language (a place's names)
	kindList                   // messages rendered in the same language, joined with ", "
	kindClauses                // the same, joined with "; "
)

// Arg is one named argument of a message.
type Arg struct {
	Name   string
	Value  string    // kindText, kindLatin; the English form for kindPair
	Ar     string    // kindPair: the Arabic form
	Values []string  // kindQuotedList
	List   []Message // kindList, kindClauses
	kind   kind
}

// Text is an argument of unknown direction (a name, a title): isolated
// with FSI, so it takes the direction of its first strong letter.
func Text(name, value string) Arg { return Arg{Name: name, Value: value, kind: kindText} }

// Quoted is a value as someone typed it or a file holds it (a cell, a
// header, a file name), shown between guillemets: the marks go inside the
// FSI isolate, so they stay with the value whatever its direction.
func Quoted(name, value string) Arg { return Arg{Name: name, Value: value, kind: kindQuoted} }

// QuotedList is several quoted values, joined with the language's list
// separator.
func QuotedList(name string, values ...string) Arg {
	return Arg{Name: name, Values: values, kind: kindQuotedList}
}

// Latin is an argument that reads left to right whatever the language: a
// path, a phone, a code, a number, a Latin word. Isolated with LRI.
func Latin(name, value string) Arg { return Arg{Name: name, Value: value, kind: kindLatin} }

// Int is a whole number, left to right.
func Int(name string, n int) Arg { return Latin(name, strconv.Itoa(n)) }

// Float is a number written as %g writes it (2.5, 24), left to right.
func Float(name string, f float64) Arg { return Latin(name, strconv.FormatFloat(f, 'g', -1, 64)) }

// List is an argument made of messages of the catalogue, each rendered in
// the language of the whole and isolated, joined with the language's list
// separator (", " or "، ").
func List(name string, ms ...Message) Arg { return Arg{Name: name, List: ms, kind: kindList} }

// Pair is a value that has a form in each language, as data holds it (a
// governorate's or a month's name): isolated with FSI.
func Pair(name, en, ar string) Arg { return Arg{Name: name, Value: en, Ar: ar, kind: kindPair} }

// Clauses is List joined with "; " ("؛ " in Arabic): whole sentences.
func Clauses(name string, ms ...Message) Arg { return Arg{Name: name, List: ms, kind: kindClauses} }

// Message is a code of the catalogue with its arguments.
type Message struct {
	Code Code
	Args []Arg
}

// New returns the message code with args.
func New(code Code, args ...Arg) Message { return Message{Code: code, Args: args} }

// Current is m when its English is english word for word, else english
// itself (isolated in Arabic): for texts kept both in code and in the
// catalogue, such as a command line's help, which must never show the
// catalogue's stale words when the code's have changed (the help tests
// of both commands fail until the catalogue catches up).
func Current(m Message, english string) Message {
	if m.English() != english {
		return New("words", Pair("text", english, english))
	}
	return m
}

// Known reports whether the catalogue has code (for codes made at run
// time, as sync's problem codes are).
func Known(code Code) bool {
	_, ok := catalogue[code]
	return ok
}

// IsZero reports whether m is no message at all.
func (m Message) IsZero() bool { return m.Code == "" }

// In renders m in language l: its template with every argument isolated.
// A code missing from the catalogue renders as the code and its arguments
// (the catalogue's test keeps that from happening).
func (m Message) In(l Lang) string {
	t, ok := catalogue[m.Code]
	if !ok {
		var b strings.Builder
		b.WriteString(string(m.Code))
		for _, a := range m.Args {
			b.WriteString(" " + a.Name + "=" + a.render(l))
		}
		return b.String()
	}
	tmpl := t.En
	if l == Arabic {
		tmpl = t.Ar
	}
	return fill(tmpl, func(name string) (string, bool) {
		for _, a := range m.Args {
			if a.Name == name {
				return a.render(l), true
			}
		}
		return "", false
	})
}

// English and Arabic are m rendered in each language.
func (m Message) English() string { return m.In(English) }
func (m Message) Arabic() string  { return m.In(Arabic) }

// String is m in English, for logs.
func (m Message) String() string { return m.In(English) }

func (a Arg) render(l Lang) string {
	open := FSI
	v := a.Value
	switch a.kind {
	case kindLatin:
		open = LRI
	case kindQuoted:
		v = "«" + a.Value + "»"
	case kindQuotedList:
		parts := make([]string, len(a.Values))
		for i, x := range a.Values {
			parts[i] = isolate(l, FSI, "«"+x+"»")
		}
		return strings.Join(parts, listSep(l, false))
	case kindPair:
		if l == Arabic && a.Ar != "" {
			v = a.Ar
		}
	case kindList, kindClauses:
		parts := make([]string, len(a.List))
		for i, m := range a.List {
			parts[i] = isolate(l, FSI, m.In(l))
		}
		return strings.Join(parts, listSep(l, a.kind == kindClauses))
	}
	return isolate(l, open, v)
}

// isolate wraps v in open … PDI. In an English sentence a value without
// right-to-left characters stays as it is: a left-to-right run inside a
// left-to-right sentence cannot be reordered, and logs and tests read it
// plain. In Arabic every argument is isolated.
func isolate(l Lang, open, v string) string {
	if l == English && !hasRTL(v) {
		return v
	}
	return open + v + PDI
}

func listSep(l Lang, clauses bool) string {
	switch {
	case clauses && l == Arabic:
		return "؛ "
	case clauses:
		return "; "
	case l == Arabic:
		return "، "
	}
	return ", "
}

// hasRTL reports whether s has a character that is not left to right in
// the bidi algorithm's eyes: Arabic or Hebrew letters, Arabic-Indic digits
// and the marks and isolates that steer direction.
func hasRTL(s string) bool {
	for _, r := range s {
		switch {
		case r >= 0x0590 && r <= 0x08ff, r >= 0xfb1d && r <= 0xfdff, r >= 0xfe70 && r <= 0xfeff,
			r >= 0x200e && r <= 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			return true
		}
	}
	return false
}

// fill replaces each {name} of tmpl with value(name); "{{" is a literal
// "{". A placeholder without a value stays as written, so a missing
// argument shows instead of vanishing.
func fill(tmpl string, value func(string) (string, bool)) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		b.WriteString(tmpl[:i])
		if strings.HasPrefix(tmpl[i:], "{{") {
			b.WriteByte('{')
			tmpl = tmpl[i+2:]
			continue
		}
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 {
			b.WriteString(tmpl[i:])
			return b.String()
		}
		name := tmpl[i+1 : i+j]
		if v, ok := value(name); ok {
			b.WriteString(v)
		} else {
			b.WriteString(tmpl[i : i+j+1])
		}
		tmpl = tmpl[i+j+1:]
	}
}

// placeholders lists the names of tmpl's placeholders, in order.
func placeholders(tmpl string) []string {
	var names []string
	fill(tmpl, func(name string) (string, bool) {
		names = append(names, name)
		return "", true
	})
	return names
}

// Error is an error whose words are a Message; Err is the cause, if any.
type Error struct {
	Msg Message
	Err error
}

// NewError returns an *Error saying code with args.
func NewError(code Code, args ...Arg) *Error { return &Error{Msg: New(code, args...)} }

// Wrap returns an *Error saying code with args, caused by err.
func Wrap(err error, code Code, args ...Arg) *Error {
	return &Error{Msg: New(code, args...), Err: err}
}

// Error is the message in English (for logs), with the cause when there
// is one.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s (%v)", e.Msg.English(), e.Err)
	}
	return e.Msg.English()
}

func (e *Error) Unwrap() error    { return e.Err }
func (e *Error) Message() Message { return e.Msg }

// Carrier is any error that says what went wrong as a Message: *Error and
// the bilingual errors of other packages (a field's problem, a sync
// failure, a spreadsheet that cannot be read).
type Carrier interface {
	error
	Message() Message
}

// Find returns the message of the first error in err's chain that carries
// one.
func Find(err error) (Message, bool) {
	var c Carrier
	if errors.As(err, &c) {
		return c.Message(), true
	}
	return Message{}, false
}

// Render returns err in words in language l when it carries a message,
// and ok false otherwise (the caller then says something general: a raw Go
// error is not for people).
func Render(err error, l Lang) (string, bool) {
	m, ok := Find(err)
	if !ok {
		return "", false
	}
	return m.In(l), true
}
