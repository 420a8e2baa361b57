package ui

import (
	"math/rand"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/oman-sca/safeer/arabic"
)

// The lines of issue 11 point 7 and their kin: Arabic with digits, with
// Latin words, with brackets and dashes.
var entryLines = []string{
	"جامعة نزوى - القاعة 4",
	"ورشة IoT للمبتدئين",
	"الهاتف (968) 9123 4567",
	"مريم — Maryam",
	"ورشة «المدن الذكية» [مسقط] 2026",
	"Smart City ورشة",
}

func newTestEntry(t *testing.T, rtlUI bool, text string) *rtlEntry {
	t.Helper()
	test.NewTempApp(t)
	e := newRTLEntry(rtlUI)
	e.SetText(text)
	if e.CursorPosition() != 0 {
		t.Fatalf("SetText on a new field leaves the caret at %d, not at the start", e.CursorPosition())
	}
	e.Resize(fyne.NewSize(420, e.MinSize().Height))
	test.WidgetRenderer(e)                        // creates and lays out the renderer
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEnd}) // as after typing it
	return e
}

func entryRenderer(e *rtlEntry) *rtlEntryRenderer {
	return test.WidgetRenderer(e).(*rtlEntryRenderer)
}

// entryDraws is what the entry puts on the screen, left to right: each of
// its text objects as Fyne lays it out (fyneDraws), in the order of their x.
func entryDraws(e *rtlEntry, arabicPunct bool) string {
	var b strings.Builder
	for _, t := range entryRenderer(e).sortedTexts() {
		b.WriteString(fyneDraws(t.Text, arabicPunct))
	}
	return b.String()
}

// TestRTLEntryDrawsVisualOrder: what the entry draws for mixed lines is
// arabic.VisualDir's order (modulo shaping, which Fyne does), the same as a
// label shows (displayText); its text objects do not overlap; in the
// Arabic UI and in a right-to-left paragraph the text ends at the right
// edge, else it starts at the left. Text without Arabic keeps its
// left-to-right order in the Arabic UI.
func TestRTLEntryDrawsVisualOrder(t *testing.T) {
	check := func(rtlUI bool, s string, wantRTL bool) {
		t.Helper()
		e := newTestEntry(t, rtlUI, s)
		if e.Text != s {
			t.Fatalf("Text = %q, want the logical %q", e.Text, s)
		}
		want := visible(arabic.VisualDir(isolateNumbers(s), wantRTL))
		for _, ap := range []bool{false, true} {
			if got := entryDraws(e, ap); got != want {
				t.Errorf("UI rtl %v, %q draws\n %q\nwant\n %q", rtlUI, s, got, want)
			}
			if label := fyneDraws(displayText(s, wantRTL), ap); label != want {
				t.Errorf("label of %q draws %q, not as the entry", s, label)
			}
		}
		texts := entryRenderer(e).sortedTexts()
		for i := 1; i < len(texts); i++ {
			prev := texts[i-1]
			if prev.Position().X+prev.MinSize().Width > texts[i].Position().X+0.5 {
				t.Errorf("%q: pieces %q and %q overlap", s, prev.Text, texts[i].Text)
			}
		}
		first, last := texts[0], texts[len(texts)-1]
		pad := theme.InnerPadding()
		right := last.Position().X + last.MinSize().Width
		if (rtlUI || wantRTL) && abs32(right-(e.Size().Width-pad)) > 1 {
			t.Errorf("%q (UI rtl %v): text ends at %v, not at the right edge %v", s, rtlUI, right, e.Size().Width-pad)
		}
		if !rtlUI && !wantRTL && abs32(first.Position().X-pad) > 1 {
			t.Errorf("%q (UI rtl %v): text starts at %v, not at the left edge %v", s, rtlUI, first.Position().X, pad)
		}
	}
	for _, s := range entryLines {
		check(true, s, true)
	}
	// Without Arabic, a line is left to right in the Arabic UI too (as
	// labels draw it), aligned right.
	check(true, "Dr. Huda (PhD)", false)
	check(true, "ahmed@", false)
	// In the English UI a line is right to left when its first letter is Arabic.
	check(false, "مريم — Maryam", true)
	check(false, "جامعة نزوى - القاعة 4", true)
	check(false, "Safeer — سفير 2", false)
	check(false, "Room 4 (Nizwa)", false)
}

// sweep presses key until the caret stops, and returns the logical
// positions and caret xs visited (the start included).
func sweep(e *rtlEntry, key fyne.KeyName) (pos []int, xs []float32) {
	pos, xs = []int{e.CursorPosition()}, []float32{e.caretX()}
	for range 200 {
		e.TypedKey(&fyne.KeyEvent{Name: key})
		if e.CursorPosition() == pos[len(pos)-1] {
			break
		}
		pos = append(pos, e.CursorPosition())
		xs = append(xs, e.caretX())
	}
	return pos, xs
}

// TestRTLEntryCaretMovesOnScreen: from the logical end, Left moves the
// caret leftward on the screen and Right rightward, every step; from one
// end of the line to the other the caret visits every logical position
// once; the caret drawn is at the caret's x.
func TestRTLEntryCaretMovesOnScreen(t *testing.T) {
	for _, rtlUI := range []bool{true, false} {
		for _, s := range entryLines {
			e := newTestEntry(t, rtlUI, s)
			n := len([]rune(s))
			if e.CursorPosition() != n {
				t.Fatalf("%q: End leaves the caret at %d, want the end %d", s, e.CursorPosition(), n)
			}
			for _, key := range []fyne.KeyName{fyne.KeyLeft, fyne.KeyRight} {
				e.SetCursor(n)
				_, xs := sweep(e, key)
				for i := 1; i < len(xs); i++ {
					if (key == fyne.KeyLeft) != (xs[i] < xs[i-1]) || xs[i] == xs[i-1] {
						t.Errorf("%q (UI rtl %v): %s step %d moves the caret from x %v to %v", s, rtlUI, key, i, xs[i-1], xs[i])
					}
				}
			}
			// Leftmost to rightmost: every position, once.
			e.SetCursor(n)
			sweep(e, fyne.KeyLeft)
			pos, xs := sweep(e, fyne.KeyRight)
			seen := map[int]bool{}
			for _, p := range pos {
				if seen[p] {
					t.Errorf("%q (UI rtl %v): position %d visited twice: %v", s, rtlUI, p, pos)
				}
				seen[p] = true
			}
			if len(seen) != n+1 {
				t.Errorf("%q (UI rtl %v): %d of %d positions visited: %v", s, rtlUI, len(seen), n+1, pos)
			}
			if xs[0] > xs[len(xs)-1] {
				t.Errorf("%q: the sweep went the wrong way", s)
			}
			// The caret object is drawn at the caret.
			e.FocusGained()
			r := entryRenderer(e)
			cx := r.caret.Position().X + r.caret.Size().Width/2
			if want := e.textLeft() + e.caretX(); abs32(cx-want) > 0.5 || !r.caret.Visible() {
				t.Errorf("%q: caret drawn at %v (visible %v), want %v", s, cx, r.caret.Visible(), want)
			}
		}
	}
}

// TestRTLEntryHomeEndAndSteps: Home is the logical start (the right edge of
// an Arabic line), End the logical end; the steps across the runs of
// "ورشة IoT للمبتدئين" are the ones a reader expects: through the first
// word letter by letter, over the space, into the Latin word from its
// right end.
func TestRTLEntryHomeEndAndSteps(t *testing.T) {
	s := "ورشة IoT للمبتدئين"
	e := newTestEntry(t, true, s)
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyHome})
	if e.CursorPosition() != 0 {
		t.Fatalf("Home: %d", e.CursorPosition())
	}
	if x, right := e.caretX(), e.xs[len(e.xs)-1]; x != right {
		t.Errorf("Home: caret at x %v, not the right end %v", x, right)
	}
	var got []int
	for range 8 {
		e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyLeft})
		got = append(got, e.CursorPosition())
	}
	// 1-4: ورشة and the space after it; 8: right of "IoT" (after T);
	// then o, o|I… leftward: 7, 6, 5 (before I); then 9 (before للمبتدئين).
	want := []int{1, 2, 3, 4, 8, 7, 6, 5}
	if !equalInts(got, want) {
		t.Errorf("Left from Home: %v, want %v", got, want)
	}
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEnd})
	if e.CursorPosition() != len([]rune(s)) {
		t.Errorf("End: %d", e.CursorPosition())
	}
	if x := e.caretX(); x != 0 {
		t.Errorf("End of an Arabic line: caret at x %v, not the left end", x)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func keys(e *rtlEntry, names ...fyne.KeyName) {
	for _, n := range names {
		e.TypedKey(&fyne.KeyEvent{Name: n})
	}
}

func repeatKey(n int, k fyne.KeyName) []fyne.KeyName {
	out := make([]fyne.KeyName, n)
	for i := range out {
		out[i] = k
	}
	return out
}

// TestRTLEntryTypingAndDeleting: typing inserts at the caret's logical
// index, wherever the caret was brought by the arrows; Backspace deletes
// the logical previous character, Delete the next; OnChanged hears each
// change; Return submits.
func TestRTLEntryTypingAndDeleting(t *testing.T) {
	e := newTestEntry(t, true, "ورشة IoT للمبتدئين")
	var changes []string
	e.OnChanged = func(s string) { changes = append(changes, s) }
	keys(e, fyne.KeyHome)
	keys(e, repeatKey(6, fyne.KeyLeft)...) // between o and T
	test.Type(e, "X")
	if want := "ورشة IoXT للمبتدئين"; e.Text != want {
		t.Errorf("typed between o and T: %q, want %q", e.Text, want)
	}
	keys(e, fyne.KeyHome, fyne.KeyLeft, fyne.KeyLeft) // after "ور"
	test.Type(e, "ك")
	if want := "وركشة IoXT للمبتدئين"; e.Text != want {
		t.Errorf("typed after ور: %q, want %q", e.Text, want)
	}
	if len(changes) != 2 || changes[1] != e.Text {
		t.Errorf("OnChanged heard %q", changes)
	}
	keys(e, fyne.KeyBackspace) // the ك just typed
	if want := "ورشة IoXT للمبتدئين"; e.Text != want {
		t.Errorf("Backspace: %q, want %q", e.Text, want)
	}
	keys(e, fyne.KeyDelete) // the ش after the caret
	if want := "ورة IoXT للمبتدئين"; e.Text != want {
		t.Errorf("Delete: %q, want %q", e.Text, want)
	}

	p := newTestEntry(t, true, "الهاتف (968) 9123 4567")
	keys(p, fyne.KeyBackspace) // at the logical end: the 7
	if want := "الهاتف (968) 9123 456"; p.Text != want {
		t.Errorf("Backspace at the end: %q, want %q", p.Text, want)
	}
	keys(p, fyne.KeyHome, fyne.KeyBackspace) // nothing before the start
	if want := "الهاتف (968) 9123 456"; p.Text != want {
		t.Errorf("Backspace at the start: %q", p.Text)
	}
	keys(p, fyne.KeyEnd)
	test.Type(p, "7")
	if want := "الهاتف (968) 9123 4567"; p.Text != want {
		t.Errorf("typed at the end: %q", p.Text)
	}
	submitted := ""
	p.OnSubmitted = func(s string) { submitted = s }
	keys(p, fyne.KeyReturn)
	if submitted != p.Text {
		t.Errorf("Return submitted %q", submitted)
	}
	p.Disable()
	test.Type(p, "1")
	keys(p, fyne.KeyBackspace)
	if want := "الهاتف (968) 9123 4567"; p.Text != want {
		t.Errorf("a disabled entry was edited: %q", p.Text)
	}
}

// TestRTLEntryShiftSelects: Shift+Left selects the logical range the caret
// passed over, and the selection drawn covers exactly the selected
// characters on the screen, even when they are in two places; typing
// replaces it.
func TestRTLEntryShiftSelects(t *testing.T) {
	e := newTestEntry(t, true, "ورشة IoT للمبتدئين")
	shift := &fyne.KeyEvent{Name: desktop.KeyShiftLeft}
	keys(e, fyne.KeyHome)
	keys(e, repeatKey(4, fyne.KeyLeft)...) // after "ورشة " … at 8, right of T
	keys(e, fyne.KeyLeft)
	if e.CursorPosition() != 8 {
		t.Fatalf("caret at %d, want 8", e.CursorPosition())
	}
	e.KeyDown(shift)
	keys(e, fyne.KeyLeft, fyne.KeyLeft)
	e.KeyUp(shift)
	if a, b := e.Selection(); a != 6 || b != 8 || e.SelectedText() != "oT" {
		t.Errorf("Shift+Left×2 from after T: [%d,%d) %q, want [6,8) \"oT\"", a, b, e.SelectedText())
	}
	checkSelectionDrawn(t, e)

	// From Home across the run boundary: the first word, the space and "Io".
	keys(e, fyne.KeyHome)
	e.KeyDown(shift)
	keys(e, repeatKey(7, fyne.KeyLeft)...)
	e.KeyUp(shift)
	if a, b := e.Selection(); a != 0 || b != 6 || e.SelectedText() != "ورشة I" {
		t.Errorf("Shift+Left×7 from Home: [%d,%d) %q, want [0,6) \"ورشة I\"", a, b, e.SelectedText())
	}
	checkSelectionDrawn(t, e)
	test.Type(e, "س")
	if want := "سoT للمبتدئين"; e.Text != want {
		t.Errorf("typing over the selection: %q, want %q", e.Text, want)
	}
	if a, b := e.Selection(); a != b {
		t.Errorf("selection left after typing: [%d,%d)", a, b)
	}
}

// checkSelectionDrawn: the middle of every selected character is under a
// selection rectangle, and the middle of every other one is not.
func checkSelectionDrawn(t *testing.T, e *rtlEntry) {
	t.Helper()
	r := entryRenderer(e)
	var rects []*canvas.Rectangle
	for _, s := range r.selection {
		if s.Visible() {
			rects = append(rects, s)
		}
	}
	a, b := e.Selection()
	left := e.textLeft()
	for slot, i := range e.line.order {
		mid := left + (e.xs[slot]+e.xs[slot+1])/2
		covered := false
		for _, rc := range rects {
			if mid >= rc.Position().X && mid <= rc.Position().X+rc.Size().Width {
				covered = true
			}
		}
		if selected := i >= a && i < b; covered != selected {
			t.Errorf("character %d %q: selected %v, drawn selected %v", i, e.line.rs[i], selected, covered)
		}
	}
}

// TestRTLEntryClipboard: Ctrl+A selects all, Ctrl+C copies the logical
// text, Ctrl+X cuts it, Ctrl+V pastes at the caret (one line).
func TestRTLEntryClipboard(t *testing.T) {
	e := newTestEntry(t, true, "مريم — Maryam")
	clip := fyne.CurrentApp().Clipboard()
	e.TypedShortcut(&fyne.ShortcutSelectAll{})
	e.TypedShortcut(&fyne.ShortcutCopy{})
	if clip.Content() != "مريم — Maryam" {
		t.Errorf("copied %q", clip.Content())
	}
	e.TypedShortcut(&fyne.ShortcutCut{})
	if e.Text != "" || clip.Content() != "مريم — Maryam" {
		t.Errorf("cut: text %q, clipboard %q", e.Text, clip.Content())
	}
	clip.SetContent("جامعة نزوى\n- القاعة 4")
	e.TypedShortcut(&fyne.ShortcutPaste{})
	if e.Text != "جامعة نزوى - القاعة 4" || e.CursorPosition() != len([]rune(e.Text)) {
		t.Errorf("pasted %q, caret %d", e.Text, e.CursorPosition())
	}
}

// TestBidiLineCaretsOneToOne: on random mixes of Arabic and Latin words,
// digits, spaces, brackets and dashes, in either paragraph direction, the
// visual caret boundaries and the logical positions pair one to one, so
// the arrows reach every position.
func TestBidiLineCaretsOneToOne(t *testing.T) {
	tokens := []string{"جامعة", "نزوى", "IoT", "Maryam", "4", "968", "2026-11-29", "+968", " ", " ", "(", ")", "-", "—", "«", "»", ":", ".", "،", "١٢"}
	rnd := rand.New(rand.NewSource(7))
	for range 3000 {
		var b strings.Builder
		for range 1 + rnd.Intn(8) {
			b.WriteString(tokens[rnd.Intn(len(tokens))])
		}
		rs := []rune(b.String())
		for _, rtl := range []bool{true, false} {
			l := newBidiLine(rs, rtl)
			seen := make([]bool, len(rs)+1)
			for _, p := range l.toLog {
				if seen[p] {
					t.Fatalf("%q (rtl %v): position %d at two boundaries: %v", b.String(), rtl, p, l.toLog)
				}
				seen[p] = true
			}
			for p := range seen {
				if l.toLog[l.visualBoundary(p)] != p {
					t.Fatalf("%q (rtl %v): position %d drawn at boundary %d, which is position %d", b.String(), rtl, p, l.visualBoundary(p), l.toLog[l.visualBoundary(p)])
				}
			}
		}
	}
}

// TestRTLEntryLongTextKeepsCaretInView: a title wider than the field
// scrolls so that the caret stays inside it, at either end and while
// moving.
func TestRTLEntryLongTextKeepsCaretInView(t *testing.T) {
	s := "ورشة التحول الرقمي للقطاعات الحكومية: بناء القدرات في إنترنت الأشياء IoT والمدن الذكية 2026"
	e := newTestEntry(t, true, s)
	e.Resize(fyne.NewSize(200, e.Size().Height))
	if e.width <= 200 {
		t.Fatalf("the text (%v wide) fits; the test needs it not to", e.width)
	}
	inView := func(what string) {
		t.Helper()
		x := e.textLeft() + e.caretX()
		if pad := theme.InnerPadding(); x < pad-1 || x > e.Size().Width-pad+1 {
			t.Errorf("%s: caret at x %v, outside the field", what, x)
		}
	}
	inView("end")
	long := newRTLEntry(true)
	long.Resize(fyne.NewSize(200, e.Size().Height))
	long.SetText(s)
	test.WidgetRenderer(long)
	if x := long.textLeft() + long.xs[len(long.xs)-1]; abs32(x-(200-theme.InnerPadding())) > 1 {
		t.Errorf("a new field with a long Arabic title shows its right end (the start) at x %v, not at the right edge", x)
	}
	keys(e, fyne.KeyHome)
	inView("Home")
	for i := range 40 {
		keys(e, fyne.KeyLeft)
		inView("Left " + string(rune('0'+i%10)))
	}
	keys(e, fyne.KeyEnd)
	inView("End")
}

// TestRTLEntryUndoAndWords: Ctrl+Z undoes an edit and Ctrl+Y (redo) does
// it again; SetText starts a new history; a double tap selects the word
// under it; the right button's menu speaks the UI's language and pastes.
func TestRTLEntryUndoAndWords(t *testing.T) {
	e := newTestEntry(t, true, "جامعة نزوى")
	test.Type(e, " - القاعة 4")
	keys(e, fyne.KeyBackspace)
	e.TypedShortcut(&fyne.ShortcutUndo{})
	if e.Text != "جامعة نزوى - القاعة 4" {
		t.Errorf("undo of Backspace: %q", e.Text)
	}
	for range 11 {
		e.TypedShortcut(&fyne.ShortcutUndo{})
	}
	if e.Text != "جامعة نزوى" {
		t.Errorf("undo of the typing: %q", e.Text)
	}
	e.TypedShortcut(&fyne.ShortcutRedo{})
	if e.Text != "جامعة نزوى " || e.CursorPosition() != 11 {
		t.Errorf("redo: %q, caret %d", e.Text, e.CursorPosition())
	}
	e.SetText("ورشة IoT للمبتدئين")
	if e.CursorPosition() != 11 {
		t.Errorf("SetText moved the caret from 11 to %d", e.CursorPosition())
	}
	e.TypedShortcut(&fyne.ShortcutUndo{})
	if e.Text != "ورشة IoT للمبتدئين" {
		t.Errorf("undo went past SetText: %q", e.Text)
	}

	// Double tap in the middle of "IoT" (slot 11, the o).
	left := e.textLeft()
	e.DoubleTapped(&fyne.PointEvent{Position: fyne.NewPos(left+(e.xs[11]+e.xs[12])/2, 5)})
	if e.SelectedText() != "IoT" {
		t.Errorf("double tap on IoT selected %q", e.SelectedText())
	}

	fyneLanguage(Arabic)
	t.Cleanup(func() { fyneLanguage(English) })
	w := test.NewTempWindow(t, e)
	w.Resize(fyne.NewSize(420, 80))
	fyne.CurrentApp().Clipboard().SetContent("X")
	e.TappedSecondary(&fyne.PointEvent{Position: fyne.NewPos(20, 10), AbsolutePosition: fyne.NewPos(20, 10)})
	top := w.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no menu")
	}
	text := allText(top)
	for _, want := range []string{"قص", "نسخ", "لصق", "تحديد الكل"} {
		if !strings.Contains(text, want) {
			t.Errorf("menu %q lacks %q", text, want)
		}
	}
	paste := findTappable(top, "لصق")
	if paste == nil {
		t.Fatal("no Paste item to tap")
	}
	test.Tap(paste)
	if e.Text != "ورشة X للمبتدئين" {
		t.Errorf("pasting over the selection from the menu: %q", e.Text)
	}
}

// findTappable is the tappable widget under o whose whole text is text (a
// menu item).
func findTappable(o fyne.CanvasObject, text string) fyne.Tappable {
	if o == nil || !o.Visible() {
		return nil
	}
	if tp, ok := o.(fyne.Tappable); ok && strings.TrimSpace(allText(o)) == text {
		return tp
	}
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			if f := findTappable(c, text); f != nil {
				return f
			}
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			if f := findTappable(c, text); f != nil {
				return f
			}
		}
	}
	return nil
}
