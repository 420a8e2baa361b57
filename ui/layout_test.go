package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/sync/client"
)

// The window sizes of the coordinators' laptops.
var layoutSizes = []fyne.Size{{Width: 1366, Height: 768}, {Width: 1024, Height: 600}}

// longPeople are the longest names of the kind the roster holds: four-part
// Omani names (name, bin/bint, father, grandfather, family) with their
// Latin spelling, from the wilayats with the longest names in
// assets/places.csv.
var longPeople = []safeer.Person{
	{NameAr: "عبدالرحمن بن سليمان بن حمد البوسعيدي", NameEn: "Abdulrahman bin Sulaiman bin Hamad Al Busaidi",
		Governorate: "OM-ZU", Wilayat: "Shalim and the Hallaniyat Islands", Phone: "99112233", Gender: "male"},
	{NameAr: "فاطمة بنت عبدالله بن خلفان الزدجالية", NameEn: "Fatma bint Abdullah bin Khalfan Al Zadjali",
		Governorate: "OM-SJ", Wilayat: "Jaalan Bani Bu Hassan", Phone: "92445566", Gender: "female"},
	{NameAr: "عبدالعزيز بن محمد بن عبدالله الهاشمي", NameEn: "Abdulaziz bin Mohammed bin Abdullah Al Hashmi",
		Governorate: "OM-SJ", Wilayat: "Jaalan Bani Bu Ali", Phone: "95667788", Gender: "male"},
	{NameAr: "شيخة بنت عبدالرحمن بن سيف العبرية", Governorate: "OM-ZU", Wilayat: "Shalim and the Hallaniyat Islands",
		Gender: "female"},
	{NameEn: "Christopher Alexander Montgomery-Fitzgerald", Governorate: "OM-SJ", Wilayat: "Jaalan Bani Bu Hassan",
		Kind: "guest", Phone: "93998877"},
	// The same man as the first, typed again at another workshop: the
	// duplicates review pairs them.
	{NameAr: "عبد الرحمن بن سليمان بن حمد البوسعيدي", NameEn: "Abdul Rahman bin Sulaiman Al Busaidi",
		Governorate: "OM-ZU", Wilayat: "Shalim and the Hallaniyat Islands", Phone: "99112233", Gender: "male"},
}

// longTitle is a workshop title as long as the programme writes them (its
// wording from the programme's own description of its work).
var longTitle = [2]string{
	"التوعية وبناء القدرات في التحول الرقمي للقطاعات التقنية وحلول المدن الذكية",
	"Awareness and capacity building for the digital transformation of smart city services",
}

// longStore is the demo programme with the longest names and titles added:
// a workshop with a long title held today in a long-named wilayat that the
// long-named people attended (one too briefly for a certificate), and two
// failed syncs in the history.
func longStore(t *testing.T) *data.Store {
	t.Helper()
	ctx := context.Background()
	s := demoStore(t)
	people := addPeople(t, s, longPeople...)
	w := addWorkshop(t, s, safeer.Workshop{TitleAr: longTitle[0], TitleEn: longTitle[1],
		Date: time.Now().Format("2006-01-02"), Hours: 3, MinHours: 2, Capacity: 120,
		Governorate: "OM-ZU", Wilayat: "Shalim and the Hallaniyat Islands", Status: safeer.WorkshopHeld,
		Venue: "Hallaniyat Islands community hall", Facilitator: "Dr. Huda bint Salim Al Rawahi"})
	for i, p := range people {
		a := safeer.Attendance{WorkshopID: w.ID, PersonID: p.ID}
		if i == 1 {
			a.Hours = 1
		}
		if err := s.Attend(ctx, &a); err != nil {
			t.Fatal(err)
		}
	}
	for _, code := range []string{client.ProblemTLS, client.ProblemUnreachable} {
		if _, err := s.RecordSyncRun(ctx, data.SyncRun{StartedAt: time.Now().Add(-time.Hour), Trigger: "manual",
			ErrorCode: code, Error: "dial tcp: connection refused"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.RecordSyncRun(ctx, data.SyncRun{StartedAt: time.Now(), Trigger: "schedule", Pushed: 1234, Pulled: 56789}); err != nil {
		t.Fatal(err)
	}
	return s
}

// openUI opens the app on s in language l in a test window of the given
// size, in the light theme of the screenshots.
func openUI(t *testing.T, s *data.Store, l Lang, size fyne.Size) *UI {
	t.Helper()
	a := test.NewTempApp(t)
	a.Settings().SetTheme(lightTheme{})
	a.Preferences().SetString(prefLanguage, string(l))
	a.Preferences().SetString(prefCertsDir, t.TempDir())
	w := test.NewTempWindow(t, nil)
	u := New(context.Background(), a, w, s, client.New(s))
	u.saveSignatory("هدى بنت سالم الرواحية", "Dr. Huda bint Salim Al Rawahi")
	t.Cleanup(func() {
		u.Close()
		pump()
	})
	w.Resize(size)
	settle(u)
	return u
}

// tour brings every screen and dialog forward in the state worth looking
// at, filled, and calls at with the state's name: the screenshots save
// each, the layout check checks each.
func tour(t *testing.T, u *UI, l Lang, at func(name string)) {
	t.Helper()
	for _, id := range screenOrder {
		u.show(id)
		settle(u)
		switch id {
		case screenPeople:
			u.people.list.Select(0)
		case screenWorkshops:
			for i, w := range u.workshops.shownWs {
				if w.TitleEn == longTitle[1] {
					u.workshops.list.Select(i)
				}
			}
		case screenCheckIn:
			c := u.checkin
			eventually(t, "workshops", func() bool { return len(c.workshops) > 0 })
			for i, w := range c.workshops {
				if w.TitleEn == longTitle[1] {
					c.picker.SetSelectedIndex(i)
				}
			}
			eventually(t, "attendance", func() bool { return len(c.present) > 0 })
			test.Type(c.search, l.pick("bin", "بن"))
			eventually(t, "matches", func() bool { return len(c.results) > 0 })
		case screenCertificates:
			c := u.certificates
			eventually(t, "workshops", func() bool { return len(c.workshops) > 0 })
			for i, w := range c.workshops {
				if w.TitleEn == longTitle[1] {
					c.picker.SetSelectedIndex(i)
				}
			}
			eventually(t, "eligibility", func() bool { return len(c.skipped) > 0 })
		case screenSync:
			u.syncScreen.hqURL.SetText("https://hq.smartcity.om")
			eventually(t, "history", func() bool { return len(u.syncScreen.history) > 0 })
		}
		settle(u)
		at(id)
	}

	u.show(screenCheckIn)
	settle(u)
	u.checkin.search.SetText("")
	u.checkin.walkIn.open()
	u.checkin.walkIn.name.SetText("Abdulrahman Sulaiman Busaidi")
	u.checkin.walkIn.phone.SetText("9911 2233")
	eventually(t, "duplicate warning", func() bool { return u.checkin.walkIn.dups.visible() })
	at("checkin-walkin")
	u.checkin.walkIn.close()

	u.show(screenPeople)
	u.people.create()
	p := u.people.detail
	p.nameAr.SetText("Ahmed")
	p.phone.SetText("12")
	p.email.SetText("ahmed@")
	p.submit()
	eventually(t, "errors", func() bool { return p.errs["phone"].Visible() })
	at("person-errors")

	u.show(screenWorkshops)
	u.workshops.create()
	wf := u.workshops.form
	wf.hours.SetText("three")
	wf.capacity.SetText("2.5")
	wf.submit()
	eventually(t, "workshop errors", func() bool { return wf.errs["capacity"].Visible() })
	at("workshop-errors")
	wf.close()

	u.show(screenCertificates)
	c := u.certificates
	eventually(t, "eligibility", func() bool { return len(c.eligible) > 0 })
	c.issueAll()
	eventually(t, "issued", func() bool { return !c.running && len(c.issued) > 0 })
	// The temporary folder of the test is no one's business.
	c.folder.SetText(filepath.Join("Documents", "Safeer certificates"))
	c.message.SetText(strings.Split(c.message.Logical(), "\n")[0])
	at("certificates-issued")

	// Open Badges credentials (issue 16): none arrived from HQ yet, then
	// saved once a pull brought them.
	c.writeBadges(filepath.Join(t.TempDir(), "badges"), nil)
	eventually(t, "no credentials", func() bool { return !c.savingBadges })
	at("certificates-nobadges")
	s, ok := u.store.(*data.Store)
	if !ok {
		t.Fatalf("the tour's store is a %T", u.store)
	}
	pullCredentials(t, s, c.issued...)
	c.writeBadges(filepath.Join(t.TempDir(), "badges"), nil)
	eventually(t, "credentials saved", func() bool { return !c.savingBadges })
	c.message.SetText(strings.Split(c.message.Logical(), "\n")[0] + "\n" +
		u.F("certs.badgesin", filepath.Join("Documents", "Safeer certificates")))
	at("certificates-badges")

	// Undoing a check-in that has a certificate asks (a question with a
	// form in it: the app's kind of confirmation dialog).
	u.show(screenCheckIn)
	ci := u.checkin
	ci.loadAttendance()
	eventually(t, "attendance", func() bool { return len(ci.present) > 0 })
	for _, r := range ci.present {
		if certs, err := u.store.LiveCertificates(context.Background(), r.ID); err == nil && len(certs) > 0 {
			ci.askUndo(r, certs)
			break
		}
	}
	if ci.asked == nil {
		t.Fatal("no one present has a certificate to undo")
	}
	settle(u)
	at("checkin-undo")
	ci.asked.dialog.Hide()

	u.show(screenSync)
	u.syncScreen.showConflicts()
	eventually(t, "conflicts", func() bool { return len(u.syncScreen.conflicts.items) > 0 })
	u.syncScreen.conflicts.list.Select(0)
	at("sync-conflict")

	// The duplicates, reached from the roster, and a pair side by side
	// (the pair with the longest names, if it is offered).
	u.show(screenPeople)
	eventually(t, "duplicates counted", func() bool { return strings.Contains(u.people.dups.Text, "(") })
	test.Tap(u.people.dups)
	d := u.duplicates
	eventually(t, "duplicates", func() bool { return !d.scanning && len(d.pairs) > 0 })
	at("duplicates")
	pair := d.pairs[0]
	for _, p := range d.pairs {
		if len(p.a.NameEn)+len(p.b.NameEn) > len(pair.a.NameEn)+len(pair.b.NameEn) {
			pair = p
		}
	}
	d.open(pair)
	eventually(t, "merge plan", func() bool { return len(d.merge.plan.Fields) > 0 })
	at("duplicates-merge")
	d.merge.dlg.Hide()

	u.show(screenPeople)
	csv := filepath.Join(t.TempDir(), "roster.csv")
	if err := os.WriteFile(csv, []byte("الاسم,Name,Mobile,Governorate,Wilayat\n"+
		"سعيد بن ناصر بن سالم الشكيلي,Saeed bin Nasser bin Salim Al Shukaili,99112234,South Ash Sharqiyah,Jaalan Bani Bu Hassan\n"+
		"نورة بنت خميس بن علي الحبسية,Noura bint Khamis bin Ali Al Habsi,12,Muscat,Muttrah\n"+
		"أحمد البلوشي,Ahmed Al Balushi,91234567,Muscat,Muscat\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	w := newImportWizard(u, nil)
	w.show()
	w.path.SetText(csv)
	w.load()
	eventually(t, "file read", func() bool { return w.table != nil })
	w.start(true)
	eventually(t, "checked", func() bool { return !w.busy && w.problems.Objects != nil })
	w.path.SetText(filepath.Join("Documents", "roster.csv"))
	at("import")
	w.dialog.Hide()
}

// TestLayoutTextFits lays out every screen and dialog, in both languages at
// both laptop sizes, filled with the longest names and titles, and fails
// when a text is drawn beyond the object it was given (a list cell, a
// button, a label, the window) or over another text.
func TestLayoutTextFits(t *testing.T) {
	for _, l := range []Lang{English, Arabic} {
		for _, size := range layoutSizes {
			t.Run(fmt.Sprintf("%s-%.0fx%.0f", l, size.Width, size.Height), func(t *testing.T) {
				u := openUI(t, longStore(t), l, size)
				tour(t, u, l, func(name string) {
					for _, p := range layoutProblems(u) {
						t.Errorf("%s: %s", name, p)
					}
				})
				u.Close()
				// The first start: an empty roster on a computer not enrolled.
				u = openUI(t, testStore(t), l, size)
				firstStartTour(t, u, func(name string) {
					for _, p := range layoutProblems(u) {
						t.Errorf("%s: %s", name, p)
					}
				})
				// The lock, the first start of an encrypted store, the
				// change of passphrase, the warning before an export.
				lockTour(t, l, size, func(u *UI, name string) {
					for _, p := range layoutProblems(u) {
						t.Errorf("%s: %s", name, p)
					}
				})
			})
		}
	}
}

// firstStartTour shows what a new computer shows: the dashboard's steps,
// the empty roster's hint.
func firstStartTour(t *testing.T, u *UI, at func(name string)) {
	t.Helper()
	u.show(screenDashboard)
	settle(u)
	at("first-start")
	u.show(screenPeople)
	settle(u)
	at("people-empty")
}

// relayout lays the window out again: the test canvas lays out on resize
// only, the real one also when a label's text changes size.
func relayout(u *UI) {
	settle(u)
	size := u.win.Canvas().Size()
	u.win.Resize(size.AddWidthHeight(1, 1))
	u.win.Resize(size)
}

// layoutProblems lays the window out and lists every text drawn beyond one
// of the objects that hold it, or over another text. The content and each
// overlay (dialogs) are checked on their own: a dialog covers what is under
// it.
func layoutProblems(u *UI) []string {
	relayout(u)
	c := u.win.Canvas()
	win := rect{0, 0, c.Size().Width, c.Size().Height}
	layers := []fyne.CanvasObject{c.Content()}
	layers = append(layers, c.Overlays().List()...)
	var out []string
	for _, layer := range layers {
		w := &textWalk{}
		w.walk(layer, fyne.Position{}, win, []holder{{what: "window", r: win}})
		out = append(out, w.problems...)
		out = append(out, overlaps(w.texts)...)
	}
	return out
}

type rect struct{ x0, y0, x1, y1 float32 }

func (r rect) String() string {
	return fmt.Sprintf("(%.0f,%.0f)-(%.0f,%.0f)", r.x0, r.y0, r.x1, r.y1)
}

func (r rect) intersect(o rect) rect {
	return rect{max(r.x0, o.x0), max(r.y0, o.y0), min(r.x1, o.x1), min(r.y1, o.y1)}
}

func (r rect) empty() bool { return r.x1-r.x0 < 1 || r.y1-r.y0 < 1 }

// within reports whether r lies inside o, give or take half a pixel of
// rounding.
func (r rect) within(o rect) bool {
	const slack = 0.5
	return r.x0 >= o.x0-slack && r.y0 >= o.y0-slack && r.x1 <= o.x1+slack && r.y1 <= o.y1+slack
}

// holder is an object that holds a text, with its place in the window.
// cuts is set for the app's list cells, which cut a long value with an
// ellipsis on purpose (the whole value is in the detail pane or tooltip).
type holder struct {
	what string
	r    rect
	cuts bool
	// source is the whole text of a rich text (Fyne's labels, buttons and
	// selects draw through one), before Fyne cuts it.
	source string
}

// drawnText is a text as the painter draws it: its whole width (Fyne draws
// a canvas.Text at its MinSize, whatever size it was given, placed by its
// alignment), and the part of it that shows through the scrollers above it.
type drawnText struct {
	text    string
	drawn   rect
	visible rect
}

type textWalk struct {
	texts    []drawnText
	problems []string
}

// walk visits o at pos (its parent's place in the window), with clip the
// part of the window its scrollers show and holders the objects it must
// stay within: every object above it up to its nearest scroller (a
// scroller clips, so what is beyond it is hidden, not drawn over anything).
func (w *textWalk) walk(o fyne.CanvasObject, parent fyne.Position, clip rect, holders []holder) {
	if o == nil || !o.Visible() {
		return
	}
	pos := parent.Add(o.Position())
	size := o.Size()
	r := rect{pos.X, pos.Y, pos.X + size.Width, pos.Y + size.Height}
	if t, ok := o.(*canvas.Text); ok {
		w.text(t, pos, clip, holders)
		return
	}
	var children []fyne.CanvasObject
	switch x := o.(type) {
	case *fyne.Container:
		children = x.Objects
	case fyne.Widget:
		children = test.WidgetRenderer(x).Objects()
	default:
		return
	}
	if isScroller(o) || typeName(o) == "*widget.tableCells" {
		// A table's cells lie in its scroller's content, which can be
		// wider than the table: the scroller clips them.
		clip = clip.intersect(r)
		holders = nil
	} else if isEntry(o) {
		// An entry scrolls its own text; it is an input, not a cell.
		clip = clip.intersect(r)
		holders = nil
	} else {
		l, ok := o.(*label)
		_, chart := o.(*barChart) // shrinks, then cuts, a wilayat under a narrow bar
		h := holder{what: typeName(o), r: r, cuts: ok && l.ellipsis || chart}
		if rt, ok := o.(*widget.RichText); ok {
			h.source = rt.String()
		}
		holders = append(holders[:len(holders):len(holders)], h)
	}
	for _, c := range children {
		w.walk(c, pos, clip, holders)
	}
}

func (w *textWalk) text(t *canvas.Text, pos fyne.Position, clip rect, holders []holder) {
	if strings.TrimFunc(t.Text, func(r rune) bool { return r == ' ' || isInvisible(r) }) == "" {
		return
	}
	need := t.MinSize()
	size := t.Size()
	x := pos.X
	switch t.Alignment {
	case fyne.TextAlignTrailing:
		x += size.Width - need.Width
	case fyne.TextAlignCenter:
		x += (size.Width - need.Width) / 2
	}
	y := pos.Y
	if size.Height > need.Height {
		y += (size.Height - need.Height) / 2
	}
	drawn := rect{x, y, x + need.Width, y + need.Height}
	visible := drawn.intersect(clip)
	if visible.empty() {
		return // scrolled away
	}
	for i := len(holders) - 1; i >= 0; i-- {
		h := holders[i]
		if h.r.x1 == h.r.x0 && h.r.y1 == h.r.y0 {
			// Never laid out (Fyne's dialog title in the test driver):
			// no size to keep to.
			continue
		}
		if !drawn.within(h.r) {
			w.problems = append(w.problems, fmt.Sprintf("%q needs %.0f×%.0f at %v, drawn beyond its %s %v",
				logicalText(t.Text), need.Width, need.Height, drawn, h.what, h.r))
			break
		}
	}
	if cutByFyne(t.Text, holders) {
		// Fyne's own widgets (Select, Label with truncation) cut what does
		// not fit with an ellipsis: nothing overlaps, but the reader has
		// lost the words ("...كل ال" for "كل المحافظات").
		w.problems = append(w.problems, fmt.Sprintf("%q is cut by Fyne in its %s", logicalText(t.Text), holders[len(holders)-1].what))
	}
	w.texts = append(w.texts, drawnText{text: t.Text, drawn: drawn, visible: visible})
}

// cutByFyne reports whether Fyne cut text with an ellipsis it did not
// have, outside the app's list cells (which cut on purpose).
func cutByFyne(text string, holders []holder) bool {
	if !strings.Contains(text, ellipsis) || len(holders) == 0 {
		return false
	}
	source := ""
	for _, h := range holders {
		if h.cuts {
			return false
		}
		if h.source != "" {
			source = h.source
		}
	}
	return strings.Count(text, ellipsis) > strings.Count(source, ellipsis)
}

// overlaps lists the pairs of texts drawn over each other.
func overlaps(texts []drawnText) []string {
	sort.Slice(texts, func(i, j int) bool { return texts[i].visible.y0 < texts[j].visible.y0 })
	var out []string
	for i, a := range texts {
		for _, b := range texts[i+1:] {
			if b.visible.y0 >= a.visible.y1 {
				break
			}
			if !a.visible.intersect(b.visible).empty() {
				out = append(out, fmt.Sprintf("%q at %v and %q at %v overlap",
					logicalText(a.text), a.visible, logicalText(b.text), b.visible))
			}
		}
	}
	return out
}

// typeName names an object's type for messages: *ui.label, *widget.Button.
func typeName(o fyne.CanvasObject) string {
	if c, ok := o.(*fyne.Container); ok && c.Layout != nil {
		return "container(" + reflect.TypeOf(c.Layout).String() + ")"
	}
	return reflect.TypeOf(o).String()
}

// isInvisible reports the marks displayText adds, which draw nothing.
func isInvisible(r rune) bool {
	return r == lrm || r == rlm || r == lri || r == rli || r == pdi
}

// logicalText drops displayText's marks, for messages.
func logicalText(s string) string {
	return strings.Map(func(r rune) rune {
		if isInvisible(r) {
			return -1
		}
		return r
	}, s)
}

// isEntry: Fyne's Entry and the app's own fields scroll their text.
func isEntry(o fyne.CanvasObject) bool {
	switch o.(type) {
	case *widget.Entry, *entry, *textArea, *rtlEntry:
		return true
	}
	return false
}

// isScroller: what scrolls clips its content. Tables and lists scroll
// their cells with Fyne's internal scroller, *widget.Scroll.
func isScroller(o fyne.CanvasObject) bool {
	if _, ok := o.(*container.Scroll); ok {
		return true
	}
	return reflect.TypeOf(o).String() == "*widget.Scroll"
}
