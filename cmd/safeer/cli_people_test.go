package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oman-sca/safeer/data"
)

// searched is people search --json's list for query q (every match: --limit 0).
func searched(t *testing.T, db, q string) []data.SearchResult {
	t.Helper()
	var out searchOutput
	jsonOut(t, mustRun(t, db, "people", "search", q, "--limit", "0", "--json"), &out)
	if out.Shown != len(out.Results) || out.Total != len(out.Results) {
		t.Fatalf("search %q --limit 0: %d results, shown %d, total %d", q, len(out.Results), out.Shown, out.Total)
	}
	return out.Results
}

// TestPeopleSearchLimit: a search cut by --limit (50 by default) says so,
// "showing 50 of N" on stderr or total/shown/limit in JSON, and --limit 0
// or a large limit shows everyone.
func TestPeopleSearchLimit(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "s.db")
	var b strings.Builder
	b.WriteString("name_en,phone,governorate\n")
	for i := range 60 {
		fmt.Fprintf(&b, "Person %02d,9%07d,OM-MA\n", i, i)
	}
	csv := filepath.Join(dir, "roster.csv")
	if err := os.WriteFile(csv, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	mustRun(t, db, "import", csv)

	lines := func(s string) int { return strings.Count(s, "\n") }
	for _, tt := range []struct {
		args   []string
		rows   int
		stderr string
	}{
		{[]string{""}, 50, "showing 50 of 60"},       // everyone, by name, from SQL
		{[]string{"Person"}, 50, "showing 50 of 60"}, // a query, from the index
		{[]string{"Person", "--limit", "7"}, 7, "showing 7 of 60"},
		{[]string{"", "--limit", "0"}, 60, ""},
		{[]string{"Person", "--limit", "0"}, 60, ""},
		{[]string{"--limit", "1000", "Person"}, 60, ""},
		{[]string{"Person", "--limit", "60"}, 60, ""},
		{[]string{"Person 07"}, 1, ""},
	} {
		code, out, errs := run(t, db, append([]string{"people", "search"}, tt.args...)...)
		if code != 0 || lines(out) != tt.rows || !strings.Contains(errs, tt.stderr) || (tt.stderr == "" && errs != "") {
			t.Errorf("people search %q: exit %d, %d rows, stderr %q; want %d rows and %q", tt.args, code, lines(out), errs, tt.rows, tt.stderr)
		}
	}

	for _, tt := range []struct {
		args                []string
		total, shown, limit int
	}{
		{[]string{""}, 60, 50, 50},
		{[]string{"Person", "--limit", "7"}, 60, 7, 7},
		{[]string{"", "--limit", "0"}, 60, 60, 0},
		{[]string{"nobody"}, 0, 0, 50},
	} {
		var got searchOutput
		code, out, errs := run(t, db, append([]string{"people", "search", "--json"}, tt.args...)...)
		jsonOut(t, out, &got)
		if code != 0 || errs != "" || got.Total != tt.total || got.Shown != tt.shown || got.Limit != tt.limit || len(got.Results) != tt.shown {
			t.Errorf("people search --json %q: exit %d, total %d shown %d limit %d with %d results; want %d %d %d\n%s",
				tt.args, code, got.Total, got.Shown, got.Limit, len(got.Results), tt.total, tt.shown, tt.limit, errs)
		}
	}

	code, out, errs := run(t, db, "people", "search", "Person", "--limit", "-1")
	if code != 2 || out != "" || !strings.Contains(errs, "--limit -1") || !strings.Contains(errs, "0 for all") {
		t.Errorf("--limit -1: exit %d\n%s%s", code, out, errs)
	}
}
