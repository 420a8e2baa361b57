package data

import (
	"errors"
	"fmt"
	"strings"
)

// ErrNotFound is returned when a row asked for by id does not exist.
var ErrNotFound = errors.New("not found")

// FieldError says what is wrong with one field, in English and Arabic, so
// the UI and the command line can show it next to the field in the user's
// language.
type FieldError struct {
	Field string `json:"field"`
	En    string `json:"en"`
	Ar    string `json:"ar"`
}

func (e FieldError) Error() string { return e.Field + ": " + e.En }

// ValidationError lists every problem found in one record, not just the
// first, so a person can fix them all at once.
type ValidationError struct {
	Errors []FieldError `json:"errors"`
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Errors))
	for i, fe := range e.Errors {
		parts[i] = fe.Error()
	}
	return "invalid: " + strings.Join(parts, "; ")
}

// Arabic is the whole message in Arabic.
func (e *ValidationError) Arabic() string {
	parts := make([]string, len(e.Errors))
	for i, fe := range e.Errors {
		parts[i] = fe.Field + ": " + fe.Ar
	}
	return "بيانات غير صحيحة: " + strings.Join(parts, "؛ ")
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

func (p *problems) add(field, en, ar string) {
	*p = append(*p, FieldError{Field: field, En: en, Ar: ar})
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
