package certificate

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestFileName(t *testing.T) {
	long := strings.Repeat("ورشة ", 60) // 600 bytes
	for _, c := range []struct {
		parts []string
		want  string
	}{
		{[]string{"Open data", "2026-11-29"}, "Open data - 2026-11-29.pdf"},
		{[]string{"  ", "Smart Cities", ""}, "Smart Cities.pdf"},
		{[]string{`a/b\c:d*e?f"g<h>i|j`}, "a-b-c-d-e-f-g-h-i-j.pdf"},
		{[]string{"tab\there", "new\nline"}, "tab-here - new-line.pdf"},
		{[]string{"Workshop...", "  "}, "Workshop.pdf"},
		{[]string{"...", " "}, "certificates.pdf"},
		{nil, "certificates.pdf"},
	} {
		if got := FileName(c.parts...); got != c.want {
			t.Errorf("FileName(%q) = %q, want %q", c.parts, got, c.want)
		}
	}
	got := FileName(long)
	if len(got) > maxName+len(".pdf") || !strings.HasSuffix(got, ".pdf") || !strings.HasPrefix(got, "ورشة") {
		t.Errorf("long name: %d bytes %q", len(got), got)
	}
	if base := strings.TrimSuffix(got, ".pdf"); !strings.HasPrefix(long, base) || strings.ContainsRune(base, '\uFFFD') {
		t.Errorf("long name cut inside a letter: %q", got)
	}
}

func TestCertificateFileName(t *testing.T) {
	c := typical()
	c.Code = "ABCDE23456"
	if got, want := c.FileName(), "عبدالله بن سالم الإسماعيلي - Abdullah bin Salim Al Ismaili - ABCDE-23456.pdf"; got != want {
		t.Fatalf("FileName = %q, want %q", got, want)
	}
	c.PersonNameEn = ""
	if got, want := c.FileName(), "عبدالله بن سالم الإسماعيلي - ABCDE-23456.pdf"; got != want {
		t.Fatalf("without an English name: %q, want %q", got, want)
	}
}

// TestWriteEach writes one PDF a person, each named by the person and
// holding their record, readable by the owner only, in a folder it makes.
func TestWriteEach(t *testing.T) {
	s := testSigner()
	var certs []SignedCertificate
	for _, c := range people() {
		certs = append(certs, mustSign(t, s, c))
	}
	dir := filepath.Join(t.TempDir(), "out", "split")
	paths, err := WriteEach(context.Background(), dir, DefaultTemplate(), certs...)
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != len(certs) {
		t.Fatalf("%d files for %d certificates", len(paths), len(certs))
	}
	for i, p := range paths {
		if filepath.Dir(p) != dir || filepath.Base(p) != certs[i].FileName() {
			t.Errorf("file %d is %s, want %s", i, p, filepath.Join(dir, certs[i].FileName()))
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		recs := RecordsInPDF(b)
		if len(recs) != 1 {
			t.Fatalf("%s holds %d records", p, len(recs))
		}
		if res := Verify(recs[0], pub(testKey("hq")), nil); res.Status != StatusValid || res.Record.Code != certs[i].Code {
			t.Errorf("%s: %v %s", p, res.Status, res.Record.Code)
		}
		if runtime.GOOS != "windows" {
			if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("%s mode %v %v", p, fi.Mode().Perm(), err)
			}
		}
	}
	if fi, err := os.Stat(dir); runtime.GOOS != "windows" && (err != nil || fi.Mode().Perm() != 0o700) {
		t.Errorf("folder mode %v %v", fi.Mode().Perm(), err)
	}
}

// TestWriteFileCancelled: a render that stops leaves no PDF under the name.
func TestWriteFileCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	path := filepath.Join(t.TempDir(), "all.pdf")
	err := WriteFile(ctx, path, DefaultTemplate(), mustSign(t, testSigner(), typical()))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("a PDF is left after a cancelled render: %v", err)
	}
	left, _ := os.ReadDir(filepath.Dir(path))
	if len(left) != 0 {
		t.Fatalf("left behind: %v", left)
	}
}
