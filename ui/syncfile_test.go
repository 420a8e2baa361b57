package ui

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/internal/testharness/synccheck"
	catalogue "github.com/oman-sca/safeer/message"
	"github.com/oman-sca/safeer/sync/client"
	"github.com/oman-sca/safeer/sync/syncfile"
)

// TestSyncByFileScreen: on the Sync screen of an enrolled computer, "Save
// for HQ" writes the sync file into the chosen folder and says so; HQ reads
// it; "Load HQ's reply" applies the reply, says what it did and the run is
// in the history as a file sync; a damaged reply and the same reply again
// are said in words in the user's language. Captured at both sizes.
func TestSyncByFileScreen(t *testing.T) {
	for _, l := range []Lang{English, Arabic} {
		for _, size := range []fyne.Size{{Width: 1366, Height: 768}, {Width: 1024, Height: 600}} {
			t.Run(fmt.Sprintf("%s-%.0f", l, size.Width), func(t *testing.T) { syncByFileScreen(t, l, size) })
		}
	}
}

func syncByFileScreen(t *testing.T, l Lang, size fyne.Size) {
	ctx := context.Background()
	h := startHQ(t)
	code, err := h.Code(ctx, "OM-MA")
	if err != nil {
		t.Fatal(err)
	}
	s := testStore(t)
	u := newTestUI(t, s, l, fastClient...)
	u.win.Resize(size)
	if _, err := u.sync.Enrol(ctx, h.URL(), code); err != nil {
		t.Fatal(err)
	}
	addPeople(t, s, testPeople[0], testPeople[1])
	u.show(screenSync)
	sc := u.syncScreen
	eventually(t, "the sync-by-file row", func() bool { return sc.fileRow.Visible() && !sc.saveFile.Disabled() })

	stick := t.TempDir()
	sc.exportTo(stick)
	eventually(t, "saved", func() bool { return !sc.fileBusy && (sc.notice.Visible() || sc.fileErr.Visible()) })
	if sc.fileErr.Visible() {
		t.Fatalf("export refused: %s", sc.fileErr.Logical())
	}
	entries, _ := os.ReadDir(stick)
	if len(entries) != 1 || !syncfile.IsRequestName(entries[0].Name()) {
		t.Fatalf("on the stick: %v", entries)
	}
	if !strings.Contains(sc.notice.Logical(), entries[0].Name()) {
		t.Errorf("notice %q does not name the file", sc.notice.Logical())
	}
	path := filepath.Join(stick, entries[0].Name())

	// At HQ.
	srv, err := hq.NewServer(ctx, h.Store(), h.Key, hq.Options{Logger: synccheck.Quiet})
	if err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(path)
	var reply bytes.Buffer
	if _, err := srv.ImportSyncFile(ctx, f, &reply, hq.CLI); err != nil {
		t.Fatal(err)
	}
	f.Close()
	replyPath := filepath.Join(stick, syncfile.ReplyNameFor(path))
	os.WriteFile(replyPath, reply.Bytes(), 0o644)
	bad := filepath.Join(stick, "bad"+syncfile.ReplyExt)
	b := bytes.Clone(reply.Bytes())
	b[len(b)/2] ^= 1
	os.WriteFile(bad, b, 0o644)

	sc.importFrom(bad)
	eventually(t, "refused", func() bool { return !sc.fileBusy && sc.fileErr.Visible() })
	damaged := dropIsolates(u.words(&syncfile.Error{Msg: catalogue.New(syncfile.Damaged)}))
	if sc.fileErr.Logical() != damaged {
		t.Errorf("damaged reply says %q, want %q", sc.fileErr.Logical(), damaged)
	}
	if st := u.sync.Status(); st.OpsWaiting == 0 {
		t.Error("a damaged reply acknowledged the changes")
	}
	capture(t, u, fmt.Sprintf("sync-file-refused-%s-%.0fx%.0f", l, size.Width, size.Height))

	sc.importFrom(replyPath)
	eventually(t, "loaded", func() bool { return !sc.fileBusy && sc.notice.Visible() })
	if sc.fileErr.Visible() {
		t.Fatalf("reply refused: %s", sc.fileErr.Logical())
	}
	eventually(t, "history", func() bool { return len(sc.history) > 0 && sc.history[0].Trigger == client.TriggerFile })
	if st := u.sync.Status(); st.OpsWaiting != 0 || st.LastSync.IsZero() {
		t.Errorf("after the reply: %+v", st)
	}
	capture(t, u, fmt.Sprintf("sync-file-%s-%.0fx%.0f", l, size.Width, size.Height))

	sc.importFrom(replyPath)
	eventually(t, "again", func() bool { return !sc.fileBusy && sc.notice.Visible() })
	want := (client.FileReport{Again: true}).Message().In(l.catalogue())
	if sc.notice.Logical() != dropIsolates(want) {
		t.Errorf("reply twice says %q, want %q", sc.notice.Logical(), want)
	}
}

// TestRelayFromScreen: "Relay others' files" carries another device's sync
// file to HQ over this computer's link and saves the reply beside it, and
// says so; a folder with no sync file is said in words.
func TestRelayFromScreen(t *testing.T) {
	ctx := context.Background()
	h := startHQ(t)
	other, err := synccheck.NewDevice(ctx, h, "", t.TempDir(), "far", []string{"OM-MA"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	addPeople(t, other.Store, testPeople[0])
	stick := t.TempDir()
	exp, err := other.Client.ExportTo(ctx, stick)
	if err != nil {
		t.Fatal(err)
	}
	code, err := h.Code(ctx, "OM-DA")
	if err != nil {
		t.Fatal(err)
	}
	s := testStore(t)
	u := newTestUI(t, s, English, fastClient...)
	if _, err := u.sync.Enrol(ctx, h.URL(), code); err != nil {
		t.Fatal(err)
	}
	u.show(screenSync)
	sc := u.syncScreen
	eventually(t, "the sync-by-file row", func() bool { return sc.fileRow.Visible() && !sc.relayFiles.Disabled() })
	sc.relayFrom(stick)
	eventually(t, "relayed", func() bool { return !sc.fileBusy && (sc.notice.Visible() || sc.fileErr.Visible()) })
	reply := filepath.Join(stick, syncfile.ReplyNameFor(exp.Path))
	if !sc.notice.Visible() || !strings.Contains(sc.notice.Logical(), filepath.Base(reply)) {
		t.Fatalf("relay says %q / %q", sc.notice.Logical(), sc.fileErr.Logical())
	}
	if rep, err := other.Client.Import(ctx, reply); err != nil || rep.Acked != 1 {
		t.Errorf("the relayed reply: %+v %v", rep, err)
	}
	sc.relayFrom(t.TempDir())
	eventually(t, "nothing to relay", func() bool { return !sc.fileBusy && sc.fileErr.Visible() })
	if !strings.Contains(sc.fileErr.Logical(), "No sync files in") {
		t.Errorf("empty folder says %q", sc.fileErr.Logical())
	}
}
