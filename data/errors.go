package data

import (
	"errors"
	"fmt"

	"github.com/oman-sca/safeer/message"
)

// ErrNotFound is returned when a row asked for by id does not exist.
var ErrNotFound = errors.New("not found")

// FieldError says what is wrong with one field: a message of the catalogue
// (package message) and that message rendered in English and Arabic, so
// the UI and the command line can show it next to the field in the user's
// language.
type FieldError struct {
	Field string          `json:"field"`
	En    string          `json:"en"`
	Ar    string          `json:"ar"`
	Msg   message.Message `json:"-"`
}

// NewFieldError is the problem m with field.
func NewFieldError(field string, m message.Message) FieldError {
	return FieldError{Field: field, En: m.English(), Ar: m.Arabic(), Msg: m}
}

func (e FieldError) Error() string { return e.Field + ": " + e.En }

// Message is the field's problem as a message. A FieldError made of words
// from elsewhere (the UI's own catalogue fills En and Ar) carries them as
// they are.
func (e FieldError) Message() message.Message {
	if e.Msg.IsZero() {
		return message.New("words", message.Pair("text", e.En, e.Ar))
	}
	return e.Msg
}

// ValidationError lists every problem found in one record, not just the
// first, so a person can fix them all at once.
type ValidationError struct {
	Errors []FieldError `json:"errors"`
}

func (e *ValidationError) Error() string { return e.Message().English() }

// Arabic is the whole message in Arabic.
func (e *ValidationError) Arabic() string { return e.Message().Arabic() }

// Message is every problem, each with its field's name.
func (e *ValidationError) Message() message.Message {
	parts := make([]message.Message, len(e.Errors))
	for i, fe := range e.Errors {
		parts[i] = message.New("data.field", message.Latin("field", fe.Field), message.List("problem", fe.Message()))
	}
	return message.New("data.invalid", message.Clauses("problems", parts...))
}

// Field returns the error for field, if any.
func (e *ValidationError) Field(field string) (FieldError, bool) {
	for _, fe := range e.Errors {
		if fe.Field == field {
			return fe, true
		}
	}
	return FieldError{}, false
}

// problems collects field errors while validating.
type problems []FieldError

func (p *problems) add(field string, m message.Message) {
	*p = append(*p, NewFieldError(field, m))
}

func (p problems) err() error {
	if len(p) == 0 {
		return nil
	}
	return &ValidationError{Errors: p}
}

// notFound wraps ErrNotFound with what was looked for.
func notFound(what, id string) error {
	return fmt.Errorf("%s %q: %w", what, id, ErrNotFound)
}

// words is m in English and Arabic, for the records that keep both.
func words(m message.Message) (en, ar string) { return m.English(), m.Arabic() }
