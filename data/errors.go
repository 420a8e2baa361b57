package data

import (
	"errors"
	"fmt"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/message"
)

// ErrNotFound is returned when a row asked for by id does not exist.
var ErrNotFound = errors.New("not found")

// FieldError and ValidationError are the domain's (package safeer): the
// store's errors about a record's fields are those of its rules.
type (
	FieldError      = safeer.FieldError
	ValidationError = safeer.ValidationError
)

// NewFieldError is the problem m with field.
func NewFieldError(field string, m message.Message) FieldError { return safeer.NewFieldError(field, m) }

// notFound wraps ErrNotFound with what was looked for.
func notFound(what, id string) error {
	return fmt.Errorf("%s %q: %w", what, id, ErrNotFound)
}

// words is m in English and Arabic, for the records that keep both.
func words(m message.Message) (en, ar string) { return m.English(), m.Arabic() }
