package web

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/message"
	"github.com/oman-sca/safeer/sync/syncfile"
)

// Sync files (issue 15): an administrator uploads the sync files devices
// with no network sent (on a stick, by mail), HQ reads each as a push and
// a pull of its device (hq.Server.ImportSyncFile), and the console lists
// what was received and the sealed replies waiting to be collected and
// carried back.

type syncFileRow struct {
	DeviceID, DeviceName, FileID string
	Received, Via                string
	Ops                          int
	Counts                       hq.SyncFileCounts
	ReplyBytes                   string
	Collected                    string // "" while waiting
}

// uploadResult is what one uploaded file did, in both languages.
type uploadResult struct {
	Name   string
	OK     bool
	En, Ar string
}

type syncFilesPage struct {
	consolePage
	Files   []syncFileRow
	Waiting int
	Results []uploadResult
	MaxMB   int
}

func (s *Site) syncFilesPage(r *http.Request, ses *session) (syncFilesPage, error) {
	p := syncFilesPage{consolePage: s.base(ses, "syncfiles", "Sync files"), MaxMB: syncfile.MaxFileBytes >> 20}
	files, err := s.srv.SyncFiles(r.Context())
	if err != nil {
		return p, err
	}
	devs, err := hq.ListDevices(r.Context(), s.st)
	if err != nil {
		return p, err
	}
	names := map[string]string{}
	for _, d := range devs {
		names[d.ID] = d.Name
	}
	for _, f := range files {
		row := syncFileRow{DeviceID: f.DeviceID, DeviceName: names[f.DeviceID], FileID: f.FileID,
			Received: when(f.ReceivedAt), Via: f.Via, Ops: f.Ops, Counts: f.Counts(), ReplyBytes: size(f.ReplyBytes)}
		if !f.CollectedAt.IsZero() {
			row.Collected = when(f.CollectedAt)
		} else {
			p.Waiting++
		}
		p.Files = append(p.Files, row)
	}
	return p, nil
}

func size(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

func (s *Site) handleSyncFiles(w http.ResponseWriter, r *http.Request, ses *session) {
	p, err := s.syncFilesPage(r, ses)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "syncfiles", p)
}

// maxUpload bounds one upload (every file of it).
const maxUpload = syncfile.MaxFileBytes

// adminUpload is admin for a multipart form (the upload of sync files):
// the same session, origin and CSRF checks, the token read from the
// multipart body, which ParseForm does not read.
func (s *Site) adminUpload(h func(http.ResponseWriter, *http.Request, *session)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		ses, err := s.currentSession(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if ses == nil {
			s.consoleMessage(w, r, http.StatusForbidden, "Signed out", "You are not signed in (or your session ended). Sign in and try again.")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
		if err := r.ParseMultipartForm(32 << 20); err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				s.consoleMessage(w, r, http.StatusRequestEntityTooLarge, "Too large",
					fmt.Sprintf("The files are too large together (more than %d MB): upload fewer at a time.", maxUpload>>20))
				return
			}
			s.consoleMessage(w, r, http.StatusBadRequest, "Bad form", "The form could not be read.")
			return
		}
		defer r.MultipartForm.RemoveAll()
		tok := r.MultipartForm.Value["csrf"]
		if !sameOrigin(r) || len(tok) != 1 || subtle.ConstantTimeCompare([]byte(tok[0]), []byte(ses.CSRF)) != 1 {
			s.consoleMessage(w, r, http.StatusForbidden, "Form expired",
				"This form is out of date or did not come from this console. Reload the page and try again.")
			return
		}
		h(w, r, ses)
	})
}

// handleSyncUpload reads every uploaded file and says what each did; the
// replies wait in the list below.
func (s *Site) handleSyncUpload(w http.ResponseWriter, r *http.Request, ses *session) {
	var results []uploadResult
	for _, fh := range r.MultipartForm.File["file"] {
		results = append(results, s.importUpload(r, ses, fh))
	}
	p, err := s.syncFilesPage(r, ses)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Results = results
	status := http.StatusOK
	if len(results) == 0 {
		p.Error = "Choose one or more sync files (" + syncfile.RequestExt + ") to upload."
		status = http.StatusBadRequest
	}
	s.render(w, r, status, "syncfiles", p)
}

func (s *Site) importUpload(r *http.Request, ses *session, fh *multipart.FileHeader) uploadResult {
	res := uploadResult{Name: fh.Filename}
	say := func(m message.Message) {
		res.En, res.Ar = m.English(), m.Arabic()
	}
	f, err := fh.Open()
	if err != nil {
		say(message.New("syncfile.read_failed"))
		return res
	}
	defer f.Close()
	imp, err := s.srv.ImportSyncFile(r.Context(), f, nil, s.actor(r, ses))
	var fe *syncfile.Error
	switch {
	case errors.As(err, &fe):
		say(fe.Msg)
	case err != nil:
		s.log.Error("sync file upload", "err", err)
		res.En, res.Ar = "HQ could not read this file: "+err.Error(), ""
	default:
		res.OK = true
		say(imp.Message())
	}
	return res
}

// handleSyncReply downloads a reply (a POST: it records that the reply
// was collected, in the audit log).
func (s *Site) handleSyncReply(w http.ResponseWriter, r *http.Request, ses *session) {
	device, file := strings.TrimSpace(r.PostForm.Get("device")), strings.TrimSpace(r.PostForm.Get("file"))
	f, err := s.srv.CollectReply(r.Context(), device, file, s.actor(r, ses))
	if errors.Is(err, hq.ErrNoSyncFile) {
		p, perr := s.syncFilesPage(r, ses)
		if perr != nil {
			s.fail(w, r, perr)
			return
		}
		p.Error = "HQ has read no such sync file."
		s.render(w, r, http.StatusNotFound, "syncfiles", p)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", syncfile.ReplyName(f.DeviceID, f.FileID)))
	w.WriteHeader(http.StatusOK)
	w.Write(f.Reply)
}
