package e2e_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/css"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// The browser tests drive HQ's web pages in headless Chromium, as the
// people who use them do: someone who scans a certificate's QR code with a
// phone, and an administrator at the console. SAFEER_SCREENSHOTS names a
// folder to save PNGs of the pages in, as an absolute path since go test
// runs in e2e/ (make screenshots: docs/screenshots).

// chromiumNames are the commands Chromium is known by; SAFEER_CHROMIUM
// overrides them.
var chromiumNames = []string{"chromium", "chromium-browser", "google-chrome-stable", "google-chrome"}

// chromiumPath finds Chromium or fails the test: a missing browser must not
// pass as a skipped test.
func chromiumPath(t *testing.T) string {
	t.Helper()
	names := chromiumNames
	if p := os.Getenv("SAFEER_CHROMIUM"); p != "" {
		names = []string{p}
	}
	for _, name := range names {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatalf("Chromium is not installed, and the browser tests need it (looked for %s). "+
		"On Debian install the package chromium, with fonts-hosny-amiri for Arabic "+
		"(make test does, as root), or set SAFEER_CHROMIUM to a Chromium or Chrome binary.",
		strings.Join(names, ", "))
	return ""
}

// browser is one headless Chromium tab.
type browser struct {
	t     *testing.T
	ctx   context.Context
	shots string // folder for screenshots, or ""
}

// stepTimeout bounds each step: a page that never shows what a test waits
// for fails in seconds rather than at the test's deadline.
const stepTimeout = 30 * time.Second

// newBrowser starts headless Chromium with a fresh profile. The flags keep
// it off the network beyond loopback: without them it tries Google's
// services at start and, on a machine with no internet, hangs on refused
// connections.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	exe := chromiumPath(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless, // --headless (and --hide-scrollbars, --mute-audio)
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("no-proxy-server", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("lang", "en-US"),
		chromedp.WindowSize(1280, 800),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc() // waits for Chromium to exit
	})
	b := &browser{t: t, ctx: ctx, shots: os.Getenv("SAFEER_SCREENSHOTS")}
	// The first run starts Chromium and ties it to its context, so it
	// cannot take a context with a timeout of its own: a timer stops it.
	start := time.Now()
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx, chromedp.Navigate("about:blank")) }()
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("start Chromium (%s): %v", exe, err)
		}
	case <-time.After(time.Minute):
		cancelTab()
		<-started
		t.Fatalf("Chromium (%s) did not start within a minute", exe)
	}
	t.Logf("Chromium started in %v", time.Since(start).Round(time.Millisecond))
	return b
}

// step runs the actions with a timeout, failing the test with what the
// page shows when they fail.
func (b *browser) step(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.fail(what, err)
	}
}

func (b *browser) fail(what string, err error) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
	b.t.Fatalf("%s: %v\npage %s shows:\n%s", what, err, loc, body)
}

// open navigates to url and checks the HTTP status of the page.
func (b *browser) open(url string, status int64) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(url))
	if err != nil {
		b.fail("open "+url, err)
	}
	if resp.Status != status {
		b.fail("open "+url, fmt.Errorf("HTTP status %d, want %d", resp.Status, status))
	}
}

// click clicks what sel finds and waits for the page it leads to (a form's
// submit button, a link), checking its HTTP status.
func (b *browser) click(sel string, status int64) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		b.fail("click "+sel, err)
	}
	if resp.Status != status {
		b.fail("click "+sel, fmt.Errorf("HTTP status %d, want %d", resp.Status, status))
	}
}

// text is the visible text of the first element sel finds, once it is
// visible.
func (b *browser) text(sel string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		b.fail("read "+sel, err)
	}
	return s
}

// see fails unless the element sel finds shows every one of want.
func (b *browser) see(sel string, want ...string) {
	b.t.Helper()
	got := b.text(sel)
	for _, w := range want {
		if !strings.Contains(got, w) {
			b.t.Errorf("%s shows %q, without %q", sel, got, w)
		}
	}
}

func (b *browser) eval(expr string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		b.fail("evaluate "+expr, err)
	}
	return s
}

// fonts lists the fonts Chromium drew the text of the first element sel
// finds with.
func (b *browser) fonts(sel string) []string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	names, err := chromedp.Run(ctx, func(ctx context.Context, t *chromedp.Target) ([]string, error) {
		nodes, err := chromedp.Nodes(chromedp.CSS(sel), chromedp.NodeVisible)(ctx, t)
		if err != nil {
			return nil, err
		}
		if _, err := cdp.Call(ctx, t, css.Enable, cdp.Empty{}); err != nil {
			return nil, err
		}
		res, err := cdp.Call(ctx, t, css.GetPlatformFontsForNode, css.GetPlatformFontsForNodeParams{NodeID: nodes[0].NodeID})
		if err != nil {
			return nil, err
		}
		var out []string
		for _, f := range res.Fonts {
			out = append(out, f.FamilyName)
		}
		return out, nil
	})
	if err != nil {
		b.fail("fonts of "+sel, err)
	}
	return names
}

// shot saves a PNG of the whole page, laid out width CSS pixels wide, into
// the screenshots folder, when there is one.
func (b *browser) shot(name string, width int64) {
	b.t.Helper()
	if b.shots == "" {
		return
	}
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
		if _, err := chromedp.EmulateViewport(width, 600)(ctx, t); err != nil {
			return nil, err
		}
		defer cdp.Call(ctx, t, emulation.ClearDeviceMetricsOverride, cdp.Empty{})
		return chromedp.FullScreenshot(100)(ctx, t)
	})
	if err != nil {
		b.fail("screenshot "+name, err)
	}
	if err := os.MkdirAll(b.shots, 0o755); err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(b.shots, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// adminAdd makes a console account, giving its password on stdin as a
// script would.
func (h *hqProc) adminAdd(name, password string) {
	h.t.Helper()
	cmd := exec.Command(bin.hq, "admin", "add", name, "--db", h.db)
	cmd.Stdin = strings.NewReader(password + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		h.t.Fatalf("safeer-hq admin add %s: %v\n%s", name, err, out)
	}
}

// scanQR renders the first page of a certificate PDF as a phone's camera
// would see it and reads its QR code.
func scanQR(t *testing.T, pdf string) string {
	t.Helper()
	for _, tool := range []string{"pdftoppm", "zbarimg"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed (Debian: poppler-utils zbar-tools; make test installs them as root)", tool)
		}
	}
	png := filepath.Join(t.TempDir(), "page")
	if out, err := exec.Command("pdftoppm", "-r", "150", "-png", "-singlefile", "-f", "1", "-l", "1", pdf, png).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	out, err := exec.Command("zbarimg", "--quiet", "--raw", png+".png").Output()
	if err != nil {
		t.Fatalf("zbarimg found no QR code: %v", err)
	}
	return strings.TrimSpace(string(out))
}

var monthsAr = [12]string{"يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"}

// muscatDates is an RFC 3339 time's civil date in Oman, as the pages
// print it in English and Arabic.
func muscatDates(t *testing.T, rfc3339 string) (en, ar string) {
	t.Helper()
	at, err := time.Parse(time.RFC3339, rfc3339)
	if err != nil {
		t.Fatal(err)
	}
	d := at.In(time.FixedZone("GST", 4*3600))
	return d.Format("2 January 2006"), fmt.Sprintf("%d %s %d", d.Day(), monthsAr[d.Month()-1], d.Year())
}

// TestBrowser runs the web pages of a real safeer-hq in headless Chromium,
// with real devices issuing, revoking and syncing: a certificate scanned
// from its PDF and checked on the verification page, valid then revoked;
// and an administrator merging two duplicates at the console, which the
// device of the merged person learns at its next sync.
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real programs and Chromium")
	}
	b := newBrowser(t)
	h := startHQ(t, filepath.Join(t.TempDir(), "hq.db"), "127.0.0.1:0")
	muscat, dakh := newDevice(t, "muscat"), newDevice(t, "dakhiliyah")
	muscat.enrol(h, "OM-MA")
	dakh.enrol(h, "OM-DA")

	// A workshop in Muscat, two ambassadors present. Ahmed is also on
	// Ad Dakhiliyah's roster, spelt another way: a duplicate for HQ.
	const (
		nameAr, nameEn   = "أحمد بن سالم الهنائي", "Ahmed Salim Al Hinai"
		titleAr, titleEn = "المدن الذكية والبيانات المفتوحة", "Smart cities and open data"
		civilID          = "11223344"
	)
	ahmed := muscat.addPerson(nameEn, "OM-MA", "--name-ar", nameAr, "--wilayat", "Muttrah",
		"--phone", "91234567", "--civil-id", civilID)
	maryam := muscat.addPerson("Maryam Al Balushi", "OM-MA", "--name-ar", "مريم البلوشية", "--wilayat", "As Seeb")
	var ws struct{ ID string }
	muscat.json(&ws, "workshops", "add", "--title-ar", titleAr, "--title-en", titleEn,
		"--date", time.Now().AddDate(0, 0, -1).Format("2006-01-02"), "--hours", "3",
		"--governorate", "OM-MA", "--wilayat", "Muttrah")
	muscat.must("attend", ws.ID, ahmed)
	muscat.must("attend", ws.ID, maryam)
	ahmedDakh := dakh.addPerson("Ahmed S. Al Hinai", "OM-DA", "--name-ar", "احمد سالم الهنائي",
		"--wilayat", "Nizwa", "--phone", "92223333", "--civil-id", civilID)

	// Certificates whose QR codes lead to this HQ.
	tmpl := filepath.Join(t.TempDir(), "template.json")
	if err := os.WriteFile(tmpl, []byte(`{"verify_url": "`+h.url()+`/V/"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	split := filepath.Join(t.TempDir(), "certificates")
	var issued struct {
		Files []string `json:"files"`
	}
	muscat.json(&issued, "certificates", "issue", "--workshop", ws.ID, "--split", split, "--template", tmpl,
		"--signatory-ar", "سالم الهنائي", "--signatory-en", "Salim Al Hinai")
	var list struct {
		Certificates []struct {
			Code     string `json:"code"`
			Snapshot struct{ PersonNameEn string }
		} `json:"certificates"`
	}
	muscat.json(&list, "certificates", "list", "--workshop", ws.ID)
	if len(issued.Files) != 2 || len(list.Certificates) != 2 {
		t.Fatalf("issued %v, listed %+v", issued.Files, list)
	}
	var pdf, code string
	for _, c := range list.Certificates {
		if c.Snapshot.PersonNameEn == nameEn {
			code = c.Code
		}
	}
	for _, f := range issued.Files {
		if strings.Contains(f, nameEn) {
			pdf = f
		}
	}
	if pdf == "" || code == "" {
		t.Fatalf("no certificate of %s among %v, %+v", nameEn, issued.Files, list)
	}
	if r := muscat.sync(); r.Rejected != 0 || r.Applied == 0 {
		t.Fatalf("muscat's sync: %+v", r)
	}
	if r := dakh.sync(); r.Applied != 1 {
		t.Fatalf("dakhiliyah's sync: %+v", r)
	}

	t.Run("certificate", func(t *testing.T) {
		b.t = t
		formatted := code[:5] + "-" + code[5:]

		// Someone types the code printed on the certificate, carelessly.
		b.open(h.url()+"/verify", 200)
		b.step("type the code", chromedp.SendKeys(chromedp.CSS("#code"), strings.ToLower(formatted)))
		b.click(`form[action="/verify"] button[type="submit"]`, 200)
		if loc := b.eval(`location.pathname + location.search`); !strings.HasPrefix(loc, "/verify?code=") {
			t.Errorf("the form led to %s", loc)
		}
		b.see(".verdict.ok .title", "شهادة صحيحة", "Valid certificate")
		b.see(`[lang="en"] .facts`, nameEn, formatted)

		// A code nobody issued.
		b.open(h.url()+"/verify?code=7K3MQ-9XZ2F", 200)
		b.see(".verdict.warn .title", "رمز غير معروف", "Unknown code")
		b.shot("hq-verify-unknown", 420)

		// A phone scans the printed QR code and opens its link.
		link := scanQR(t, pdf)
		if !strings.HasPrefix(strings.ToLower(link), h.url()+"/v/") {
			t.Fatalf("the QR code leads to %s, not to this HQ", link)
		}
		b.open(link, 200)
		b.see(".verdict.ok .title", "شهادة صحيحة", "Valid certificate")
		b.see(".verdict.ok", "هذه الشهادة صحيحة", "This certificate is genuine")
		b.see(`[lang="ar"] .facts`, nameAr, titleAr, "مطرح", formatted)
		b.see(`[lang="en"] .facts`, nameEn, titleEn, "Muttrah", formatted)
		// The Arabic is drawn in an Arabic face, right to left: the name's
		// first letter lies to the right of its last.
		if fonts := b.fonts(`[lang="ar"] .facts dd`); !hasArabicFace(fonts) {
			t.Errorf("the Arabic name is drawn with %v: install an Arabic font (Debian: fonts-hosny-amiri)", fonts)
		}
		if order := b.eval(`(() => {
			const dd = document.querySelector('[lang="ar"] .facts dd');
			const text = dd.firstChild, r = document.createRange();
			r.setStart(text, 0); r.setEnd(text, 1);
			const first = r.getBoundingClientRect();
			r.setStart(text, text.length - 1); r.setEnd(text, text.length);
			const last = r.getBoundingClientRect();
			return getComputedStyle(dd).direction + " " + (first.left > last.left ? "right-to-left" : "left-to-right");
		})()`); order != "rtl right-to-left" {
			t.Errorf("the Arabic name is laid out %s", order)
		}
		b.shot("hq-verify-valid", 420)
		b.shot("hq-verify-desktop", 1100)

		// The coordinator revokes it on the laptop and syncs; the page,
		// reloaded, says so, with the date.
		var rev struct {
			RevokedAt string `json:"revoked_at"`
		}
		muscat.json(&rev, "certificates", "revoke", code, "--reason", "issued to the wrong person")
		if r := muscat.sync(); r.Applied != 1 {
			t.Fatalf("sync of the revocation: %+v", r)
		}
		b.step("reload", chromedp.Reload())
		onEn, onAr := muscatDates(t, rev.RevokedAt)
		b.see(".verdict.warn .title", "شهادة ملغاة", "Revoked certificate")
		b.see(".verdict.warn", "This certificate was revoked on "+onEn, "أُلغيت هذه الشهادة بتاريخ \u2068"+onAr+"\u2069")
		b.see(`[lang="en"] .facts`, nameEn) // still says what it certified
		if body := b.text("body"); strings.Contains(body, "wrong person") {
			t.Error("the public page shows the coordinator's reason for revoking")
		}
		b.shot("hq-verify-revoked", 420)
	})
	if t.Failed() {
		return
	}

	t.Run("console", func(t *testing.T) {
		b.t = t
		if b.shots != "" {
			demoData(t, h, muscat, dakh)
		}
		const password = "correct horse battery staple"
		h.adminAdd("salma", password)
		b.open(h.url()+"/admin/", 200) // leads to the sign-in page
		if loc := b.eval(`location.pathname`); loc != "/admin/login" {
			t.Fatalf("the console let a stranger in at %s", loc)
		}
		b.shot("hq-console-login", 420)
		b.step("fill in the sign-in form",
			chromedp.SendKeys(chromedp.CSS("#name"), "salma"),
			chromedp.SendKeys(chromedp.CSS("#password"), password))
		b.click(`form[action="/admin/login"] button[type="submit"]`, 200)
		b.see("header", "Sign out salma")
		b.see("main h1", "Overview")
		b.shot("hq-console-overview", 1280)
		b.shot("hq-console-phone", 420)
		for _, page := range []struct{ path, nav string }{
			{"devices", "Devices"}, {"roster", "Roster"}, {"conflicts", "Conflicts"}, {"activity", "Activity"}, {"places", "Wilayats"},
		} {
			b.click(`nav a[href="/admin/`+page.path+`"]`, 200)
			if got := b.text(`nav a[aria-current="page"]`); got != page.nav {
				t.Errorf("at /admin/%s the menu marks %q", page.path, got)
			}
			b.shot("hq-console-"+page.path, 1280)
		}

		// The revoked certificate, looked up by its code.
		b.click(`nav a[href="/admin/certificates"]`, 200)
		b.step("type the code", chromedp.SendKeys(chromedp.CSS("#code"), code))
		b.click(`form[action="/admin/certificates"] button[type="submit"]`, 200)
		b.see("main .verdict", "Revoked certificate", nameEn)
		b.see("main", "issued to the wrong person") // the reason, which stays at HQ
		b.shot("hq-console-certificates", 1280)

		// The two Ahmeds, one in each governorate, with one civil ID.
		b.click(`nav a[href="/admin/duplicates"]`, 200)
		b.see("form.group", "Same civil ID", "الرقم المدني نفسه", nameAr, nameEn, "احمد سالم الهنائي", "Ahmed S. Al Hinai", "Muscat", "Ad Dakhiliyah")
		b.shot("hq-console-duplicates", 1280)
		// Keep the record the form does not offer first, so the click
		// matters; the other's device must learn the merge.
		checked := `document.querySelector('form.group input[name="keep"]:checked').value`
		keep, merged, mergedDev := ahmed, ahmedDakh, dakh
		if b.eval(checked) == ahmed {
			keep, merged, mergedDev = ahmedDakh, ahmed, muscat
		}
		b.step("choose the record to keep",
			chromedp.Click(chromedp.CSS(`form.group input[name="keep"][value="`+keep+`"]`), chromedp.NodeVisible))
		if got := b.eval(checked); got != keep {
			t.Fatalf("after the click the form keeps %s, want %s", got, keep)
		}
		if p := showPerson(mergedDev, merged); p.MergedInto != "" {
			t.Fatalf("%s: merged before the click: %+v", mergedDev.name, p)
		}
		// The two side by side, field by field, before anything changes.
		b.click(`form.group button[type="submit"]`, 200)
		b.see("form.merge", "Kept:", "Merged into it:", "احمد سالم الهنائي", "أحمد بن سالم الهنائي")
		b.shot("hq-console-merge", 1280)
		if p := showPerson(mergedDev, merged); p.MergedInto != "" {
			t.Fatalf("%s: merged by showing the merge page: %+v", mergedDev.name, p)
		}
		b.click(`form.merge button[type="submit"]`, 200)
		b.see(".notice.ok", "Merged", "The devices of their governorates learn it at their next sync")
		b.see("main", "No candidates")

		// The merged person's device learns it at its next sync.
		if p := showPerson(mergedDev, merged); p.MergedInto != "" {
			t.Fatalf("%s knows of the merge before syncing: %+v", mergedDev.name, p)
		}
		if r := mergedDev.sync(); r.Pulled == 0 {
			t.Fatalf("%s's sync after the merge: %+v", mergedDev.name, r)
		}
		if p := showPerson(mergedDev, merged); p.MergedInto != keep {
			t.Fatalf("%s after its sync: %s merged into %q, want %s", mergedDev.name, merged, p.MergedInto, keep)
		}

		// The audit log names who merged whom.
		b.click(`nav a[href="/admin/audit"]`, 200)
		b.see("main", "person.merge", "salma", merged)
		b.shot("hq-console-audit", 1280)

		b.click(`form[action="/admin/logout"] button[type="submit"]`, 200)
		b.open(h.url()+"/admin/duplicates", 200)
		if loc := b.eval(`location.pathname`); loc != "/admin/login" {
			t.Errorf("signed out, the console still opens at %s", loc)
		}
	})
}

type shownPerson struct {
	ID         string `json:"id"`
	NameEn     string `json:"name_en"`
	MergedInto string `json:"merged_into"`
}

func showPerson(d *dev, id string) shownPerson {
	d.t.Helper()
	var r struct{ Person shownPerson }
	d.json(&r, "people", "show", id)
	return r.Person
}

// demoData gives the console's pages something to show in the
// screenshots: workshops in both governorates over the past months, and a
// conflict between two laptops in Muscat.
func demoData(t *testing.T, h *hqProc, muscat, dakh *dev) {
	t.Helper()
	people := map[*dev][]string{}
	for _, p := range []struct {
		d           *dev
		ar, en, gov string
		wilayat     string
	}{
		{muscat, "فاطمة الزدجالية", "Fatima Al Zadjali", "OM-MA", "As Seeb"},
		{muscat, "خالد الراشدي", "Khalid Al Rashdi", "OM-MA", "Bawshar"},
		{muscat, "عائشة الكندية", "Aisha Al Kindi", "OM-MA", "Muscat"},
		{dakh, "سعيد العبري", "Said Al Abri", "OM-DA", "Nizwa"},
		{dakh, "منى الريامية", "Muna Al Riyami", "OM-DA", "Bahla"},
		{dakh, "يوسف الكلباني", "Yusuf Al Kalbani", "OM-DA", "Izki"},
	} {
		people[p.d] = append(people[p.d], p.d.addPerson(p.en, p.gov, "--name-ar", p.ar, "--wilayat", p.wilayat))
	}
	for i, w := range []struct {
		d            *dev
		ar, en       string
		months       int
		gov, wilayat string
		attendees    int
	}{
		{muscat, "إنترنت الأشياء في البلديات", "Internet of things for municipalities", 2, "OM-MA", "As Seeb", 3},
		{muscat, "النقل الذكي", "Smart transport", 4, "OM-MA", "Bawshar", 2},
		{muscat, "الطاقة المتجددة في الأحياء", "Renewable energy in neighbourhoods", 7, "OM-MA", "Muscat", 3},
		{dakh, "الزراعة الذكية والأفلاج", "Smart farming and aflaj", 3, "OM-DA", "Nizwa", 3},
		{dakh, "السياحة الرقمية", "Digital tourism", 6, "OM-DA", "Bahla", 2},
	} {
		var ws struct{ ID string }
		w.d.json(&ws, "workshops", "add", "--title-ar", w.ar, "--title-en", w.en,
			"--date", time.Now().AddDate(0, -w.months, -i).Format("2006-01-02"), "--hours", "3",
			"--governorate", w.gov, "--wilayat", w.wilayat)
		for _, id := range people[w.d][:w.attendees] {
			w.d.must("attend", ws.ID, id)
		}
	}
	muscat.sync()
	dakh.sync()
	// A second laptop in Muscat changes what the first changed offline.
	second := newDevice(t, "muscat-2")
	second.enrol(h, "OM-MA")
	second.sync()
	who := people[muscat][0]
	muscat.must("people", "edit", who, "--organisation", "Muscat Municipality")
	second.must("people", "edit", who, "--organisation", "Ministry of Housing")
	second.sync()
	muscat.sync()
}

// hasArabicFace reports whether one of the page's Arabic fonts drew the
// text (rather than a fallback that may lack the letters).
func hasArabicFace(fonts []string) bool {
	for _, f := range fonts {
		for _, want := range []string{"Amiri", "Noto Naskh Arabic", "Noto Sans Arabic"} {
			if strings.EqualFold(f, want) {
				return true
			}
		}
	}
	return false
}
