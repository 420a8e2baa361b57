package ui

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestMessages checks the catalog: every key the code uses exists, both
// languages are there, and both take the same fmt verbs.
func TestMessages(t *testing.T) {
	verbs := regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z%]`)
	for key, m := range messages {
		if base, _, plural := strings.Cut(key, "#"); plural {
			if _, ok := messages[base]; !ok || strings.TrimSpace(m.ar) == "" {
				t.Errorf("%s: plural form without its base or its Arabic", key)
			}
			continue
		}
		if strings.TrimSpace(m.en) == "" || strings.TrimSpace(m.ar) == "" {
			t.Errorf("%s: missing a language: %q / %q", key, m.en, m.ar)
		}
		en, ar := verbs.FindAllString(m.en, -1), verbs.FindAllString(m.ar, -1)
		if !slices.Equal(en, ar) {
			t.Errorf("%s: verbs differ: %v / %v", key, en, ar)
		}
	}
	used := regexp.MustCompile(`\b(?:T|F|N)\("([a-z0-9_.]+)"`)
	quoted := regexp.MustCompile(`"((?:nav|field|status|error)\.[a-z0-9_]+)"`)
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || f == "messages.go" {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, re := range []*regexp.Regexp{used, quoted} {
			for _, m := range re.FindAllStringSubmatch(string(src), -1) {
				if _, ok := messages[m[1]]; !ok {
					t.Errorf("%s: key %q is not in the catalog", f, m[1])
				}
			}
		}
	}
}
