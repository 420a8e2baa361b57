package web_test

import (
	"bytes"
	"crypto/ed25519"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/oman-sca/safeer/hq/web"
	"github.com/oman-sca/safeer/sync/protocol"
	"github.com/oman-sca/safeer/sync/syncfile"
)

// upload posts files (name → content) with the upload form, and csrf as
// its token.
func (b *browser) upload(csrf string, files map[string][]byte) resp {
	b.e.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", csrf)
	for name, content := range files {
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write(content)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, b.e.http.URL+"/admin/syncfiles", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

// request seals a request of the device with ops.
func (d *device) request(ops ...protocol.Op) []byte {
	d.e.t.Helper()
	var b bytes.Buffer
	if err := syncfile.SealRequest(&b, &syncfile.Request{FileID: uuid.NewString(), DeviceID: d.id, Cursor: d.cursor, Ops: ops},
		d.key, d.e.key.Public().(ed25519.PublicKey)); err != nil {
		d.e.t.Fatal(err)
	}
	return b.Bytes()
}

// An administrator uploads a device's sync file (and a damaged one): HQ
// reads it, says what each did in both languages, lists it with its reply
// waiting; the download is the sealed reply the device opens, and the list
// then says it was collected. Without the form's token nothing is read.
func TestSyncFilesConsole(t *testing.T) {
	e := newEnv(t, sqliteStore(t), web.Config{})
	d := e.enrol("OM-MA")
	file := d.request(d.op("person", uuid.NewString(), "name_en", "Aisha", "governorate", "OM-MA"))
	b := e.signIn("amal")
	page := b.get("/admin/syncfiles")
	mustContain(t, "sync files page", page.body, "No sync file received yet", `enctype="multipart/form-data"`)

	if r := b.upload("forged", map[string][]byte{"a.safeer-sync": file}); r.status != http.StatusForbidden {
		t.Fatalf("upload without the token: %d", r.status)
	}
	if files, _ := e.srv.SyncFiles(ctx); len(files) != 0 {
		t.Fatalf("a forged form read %d files", len(files))
	}
	anon := e.browser()
	if r := anon.upload("x", map[string][]byte{"a.safeer-sync": file}); r.status != http.StatusForbidden {
		t.Fatalf("upload signed out: %d", r.status)
	}

	r := b.upload(b.csrf, map[string][]byte{"field.safeer-sync": file, "cut.safeer-sync": file[:len(file)-20]})
	if r.status != http.StatusOK {
		t.Fatalf("upload: %d %s", r.status, r.body)
	}
	mustContain(t, "upload results", r.body, "field.safeer-sync", "1 changes taken, 0 refused",
		"cut.safeer-sync", "damaged", "1 replies waiting to be collected", "waiting")
	if !strings.Contains(r.body, `lang="ar"`) {
		t.Error("the results are not said in Arabic too")
	}
	files, _ := e.srv.SyncFiles(ctx)
	if len(files) != 1 {
		t.Fatalf("%d files recorded", len(files))
	}
	dl := b.post("/admin/syncfiles/reply", b.form("device", d.id, "file", files[0].FileID))
	if dl.status != http.StatusOK || !strings.Contains(dl.header.Get("Content-Disposition"), syncfile.ReplyExt) {
		t.Fatalf("download: %d %v", dl.status, dl.header)
	}
	reply, err := syncfile.OpenReply(strings.NewReader(dl.body), d.key, func(string) (ed25519.PublicKey, bool, error) {
		return e.key.Public().(ed25519.PublicKey), false, nil
	})
	if err != nil || len(reply.Push.Results) != 1 || reply.Push.Results[0].Status != protocol.Applied {
		t.Fatalf("downloaded reply: %+v %v", reply, err)
	}
	page = b.get("/admin/syncfiles")
	mustContain(t, "after download", page.body, "collected")
	mustNotContain(t, "after download", page.body, "replies waiting to be collected")
	if got := auditActions(t, e.st); !strings.Contains(strings.Join(got, " "), "syncfile.import") ||
		!strings.Contains(strings.Join(got, " "), "syncfile.collect") {
		t.Errorf("audit: %v", got)
	}
	if r := b.post("/admin/syncfiles/reply", b.form("device", d.id, "file", "nope")); r.status != http.StatusNotFound {
		t.Errorf("download of an unknown file: %d", r.status)
	}
}
