package ui

import (
	"context"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/sync/client"
)

// uiQueue stands in for Fyne's goroutine: Fyne's test driver runs fyne.Do at
// once on the calling goroutine, so background work would touch widgets
// while the test does. Instead do queues the function, and the test
// goroutine runs the queue (pump, eventually), as Fyne's loop would.
var uiQueue struct {
	mu  sync.Mutex
	fns []func()
}

func TestMain(m *testing.M) {
	do = func(f func()) {
		uiQueue.mu.Lock()
		uiQueue.fns = append(uiQueue.fns, f)
		uiQueue.mu.Unlock()
	}
	dupDelay = 20 * time.Millisecond
	os.Exit(m.Run())
}

// pump runs what background work queued for Fyne's goroutine.
func pump() {
	for {
		uiQueue.mu.Lock()
		fns := uiQueue.fns
		uiQueue.fns = nil
		uiQueue.mu.Unlock()
		if len(fns) == 0 {
			return
		}
		for _, f := range fns {
			f()
		}
	}
}

// eventually runs the queue until cond holds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		pump()
		if cond() {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

// settle runs the queue until background work has been quiet for a moment.
func settle(u *UI) {
	for i := 0; i < 20; i++ {
		pump()
		time.Sleep(5 * time.Millisecond)
	}
}

func testStore(t testing.TB) *data.Store {
	t.Helper()
	s, err := data.Open(context.Background(), filepath.Join(t.TempDir(), "ui.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

var testPeople = []safeer.Person{
	{NameAr: "أحمد البلوشي", NameEn: "Ahmed Al Balushi", Governorate: "OM-MA", Wilayat: "Muscat", Phone: "91234567", Gender: "male"},
	{NameAr: "فاطمة الزدجالية", NameEn: "Fatima Al Zadjali", Governorate: "OM-MA", Wilayat: "As Seeb", Phone: "92223333", Gender: "female"},
	{NameAr: "سالم الحارثي", NameEn: "Salim Al Harthy", Governorate: "OM-SS", Status: "inactive"},
}

func addPeople(t testing.TB, s *data.Store, people ...safeer.Person) []safeer.Person {
	t.Helper()
	var out []safeer.Person
	for _, p := range people {
		if err := s.AddPerson(context.Background(), &p); err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

func addWorkshop(t testing.TB, s *data.Store, w safeer.Workshop) safeer.Workshop {
	t.Helper()
	if err := s.AddWorkshop(context.Background(), &w); err != nil {
		t.Fatal(err)
	}
	return w
}

// newTestUI opens the app on s in language l, in a test window.
func newTestUI(t *testing.T, s *data.Store, l Lang, opts ...client.Option) *UI {
	t.Helper()
	a := test.NewTempApp(t)
	if os.Getenv("SAFEER_UI_CAPTURE") != "" {
		a.Settings().SetTheme(lightTheme{})
	}
	a.Preferences().SetString(prefLanguage, string(l))
	w := test.NewTempWindow(t, nil)
	quiet := client.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	u := New(context.Background(), a, w, s, client.New(s, append([]client.Option{quiet}, opts...)...))
	t.Cleanup(func() {
		u.Close()
		pump()
	})
	w.Resize(fyne.NewSize(1180, 760))
	settle(u)
	return u
}

// lightTheme is Fyne's default theme in its light variant, for screenshots
// that do not depend on the computer's settings.
type lightTheme struct{}

func (lightTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return theme.DefaultTheme().Color(n, theme.VariantLight)
}
func (lightTheme) Font(s fyne.TextStyle) fyne.Resource     { return theme.DefaultTheme().Font(s) }
func (lightTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }
func (lightTheme) Size(n fyne.ThemeSizeName) float32       { return theme.DefaultTheme().Size(n) }

// capture saves the window as docs/screenshots/NAME.png when
// SAFEER_UI_CAPTURE names the folder.
func capture(t *testing.T, u *UI, name string) {
	t.Helper()
	dir := os.Getenv("SAFEER_UI_CAPTURE")
	if dir == "" {
		return
	}
	settle(u)
	// The test canvas lays out on resize only; the real one also when a
	// label's text changes size.
	size := u.win.Canvas().Size()
	u.win.Resize(size.AddWidthHeight(1, 1))
	u.win.Resize(size)
	f, err := os.Create(filepath.Join(dir, name+".png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c := u.win.Canvas()
	var hidden []fyne.CanvasObject
	whole := rect{0, 0, c.Size().Width, c.Size().Height}
	for _, layer := range append([]fyne.CanvasObject{c.Content()}, c.Overlays().List()...) {
		hidden = hideScrolledAway(layer, fyne.Position{}, whole, hidden)
	}
	img := c.Capture()
	for _, o := range hidden {
		o.Show()
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}

// hideScrolledAway hides, for a capture, every scroller (a field's own
// text scroll) that its enclosing scrollers have scrolled out of view, and
// returns them to be shown again. Fyne's software painter, which captures
// in tests, clips a scroller inside a scroller by the inner one alone (its
// tree walk replaces the clip where the real painter intersects it), so a
// form's fields scrolled below its pane were drawn over the buttons and
// the status bar of the pictures, though never on a real screen.
func hideScrolledAway(o fyne.CanvasObject, parent fyne.Position, clip rect, hidden []fyne.CanvasObject) []fyne.CanvasObject {
	if o == nil || !o.Visible() {
		return hidden
	}
	pos := parent.Add(o.Position())
	r := rect{pos.X, pos.Y, pos.X + o.Size().Width, pos.Y + o.Size().Height}
	if _, scrolls := o.(fyne.Scrollable); scrolls {
		if r.intersect(clip).empty() {
			o.Hide()
			return append(hidden, o)
		}
		clip = clip.intersect(r)
	}
	var children []fyne.CanvasObject
	switch x := o.(type) {
	case *fyne.Container:
		children = x.Objects
	case fyne.Widget:
		children = test.WidgetRenderer(x).Objects()
	}
	for _, child := range children {
		hidden = hideScrolledAway(child, pos, clip, hidden)
	}
	return hidden
}

// allText is the text of every visible label, button and text under o.
func allText(o fyne.CanvasObject) string {
	var b strings.Builder
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		switch x := o.(type) {
		case *widget.Label:
			b.WriteString(x.Text + "\n")
		case *widget.Button:
			b.WriteString(x.Text + "\n")
		case *canvas.Text:
			b.WriteString(x.Text + "\n")
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				walk(c)
			}
		}
	}
	walk(o)
	return b.String()
}
