package ui

import (
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/arabic"
)

// TestEveryPlaceholderIsIsolated: every message of the catalogue, in both
// languages, filled with arguments of the kinds its verbs take (Arabic
// names, Latin names, paths, codes, numbers), has each argument in the
// text exactly once, inside an isolate of the argument's direction, and
// nothing else of the template inside an isolate; the text drawn for it is
// arabic.VisualDir's order of that text. A template whose placeholder
// came out bare, or whose argument ran into its neighbours, fails here.
func TestEveryPlaceholderIsIsolated(t *testing.T) {
	samples := []string{"مريم البلوشي", "/home/coordinator/Safeer/2026-12-05.pdf", "OM-XX", "Maryam — مريم", "+968 9123 4567"}
	for key, m := range messages {
		for _, l := range []Lang{English, Arabic} {
			tmpl := m.en
			if l == Arabic {
				tmpl = m.ar
			}
			if tmpl == "" {
				continue
			}
			var args []any
			var want []string // each argument as it must appear
			for i, v := range verbRE.FindAllStringSubmatch(tmpl, -1) {
				if v[6] == "%" || v[2] != "" {
					continue // %% and %[n]s (the n-th argument again)
				}
				var a any
				var s string
				switch v[6] {
				case "d":
					a, s = 120+i, fmt.Sprint(120+i)
				case "f", "g":
					a, s = 2.5, fmt.Sprintf("%"+v[3]+v[4]+v[5]+v[6], 2.5)
				default:
					s = samples[(i+len(key))%len(samples)]
					a = s
				}
				args = append(args, a)
				open := lri
				if !strings.Contains(s, "/") && rtlParagraph(s, l.RTL()) {
					open = rli
				}
				want = append(want, string(open)+s+string(pdi))
			}
			got := l.F(key, args...)
			if strings.Contains(got, "%!") {
				t.Errorf("%s (%s): %q", key, l, got)
				continue
			}
			rest := got
			for _, w := range want {
				if !strings.Contains(rest, w) {
					t.Errorf("%s (%s): argument %q not isolated in %q", key, l, w, got)
					continue
				}
				rest = strings.Replace(rest, w, "", 1)
			}
			// What is left is the template's own text: isolates there are
			// its own (a file extension) and balanced.
			if strings.Count(rest, string(pdi)) != strings.Count(rest, string(lri))+strings.Count(rest, string(rli)) {
				t.Errorf("%s (%s): unbalanced isolates in %q", key, l, got)
			}
			for _, line := range strings.Split(got, "\n") {
				want := visible(arabic.VisualDir(isolateNumbers(line), l.RTL()))
				if !strings.ContainsFunc(line, unicode.IsLetter) {
					continue // a separator (", "): never drawn alone
				}
				if strings.IndexFunc(line, isRTL) < 0 {
					want = visible(line) // no Arabic: drawn as it is
				}
				if d := fyneDraws(displayText(line, l.RTL()), true); d != want {
					t.Errorf("%s (%s): %q drawn\n %q\nwant\n %q", key, l, line, d, want)
				}
			}
		}
	}
}

// TestNamedMessagesReadWhole: the messages issue 11 saw broken read as
// their language reads them: each argument drawn whole and in its place.
// Drawn text is compared left to right, as it is on the screen.
func TestNamedMessagesReadWhole(t *testing.T) {
	draws := func(s string, rtl bool) string { return fyneDraws(displayText(s, rtl), true) }
	cases := []struct {
		lang Lang
		text string
		want []string // in the drawn line, left to right
	}{
		// "«Governorate: «OM-XX": the column's name and the code each whole,
		// the code inside its guillemets, the colon after the column name.
		{Arabic, Arabic.F("import.rowerror", 3, "Governorate", "«OM-XX» ليست محافظة عُمانية"),
			[]string{"ةينامعُ ةظفاحم تسيل «OM-XX»", ":Governorate", "3 فصلا"}},
		// "pdf.2026-12-05": the path whole, left to right.
		{Arabic, Arabic.F("certs.saved", "/home/coordinator/Safeer/certificates-2026-12-05.pdf"),
			[]string{"/home/coordinator/Safeer/certificates-2026-12-05.pdf", "يف"}},
		// "(xlsx.)"
		{Arabic, Arabic.T("import.help"), []string{"(.xlsx) Excel"}},
		// "968+": a phone whole.
		{Arabic, Arabic.F("conflicts.current", "+968 9123 4567"), []string{"+968 9123 4567 :نآلا"}},
		// "… — 2.5 :مريم … hours": the name, then its hours, in English.
		{English, English.F("checkin.hoursset", personLine(English, "", "مريم البلوشي"), "2.5"),
			[]string{"يشولبلا ميرم: 2.5 hours."}},
		{English, English.F("checkin.hoursset", personLine(English, "Maryam Al Balushi", "مريم البلوشي"), "2.5"),
			[]string{"Maryam Al Balushi — يشولبلا ميرم: 2.5 hours."}},
		{Arabic, Arabic.F("checkin.hoursset", personLine(Arabic, "Maryam Al Balushi", "مريم البلوشي"), "2.5"),
			[]string{".ةعاس 2.5 :Maryam Al Balushi — يشولبلا ميرم"}},
	}
	for _, c := range cases {
		got := draws(c.text, c.lang.RTL())
		at := 0
		for _, w := range c.want {
			i := strings.Index(got[at:], w)
			if i < 0 {
				t.Errorf("%q (%s) drawn %q: lacks %q in its place", c.text, c.lang, got, w)
				break
			}
			at += i + len(w)
		}
	}
}

// TestCheckInCounterReads: on the check-in screen, with one person
// present at a workshop for 120, the counter reads "الحضور: 1 من 120" in
// Arabic (drawn, left to right: 120, من, 1, the colon, الحضور; it read
// "120 / الحضور 1") and "Present 1 / 120" in English.
func TestCheckInCounterReads(t *testing.T) {
	for _, c := range []struct {
		lang Lang
		want string
	}{
		{Arabic, "120 نم 1 :روضحلا"},
		{English, "Present 1 / 120"},
	} {
		t.Run(string(c.lang), func(t *testing.T) {
			s := testStore(t)
			people := addPeople(t, s, testPeople...)
			w := addWorkshop(t, s, safeer.Workshop{TitleAr: "ورشة المدن الذكية", TitleEn: "Smart cities 101",
				Date: time.Now().Format("2006-01-02"), Hours: 3, Capacity: 120, Governorate: "OM-MA", Wilayat: "Muscat"})
			if err := s.Attend(context.Background(), &safeer.Attendance{WorkshopID: w.ID, PersonID: people[0].ID, Status: safeer.Present}); err != nil {
				t.Fatal(err)
			}
			u := newTestUI(t, s, c.lang)
			u.show(screenCheckIn)
			ch := u.checkin
			eventually(t, "counter", func() bool { return ch.workshopID == w.ID && len(ch.present) == 1 })
			settle(u)
			if got := fyneDraws(ch.counter.Text, true); got != c.want {
				t.Errorf("counter drawn %q, want %q", got, c.want)
			}
		})
	}
}

// TestNoMessageIsConcatenated: no code in the package joins a message
// (T, F, N) to other text with +, joins two values with " — " (the
// template "pair" does), or formats a message with fmt: each would leave
// words or arguments outside the template's isolates. Joining whole
// messages with a line break is allowed (each line is its own paragraph).
func TestNoMessageIsConcatenated(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	isMessage := func(e ast.Expr) bool {
		call, ok := ast.Unparen(e).(*ast.CallExpr)
		if !ok {
			return false
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		return ok && (sel.Sel.Name == "T" || sel.Sel.Name == "F" || sel.Sel.Name == "N")
	}
	isBreak := func(e ast.Expr) bool {
		b, ok := ast.Unparen(e).(*ast.BasicLit)
		return ok && (b.Value == `"\n"` || b.Value == `"\n\n"`)
	}
	isDash := func(e ast.Expr) bool {
		b, ok := ast.Unparen(e).(*ast.BasicLit)
		return ok && b.Value == `" — "`
	}
	checked := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		ast.Inspect(file, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.BinaryExpr:
				if x.Op == token.ADD && (isDash(x.X) || isDash(x.Y)) {
					t.Errorf("%s: two values joined with \" — \" (use the template pair)", fset.Position(x.Pos()))
					return true
				}
				if x.Op != token.ADD || !(isMessage(x.X) || isMessage(x.Y)) {
					return true
				}
				// a + "\n" + b is one binary tree: allow breaks on either side.
				other := x.Y
				if isMessage(x.Y) {
					other = x.X
				}
				if inner, ok := ast.Unparen(other).(*ast.BinaryExpr); ok && inner.Op == token.ADD && isBreak(inner.Y) {
					return true
				}
				if !isBreak(other) {
					t.Errorf("%s: a message joined with +", fset.Position(x.Pos()))
				}
			case *ast.CallExpr:
				if sel, ok := x.Fun.(*ast.SelectorExpr); ok && strings.HasPrefix(sel.Sel.Name, "Sprint") && len(x.Args) > 0 && isMessage(x.Args[0]) {
					t.Errorf("%s: a message formatted with fmt, not F", fset.Position(x.Pos()))
				}
			}
			return true
		})
	}
	if checked < 20 {
		t.Fatalf("only %d files checked", checked)
	}
}
