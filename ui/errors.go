package ui

import (
	"context"
	"errors"
	"io/fs"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/oman-sca/safeer/data"
	catalogue "github.com/oman-sca/safeer/message"
)

// words puts an error into a sentence in the user's language. People never
// see a raw Go error as the message; the technical text appears only as a
// detail for support (see showError).
func (u *UI) words(err error) string {
	if err == nil {
		return ""
	}
	var ve *data.ValidationError
	if errors.As(err, &ve) {
		var lines []string
		for _, fe := range ve.Errors {
			lines = append(lines, u.lang.pick(fe.En, fe.Ar))
		}
		return strings.Join(lines, "\n")
	}
	var fe data.FieldError
	if errors.As(err, &fe) {
		return u.lang.pick(fe.En, fe.Ar)
	}
	// Any other error that says what went wrong as a message of the
	// catalogue (a spreadsheet that cannot be read, a sync failure,
	// certificates that would print blanks, a value that is not a phone)
	// is rendered from it in the user's language.
	if s, ok := catalogue.Render(err, u.lang.catalogue()); ok {
		return s
	}
	for _, k := range []struct {
		err error
		key string
	}{
		{data.ErrNotFound, "error.notfound"},
		{data.ErrImportInUse, "error.importinuse"},
		{data.ErrInvalidRows, "error.invalidrows"},
		{data.ErrMergeSelf, "error.mergeself"},
		{data.ErrWorkshopAttended, "error.workshopattended"},
		{data.ErrAlreadyRevoked, "error.alreadyrevoked"},
		{data.ErrConflictResolved, "error.conflictresolved"},
		{context.Canceled, "error.cancelled"},
		{fs.ErrPermission, "error.permission"},
		{fs.ErrNotExist, "error.notexist"},
	} {
		if errors.Is(err, k.err) {
			return u.T(k.key)
		}
	}
	return u.T("error.generic")
}

// catalogue is l as package message (the catalogue of the packages below
// the UI) names it.
func (l Lang) catalogue() catalogue.Lang {
	if l == Arabic {
		return catalogue.Arabic
	}
	return catalogue.English
}

// showError shows err in words in a dialog, with the technical detail
// underneath in small print for whoever supports the coordinator.
func (u *UI) showError(title string, err error) {
	if err == nil || u.locked() {
		return // work cut short by the lock says nothing over the lock screen
	}
	msg := u.wrapped(u.words(err))
	detail := u.label(u.F("error.detail", err.Error()))
	detail.Wrapping = fyne.TextWrapWord
	detail.Alignment = u.align()
	detail.SizeName = theme.SizeNameCaptionText
	detail.Importance = widget.LowImportance
	content := container.NewVBox(msg, detail)
	d := u.custom(title, u.T("button.ok"), container.NewGridWrap(fyne.NewSize(460, content.MinSize().Height+80), content))
	d.Show()
}

// fieldErrors shows a validation error next to the fields: each field's
// message goes in errs[field] (aliases maps a field the store names to the
// one on screen). It returns the messages no field took.
func (u *UI) fieldErrors(err error, errs map[string]*label, aliases map[string]string) []string {
	for _, e := range errs {
		e.set("")
	}
	var ve *data.ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	var rest []string
	shown := map[string]string{}
	for _, fe := range ve.Errors {
		f := fe.Field
		if a, ok := aliases[f]; ok {
			f = a
		}
		msg := u.lang.pick(fe.En, fe.Ar)
		if e, ok := errs[f]; ok {
			if prev := shown[f]; prev != "" {
				msg = prev + " " + msg
			}
			shown[f] = msg
			e.set(msg)
			continue
		}
		rest = append(rest, msg)
	}
	return rest
}

// errorsAsValidation returns err's validation problems, if that is what it is.
func errorsAsValidation(err error) (*data.ValidationError, bool) {
	var ve *data.ValidationError
	ok := errors.As(err, &ve)
	return ve, ok
}
