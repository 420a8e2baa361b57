package certificate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// renderFile renders certs with tmpl into dir/name.pdf.
func renderFile(t testing.TB, dir, name string, tmpl Template, certs ...SignedCertificate) string {
	t.Helper()
	var buf bytes.Buffer
	if err := Render(context.Background(), &buf, tmpl, certs...); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name+".pdf")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func run(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(tool(t, name), args...).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("%s %s: %v\n%s\n%s", name, strings.Join(args, " "), err, out, ee.Stderr)
		}
		t.Fatalf("%s: %v", name, err)
	}
	return string(out)
}

// plain undoes what PDF text extraction adds to Arabic: presentation forms
// back to letters (NFKC), bidi controls dropped, runs of spaces as one.
func plain(s string) string {
	s = norm.NFKC.String(s)
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= 0x202a && r <= 0x202e, r == 0x200e, r == 0x200f, r >= 0x2066 && r <= 0x2069:
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// TestRenderCheckedByTools renders the sample people and checks the PDF the
// way a printer, a search engine and a phone would see it.
func TestRenderCheckedByTools(t *testing.T) {
	dir := t.TempDir()
	signer := testSigner()
	var certs []SignedCertificate
	for _, c := range people() {
		certs = append(certs, mustSign(t, signer, c))
	}
	pdf := renderFile(t, dir, "workshop", DefaultTemplate(), certs...)
	first, _ := os.ReadFile(pdf)
	// The same certificate rendered twice gives the same bytes. (Only one:
	// fpdf writes images sorted by width alone, so equal-width QR images of
	// several pages come out in map order; the files then differ in object
	// order, not in content.)
	one, _ := os.ReadFile(renderFile(t, dir, "one", DefaultTemplate(), certs[0]))
	if again, _ := os.ReadFile(renderFile(t, dir, "again", DefaultTemplate(), certs[0])); !bytes.Equal(one, again) {
		t.Error("the same certificate rendered twice gives different files")
	}
	// Each QR is also a link, so the file carries its records in text.
	recs := RecordsInPDF(first)
	if len(recs) != len(certs) {
		t.Fatalf("RecordsInPDF found %d records, want %d", len(recs), len(certs))
	}
	for i, c := range certs {
		if recs[i] != c.QRText(DefaultVerifyURL) {
			t.Errorf("record %d: %q", i, recs[i])
		}
	}

	// The file is well-formed.
	if out := run(t, "qpdf", "--check", pdf); !strings.Contains(out, "No syntax or stream encoding errors") {
		t.Errorf("qpdf --check:\n%s", out)
	}
	if n := strings.TrimSpace(run(t, "qpdf", "--show-npages", pdf)); n != fmt.Sprint(len(certs)) {
		t.Errorf("%s pages, want %d", n, len(certs))
	}

	hq := pub(testKey("hq"))
	for i, c := range certs {
		page := fmt.Sprint(i + 1)
		text := run(t, "pdftotext", "-f", page, "-l", page, "-enc", "UTF-8", pdf, "-")
		want := []string{"Certificate of Attendance", "Smart City Ambassadors", c.WorkshopTitleEn,
			c.WilayatEn, fmt.Sprintf("%d %s %d", c.Date.Day(), c.Date.Month(), c.Date.Year()),
			formatHours(c.Hours) + " hours", FormatCode(c.Code)}
		if c.PersonNameEn != "" {
			want = append(want, c.PersonNameEn)
		}
		flat := plain(text)
		for _, w := range want {
			if !strings.Contains(flat, w) {
				t.Errorf("page %d: pdftotext lacks %q:\n%s", i+1, w, text)
			}
		}
		// Arabic comes out as presentation forms; after NFKC the name's
		// letters must be there, in logical order.
		for _, w := range []string{c.PersonNameAr, "شهادة حضور", c.WilayatAr} {
			if !strings.Contains(flat, plain(w)) {
				t.Errorf("page %d: pdftotext lacks Arabic %q:\n%s", i+1, w, flat)
			}
		}

		// A phone's view: render at 150 dpi, scan the QR code, verify it.
		prefix := filepath.Join(dir, "page"+page)
		run(t, "pdftoppm", "-r", "150", "-png", "-singlefile", "-f", page, "-l", page, pdf, prefix)
		scanned := strings.TrimSpace(run(t, "zbarimg", "--quiet", "--raw", prefix+".png"))
		if scanned != c.QRText(DefaultVerifyURL) {
			t.Fatalf("page %d: zbarimg read %q, want %q", i+1, scanned, c.QRText(DefaultVerifyURL))
		}
		res := Verify(scanned, hq, nil)
		if res.Status != StatusValid || res.Record.Certificate != c.Certificate {
			t.Errorf("page %d: scanned QR verifies as %s (%v), shows %+v", i+1, res.Status, res.Err, res.Record.Certificate)
		}
		// One byte of the scanned record changed: the signature fails.
		payload, err := PayloadFromQR(scanned)
		if err != nil {
			t.Fatal(err)
		}
		at := bytes.Index(payload, []byte(c.WilayatEn))
		payload[at] ^= 0x20 // "Nizwa" → "nizwa"
		if got := Verify(QRText("", payload), hq, nil).Status; got != StatusTampered {
			t.Errorf("page %d: changed byte verifies as %s, want tampered", i+1, got)
		}
	}

	// No English name: that line is left out, nothing else is.
	last := run(t, "pdftotext", "-f", "3", "-l", "3", pdf, "-")
	if strings.Contains(last, "Abdullah") || !strings.Contains(last, "for attending the workshop") {
		t.Errorf("page 3 (no English name):\n%s", last)
	}
}

func TestRenderOptions(t *testing.T) {
	dir := t.TempDir()
	writePNG(t, filepath.Join(dir, "logo.png"), 64, 64)
	writePNG(t, filepath.Join(dir, "sig.png"), 120, 40)
	tmpl, err := ParseTemplate(fmt.Appendf(nil, `{
		"arabic_indic_digits": true,
		"logo": {"path": %q},
		"signature": {"path": %q},
		"vars": {"signatory_name_en": "Dr. Saeed Al Harthy"},
		"qr": {"color": "#0E3A5A", "level": "L"}
	}`, filepath.Join(dir, "logo.png"), filepath.Join(dir, "sig.png")))
	if err != nil {
		t.Fatal(err)
	}
	c := typical()
	c.Hours = 2.5
	c.ReissueOf = NewCode()
	sc := mustSign(t, testSigner(), c)
	pdf := renderFile(t, dir, "options", tmpl, sc, sc, sc)
	if out := run(t, "qpdf", "--check", pdf); !strings.Contains(out, "No syntax or stream encoding errors") {
		t.Errorf("qpdf --check:\n%s", out)
	}
	text := plain(run(t, "pdftotext", "-f", "1", "-l", "1", pdf, "-"))
	for _, w := range []string{"١٥", "٢٠٢٦", "مارس", "٢٫٥", "Dr. Saeed Al Harthy", "Replaces certificate " + FormatCode(c.ReissueOf), "2.5 hours"} {
		if !strings.Contains(text, w) {
			t.Errorf("pdftotext lacks %q:\n%s", w, text)
		}
	}
	// A coloured QR code (a palette image) still scans.
	png := filepath.Join(dir, "options")
	run(t, "pdftoppm", "-r", "150", "-png", "-singlefile", "-f", "1", "-l", "1", pdf, png)
	if got := strings.TrimSpace(run(t, "zbarimg", "--quiet", "--raw", png+".png")); got != sc.QRText(DefaultVerifyURL) {
		t.Errorf("coloured QR code read as %q", got)
	}
	// Images and fonts are stored once, not once a page: a 3-page file
	// holds as many as a 1-page file. qpdf's QDF form spells every object
	// out, so they can be counted.
	count := func(pdf, what string) int {
		qdf := pdf + ".qdf"
		run(t, "qpdf", "--qdf", "--object-streams=disable", pdf, qdf)
		raw, err := os.ReadFile(qdf)
		if err != nil {
			t.Fatal(err)
		}
		return bytes.Count(raw, []byte(what))
	}
	single := renderFile(t, dir, "single", tmpl, sc)
	// Each transparent PNG is an image and its alpha mask (4), plus the QR
	// code, which is the same on the three pages of one certificate.
	if one, three := count(single, "/Subtype /Image"), count(pdf, "/Subtype /Image"); one != 5 || three != one {
		t.Errorf("%d images in a 1-page file, %d in a 3-page file; want 5 in both", one, three)
	}
	if n := count(pdf, "/FontFile2"); n != 2 {
		t.Errorf("%d embedded font files, want 2 (regular and bold)", n)
	}
}

// Long text shrinks, then wraps, and never leaves its box.
func TestFit(t *testing.T) {
	r, err := newRenderer(DefaultTemplate())
	if err != nil {
		t.Fatal(err)
	}
	r.pdf.AddPage()
	box := &Text{Lang: "ar", W: 120, H: 15, Size: 30, MinSize: 18}
	for _, words := range []int{1, 3, 6, 9, 14, 30, 60} {
		s := strings.TrimSpace(strings.Repeat("عبدالله الإسماعيلي ", words/2+1))
		for _, lang := range []string{"ar", "en"} {
			if lang == "en" {
				s = strings.TrimSpace(strings.Repeat("Abdullah Al Ismaili ", words/2+1))
			}
			box.Lang = lang
			size, lines := r.fit(s, box, "B")
			r.pdf.SetFont(fontFamily, "B", size)
			for _, l := range lines {
				if w := r.pdf.GetStringWidth(visual(l, lang == "ar")); w > box.W+0.01 {
					t.Errorf("%d words (%s): line %.1f mm wide in a %v mm box", words, lang, w, box.W)
				}
			}
			if len(lines) > 2 {
				t.Errorf("%d words (%s): %d lines", words, lang, len(lines))
			}
			if got := strings.Join(lines, " "); got != s {
				t.Errorf("%d words (%s): wrapping lost text", words, lang)
			}
			if len(lines) == 2 && size < box.MinSize && words < 9 {
				t.Errorf("%d words (%s): %v pt, below the floor, though two lines at the floor fit", words, lang, size)
			}
		}
	}
}

// A dense record still gets modules of at least 0.5 mm.
func TestQRModuleSize(t *testing.T) {
	c := typical()
	c.WorkshopTitleAr = strings.Repeat("ورشة ", 40)
	c.WorkshopTitleEn = strings.Repeat("Workshop ", 25)
	big := mustSign(t, testSigner(), c)
	for _, sc := range []SignedCertificate{mustSign(t, testSigner(), typical()), big} {
		x, y, size, module, version, err := qrLayout(DefaultTemplate(), sc)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("payload %d bytes: QR %d×%d modules of %.2f mm, %.1f mm square at (%.1f, %.1f)",
			len(sc.Payload), version, version, module, size, x, y)
		if module < minModule-1e-9 {
			t.Errorf("module %.3f mm < %v mm", module, minModule)
		}
	}
}

func TestRenderStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	sc := mustSign(t, testSigner(), typical())
	if err := Render(ctx, &bytes.Buffer{}, DefaultTemplate(), sc); !errors.Is(err, context.Canceled) {
		t.Errorf("Render with a cancelled context: %v", err)
	}
	if err := Render(context.Background(), &bytes.Buffer{}, DefaultTemplate()); err == nil {
		t.Error("Render of no certificates succeeded")
	}
	bad := DefaultTemplate()
	bad.Texts[0].Color = "teal"
	if err := Render(context.Background(), &bytes.Buffer{}, bad, sc); err == nil || !strings.Contains(err.Error(), "texts[0].color") {
		t.Errorf("Render with a broken template: %v", err)
	}
}

// BenchmarkRender500 is a 500-person workshop printed to one PDF.
func BenchmarkRender500(b *testing.B) {
	signer := testSigner()
	certs := make([]SignedCertificate, 500)
	for i := range certs {
		c := people()[i%3]
		c.PersonNameEn = fmt.Sprintf("%s %d", c.PersonNameEn, i)
		certs[i] = mustSign(b, signer, c)
	}
	var one bytes.Buffer
	if err := Render(context.Background(), &one, DefaultTemplate(), certs[0]); err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := Render(context.Background(), &buf, DefaultTemplate(), certs...); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "pdf_bytes")
	b.ReportMetric(float64(buf.Len()-one.Len())/float64(len(certs)-1), "bytes/extra_page")
	if hwm := peakRSS(); hwm > 0 {
		b.ReportMetric(float64(hwm)/(1<<20), "peak_rss_MiB")
	}
}

// peakRSS is the process's peak resident memory in bytes (VmHWM), or 0
// where /proc is not there.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int64
			fmt.Sscanf(strings.TrimSpace(rest), "%d", &kb)
			return kb << 10
		}
	}
	return 0
}
