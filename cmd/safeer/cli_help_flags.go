package main

import "github.com/oman-sca/safeer/message"

// flagWords are the flags' descriptions in the catalogue's words, by the
// English each flag set gives its flag (flag.Flag.Usage), for help in the
// locale's language (the encryption commands' among them, issue 14). A
// flag missing here is described in English, isolated, in Arabic help, and
// TestFlagsInBothLanguages fails.
var flagWords = map[string]message.Message{
	"places available":                    message.New("cli.flag.capacity"),
	"civil ID number":                     message.New("cli.flag.civil_id"),
	"the one-time enrolment code from HQ": message.New("cli.flag.code"),
	"date (YYYY-MM-DD or d/m/yyyy)":       message.New("cli.flag.date"),
	"database file":                       message.New("cli.flag.db"),
	"email address":                       message.New("cli.flag.email"),
	"expertise":                           message.New("cli.flag.expertise"),
	"facilitator":                         message.New("cli.flag.facilitator"),
	"add even when the person looks like someone already on the roster": message.New("cli.flag.force"),
	"csv or xlsx (default: from --out's extension)":                     message.New("cli.flag.format"),
	"male or female":                               message.New("cli.flag.gender"),
	"governorate: code (OM-MA) or name":            message.New("cli.flag.governorate"),
	"only this governorate (code)":                 message.New("cli.flag.only_governorate"),
	"hours attended (default: the whole workshop)": message.New("cli.flag.attend_hours"),
	"length in hours":                              message.New("cli.flag.hours"),
	"HQ's address, e.g. https://hq.example.om":     message.New("cli.flag.hq"),
	"HQ's public key (base64url or hex, or a file holding it); default: the one this device enrolled with": message.New("cli.flag.hq_key"),
	"allow plain http to another computer (tests only)":                                                    message.New("cli.flag.insecure_http"),
	"date joined (YYYY-MM-DD or d/m/yyyy)":                                                                 message.New("cli.flag.joined_on"),
	"machine-readable output":                                                                              message.New("cli.flag.json"),
	"ambassador or guest":                                                                                  message.New("cli.flag.kind"),
	"at most this many people (0: all)":                                                                    message.New("cli.flag.limit_people"),
	"the latest this many runs":                                                                            message.New("cli.flag.limit_runs"),
	"at most this many, newest first":                                                                      message.New("cli.flag.limit_refused"),
	"list other authors' values re-sent after HQ's restore one by one too":                                 message.New("cli.flag.all_refused"),
	"hours needed for a certificate (default: all)":                                                        message.New("cli.flag.min_hours"),
	"a name for this computer at HQ (default: its host name)":                                              message.New("cli.flag.name"),
	"name in Arabic":                  message.New("cli.flag.name_ar"),
	"name in English":                 message.New("cli.flag.name_en"),
	"notes":                           message.New("cli.flag.notes"),
	"do not check whether HQ answers": message.New("cli.flag.offline"),
	"organisation":                    message.New("cli.flag.organisation"),
	"file to write":                   message.New("cli.flag.out"),
	"write every certificate into this one PDF, one page a person": message.New("cli.flag.out_pdf"),
	"phone, any spelling of an Omani number":                       message.New("cli.flag.phone"),
	"why (travels with the revocation)":                            message.New("cli.flag.reason"),
	"the signatory's name in Arabic (else the template's)":         message.New("cli.flag.signatory_ar"),
	"the signatory's name in English (else the template's)":        message.New("cli.flag.signatory_en"),
	"write the credentials into this folder":                       message.New("cli.flag.open_badges"),
	"only this workshop's":                                         message.New("cli.flag.only_workshop"),
	"the file to write (or a folder: a new name in it)":            message.New("cli.flag.sync_out"),
	"write one PDF per person into this folder":                    message.New("cli.flag.split"),
	"start time (HH:MM)":                                           message.New("cli.flag.start_time"),
	"active or inactive":                                           message.New("cli.flag.status"),
	"only active or inactive people":                               message.New("cli.flag.only_status"),
	"planned, held or cancelled":                                   message.New("cli.flag.workshop_status"),
	"present, absent or excused":                                   message.New("cli.flag.attend_status"),
	"FIELD=merged or FIELD=kept: whose value the kept person gets (repeat it; default: a value over none, of two the more recently changed)": message.New("cli.flag.take_merge"),
	"winner or loser: the value to keep":                     message.New("cli.flag.take_conflict"),
	"certificate template (JSON); default: the built-in one": message.New("cli.flag.template"),
	"title in Arabic":                  message.New("cli.flag.title_ar"),
	"title in English":                 message.New("cli.flag.title_en"),
	"topic":                            message.New("cli.flag.topic"),
	"undo the check-in":                message.New("cli.flag.undo"),
	"venue":                            message.New("cli.flag.venue"),
	"log what sync does":               message.New("cli.flag.verbose"),
	"only this wilayat (English name)": message.New("cli.flag.only_wilayat"),
	"wilayat name, Arabic or English":  message.New("cli.flag.wilayat"),
	"workshop id":                      message.New("cli.flag.workshop"),
	"import the file even though it was imported before":                                                                  message.New("cli.flag.again"),
	"check every row and report; change nothing":                                                                          message.New("cli.flag.dry_run"),
	"HEADER=FIELD: read the column HEADER as FIELD (repeatable)":                                                          message.New("cli.flag.map"),
	"XLSX: the worksheet to read (default: the first visible)":                                                            message.New("cli.flag.sheet"),
	"import the valid rows even if some rows are not valid":                                                               message.New("cli.flag.skip_invalid"),
	"include resolved conflicts":                                                                                          message.New("cli.flag.all"),
	"read the database's passphrase from this file descriptor (one line); a new or clear one is encrypted under it":       message.New("cli.flag.passphrase_fd"),
	"read the database's passphrase from the environment variable of this name; a new or clear one is encrypted under it": message.New("cli.flag.passphrase_env"),
	"read the new passphrase from this file descriptor (one line)":                                                        message.New("cli.flag.new_passphrase_fd"),
	"read the new passphrase from the environment variable of this name":                                                  message.New("cli.flag.new_passphrase_env"),
	"HQ's recovery key: an age public key (age1…)":                                                                        message.New("cli.flag.recipient"),
}

// flagUsage is a flag's description in l.
func flagUsage(l message.Lang, usage string) string {
	if m, ok := flagWords[usage]; ok {
		return m.In(l)
	}
	return ltr(l, usage)
}
