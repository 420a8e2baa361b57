package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/certificate"
	"github.com/oman-sca/safeer/hq"
)

// consolePage is what every console page's layout needs.
type consolePage struct {
	CSS    string
	Title  string
	Nav    string // the menu entry to highlight
	Admin  string // "" on the sign-in page
	CSRF   string
	Notice string
	Error  string
}

func (s *Site) base(ses *session, nav, title string) consolePage {
	return consolePage{CSS: s.cssHash, Title: title, Nav: nav, Admin: ses.Admin, CSRF: ses.CSRF}
}

// Field values of a decoded row.
func str(v map[string]any, k string) string { x, _ := v[k].(string); return x }

func truth(v map[string]any, k string) bool { return hq.Truth(v[k]) }

// eachRow calls fn with every row q selects, a page at a time, with its
// values.
func (s *Site) eachRow(ctx context.Context, q hq.RowQuery, fn func(hq.Row, map[string]any) error) error {
	return eachOf(ctx, s, q, hq.RowValues, func(r hq.Row, v map[string]any) error { return fn(r, v) })
}

// eachOf calls fn with every row q selects, a page at a time, read by of
// (hq.PersonOf, hq.WorkshopOf, …).
func eachOf[T any](ctx context.Context, s *Site, q hq.RowQuery, of func(hq.Row) (T, error), fn func(hq.Row, T) error) error {
	q.Limit = 1000
	for {
		rows, err := s.st.ListRows(ctx, q)
		if err != nil {
			return err
		}
		for _, r := range rows {
			x, err := of(r)
			if err != nil {
				return err
			}
			if err := fn(r, x); err != nil {
				return err
			}
		}
		if len(rows) < q.Limit {
			return nil
		}
		q.After = rows[len(rows)-1].ID
	}
}

// when prints a time for the console, in Muscat time.
func when(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.In(Muscat).Format("2006-01-02 15:04")
}

func whenPtr(t *time.Time) string {
	if t == nil {
		return "never"
	}
	return when(*t)
}

// Overview.

type overviewPage struct {
	consolePage
	Devices, Revoked        int
	People, Ambassadors     int
	Workshops, Certificates int
	RevokedCerts, Conflicts int
	Recent                  []hq.AuditEntry
	StaleDevices            []hq.DeviceInfo
}

func (s *Site) handleOverview(w http.ResponseWriter, r *http.Request, ses *session) {
	ctx := r.Context()
	p := overviewPage{consolePage: s.base(ses, "overview", "Overview")}
	devs, err := hq.ListDevices(ctx, s.st)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	week := s.srv.Now().Add(-7 * 24 * time.Hour)
	for _, d := range devs {
		if d.RevokedAt != nil {
			p.Revoked++
			continue
		}
		p.Devices++
		if d.LastSeen == nil || d.LastSeen.Before(week) {
			p.StaleDevices = append(p.StaleDevices, d)
		}
	}
	err = eachOf(ctx, s, hq.RowQuery{Table: safeer.TablePerson}, hq.PersonOf, func(_ hq.Row, pe safeer.Person) error {
		if !pe.Deleted && pe.MergedInto == "" {
			p.People++
			if pe.Kind == safeer.KindAmbassador {
				p.Ambassadors++
			}
		}
		return nil
	})
	if err == nil {
		err = eachOf(ctx, s, hq.RowQuery{Table: safeer.TableWorkshop}, hq.WorkshopOf, func(_ hq.Row, w safeer.Workshop) error {
			if !w.Deleted {
				p.Workshops++
			}
			return nil
		})
	}
	if err == nil {
		err = eachOf(ctx, s, hq.RowQuery{Table: safeer.TableCertificate}, hq.CertificateOf, func(_ hq.Row, c safeer.Certificate) error {
			p.Certificates++
			if c.Revoked() {
				p.RevokedCerts++
			}
			return nil
		})
	}
	if err == nil {
		err = s.eachRow(ctx, hq.RowQuery{Table: safeer.TableConflict, PendingOnly: true}, func(hq.Row, map[string]any) error {
			p.Conflicts++
			return nil
		})
	}
	if err == nil {
		p.Recent, err = s.st.AuditLog(ctx, 0, 8)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "overview", p)
}

// Devices.

type devicesPage struct {
	consolePage
	Devices      []hq.DeviceInfo
	Governorates []Gov
	// The one-time code just made, shown once.
	Code, CodeFor, CodeExpires string
	FormName                   string
	// A revocation waiting for its confirmation.
	Confirm, ConfirmName string
}

func (s *Site) devicesPage(r *http.Request, ses *session) (devicesPage, error) {
	p := devicesPage{consolePage: s.base(ses, "devices", "Devices")}
	var err error
	if p.Devices, err = hq.ListDevices(r.Context(), s.st); err != nil {
		return p, err
	}
	places, err := s.places(r.Context())
	if err != nil {
		return p, err
	}
	p.Governorates = governorates(places)
	return p, nil
}

func (s *Site) handleDevices(w http.ResponseWriter, r *http.Request, ses *session) {
	p, err := s.devicesPage(r, ses)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "devices", p)
}

func (s *Site) handleEnrol(w http.ResponseWriter, r *http.Request, ses *session) {
	name := strings.TrimSpace(r.PostForm.Get("name"))
	govs := r.PostForm["governorate"]
	p, err := s.devicesPage(r, ses)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	bad := func(msg string) {
		p.Error, p.FormName = msg, name
		s.render(w, r, http.StatusBadRequest, "devices", p)
	}
	switch {
	case name == "" || len(name) > 120:
		bad("Say whose device it is (up to 120 characters).")
		return
	case len(govs) == 0:
		bad("Tick at least one governorate the device works in.")
		return
	}
	code, expires, err := hq.CreateEnrolment(r.Context(), s.st, govs, name, s.actor(r, ses), s.srv.Now())
	if err != nil {
		bad("The code was not made: " + err.Error())
		return
	}
	scopes := strings.Join(hq.NormaliseScopes(govs), ", ")
	p.Code, p.CodeFor, p.CodeExpires = code, name+" ("+scopes+")", when(expires)
	s.render(w, r, http.StatusOK, "devices", p)
}

func (s *Site) handleRevokeDevice(w http.ResponseWriter, r *http.Request, ses *session) {
	id := strings.TrimSpace(r.PostForm.Get("id"))
	p, err := s.devicesPage(r, ses)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// The id must be whole here: the form sends it, and a prefix (which
	// the command line accepts) could name another device.
	found := false
	for _, d := range p.Devices {
		found = found || d.ID == id
	}
	if !found {
		p.Error = fmt.Sprintf("No device %q.", id)
		s.render(w, r, http.StatusBadRequest, "devices", p)
		return
	}
	// There is no script to ask "are you sure?": the first press shows
	// the question, the second (confirm=yes) revokes.
	if r.PostForm.Get("confirm") != "yes" {
		p.Confirm = id
		for _, d := range p.Devices {
			if d.ID == id {
				p.ConfirmName = d.Name
			}
		}
		s.render(w, r, http.StatusOK, "devices", p)
		return
	}
	d, err := hq.RevokeDevice(r.Context(), s.st, id, s.actor(r, ses), s.srv.Now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if p.Devices, err = hq.ListDevices(r.Context(), s.st); err != nil {
		s.fail(w, r, err)
		return
	}
	p.Notice = fmt.Sprintf("Revoked %s: its next sync is refused; it keeps its data.", d.Name)
	s.render(w, r, http.StatusOK, "devices", p)
}

// Conflicts.

type conflictRow struct {
	ID, Table, RowID, Field string
	Winner, Loser           string
	WinnerBy, LoserBy       string
	Governorate, Created    string
}

type conflictsPage struct {
	consolePage
	Governorates []Gov
	Gov          string
	Counts       []govCount
	Conflicts    []conflictRow
	More         int
}

type govCount struct {
	Gov Gov
	N   int
}

const maxConflictsShown = 200

func valueText(v any) string {
	switch x := v.(type) {
	case nil:
		return "(empty)"
	case string:
		if x == "" {
			return "(empty)"
		}
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// stampWho is the device part of a clock stamp.
func stampWho(h string) string {
	if len(h) > 20 {
		return h[20:]
	}
	return h
}

func (s *Site) handleConflicts(w http.ResponseWriter, r *http.Request, ses *session) {
	s.renderConflicts(w, r, ses, http.StatusOK, "", "")
}

func (s *Site) renderConflicts(w http.ResponseWriter, r *http.Request, ses *session, status int, notice, errMsg string) {
	ctx := r.Context()
	p := conflictsPage{consolePage: s.base(ses, "conflicts", "Conflicts")}
	p.Notice, p.Error = notice, errMsg
	places, err := s.places(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Governorates = governorates(places)
	p.Gov = r.FormValue("gov")
	counts := map[string]int{}
	err = s.eachRow(ctx, hq.RowQuery{Table: safeer.TableConflict, PendingOnly: true}, func(row hq.Row, v map[string]any) error {
		counts[row.Scope]++
		if p.Gov != "" && row.Scope != p.Gov {
			return nil
		}
		if len(p.Conflicts) >= maxConflictsShown {
			p.More++
			return nil
		}
		p.Conflicts = append(p.Conflicts, conflictRow{ID: row.ID, Table: str(v, safeer.FieldTbl), RowID: str(v, safeer.FieldRowID),
			Field: str(v, safeer.FieldField), Winner: valueText(v[safeer.FieldWinner]), Loser: valueText(v[safeer.FieldLoser]),
			WinnerBy: stampWho(str(v, safeer.FieldWinnerHLC)), LoserBy: stampWho(str(v, safeer.FieldLoserHLC)),
			Governorate: row.Scope, Created: str(v, safeer.FieldCreatedAt)})
		return nil
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, g := range p.Governorates {
		if counts[g.Code] > 0 {
			p.Counts = append(p.Counts, govCount{Gov: g, N: counts[g.Code]})
		}
	}
	s.render(w, r, status, "conflicts", p)
}

// handleResolveConflict marks a conflict reviewed at HQ: the value that
// won stays, and the devices of its governorate see it resolved.
func (s *Site) handleResolveConflict(w http.ResponseWriter, r *http.Request, ses *session) {
	id := strings.TrimSpace(r.PostForm.Get("id"))
	now := s.srv.Now().UTC()
	var notice string
	err := s.srv.Edit(r.Context(), func(e *hq.EditTx) error {
		_, v, found, err := e.Row(safeer.TableConflict, id)
		if err != nil {
			return err
		}
		if !found {
			return errNotFound("no such conflict")
		}
		if truth(v, safeer.FieldResolved) {
			notice = "That conflict was already resolved."
			return nil
		}
		if _, err := e.Set(safeer.TableConflict, id, map[string]any{safeer.FieldResolved: true, safeer.FieldResolvedAt: now.Format(time.RFC3339)}); err != nil {
			return err
		}
		notice = fmt.Sprintf("Resolved: %s of %s %s keeps %s.", str(v, safeer.FieldField), str(v, safeer.FieldTbl), str(v, safeer.FieldRowID), valueText(v[safeer.FieldWinner]))
		return e.Audit(hq.AuditEntry{At: now, Admin: ses.Admin, Action: "conflict.resolve", Target: id,
			Detail: fmt.Sprintf("%s %s %s: kept %s, dropped %s", str(v, safeer.FieldTbl), str(v, safeer.FieldRowID), str(v, safeer.FieldField),
				valueText(v[safeer.FieldWinner]), valueText(v[safeer.FieldLoser])), Remote: s.remote(r)})
	})
	if nf, ok := err.(errNotFound); ok {
		s.renderConflicts(w, r, ses, http.StatusNotFound, "", string(nf))
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderConflicts(w, r, ses, http.StatusOK, notice, "")
}

// errNotFound is a form naming something that is not there, in words.
type errNotFound string

func (e errNotFound) Error() string { return string(e) }

// Certificates.

type certificatesPage struct {
	consolePage
	Typed   string
	Answer  *Answer
	Rows    []certInfo
	Revoked []certInfo
}

type certInfo struct {
	ID, Code, Attendance, Device, IssuedAt string
	RevokedAt, Reason, ReissueOf           string
	Scope                                  string
}

func certInfoOf(row hq.Row, c safeer.Certificate) certInfo {
	return certInfo{ID: c.ID, Code: certificate.FormatCode(c.Code), Attendance: c.AttendanceID,
		Device: c.DeviceID, IssuedAt: c.IssuedAt, RevokedAt: c.RevokedAt,
		Reason: c.RevokedReason, ReissueOf: certificate.FormatCode(c.ReissueOf), Scope: row.Scope}
}

func (s *Site) handleCertificates(w http.ResponseWriter, r *http.Request, ses *session) {
	s.renderCertificates(w, r, ses, http.StatusOK, r.URL.Query().Get("code"), "", "")
}

func (s *Site) renderCertificates(w http.ResponseWriter, r *http.Request, ses *session, status int, typed, notice, errMsg string) {
	ctx := r.Context()
	p := certificatesPage{consolePage: s.base(ses, "certificates", "Certificates"), Typed: typed}
	p.Notice, p.Error = notice, errMsg
	if strings.TrimSpace(typed) != "" {
		a, err := s.Verify(ctx, typed)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p.Answer = &a
		if code, err := certificate.NormalizeCode(typed); err == nil {
			rows, err := s.st.CertificatesByCode(ctx, code)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			for _, row := range rows {
				c, err := hq.CertificateOf(row)
				if err != nil {
					s.fail(w, r, err)
					return
				}
				p.Rows = append(p.Rows, certInfoOf(row, c))
			}
			p.Typed = certificate.FormatCode(code)
		}
	}
	// The latest revocations, newest first (ids are UUIDv7: time order).
	err := eachOf(ctx, s, hq.RowQuery{Table: safeer.TableCertificate}, hq.CertificateOf, func(row hq.Row, c safeer.Certificate) error {
		if c.Revoked() {
			p.Revoked = append(p.Revoked, certInfoOf(row, c))
		}
		return nil
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for i, j := 0, len(p.Revoked)-1; i < j; i, j = i+1, j-1 {
		p.Revoked[i], p.Revoked[j] = p.Revoked[j], p.Revoked[i]
	}
	if len(p.Revoked) > 50 {
		p.Revoked = p.Revoked[:50]
	}
	s.render(w, r, status, "certificates", p)
}

// handleRevokeCertificate revokes a certificate at HQ: the row's
// revoked_at and revoked_reason change under HQ's clock, so the devices
// of its governorate pull the revocation, and the verification page says
// revoked at once.
func (s *Site) handleRevokeCertificate(w http.ResponseWriter, r *http.Request, ses *session) {
	typed := r.PostForm.Get("code")
	reason := safeer.CollapseSpaces(r.PostForm.Get("reason"))
	code, err := certificate.NormalizeCode(typed)
	if err != nil {
		s.renderCertificates(w, r, ses, http.StatusBadRequest, typed, "", "That is not a verification code: "+err.Error())
		return
	}
	if reason == "" || len(reason) > 500 {
		s.renderCertificates(w, r, ses, http.StatusBadRequest, typed, "", "Say why the certificate is revoked (up to 500 characters): the reason is kept at HQ and on the devices.")
		return
	}
	rows, err := s.st.CertificatesByCode(r.Context(), code)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(rows) == 0 {
		s.renderCertificates(w, r, ses, http.StatusNotFound, typed, "", "HQ has no certificate "+certificate.FormatCode(code)+".")
		return
	}
	now := s.srv.Now().UTC()
	revoked := 0
	err = s.srv.Edit(r.Context(), func(e *hq.EditTx) error {
		for _, row := range rows {
			cur, _, found, err := e.Row(safeer.TableCertificate, row.ID)
			if err != nil {
				return err
			}
			c, err := hq.CertificateOf(cur)
			if err != nil {
				return err
			}
			if !found || c.Revoked() {
				continue
			}
			if _, err := e.Set(safeer.TableCertificate, row.ID, map[string]any{
				safeer.FieldRevokedAt: now.Format(time.RFC3339), safeer.FieldRevokedReason: reason}); err != nil {
				return err
			}
			revoked++
		}
		if revoked == 0 {
			return nil
		}
		return e.Audit(hq.AuditEntry{At: now, Admin: ses.Admin, Action: "certificate.revoke",
			Target: certificate.FormatCode(code), Detail: reason, Remote: s.remote(r)})
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if revoked == 0 {
		s.renderCertificates(w, r, ses, http.StatusOK, typed, "Certificate "+certificate.FormatCode(code)+" was already revoked.", "")
		return
	}
	s.renderCertificates(w, r, ses, http.StatusOK, typed,
		"Revoked "+certificate.FormatCode(code)+". The verification page says so now; the devices learn it at their next sync.", "")
}

// Audit log.

type auditPage struct {
	consolePage
	Entries []hq.AuditEntry
	Older   int64
}

const auditPageSize = 100

func (s *Site) handleAudit(w http.ResponseWriter, r *http.Request, ses *session) {
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	entries, err := s.st.AuditLog(r.Context(), before, auditPageSize+1)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := auditPage{consolePage: s.base(ses, "audit", "Audit log")}
	if len(entries) > auditPageSize {
		entries = entries[:auditPageSize]
		p.Older = entries[len(entries)-1].ID
	}
	p.Entries = entries
	s.render(w, r, http.StatusOK, "audit", p)
}
