package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/oman-sca/safeer/certificate"
	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/message"
)

func (m *Main) runCertificates(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usagef("certificates: expected issue, list, revoke, verify or export")
	}
	sub, args := args[0], args[1:]
	switch sub {
	case "issue":
		return m.certificatesIssue(ctx, args)
	case "list":
		return m.certificatesList(ctx, args)
	case "revoke":
		return m.certificatesRevoke(ctx, args)
	case "verify":
		return m.certificatesVerify(ctx, args)
	case "export":
		return m.certificatesExport(ctx, args)
	}
	return usagef("certificates: unknown subcommand %q", sub)
}

func (m *Main) certificatesIssue(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("certificates issue", flag.ContinueOnError)
	workshop := fs.String("workshop", "", "workshop id")
	out := fs.String("out", "", "write every certificate into this one PDF, one page a person")
	split := fs.String("split", "", "write one PDF per person into this folder")
	tmplPath := fs.String("template", "", "certificate template (JSON); default: the built-in one")
	sigAr := fs.String("signatory-ar", "", "the signatory's name in Arabic (else the template's)")
	sigEn := fs.String("signatory-en", "", "the signatory's name in English (else the template's)")
	pos, err := m.parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 || *workshop == "" || (*out == "") == (*split == "") {
		return usagef("certificates issue --workshop ID (--out FILE.pdf | --split DIR)")
	}
	tmpl := certificate.DefaultTemplate()
	if *tmplPath != "" {
		if tmpl, err = certificate.LoadTemplate(*tmplPath); err != nil {
			return err
		}
	}
	if *sigAr != "" {
		tmpl.Vars["signatory_name_ar"] = *sigAr
	}
	if *sigEn != "" {
		tmpl.Vars["signatory_name_en"] = *sigEn
	}
	return m.withStore(ctx, func(s *data.Store) error {
		// Nothing is issued that would print a blank: the same check, the
		// same words and the same files as the app.
		rep, signed, err := s.IssueToPrint(ctx, *workshop, tmpl)
		if err != nil {
			return err // an *data.IncompleteError names the blanks in the catalogue's words
		}
		files := []string{}
		switch {
		case len(signed) == 0:
		case *out != "":
			if err := certificate.WriteFile(ctx, *out, tmpl, signed...); err != nil {
				return err
			}
			files = append(files, *out)
		default:
			if files, err = certificate.WriteEach(ctx, *split, tmpl, signed...); err != nil {
				return err
			}
		}
		if m.JSON {
			m.printJSON(m.Stdout, map[string]any{"workshop": rep.Workshop.ID, "issued": rep.Issued,
				"reprinted": rep.Reprints, "skipped": rep.Skipped, "files": files})
			return nil
		}
		fmt.Fprintf(m.Stdout, "%d certificates issued, %d reprinted, %d attendees skipped\n", len(rep.Issued), len(rep.Reprints), len(rep.Skipped))
		for _, sk := range rep.Skipped {
			fmt.Fprintf(m.Stdout, "  skipped %s: %s\n", firstNonEmpty(sk.NameAr, sk.NameEn), sk.En)
		}
		for _, f := range files {
			fmt.Fprintln(m.Stdout, f)
		}
		return nil
	})
}

func (m *Main) certificatesList(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("certificates list", flag.ContinueOnError)
	workshop := fs.String("workshop", "", "workshop id")
	if _, err := m.parseFlags(fs, args); err != nil {
		return err
	}
	if *workshop == "" {
		return usagef("certificates list --workshop ID")
	}
	return m.withStore(ctx, func(s *data.Store) error {
		ok, skipped, err := s.Eligibility(ctx, *workshop)
		if err != nil {
			return err
		}
		certs, err := s.WorkshopCertificates(ctx, *workshop)
		if err != nil {
			return err
		}
		if m.JSON {
			if certs == nil {
				certs = []data.CertificateRow{}
			}
			m.printJSON(m.Stdout, map[string]any{"eligible": ok, "skipped": skipped, "certificates": certs})
			return nil
		}
		for _, c := range certs {
			state := "valid"
			if c.RevokedAt != "" {
				state = "revoked " + c.RevokedAt + ": " + c.RevokedReason
			}
			fmt.Fprintf(m.Stdout, "%s  %s  %s  %s\n", certificate.FormatCode(c.Code), c.Snapshot.PersonNameAr, c.Snapshot.PersonNameEn, state)
		}
		for _, sk := range skipped {
			fmt.Fprintf(m.Stdout, "not eligible: %s: %s\n", firstNonEmpty(sk.NameAr, sk.NameEn), sk.En)
		}
		return nil
	})
}

func (m *Main) certificatesRevoke(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("certificates revoke", flag.ContinueOnError)
	reason := fs.String("reason", "", "why (travels with the revocation)")
	pos, err := m.parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := exactly(1, pos, "certificates revoke CODE --reason TEXT"); err != nil {
		return err
	}
	return m.withStore(ctx, func(s *data.Store) error {
		c, err := s.RevokeCertificate(ctx, pos[0], *reason)
		if err != nil {
			return err
		}
		return m.done(map[string]any{"code": c.Code, "revoked_at": c.RevokedAt, "reason": c.RevokedReason})
	})
}

// verification is what verify prints.
type verification struct {
	Status        certificate.Status `json:"status"`
	Message       string             `json:"message"`
	Code          string             `json:"code,omitempty"`
	NameAr        string             `json:"name_ar,omitempty"`
	NameEn        string             `json:"name_en,omitempty"`
	WorkshopAr    string             `json:"workshop_ar,omitempty"`
	WorkshopEn    string             `json:"workshop_en,omitempty"`
	Wilayat       string             `json:"wilayat,omitempty"`
	Date          string             `json:"date,omitempty"`
	Hours         float64            `json:"hours,omitempty"`
	Device        string             `json:"device,omitempty"`
	RevokedAt     string             `json:"revoked_at,omitempty"`
	RevokedReason string             `json:"revoked_reason,omitempty"`
	// ThisComputer: signed with this computer's own key (FILE.db.key).
	ThisComputer bool `json:"this_computer,omitempty"`
}

var statusWords = map[certificate.Status]string{
	certificate.StatusValid:         "valid: signed by a device HQ endorsed",
	certificate.StatusTampered:      "TAMPERED: the record does not match its signature",
	certificate.StatusUnknownSigner: "UNKNOWN SIGNER: the device was not endorsed by this HQ key",
	certificate.StatusNotEndorsed:   "NOT YET ENDORSED: issued by a device before it enrolled with HQ",
	certificate.StatusRevoked:       "REVOKED",
	certificate.StatusMalformed:     "not a Safeer certificate record",
}

func (m *Main) certificatesVerify(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("certificates verify", flag.ContinueOnError)
	keyArg := fs.String("hq-key", "", "HQ's public key (base64url or hex, or a file holding it); default: the one this device enrolled with")
	pos, err := m.parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := exactly(1, pos, "certificates verify QRTEXT|FILE.pdf [--hq-key KEY]"); err != nil {
		return err
	}
	texts := []string{pos[0]}
	if strings.HasSuffix(strings.ToLower(pos[0]), ".pdf") {
		b, err := os.ReadFile(pos[0])
		if err != nil {
			return message.Wrap(err, "cli.certificates.unreadable", message.Latin("path", pos[0]), message.Latin("cause", err.Error()))
		}
		if texts = certificate.RecordsInPDF(b); len(texts) == 0 {
			return message.NewError("cli.certificates.no_record", message.Latin("path", pos[0]))
		}
	}
	var hqKey, ownKey ed25519.PublicKey
	revoked := certificate.RevocationFunc(nil)
	// The device's database gives the revocations it knows, by default HQ's
	// key, and this computer's own key; verification works without them.
	// It is opened as it is, never made nor encrypted here (verifying reads
	// no personal data: the names are the record's); an encrypted one is
	// unlocked when a passphrase is given (--passphrase-fd or -env), to
	// tell this computer's own signature, whose key is sealed.
	if path, err := m.dbPath(); err == nil {
		if _, err := os.Stat(path); err == nil {
			if s, err := data.Open(ctx, path, m.storeOptions()...); err == nil {
				defer s.Close()
				if s.Locked() && !m.fromTerminal() {
					if err := m.unlock(ctx, s); err != nil {
						return err
					}
				}
				revoked = s.Revoked(ctx)
				if k, _ := s.HQPublicKey(ctx); len(k) == ed25519.PublicKeySize {
					hqKey = k
				}
				ownKey = devicePublicKey(ctx, s)
			}
		}
	}
	if *keyArg != "" {
		if hqKey, err = parseKey(*keyArg); err != nil {
			return err
		}
	}
	// Without HQ's key (a computer not yet enrolled, and no --hq-key) the
	// device's signature is still checked: a certificate this computer
	// signed before enrolling is told apart from one tampered with.
	var out []verification
	allValid := true
	for _, text := range texts {
		res := certificate.Verify(text, hqKey, revoked)
		v := verification{Status: res.Status, Message: statusWords[res.Status]}
		switch {
		case res.Status == certificate.StatusNotEndorsed && ownKey != nil && ownKey.Equal(res.Record.DevicePub):
			v.Message, v.ThisComputer = "signed by this computer, not yet endorsed by HQ", true
		case res.Status == certificate.StatusUnknownSigner && hqKey == nil:
			v.Message = "NOT CHECKED: signed by a device HQ endorsed, but there is no HQ key to check it with: give --hq-key (safeer-hq key prints it)"
		}
		if res.Status != certificate.StatusMalformed {
			r := res.Record
			v.Code, v.NameAr, v.NameEn = certificate.FormatCode(r.Code), r.PersonNameAr, r.PersonNameEn
			v.WorkshopAr, v.WorkshopEn, v.Wilayat = r.WorkshopTitleAr, r.WorkshopTitleEn, r.WilayatEn
			v.Date, v.Hours, v.Device = r.Date.Format("2006-01-02"), r.Hours, r.DeviceID
		}
		if res.Status == certificate.StatusRevoked {
			v.RevokedAt, v.RevokedReason = res.RevokedAt.Format(time.RFC3339), res.RevokedReason
		}
		allValid = allValid && res.Status == certificate.StatusValid
		out = append(out, v)
	}
	if m.JSON {
		if len(out) == 1 {
			m.printJSON(m.Stdout, out[0])
		} else {
			m.printJSON(m.Stdout, out)
		}
	} else {
		for _, v := range out {
			fmt.Fprintf(m.Stdout, "%s\n", v.Message)
			if v.Code != "" {
				fmt.Fprintf(m.Stdout, "  code      %s\n  name      %s / %s\n  workshop  %s / %s\n  wilayat   %s\n  date      %s\n  hours     %g\n",
					v.Code, v.NameAr, v.NameEn, v.WorkshopAr, v.WorkshopEn, v.Wilayat, v.Date, v.Hours)
			}
			if v.RevokedAt != "" {
				fmt.Fprintf(m.Stdout, "  revoked   %s: %s\n", v.RevokedAt, v.RevokedReason)
			}
		}
	}
	if !allValid {
		return errQuiet
	}
	return nil
}

// devicePublicKey is this computer's certificate-signing key (FILE.db.key),
// or nil if it has none yet: verifying never makes one.
func devicePublicKey(ctx context.Context, s *data.Store) ed25519.PublicKey {
	if _, err := os.Stat(s.KeyPath()); err != nil {
		return nil
	}
	sg, err := s.Signer(ctx)
	if err != nil {
		return nil
	}
	return sg.Key.Public().(ed25519.PublicKey)
}

// parseKey reads an Ed25519 public key as base64url, base64 or hex, or from
// a file holding one of those.
func parseKey(s string) (ed25519.PublicKey, error) {
	if b, err := os.ReadFile(s); err == nil {
		s = string(bytes.TrimSpace(b))
	}
	s = strings.TrimSpace(s)
	for _, dec := range []func(string) ([]byte, error){
		base64.RawURLEncoding.DecodeString, base64.URLEncoding.DecodeString,
		base64.StdEncoding.DecodeString, base64.RawStdEncoding.DecodeString, hex.DecodeString,
	} {
		if b, err := dec(s); err == nil && len(b) == ed25519.PublicKeySize {
			return ed25519.PublicKey(b), nil
		}
	}
	return nil, fmt.Errorf("--hq-key: %q is not an Ed25519 public key (32 bytes as base64url or hex)", s)
}
