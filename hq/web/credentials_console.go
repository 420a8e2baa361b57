package web

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/certificate"
	"github.com/oman-sca/safeer/hq"
)

// The console's list of a person's credentials (issue 16), linked from
// the roster, and the bundle of them all (a zip of JWTs) for an
// ambassador who asks.

// personCredential is one row of the list.
type personCredential struct {
	Code      string // formatted XXXXX-XXXXX
	Name      string // the credential's name: the workshop's titles
	ValidFrom string // YYYY-MM-DD
	IssuedAt  time.Time
	RevokedAt time.Time
	Index     int
}

// credentialsPage is the list's page.
type credentialsPage struct {
	consolePage
	Issuing     bool // HQ issues credentials (serve --public-url)
	PersonID    string
	NameAr      string
	NameEn      string
	Credentials []personCredential
	Valid       int
	MergedInto  string // the person this record was merged into, if any
}

// credentialSummaryOf reads what the list shows of a stored credential
// (its payload: HQ signed it, so it is read without checking again).
func credentialSummaryOf(c hq.StoredCredential) personCredential {
	p := personCredential{Code: certificate.FormatCode(c.Code), IssuedAt: c.IssuedAt, RevokedAt: c.RevokedAt, Index: c.StatusIndex}
	if parts := strings.Split(c.JWT, "."); len(parts) == 3 {
		if raw, err := base64.RawURLEncoding.DecodeString(parts[1]); err == nil {
			var v struct {
				Name      string `json:"name"`
				ValidFrom string `json:"validFrom"`
			}
			if json.Unmarshal(raw, &v) == nil {
				p.Name = v.Name
				if t, err := time.Parse(time.RFC3339, v.ValidFrom); err == nil {
					p.ValidFrom = t.In(Muscat).Format(time.DateOnly)
				}
			}
		}
	}
	return p
}

// personCredentials reads the person and their credentials; found is
// false for an unknown person.
func (s *Site) personCredentials(r *http.Request, id string) (p credentialsPage, stored []hq.StoredCredential, found bool, err error) {
	ctx := r.Context()
	row, found, err := s.st.Row(ctx, safeer.TablePerson, id)
	if err != nil || !found {
		return p, nil, found, err
	}
	person, err := hq.PersonOf(row)
	if err != nil {
		return p, nil, true, err
	}
	p.PersonID, p.NameAr, p.NameEn, p.Issuing = id, person.NameAr, person.NameEn, s.cfg.Issued != nil
	if s.cfg.Issued == nil {
		return p, nil, true, nil
	}
	p.MergedInto = person.MergedInto
	members, err := s.mergedMembers(ctx, id)
	if err != nil {
		return p, nil, true, err
	}
	for _, m := range members {
		of, err := s.cfg.Issued.OfPerson(ctx, m)
		if err != nil {
			return p, nil, true, err
		}
		stored = append(stored, of...)
	}
	sort.SliceStable(stored, func(i, j int) bool { return stored[i].IssuedAt.Before(stored[j].IssuedAt) })
	for _, c := range stored {
		p.Credentials = append(p.Credentials, credentialSummaryOf(c))
		if !c.Revoked() {
			p.Valid++
		}
	}
	return p, stored, true, nil
}

// mergedMembers is id and the people whose chain of merges ends at id
// (their credentials were issued under their own ids): the devices' and
// the activity page's reading of merges (see programme.canonical), over
// every governorate's people, since merges cross governorates.
func (s *Site) mergedMembers(ctx context.Context, id string) ([]string, error) {
	mergedTo := map[string]string{}
	err := eachOf(ctx, s, hq.RowQuery{Table: safeer.TablePerson}, hq.PersonOf, func(_ hq.Row, pe safeer.Person) error {
		if pe.MergedInto != "" {
			mergedTo[pe.ID] = pe.MergedInto
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := []string{id}
	for m := range mergedTo {
		end := m
		for range maxMergeChain {
			next, ok := mergedTo[end]
			if !ok {
				break
			}
			end = next
		}
		if end == id && m != id {
			out = append(out, m)
		}
	}
	sort.Strings(out[1:])
	return out, nil
}

// handleCredentials lists a person's credentials: /admin/credentials?person=ID.
func (s *Site) handleCredentials(w http.ResponseWriter, r *http.Request, ses *session) {
	id := strings.TrimSpace(r.URL.Query().Get("person"))
	p, _, found, err := s.personCredentials(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !found {
		s.notFound(w, r)
		return
	}
	p.consolePage = s.base(ses, "roster", "Credentials")
	s.render(w, r, http.StatusOK, "credentials", p)
}

// handleCredentialsZip bundles a person's valid credentials, one JWT
// file each (safeer-CODE.jwt), for an ambassador who asks: the audit log
// says who took them.
func (s *Site) handleCredentialsZip(w http.ResponseWriter, r *http.Request, ses *session) {
	id := strings.TrimSpace(r.URL.Query().Get("person"))
	_, stored, found, err := s.personCredentials(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !found || s.cfg.Issued == nil {
		s.notFound(w, r)
		return
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	n := 0
	for _, c := range stored {
		if c.Revoked() {
			continue
		}
		f, err := zw.CreateHeader(&zip.FileHeader{Name: "safeer-" + certificate.FormatCode(c.Code) + ".jwt",
			Method: zip.Deflate, Modified: c.IssuedAt})
		if err == nil {
			_, err = f.Write([]byte(c.JWT))
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		n++
	}
	if err := zw.Close(); err != nil {
		s.fail(w, r, err)
		return
	}
	s.audit(r, hq.AuditEntry{Admin: ses.Admin, Action: "credentials.download", Target: id,
		Detail: strconv.Itoa(n) + " credentials", Remote: s.remote(r)})
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="safeer-credentials-`+s.srv.Now().In(Muscat).Format("2006-01-02")+`.zip"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}
