package safeer_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"path"
	"slices"
	"strings"
	"testing"
)

// The layering of the module, checked from what the go command itself
// says each package imports (go list -deps -json ./...), so a new import
// that breaks a layer fails here and not in review. Test files are not
// counted: tests may wire real parts of other layers together.

const module = "github.com/oman-sca/safeer"

type listedPackage struct {
	ImportPath string
	Name       string
	Standard   bool
	Imports    []string // direct
	Deps       []string // transitive
}

// goList runs the go command in the module's root (a test's working
// directory is its package's folder, and this package is the root).
func goList(t *testing.T, args ...string) []listedPackage {
	t.Helper()
	cmd := exec.Command("go", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	var pkgs []listedPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go %s: %v", strings.Join(args, " "), err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// within reports whether import path p is pkg or one of its subpackages
// (pkg relative to the module; "" is the module root alone).
func within(p, pkg string) bool {
	if pkg == "" {
		return p == module
	}
	full := module + "/" + pkg
	return p == full || strings.HasPrefix(p, full+"/")
}

// ofModule reports whether p is a package of this module.
func ofModule(p string) bool { return p == module || strings.HasPrefix(p, module+"/") }

// underAny reports whether p is one of the paths or below one of them
// (paths outside the module: "database/sql", "fyne.io").
func underAny(p string, paths ...string) bool {
	for _, q := range paths {
		if p == q || strings.HasPrefix(p, q+"/") {
			return true
		}
	}
	return false
}

// leaf reports whether p is one of the packages the domain may use: the
// catalogue of messages, Arabic folding and the values people type, which
// need only the standard library and each other. The domain's rules
// (validation) are written in their words.
func leaf(p string) bool { return within(p, "message") || within(p, "arabic") || within(p, "input") }

// rule is one layer boundary: the packages it applies to, and which of
// their imports (direct only, or everything they depend on) it forbids.
type rule struct {
	name      string
	applies   func(path string) bool
	direct    bool
	forbidden func(imp string) bool
}

var layering = []rule{
	{
		name:    "the domain (package safeer at the module root) depends on nothing of the module but its leaves (message, arabic, input) and on no SQL, HTTP, Fyne or SQLite driver",
		applies: func(p string) bool { return p == module },
		forbidden: func(imp string) bool {
			return (ofModule(imp) && !leaf(imp)) || underAny(imp, "database/sql", "net/http", "fyne.io", "modernc.org")
		},
	},
	{
		name:      "the domain's leaves (message, arabic, input) depend on nothing of the module but each other",
		applies:   leaf,
		forbidden: func(imp string) bool { return ofModule(imp) && !leaf(imp) },
	},
	{
		name:      "ui does not import database/sql (it talks to the store through interfaces)",
		applies:   func(p string) bool { return within(p, "ui") },
		direct:    true,
		forbidden: func(imp string) bool { return underAny(imp, "database/sql") },
	},
	{
		name:      "data (the device's store) depends on nothing of hq",
		applies:   func(p string) bool { return within(p, "data") },
		forbidden: func(imp string) bool { return within(imp, "hq") },
	},
	{
		name:      "hq depends on nothing of data or ui",
		applies:   func(p string) bool { return within(p, "hq") },
		forbidden: func(imp string) bool { return within(imp, "data") || within(imp, "ui") },
	},
	{
		name:      "sync/protocol (shared by device and HQ) depends on nothing of data",
		applies:   func(p string) bool { return within(p, "sync/protocol") },
		forbidden: func(imp string) bool { return within(imp, "data") },
	},
	{
		name: "certificate, arabic and spreadsheet depend on nothing of data, hq or ui",
		applies: func(p string) bool {
			return within(p, "certificate") || within(p, "arabic") || within(p, "spreadsheet")
		},
		forbidden: func(imp string) bool {
			return within(imp, "data") || within(imp, "hq") || within(imp, "ui")
		},
	},
}

func TestLayering(t *testing.T) {
	pkgs := goList(t, "list", "-deps", "-json", "./...")
	checked := map[string]int{}
	for _, p := range pkgs {
		if !ofModule(p.ImportPath) {
			continue
		}
		for _, r := range layering {
			if !r.applies(p.ImportPath) {
				continue
			}
			checked[r.name]++
			imports := p.Deps
			if r.direct {
				imports = p.Imports
			}
			for _, imp := range imports {
				if r.forbidden(imp) {
					t.Errorf("rule %q broken: %s imports %s", r.name, p.ImportPath, imp)
				}
			}
		}
	}
	// A rule that matches no package checks nothing: a renamed package
	// must take its rule along.
	for _, r := range layering {
		if checked[r.name] == 0 {
			t.Errorf("rule %q applies to no package of the module", r.name)
		}
	}
}

// TestNoPackageNamedLikeTheStandardLibrary keeps a package of the module
// from shadowing a standard one (sync did, and 28 files imported the
// standard sync as stdsync): neither its folder nor its package name is
// the last element of a standard-library import path. The standard
// library's internal and vendored packages cannot be imported, so nothing
// can clash with them (hq/internal/scan and internal/runtime/gc/scan).
func TestNoPackageNamedLikeTheStandardLibrary(t *testing.T) {
	std := map[string]string{}
	for _, p := range goList(t, "list", "-json", "std") {
		if importable(p.ImportPath) {
			std[path.Base(p.ImportPath)] = p.ImportPath
		}
	}
	if std["sync"] != "sync" || std["parse"] == "" {
		t.Fatalf("go list std lists %d packages, without sync or text/template/parse", len(std))
	}
	var own []string
	for _, p := range goList(t, "list", "-json", "./...") {
		own = append(own, p.ImportPath)
		names := []string{path.Base(p.ImportPath)}
		if p.Name != "main" && p.Name != names[0] {
			names = append(names, p.Name)
		}
		for _, n := range names {
			if s, ok := std[n]; ok {
				t.Errorf("rule \"no package named like a standard-library package\" broken: %s (package %s) is named like the standard %s", p.ImportPath, p.Name, s)
			}
		}
	}
	if !slices.Contains(own, module) {
		t.Fatalf("go list ./... does not list the module root: %v", own)
	}
}

// importable reports whether a standard-library path can be imported by
// code outside the standard library: not internal, not vendored.
func importable(p string) bool {
	for _, el := range strings.Split(p, "/") {
		if el == "internal" || el == "vendor" {
			return false
		}
	}
	return true
}
