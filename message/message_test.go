package message

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// TestCatalogue checks every code: both languages written, the same
// placeholders in both, and every argument isolated when rendered, so no
// argument can run into the words around it.
func TestCatalogue(t *testing.T) {
	if len(catalogue) < 100 {
		t.Fatalf("the catalogue has %d codes; the packages below the UI use more", len(catalogue))
	}
	for code, tm := range catalogue {
		if strings.TrimSpace(tm.En) == "" || strings.TrimSpace(tm.Ar) == "" {
			t.Errorf("%s: a language is missing: %q / %q", code, tm.En, tm.Ar)
			continue
		}
		en, ar := placeholders(tm.En), placeholders(tm.Ar)
		slices.Sort(en)
		slices.Sort(ar)
		if !slices.Equal(en, ar) {
			t.Errorf("%s: placeholders differ: English %v, Arabic %v", code, en, ar)
		}
		for _, name := range en {
			if name == "" || strings.ContainsAny(name, " {}") {
				t.Errorf("%s: bad placeholder %q", code, name)
			}
		}
		// Words in Arabic: a template that is not only placeholders and
		// punctuation has Arabic letters.
		if hasLetters(stripPlaceholders(tm.Ar)) && !hasArabic(tm.Ar) {
			t.Errorf("%s: the Arabic template has no Arabic: %q", code, tm.Ar)
		}
		if strings.Contains(tm.En+tm.Ar, "«{") || strings.Contains(tm.En+tm.Ar, "}»") {
			t.Errorf("%s: guillemets around a placeholder: quote the argument (Quoted), so they go inside its isolate", code)
		}
		for _, l := range []Lang{English, Arabic} {
			var args []Arg // every kind of argument in turn, most with Arabic in them
			for i, name := range slices.Compact(en) {
				switch i % 6 {
				case 0:
					args = append(args, Text(name, "مريم "+name))
				case 1:
					args = append(args, Latin(name, "+968 "+name))
				case 2:
					args = append(args, Pair(name, "Muscat "+name, "مسقط "+name))
				case 3:
					args = append(args, Quoted(name, "جامعة نزوى - القاعة 4"))
				case 4:
					args = append(args, QuotedList(name, "الاسم", "Mobile"))
				default:
					// Items without the list separator in them, so pieces can
					// split the rendered list back into its items.
					args = append(args, List(name, New("data.workshop.date_required"), New("data.place.governorate_required")))
				}
			}
			got := New(code, args...).In(l)
			if strings.ContainsAny(stripIsolates(got), "{}") && !strings.Contains(tm.En+tm.Ar, "{{") {
				t.Errorf("%s in %s: a placeholder is left: %q", code, l, got)
			}
			for _, a := range args {
				want := a.render(l)
				if !strings.Contains(got, want) {
					t.Errorf("%s in %s: argument %s is not rendered as %q: %q", code, l, a.Name, want, got)
				}
				// In Arabic every argument (every item of a list) is
				// isolated; in English every one with right-to-left text.
				for _, piece := range pieces(a, l, want) {
					isolated := (strings.HasPrefix(piece, FSI) || strings.HasPrefix(piece, LRI)) && strings.HasSuffix(piece, PDI)
					if !isolated && (l == Arabic || hasRTL(piece)) {
						t.Errorf("%s in %s: argument %s renders %q, not isolated", code, l, a.Name, piece)
					}
				}
			}
			if n := strings.Count(got, PDI); n != strings.Count(got, FSI)+strings.Count(got, LRI)+strings.Count(got, RLI) {
				t.Errorf("%s in %s: isolates do not balance: %q", code, l, got)
			}
		}
	}
}

// pieces splits a rendered list argument into its items.
func pieces(a Arg, l Lang, rendered string) []string {
	switch a.kind {
	case kindList, kindQuotedList:
		return strings.Split(rendered, listSep(l, false))
	case kindClauses:
		return strings.Split(rendered, listSep(l, true))
	}
	return []string{rendered}
}

// TestCodesInUse finds every message.New, message.NewError and
// message.Wrap in the module whose code is a literal, and checks the
// catalogue has it: a misspelt code would otherwise show as a code.
func TestCodesInUse(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("the module's root is not %s: %v", root, err)
	}
	used := map[Code]string{}
	fset := token.NewFileSet()
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			arg := 0
			switch fn := call.Fun.(type) {
			case *ast.SelectorExpr:
				x, ok := fn.X.(*ast.Ident)
				if !ok || x.Name != "message" {
					return true
				}
				switch fn.Sel.Name {
				case "New", "NewError":
				case "Wrap":
					arg = 1
				default:
					return true
				}
			case *ast.Ident:
				if !(f.Name.Name == "message" && (fn.Name == "New" || fn.Name == "NewError")) {
					return true
				}
			default:
				return true
			}
			if len(call.Args) <= arg {
				return true
			}
			if lit, ok := call.Args[arg].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				s, _ := strconv.Unquote(lit.Value)
				used[Code(s)] = fset.Position(lit.Pos()).String()
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(used) < 80 {
		t.Fatalf("found only %d codes in use: the scan is broken", len(used))
	}
	for code, where := range used {
		if _, ok := catalogue[code]; !ok {
			t.Errorf("%s: code %q is not in the catalogue", where, code)
		}
	}
	// And the catalogue holds nothing no one says. Sync's codes are made
	// from its problem codes (sync/client checks each has its words).
	for code := range catalogue {
		if _, ok := used[code]; !ok && !strings.HasPrefix(string(code), "sync.") {
			t.Errorf("code %q is in the catalogue but no code uses it", code)
		}
	}
}

func TestRender(t *testing.T) {
	m := New("data.place.wilayat_elsewhere", Pair("wilayat", "Nizwa", "نزوى"),
		Pair("governorate", "Ad Dakhiliyah", "الداخلية"), Pair("chosen", "Muscat", "مسقط"))
	if got, want := m.In(Arabic), "ولاية "+FSI+"نزوى"+PDI+" تتبع محافظة "+FSI+"الداخلية"+PDI+" وليس محافظة "+FSI+"مسقط"+PDI; got != want {
		t.Errorf("Arabic %q, want %q", got, want)
	}
	if got, want := m.English(), "Nizwa is in Ad Dakhiliyah, not in Muscat"; got != want {
		t.Errorf("English %q, want %q", got, want)
	}
	// A quoted value keeps its guillemets inside its isolate, so they
	// cannot drift to the other end ("«Governorate: «OM-XX", issue 11).
	typed := New("input.phone.no_digits", Quoted("value", "+968"))
	if got := typed.Arabic(); got != "ليس رقم هاتف "+FSI+"«+968»"+PDI+": لا يحتوي على أرقام" {
		t.Errorf("Arabic %q", got)
	}
	if got := typed.English(); got != "not a phone number «+968»: it has no digits" {
		t.Errorf("English %q", got)
	}
	venue := New("sheet.xlsx.no_such_sheet", Quoted("sheet", "جامعة نزوى - القاعة 4"), QuotedList("sheets", "Roster", "السفراء"))
	if got, want := venue.English(), "the workbook has no sheet named "+FSI+"«جامعة نزوى - القاعة 4»"+PDI+"; its sheets are «Roster», "+FSI+"«السفراء»"+PDI; got != want {
		t.Errorf("English %q, want %q", got, want)
	}
	code := New("data.place.governorate_unknown", Quoted("value", "OM-XX"))
	if got, want := code.Arabic(), FSI+"«OM-XX»"+PDI+" ليست محافظة عُمانية"; got != want {
		t.Errorf("Arabic %q, want %q", got, want)
	}
	hours := New("data.attendance.hours", Float("hours", 2.5))
	if got := hours.Arabic(); got != "ساعات الحضور يجب أن تكون بين 0 و"+LRI+"2.5"+PDI+" (ساعات الورشة)" {
		t.Errorf("%q", got)
	}
	// In English a left-to-right argument needs no isolate unless it holds
	// right-to-left text (a path with an Arabic folder).
	if got := hours.English(); got != "hours attended must be between 0 and the workshop's 2.5" {
		t.Errorf("%q", got)
	}
	path := New("sheet.open.not_found", Latin("path", "/home/مريم/ورشة.xlsx"))
	if got := path.English(); got != "file not found: "+LRI+"/home/مريم/ورشة.xlsx"+PDI {
		t.Errorf("%q", got)
	}
	list := New("print.incomplete", List("missing", New("print.gap.title_ar"), New("print.gap.wilayat")))
	if got := list.Arabic(); !strings.Contains(got, FSI+"عنوان الورشة بالعربية"+PDI+"، "+FSI+"ولاية الورشة"+PDI+".") {
		t.Errorf("Arabic list %q", got)
	}
	if got := list.English(); !strings.Contains(got, "Missing: the workshop's Arabic title, the workshop's wilayat.") {
		t.Errorf("English list %q", got)
	}
	clauses := New("data.invalid", Clauses("problems", New("data.workshop.date_required"), New("data.workshop.hours")))
	if got := clauses.Arabic(); !strings.Contains(got, PDI+"؛ "+FSI) {
		t.Errorf("Arabic clauses %q", got)
	}
	// A code the catalogue lacks shows itself and its arguments.
	if got := New("no.such", Int("n", 3)).Arabic(); got != "no.such n="+LRI+"3"+PDI {
		t.Errorf("unknown code renders %q", got)
	}
	// A missing argument leaves its placeholder, so it shows.
	if got := New("input.hours").English(); !strings.Contains(got, "hours {value}:") {
		t.Errorf("missing argument renders %q", got)
	}
}

func TestLangOfEnv(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want Lang
	}{
		{map[string]string{"LANG": "ar_OM.UTF-8"}, Arabic},
		{map[string]string{"LANG": "ar"}, Arabic},
		{map[string]string{"LANG": "C"}, English},
		{map[string]string{"LANG": "C.UTF-8"}, English},
		{map[string]string{}, English},
		{map[string]string{"LANG": "en_GB.UTF-8", "LC_MESSAGES": "ar_OM.UTF-8"}, Arabic},
		{map[string]string{"LANG": "ar_OM.UTF-8", "LC_ALL": "C"}, English},
		{map[string]string{"LANG": "arn_CL.UTF-8"}, English}, // Mapudungun is not Arabic
	} {
		if got := LangOfEnv(func(k string) string { return c.env[k] }); got != c.want {
			t.Errorf("%v: %v, want %v", c.env, got, c.want)
		}
	}
}

func TestErrorFound(t *testing.T) {
	cause := errors.New("disk on fire")
	err := fmt.Errorf("import: %w", Wrap(cause, "sheet.read.failed", Latin("cause", cause.Error())))
	m, ok := Find(err)
	if !ok || m.Code != "sheet.read.failed" {
		t.Fatalf("Find: %v %v", m, ok)
	}
	if !errors.Is(err, cause) {
		t.Error("the cause is lost")
	}
	if s, ok := Render(err, Arabic); !ok || !strings.Contains(s, "تعذرت قراءة الملف") {
		t.Errorf("Render: %q %v", s, ok)
	}
	if !strings.HasPrefix(err.Error(), "import: cannot read the file: ") {
		t.Errorf("Error() is not English: %q", err.Error())
	}
	if _, ok := Find(errors.New("plain")); ok {
		t.Error("a plain error carries no message")
	}
}

func stripIsolates(s string) string {
	return strings.NewReplacer(FSI, "", LRI, "", RLI, "", PDI, "").Replace(s)
}

func stripPlaceholders(s string) string {
	return fill(s, func(string) (string, bool) { return "", true })
}

func hasLetters(s string) bool { return strings.IndexFunc(s, unicode.IsLetter) >= 0 }

func hasArabic(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Arabic, r) && unicode.IsLetter(r) }) >= 0
}
