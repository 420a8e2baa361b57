package ui

import (
	"context"
	"sort"
	"strings"
	"testing"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/oman-sca/safeer/arabic"
)

// areaNotes is a person's notes as coordinators write them: Arabic with
// digits, Latin words, brackets, dashes, a phone, a date; an English line;
// an empty line; a long paragraph that wraps.
var areaNotes = strings.Join([]string{
	"جامعة نزوى - القاعة 4",
	"حضر ورشة IoT للمبتدئين (2026-11-29) مع مريم — Maryam",
	"",
	"Prefers calls after 4 pm, phone +968 9123 4567",
	"الهاتف (968) 9123 4567 [مسقط] «سفير» وورشة Smart City رقم 12 في ولاية إزكي ثم نزوى – مرتين في الشهر مع فريق Safeer الكامل",
}, "\n")

func newTestArea(t *testing.T, rtlUI bool, text string, width float32) *rtlArea {
	t.Helper()
	test.NewTempApp(t)
	a := newRTLArea(rtlUI, 3)
	a.SetText(text)
	a.Resize(fyne.NewSize(width, a.MinSize().Height))
	test.WidgetRenderer(a)
	return a
}

func areaRenderer(a *rtlArea) *rtlAreaRenderer {
	return test.WidgetRenderer(a).(*rtlAreaRenderer)
}

// areaLineTexts is line k's text objects, left to right.
func areaLineTexts(a *rtlArea, k int) []*canvas.Text {
	r := areaRenderer(a)
	var out []*canvas.Text
	for i, t := range r.texts {
		if r.textLine[i] == k {
			out = append(out, t)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Position().X < out[j].Position().X })
	return out
}

// TestRTLAreaDrawsVisualOrderPerLine: every drawn line of a multi-line,
// wrapped, mixed text is arabic.VisualDir of its logical text in its
// paragraph's direction; its pieces do not overlap; it is aligned right in
// the Arabic UI and for a right-to-left paragraph, left otherwise; lines
// go down the field one below the other; the logical text is what the
// lines hold, with the wrapping spaces and the line breaks between them.
func TestRTLAreaDrawsVisualOrderPerLine(t *testing.T) {
	for _, rtlUI := range []bool{true, false} {
		a := newTestArea(t, rtlUI, areaNotes, 360)
		if a.Text != areaNotes {
			t.Fatalf("Text = %q", a.Text)
		}
		if len(a.lines) <= 5 {
			t.Fatalf("UI rtl %v: %d lines at 360 wide; the last paragraph should wrap", rtlUI, len(a.lines))
		}
		rs := []rune(a.Text)
		pad := theme.InnerPadding()
		prevY := float32(-1)
		for k, l := range a.lines {
			logical := string(rs[l.start:l.end])
			texts := areaLineTexts(a, k)
			want := visible(arabic.VisualDir(isolateNumbers(logical), l.rtl))
			if wantRTL := rtlParagraph(paragraphOf(a.Text, l.start), rtlUI); l.rtl != wantRTL {
				t.Errorf("line %d %q: rtl %v, want %v", k, logical, l.rtl, wantRTL)
			}
			for _, ap := range []bool{false, true} {
				var b strings.Builder
				for _, tx := range texts {
					b.WriteString(fyneDraws(tx.Text, ap))
				}
				if got := b.String(); got != want {
					t.Errorf("UI rtl %v, line %d %q draws\n %q\nwant\n %q", rtlUI, k, logical, got, want)
				}
			}
			if len(texts) == 0 {
				continue
			}
			for i := 1; i < len(texts); i++ {
				p := texts[i-1]
				if p.Position().X+p.MinSize().Width > texts[i].Position().X+0.5 {
					t.Errorf("line %d: pieces %q and %q overlap", k, p.Text, texts[i].Text)
				}
			}
			first, last := texts[0], texts[len(texts)-1]
			right := last.Position().X + last.MinSize().Width
			if right > a.Size().Width-pad+1 || first.Position().X < pad-1 {
				t.Errorf("line %d %q drawn from %v to %v, outside the field (%v wide)", k, logical, first.Position().X, right, a.Size().Width)
			}
			if (rtlUI || l.rtl) && abs32(right-(a.Size().Width-pad)) > 1 {
				t.Errorf("UI rtl %v, line %d %q ends at %v, not at the right edge", rtlUI, k, logical, right)
			}
			if !rtlUI && !l.rtl && abs32(first.Position().X-pad) > 1 {
				t.Errorf("UI rtl %v, line %d %q starts at %v, not at the left edge", rtlUI, k, logical, first.Position().X)
			}
			if y := first.Position().Y; y <= prevY {
				t.Errorf("line %d at y %v, not below the previous line (%v)", k, y, prevY)
			} else {
				prevY = y
			}
		}
	}
}

// paragraphOf is the paragraph (between line breaks) position p is in.
func paragraphOf(s string, p int) string {
	rs := []rune(s)
	a, b := p, p
	for a > 0 && rs[a-1] != '\n' {
		a--
	}
	for b < len(rs) && rs[b] != '\n' {
		b++
	}
	return string(rs[a:b])
}

// TestRTLAreaWrapsAtSpaces: at every width, the lines hold the whole text
// in order; a line ends at a space or a line break, and is cut inside a
// word only when that word alone is wider than the line; no line is wider
// than the field but a cut one-character line.
func TestRTLAreaWrapsAtSpaces(t *testing.T) {
	long := areaNotes + "\nhttps://hq.example.om/people/0123456789abcdef0123456789abcdef تم"
	for _, w := range []float32{120, 200, 300, 520} {
		a := newTestArea(t, true, long, w)
		rs := []rune(a.Text)
		avail := a.wrapWidth()
		pos := 0
		for k, l := range a.lines {
			if l.start != pos {
				t.Fatalf("width %v: line %d starts at %d, want %d", w, k, l.start, pos)
			}
			if width := drawnWidth(rs[l.start:l.end], l.rtl); width > avail+0.5 && l.end-l.start > 1 {
				t.Errorf("width %v: line %d %q is %v wide, more than %v", w, k, string(rs[l.start:l.end]), width, avail)
			}
			pos = l.end
			if pos == len(rs) {
				continue
			}
			switch rs[pos] {
			case ' ', '\n':
				pos++ // dropped between lines
			default: // a cut word: the word alone must not fit
				ws, we := pos, pos
				for ws > 0 && !unicode.IsSpace(rs[ws-1]) {
					ws--
				}
				for we < len(rs) && !unicode.IsSpace(rs[we]) {
					we++
				}
				if drawnWidth(rs[ws:we], l.rtl) <= avail {
					t.Errorf("width %v: line %d cuts %q, which fits on a line", w, k, string(rs[ws:we]))
				}
			}
		}
		if pos != len(rs) {
			t.Errorf("width %v: lines end at %d of %d", w, pos, len(rs))
		}
	}
}

// forwardKey is the key that reads on in the caret's paragraph: Left in a
// right-to-left one, Right in a left-to-right one.
func forwardKey(a *rtlArea, forward bool) fyne.KeyName {
	rtl := a.lines[a.lineOf(a.CursorPosition())].rtl
	if rtl == forward {
		return fyne.KeyLeft
	}
	return fyne.KeyRight
}

// TestRTLAreaCaretVisitsEveryPosition: reading on through a mixed,
// wrapped, multi-paragraph text with the arrows (Left in right-to-left
// paragraphs, Right in left-to-right ones), the caret visits every logical
// position once, from the start to the end, and back the same way; within
// a line each step moves the caret on the screen in the key's direction;
// the caret drawn is where the caret is.
func TestRTLAreaCaretVisitsEveryPosition(t *testing.T) {
	for _, rtlUI := range []bool{true, false} {
		for _, w := range []float32{260, 420} {
			a := newTestArea(t, rtlUI, areaNotes, w)
			n := len([]rune(a.Text))
			a.SetCursor(0)
			walk := func(forward bool) []int {
				seen := []int{a.CursorPosition()}
				for range 3 * n {
					key := forwardKey(a, forward)
					k0, x0 := a.caretAt(a.CursorPosition())
					a.TypedKey(&fyne.KeyEvent{Name: key})
					p := a.CursorPosition()
					if p == seen[len(seen)-1] {
						break
					}
					if k1, x1 := a.caretAt(p); k1 == k0 && (x1 < x0) != (key == fyne.KeyLeft) {
						t.Errorf("UI rtl %v, width %v: %s from %d to %d moves the caret from x %v to %v", rtlUI, w, key, seen[len(seen)-1], p, x0, x1)
					}
					seen = append(seen, p)
				}
				return seen
			}
			check := func(what string, seen []int, from, to int) {
				t.Helper()
				count := map[int]int{}
				for _, p := range seen {
					count[p]++
				}
				for p := 0; p <= n; p++ {
					if count[p] != 1 {
						t.Errorf("UI rtl %v, width %v, %s: position %d visited %d times", rtlUI, w, what, p, count[p])
					}
				}
				if seen[0] != from || seen[len(seen)-1] != to {
					t.Errorf("UI rtl %v, width %v, %s: went from %d to %d", rtlUI, w, what, seen[0], seen[len(seen)-1])
				}
			}
			check("forward", walk(true), 0, n)
			check("back", walk(false), n, 0)

			a.FocusGained()
			for _, p := range []int{0, 30, n} {
				a.SetCursor(p)
				r := areaRenderer(a)
				k, x := a.caretAt(p)
				texts := areaLineTexts(a, k)
				cx := r.caret.Position().X + r.caret.Size().Width/2
				cy := r.caret.Position().Y
				if abs32(cx-x) > 0.5 || !r.caret.Visible() || (len(texts) > 0 && abs32(cy-texts[0].Position().Y) > 0.5) {
					t.Errorf("position %d: caret drawn at (%v, %v), want x %v on line %d", p, cx, cy, x, k)
				}
			}
		}
	}
}

// TestRTLAreaUpDownKeepColumn: Down and Up move one line and keep the
// caret's x (within a character's width), also across a shorter line
// between (the x is remembered); Up on the first line goes to the start,
// Down on the last to the end; Home and End are the line's logical ends.
func TestRTLAreaUpDownKeepColumn(t *testing.T) {
	text := "الهاتف (968) 9123 4567 في ولاية إزكي\nقصير\nحضر ورشة IoT للمبتدئين مع مريم — Maryam"
	a := newTestArea(t, true, text, 500)
	if len(a.lines) != 3 {
		t.Fatalf("%d lines, want 3", len(a.lines))
	}
	keys := func(names ...fyne.KeyName) {
		for _, k := range names {
			a.TypedKey(&fyne.KeyEvent{Name: k})
		}
	}
	charW := fyne.MeasureText("م", theme.TextSize(), fyne.TextStyle{}).Width * 1.5
	a.SetCursor(10) // inside "(968)"
	_, x0 := a.caretAt(10)
	keys(fyne.KeyDown)
	if k, _ := a.caretAt(a.CursorPosition()); k != 1 {
		t.Fatalf("Down went to line %d", k)
	}
	keys(fyne.KeyDown)
	k, x2 := a.caretAt(a.CursorPosition())
	if k != 2 || abs32(x2-x0) > charW {
		t.Errorf("Down twice: line %d x %v, want line 2 near x %v", k, x2, x0)
	}
	keys(fyne.KeyUp, fyne.KeyUp)
	if a.CursorPosition() != 10 {
		t.Errorf("Down twice then Up twice: position %d, want back at 10", a.CursorPosition())
	}
	keys(fyne.KeyUp)
	if a.CursorPosition() != 0 {
		t.Errorf("Up on the first line: %d, want 0", a.CursorPosition())
	}
	keys(fyne.KeyDown, fyne.KeyEnd)
	if want := a.lines[1].end; a.CursorPosition() != want {
		t.Errorf("End on line 1: %d, want %d", a.CursorPosition(), want)
	}
	keys(fyne.KeyHome)
	if want := a.lines[1].start; a.CursorPosition() != want {
		t.Errorf("Home on line 1: %d, want %d", a.CursorPosition(), want)
	}
	keys(fyne.KeyDown, fyne.KeyDown)
	if a.CursorPosition() != len([]rune(text)) {
		t.Errorf("Down on the last line: %d, want the end", a.CursorPosition())
	}
	a.TypedShortcut(shortcutTextStart)
	if a.CursorPosition() != 0 {
		t.Errorf("Ctrl+Home: %d", a.CursorPosition())
	}
}

// TestRTLAreaEditing: Enter breaks the line, Backspace at a line's start
// joins it again, Delete deletes forward; Shift+Down selects to the next
// line and the selection drawn covers the selected characters; pasting
// keeps line breaks; undo is rtlEntry's; Tab is not the field's.
func TestRTLAreaEditing(t *testing.T) {
	a := newTestArea(t, true, "جامعة نزوى القاعة 4", 400)
	var changes int
	a.OnChanged = func(string) { changes++ }
	a.SetCursor(10) // after نزوى
	a.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if a.Text != "جامعة نزوى\n القاعة 4" || a.CursorPosition() != 11 || len(a.lines) != 2 {
		t.Fatalf("Enter: %q, caret %d, %d lines", a.Text, a.CursorPosition(), len(a.lines))
	}
	a.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDelete})
	test.Type(a, "IoT ")
	if a.Text != "جامعة نزوى\nIoT القاعة 4" {
		t.Errorf("typed on the new line: %q", a.Text)
	}
	a.TypedShortcut(&fyne.ShortcutUndo{})
	a.TypedShortcut(&fyne.ShortcutUndo{})
	if a.Text != "جامعة نزوى\nIoالقاعة 4" {
		t.Errorf("undo twice: %q", a.Text)
	}
	a.TypedShortcut(&fyne.ShortcutRedo{})
	a.TypedShortcut(&fyne.ShortcutRedo{})
	a.SetCursor(11)
	a.TypedKey(&fyne.KeyEvent{Name: fyne.KeyBackspace})
	if a.Text != "جامعة نزوىIoT القاعة 4" || a.CursorPosition() != 10 {
		t.Errorf("Backspace at a line's start: %q, caret %d", a.Text, a.CursorPosition())
	}
	if changes == 0 {
		t.Error("OnChanged never called")
	}

	a.SetText("مريم — Maryam\nحضر 3 ورش\nIoT")
	a.SetCursor(2)
	shift := &fyne.KeyEvent{Name: desktop.KeyShiftLeft}
	a.KeyDown(shift)
	a.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
	a.KeyUp(shift)
	from, to := a.Selection()
	if from != 2 || to <= 14 || !strings.Contains(a.SelectedText(), "\n") {
		t.Fatalf("Shift+Down selected [%d,%d) %q", from, to, a.SelectedText())
	}
	checkAreaSelectionDrawn(t, a)
	a.TypedShortcut(&fyne.ShortcutCopy{})
	clip := fyne.CurrentApp().Clipboard()
	if clip.Content() != a.SelectedText() {
		t.Errorf("copied %q, want %q", clip.Content(), a.SelectedText())
	}
	clip.SetContent("سطر أول\r\nLine 2\tend")
	a.TypedShortcut(&fyne.ShortcutPaste{})
	if want := "مرسطر أول\nLine 2 end" + string([]rune("مريم — Maryam\nحضر 3 ورش\nIoT")[to:]); a.Text != want {
		t.Errorf("paste: %q, want %q", a.Text, want)
	}
	var o fyne.CanvasObject = a
	if tb, ok := o.(fyne.Tabbable); ok && tb.AcceptsTab() {
		t.Error("the notes field takes Tab; it must move the focus on")
	}
}

// checkAreaSelectionDrawn: the middle of every selected character is under
// a selection rectangle on its line, and no other character is.
func checkAreaSelectionDrawn(t *testing.T, a *rtlArea) {
	t.Helper()
	r := areaRenderer(a)
	from, to := a.Selection()
	th := fyne.MeasureText("M", theme.TextSize(), fyne.TextStyle{}).Height
	for k, l := range a.lines {
		left := a.lineLeft(k)
		texts := areaLineTexts(a, k)
		if len(texts) == 0 {
			continue
		}
		y := texts[0].Position().Y + th/2
		for s, i := range l.m.line.order {
			mid := fyne.NewPos(left+(l.m.xs[s]+l.m.xs[s+1])/2, y)
			covered := false
			for _, rc := range r.selection {
				p, sz := rc.Position(), rc.Size()
				if rc.Visible() && mid.X >= p.X && mid.X <= p.X+sz.Width && mid.Y >= p.Y && mid.Y <= p.Y+sz.Height {
					covered = true
				}
			}
			if sel := l.start+i >= from && l.start+i < to; sel != covered {
				t.Errorf("line %d character %d %q: selected %v, drawn selected %v", k, l.start+i, l.m.line.rs[i], sel, covered)
			}
		}
	}
}

// TestRTLAreaTapAndDrag: a tap puts the caret at the position nearest it
// on the line tapped; a drag from one line to another selects between.
func TestRTLAreaTapAndDrag(t *testing.T) {
	a := newTestArea(t, true, "جامعة نزوى - القاعة 4\nورشة IoT للمبتدئين\nمريم — Maryam", 400)
	lh := lineHeight()
	at := func(k, local int) fyne.Position {
		l := a.lines[k]
		b := l.m.line.visualBoundary(local)
		return fyne.NewPos(a.lineLeft(k)+l.m.xs[b], theme.InputBorderSize()+areaTop()+float32(k)*lh+lh/2)
	}
	a.Tapped(&fyne.PointEvent{Position: at(1, 6)}) // inside "IoT"
	if want := a.lines[1].start + 6; a.CursorPosition() != want {
		t.Errorf("tap on line 1 at position 6: caret %d, want %d", a.CursorPosition(), want)
	}
	from, to := at(0, 3), at(2, 4)
	a.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: from}, Dragged: fyne.NewDelta(0, 0)})
	a.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: to}, Dragged: fyne.NewDelta(to.X-from.X, to.Y-from.Y)})
	a.DragEnd()
	if s, e := a.Selection(); s != 3 || e != a.lines[2].start+4 {
		t.Errorf("drag from line 0 to line 2 selected [%d,%d), want [3,%d)", s, e, a.lines[2].start+4)
	}
	checkAreaSelectionDrawn(t, a)
}

// TestRTLAreaScrollsToCaret: notes longer than the field scroll so that
// the caret's line is in view, at the end and back at the start; the field
// is at least its rows high.
func TestRTLAreaScrollsToCaret(t *testing.T) {
	text := strings.Repeat("سطر من الملاحظات 12\n", 12) + "آخر سطر"
	a := newTestArea(t, true, text, 300)
	if h := a.MinSize().Height; h < 3*lineHeight() {
		t.Errorf("min height %v, less than 3 lines (%v)", h, 3*lineHeight())
	}
	inView := func(what string) {
		t.Helper()
		r := areaRenderer(a)
		y := r.caret.Position().Y - a.voffset
		if y < 0 || y+r.caret.Size().Height > r.scroll.Size().Height+0.5 {
			t.Errorf("%s: caret at y %v in a view %v high", what, y, r.scroll.Size().Height)
		}
	}
	a.TypedShortcut(shortcutTextEnd)
	inView("end")
	if a.voffset <= 0 {
		t.Error("not scrolled at the end")
	}
	a.TypedShortcut(shortcutTextStart)
	inView("start")
	if a.voffset != 0 {
		t.Errorf("scrolled %v at the start", a.voffset)
	}
}

// TestPersonNotesTypedAndSaved: notes typed into the person form (in both
// languages), over two lines, with Enter between and Ctrl+S from the notes
// field, are stored as typed (logical order), and shown again as lines in
// visual order when the person is opened.
func TestPersonNotesTypedAndSaved(t *testing.T) {
	for _, l := range []Lang{English, Arabic} {
		t.Run(string(l), func(t *testing.T) {
			s := testStore(t)
			u := newTestUI(t, s, l)
			u.show(screenPeople)
			press(u, shortcutNew)
			p := u.people.detail
			test.Type(p.nameAr, "مريم البلوشي")
			test.Type(p.phone, "91234567")
			p.gov.SetSelected(u.places.govName(l, "OM-DA"))
			u.focus(p.notes)
			test.Type(p.notes, "جامعة نزوى - القاعة 4")
			p.notes.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
			test.Type(p.notes, "IoT (2026-11-29) +968 9123")
			p.notes.TypedShortcut(shortcutSave)
			eventually(t, "saved", func() bool { return p.person.ID != "" })
			got, err := s.Person(context.Background(), p.person.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := "جامعة نزوى - القاعة 4\nIoT (2026-11-29) +968 9123"
			if got.Notes != want {
				t.Errorf("stored notes %q, want %q", got.Notes, want)
			}
			capture(t, u, "person-notes-"+string(l))
			a := &p.notes.rtlArea
			if len(a.lines) != 2 || !a.lines[0].rtl {
				t.Fatalf("%d lines shown, first rtl %v", len(a.lines), a.lines[0].rtl)
			}
			var b strings.Builder
			for _, tx := range areaLineTexts(a, 0) {
				b.WriteString(fyneDraws(tx.Text, false))
			}
			if want := visible(arabic.VisualDir("جامعة نزوى - القاعة 4", true)); b.String() != want {
				t.Errorf("first line drawn %q, want %q", b.String(), want)
			}
			// Tab goes on to the next control; the notes do not keep it.
			u.focus(p.notes)
			u.win.Canvas().FocusNext()
			if u.win.Canvas().Focused() == p.notes {
				t.Error("Tab stayed in the notes")
			}
		})
	}
}

// BenchmarkRTLAreaTyping: one character typed into the middle of notes of
// about 600 characters (wrapped mixed text), with the relayout it causes.
func BenchmarkRTLAreaTyping(b *testing.B) {
	test.NewTempApp(b)
	a := newRTLArea(true, 3)
	a.SetText(areaNotes + "\n" + areaNotes)
	a.Resize(fyne.NewSize(360, 120))
	test.WidgetRenderer(a)
	a.SetCursor(200)
	for b.Loop() {
		a.TypedRune('ك')
		a.TypedKey(&fyne.KeyEvent{Name: fyne.KeyBackspace})
	}
}
