package safeer

import "github.com/oman-sca/safeer/message"

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

// Problems collects field errors while validating.
type Problems []FieldError

// Add records the problem m with field.
func (p *Problems) Add(field string, m message.Message) {
	*p = append(*p, NewFieldError(field, m))
}

// Err is the problems as a *ValidationError, or nil when there are none.
func (p Problems) Err() error {
	if len(p) == 0 {
		return nil
	}
	return &ValidationError{Errors: p}
}
