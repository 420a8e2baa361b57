package safeer_test

import (
	"go/ast"
	"go/constant"
	"go/parser"
	"go/token"
	"slices"
	"strings"
	"testing"

	"github.com/oman-sca/safeer"
)

// TestSchemaNamesEveryConstant holds schema.go to one declaration: every
// Table… constant is a table of Schema and every Field… constant a field
// of at least one of them (a name declared but left out of Schema would be
// refused by both sides), and no table lists a field twice.
func TestSchemaNamesEveryConstant(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "schema.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	tables, fields := map[string]string{}, map[string]string{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			v := s.(*ast.ValueSpec)
			for i, n := range v.Names {
				lit, ok := v.Values[i].(*ast.BasicLit)
				if !ok {
					t.Fatalf("%s is not a string literal", n.Name)
				}
				val := constant.StringVal(constant.MakeFromLiteral(lit.Value, lit.Kind, 0))
				switch {
				case strings.HasPrefix(n.Name, "Table"):
					tables[n.Name] = val
				case strings.HasPrefix(n.Name, "Field"):
					fields[n.Name] = val
				}
			}
		}
	}
	if len(tables) != len(safeer.Schema) {
		t.Errorf("schema.go declares %d tables, Schema has %d", len(tables), len(safeer.Schema))
	}
	for name, table := range tables {
		if _, ok := safeer.Schema[safeer.Table(table)]; !ok {
			t.Errorf("%s (%q) is not a table of Schema", name, table)
		}
	}
	used := map[safeer.Field]bool{}
	for table, fs := range safeer.Schema {
		for i, f := range fs {
			if slices.Contains(fs[:i], f) {
				t.Errorf("Schema lists %s.%s twice", table, f)
			}
			used[f] = true
		}
	}
	for name, field := range fields {
		if !used[safeer.Field(field)] {
			t.Errorf("%s (%q) is a field of no table of Schema", name, field)
		}
	}
	if len(used) != len(fields) {
		t.Errorf("Schema names %d fields, schema.go declares %d constants", len(used), len(fields))
	}
}
