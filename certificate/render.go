package certificate

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"github.com/oman-sca/safeer/arabic"
	"github.com/oman-sca/safeer/assets"
	"github.com/oman-sca/safeer/certificate/internal/qrcode"
)

const (
	fontFamily = "amiri"
	ptPerMM    = 72 / 25.4
	// minModule is the smallest QR module (mm) that phone cameras read
	// reliably from a laser or inkjet print at arm's length.
	minModule = 0.5
	// quietZone is the blank margin, in modules, a QR reader needs around
	// the code (ISO/IEC 18004 asks for 4).
	quietZone = 4
)

var monthsAr = [12]string{"يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو",
	"يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"}

// Render writes one PDF with a page for each certificate, in the order
// given. Fonts are embedded once, as subsets, and images once, however many
// pages there are. It checks ctx between pages.
func Render(ctx context.Context, w io.Writer, tmpl Template, certs ...SignedCertificate) error {
	if len(certs) == 0 {
		return errors.New("render certificates: none to render")
	}
	if err := tmpl.Validate(); err != nil {
		return fmt.Errorf("render certificates: %w", err)
	}
	r, err := newRenderer(tmpl)
	if err != nil {
		return fmt.Errorf("render certificates: %w", err)
	}
	// The newest issue time dates the file, so rendering the same
	// certificates twice gives the same bytes.
	var newest time.Time
	for _, c := range certs {
		if c.IssuedAt.After(newest) {
			newest = c.IssuedAt
		}
	}
	r.pdf.SetCreationDate(newest)
	r.pdf.SetModificationDate(newest)
	qrs, ready, stop := startQRs(&r.t, certs)
	defer stop()
	for i := range certs {
		select {
		case <-ready[i]:
		case <-ctx.Done():
			return fmt.Errorf("render certificates: %w", ctx.Err())
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("render certificates: %w", err)
		}
		if err := r.page(&certs[i], qrs[i]); err != nil {
			return fmt.Errorf("render certificates: certificate %s: %w", certs[i].Code, err)
		}
	}
	// The signed records also travel inside the file, compressed, so a PDF
	// can be verified without rendering it and scanning its QR codes.
	records := make([]string, len(certs))
	for i := range certs {
		records[i] = certs[i].QRText(r.t.VerifyURL)
	}
	r.pdf.SetAttachments([]fpdf.Attachment{{Filename: recordsFile,
		Content: []byte(strings.Join(records, "\n") + "\n")}})
	if err := r.pdf.Output(w); err != nil {
		return fmt.Errorf("render certificates: %w", err)
	}
	return nil
}

type renderer struct {
	pdf        *fpdf.Fpdf
	t          Template
	images     map[string]imageInfo // by path
	verifyHost string
	static     fpdf.Template // the artwork every page shares
}

type imageInfo struct {
	name string
	w, h float64 // pixels, for proportions
}

func newRenderer(t Template) (*renderer, error) {
	// A4 landscape, given as a "portrait" page that is wider than tall:
	// fpdf's form templates (used for the shared artwork) swap width and
	// height for "L" pages and would draw it 87 mm too high.
	pdf := fpdf.NewCustom(&fpdf.InitType{OrientationStr: "P", UnitStr: "mm",
		Size: fpdf.SizeType{Wd: PageWidth, Ht: PageHeight}})
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetMargins(0, 0, 0)
	pdf.SetCompression(true)
	pdf.SetCatalogSort(true)
	pdf.SetCreator("Safeer", true)
	pdf.SetTitle("Certificates of Attendance · شهادات حضور", true)
	pdf.SetAuthor("Smart City Ambassadors", true)
	// Fonts from bytes embedded in the binary: the laptop may have no Arabic
	// font at all. fpdf embeds only the glyphs used (GenerateCutFont), once.
	pdf.AddUTF8FontFromBytes(fontFamily, "", assets.AmiriRegular)
	pdf.AddUTF8FontFromBytes(fontFamily, "B", assets.AmiriBold)
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("fonts: %w", err)
	}
	r := &renderer{pdf: pdf, t: t, images: map[string]imageInfo{}}
	if t.VerifyURL == "" {
		r.t.VerifyURL = DefaultVerifyURL
	}
	if u, err := parseURL(r.t.VerifyURL); err == nil {
		r.verifyHost = strings.ToLower(u)
	}
	for _, img := range append([]Image{t.Logo, t.Signature}, t.Images...) {
		if img.Path == "" {
			continue
		}
		if _, ok := r.images[img.Path]; ok {
			continue
		}
		data, err := os.ReadFile(img.Path)
		if err != nil {
			return nil, fmt.Errorf("image: %w", err)
		}
		tp := strings.TrimPrefix(strings.ToLower(filepath.Ext(img.Path)), ".")
		name := fmt.Sprintf("img%d", len(r.images))
		info := pdf.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: tp}, bytes.NewReader(data))
		if err := pdf.Error(); err != nil || info == nil {
			return nil, fmt.Errorf("image %s: %w", img.Path, errors.Join(err, errors.New("unreadable")))
		}
		r.images[img.Path] = imageInfo{name: name, w: info.Width(), h: info.Height()}
	}
	r.static = pdf.CreateTemplateCustom(fpdf.PointType{}, fpdf.SizeType{Wd: PageWidth, Ht: PageHeight},
		func(tpl *fpdf.Tpl) { r.drawStatic(&tpl.Fpdf) })
	if err := pdf.Error(); err != nil {
		return nil, err
	}
	return r, nil
}

// parseURL returns host and path of a verify URL without scheme or trailing
// slash, for print ("safeer.sca.om/v").
func parseURL(s string) (string, error) {
	i := strings.Index(s, "://")
	if i < 0 {
		return "", errors.New("no scheme")
	}
	return strings.TrimSuffix(s[i+3:], "/"), nil
}

func (r *renderer) page(c *SignedCertificate, q qrImage) error {
	pdf, t := r.pdf, &r.t
	pdf.AddPage()
	pdf.UseTemplate(r.static)
	if t.Logo.Path != "" {
		r.image(t.Logo)
	}
	if t.Signature.Path != "" {
		r.image(t.Signature)
	}
	for _, img := range t.Images {
		r.image(img)
	}
	vals := r.values(c)
	for i := range t.Texts {
		r.text(&t.Texts[i], vals)
	}
	if err := r.qr(q); err != nil {
		return err
	}
	return pdf.Error()
}

// drawStatic draws what every page shares: background, frame, emblem and
// rules. It goes into one form XObject that each page refers to, so the
// artwork is in the file once (about 3 KB a page less).
func (r *renderer) drawStatic(pdf *fpdf.Fpdf) {
	t := &r.t
	if t.Background != "" {
		pdf.SetFillColor(hexColour(t.Background))
		pdf.Rect(0, 0, PageWidth, PageHeight, "F")
	}
	if t.Border.Style != "none" {
		r.border(pdf)
	}
	if t.Logo.Path == "" && t.Logo.W > 0 {
		h := t.Logo.H
		if h == 0 {
			h = t.Logo.W
		}
		r.emblem(pdf, t.Logo.X+t.Logo.W/2, t.Logo.Y+h/2, math.Min(t.Logo.W, h)/2)
	}
	for _, ru := range t.Rules {
		pdf.SetDrawColor(hexColour(ru.Color))
		pdf.SetLineWidth(ru.Width)
		pdf.Line(ru.X1, ru.Y1, ru.X2, ru.Y2)
	}
}

func (r *renderer) image(img Image) {
	info := r.images[img.Path]
	h := img.H
	if h == 0 && info.w > 0 {
		h = img.W * info.h / info.w
	}
	r.pdf.ImageOptions(info.name, img.X, img.Y, img.W, h, false, fpdf.ImageOptions{}, 0, "")
}

// values are the placeholders' contents for Arabic and for English texts.
type values struct {
	ar, en map[string]string
}

// values fills the placeholders for one certificate. Language-dependent
// numbers (hours, the Arabic date) get Arabic-Indic digits when the template
// asks for them; the code never does, since it is typed into a web page.
func (r *renderer) values(c *SignedCertificate) values {
	en := make(map[string]string, len(builtinVars)+len(r.t.Vars))
	for k, v := range r.t.Vars {
		en[k] = v
	}
	y, m, d := c.Date.Date()
	hours := formatHours(c.Hours)
	en["name_ar"] = c.PersonNameAr
	en["name_en"] = c.PersonNameEn
	en["workshop_ar"] = c.WorkshopTitleAr
	en["workshop_en"] = c.WorkshopTitleEn
	en["wilayat_ar"] = c.WilayatAr
	en["wilayat_en"] = c.WilayatEn
	en["date_en"] = fmt.Sprintf("%d %s %d", d, m, y)
	en["date_ar"] = fmt.Sprintf("%d %s %d", d, monthsAr[m-1], y)
	en["hours"] = hours
	en["code"] = FormatCode(c.Code)
	en["reissue_of"] = FormatCode(c.ReissueOf)
	en["verify_host"] = r.verifyHost
	ar := make(map[string]string, len(en))
	for k, v := range en {
		ar[k] = v
	}
	if r.t.ArabicIndicDigits {
		ar["hours"] = arabic.ToArabicIndic(strings.ReplaceAll(hours, ".", "٫")) // ٫ is the Arabic decimal separator
		ar["date_ar"] = arabic.ToArabicIndic(ar["date_ar"])
		en["date_ar"] = ar["date_ar"]
	}
	return values{ar: ar, en: en}
}

// formatHours prints 3 as "3", 2.5 as "2.5" and 1h20m as "1.33".
func formatHours(h float64) string {
	return strconv.FormatFloat(math.Round(h*100)/100, 'f', -1, 64)
}

// fill replaces the placeholders in s; ok is false when one of them is
// empty, and the whole text is then left out.
func fill(s string, vals map[string]string) (string, bool) {
	ok := true
	out := placeholderRE.ReplaceAllStringFunc(s, func(m string) string {
		v := vals[placeholderRE.FindStringSubmatch(m)[1]]
		if strings.TrimSpace(v) == "" {
			ok = false
		}
		return v
	})
	return out, ok
}

func (r *renderer) text(tx *Text, vals values) {
	m := vals.en
	if tx.Lang == "ar" {
		m = vals.ar
	}
	s, ok := fill(tx.Text, m)
	if !ok {
		return
	}
	s = strings.Join(strings.Fields(s), " ") // a stray newline or tab is a space on paper
	style := ""
	if tx.Bold {
		style = "B"
	}
	size, lines := r.fit(s, tx, style)
	pdf := r.pdf
	r.setFont(style, size)
	if tx.Color != "" {
		pdf.SetTextColor(hexColour(tx.Color))
	} else {
		pdf.SetTextColor(0, 0, 0)
	}
	rtl := tx.Lang == "ar"
	sizeMM := size / ptPerMM
	lineH := sizeMM * lineSpacing
	if len(lines) == 1 {
		lineH = math.Max(tx.H, sizeMM)
	}
	top := tx.Y + (math.Max(tx.H, lineH)-lineH*float64(len(lines)))/2
	for i, line := range lines {
		vis := visual(line, rtl)
		w := pdf.GetStringWidth(vis)
		x := tx.X + (tx.W-w)/2
		switch tx.Align {
		case "L":
			x = tx.X
		case "R":
			x = tx.X + tx.W - w
		}
		// Baseline a little below the line's middle: Amiri's capitals and
		// Arabic letters then sit visually centred in the box.
		baseline := top + float64(i)*lineH + lineH/2 + 0.3*sizeMM
		pdf.Text(x, baseline, vis)
	}
}

const lineSpacing = 1.2

// setFont selects the font unless it is already selected: fpdf writes a
// font operator on every call, and measuring calls it a lot.
func (r *renderer) setFont(style string, size float64) {
	if pt, _ := r.pdf.GetFontSize(); r.pdf.GetFontFamily() == fontFamily && r.pdf.GetFontStyle() == style && pt == size {
		return
	}
	r.pdf.SetFont(fontFamily, style, size)
}

// fit picks the font size and lines for s in tx's box: the template's size
// if it fits; else one line shrunk down to MinSize; else the largest size
// from Size to MinSize at which it wraps onto MaxLines lines within the
// box; else smaller still, so the text never runs out of its box.
func (r *renderer) fit(s string, tx *Text, style string) (float64, []string) {
	pdf := r.pdf
	minSize := tx.MinSize
	if minSize == 0 {
		minSize = tx.Size * 0.6
	}
	maxLines := tx.MaxLines
	if maxLines == 0 {
		maxLines = 2
	}
	rtl := tx.Lang == "ar"
	r.setFont(style, tx.Size)
	w := pdf.GetStringWidth(visual(s, rtl))
	if w <= tx.W {
		return tx.Size, []string{s}
	}
	// Width is proportional to size, so one measurement gives the size.
	if fitted := math.Floor(tx.Size*tx.W/w*10) / 10; fitted >= minSize {
		return fitted, []string{s}
	}
	words := strings.Fields(s)
	for size := tx.Size; size >= 2; size -= 0.5 {
		r.setFont(style, size)
		lines, ok := r.wrap(words, tx.W, maxLines, rtl)
		if !ok {
			continue
		}
		if size >= minSize && tx.H > 0 && float64(len(lines))*size/ptPerMM*lineSpacing > tx.H*1.15 {
			continue // taller than its box: try smaller before giving up on height
		}
		return size, lines
	}
	return 2, []string{s} // unreachable for any text a template can hold
}

// wrap breaks words (in logical order) greedily into lines no wider than w
// at the current font; false when that takes more than maxLines lines or a
// single word is wider than w. Lines are broken before reordering, because
// bidi reordering works line by line.
func (r *renderer) wrap(words []string, w float64, maxLines int, rtl bool) ([]string, bool) {
	var lines []string
	cur := ""
	for _, word := range words {
		try := word
		if cur != "" {
			try = cur + " " + word
		}
		if r.pdf.GetStringWidth(visual(try, rtl)) <= w {
			cur = try
			continue
		}
		if cur == "" || r.pdf.GetStringWidth(visual(word, rtl)) > w {
			return nil, false
		}
		lines = append(lines, cur)
		cur = word
		if len(lines) >= maxLines {
			return nil, false
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines, len(lines) <= maxLines
}

// visual turns a logical line into what fpdf draws, left to right: Arabic
// shaped to presentation forms, the line in visual order. fpdf's own RTL mode
// only reverses characters, breaking joins and numbers. A line of an Arabic
// text (rtl) is right-to-left even when it starts with a Latin word or a
// number, e.g. "IoT للمبتدئين"; other lines take their direction from their
// first letter.
func visual(s string, rtl bool) string {
	if rtl {
		return arabic.VisualDir(arabic.Shape(s), true)
	}
	for _, r := range s {
		if r >= 0x0590 && r <= 0x08ff || r >= 0xfb1d && r <= 0xfeff {
			return arabic.Display(s)
		}
	}
	return s
}

func hexColour(s string) (int, int, int) {
	s = strings.TrimPrefix(s, "#")
	if len(s) == 3 {
		s = string([]byte{s[0], s[0], s[1], s[1], s[2], s[2]})
	}
	v, err := strconv.ParseUint(s, 16, 32)
	if err != nil || len(s) != 6 {
		return 0, 0, 0
	}
	return int(v >> 16 & 0xff), int(v >> 8 & 0xff), int(v & 0xff)
}

// qrPixels is the image pixels a QR module gets. One would do for print,
// but viewers smooth images enlarged less than 4× (poppler does), which
// blurs one-pixel modules on screen; with 4 they stay sharp at any zoom,
// for ~400 bytes a page.
var qrPixels = 4

// qrPlan is a QR code and where it goes.
type qrPlan struct {
	code               *qrcode.Code
	link               string  // where a click on the QR goes: the verification page for the code
	x, y, size, module float64 // mm; size includes the quiet zone
}

// planQR encodes the certificate's QR text and fits it in the template's
// box with modules of at least minModule.
func planQR(t *Template, c *SignedCertificate) (qrPlan, error) {
	text := c.QRText(t.VerifyURL)
	level := qrcode.M
	if t.QR.Level == "L" {
		level = qrcode.L
	}
	code, err := qrcode.Encode(text, level)
	if err != nil {
		return qrPlan{}, fmt.Errorf("QR code: %w", err)
	}
	if level == qrcode.M && t.QR.Size/float64(code.Size+2*quietZone) < minModule {
		// Less error correction buys a smaller grid and so bigger modules;
		// print is clean enough that L's 7% recovery suffices.
		if low, err := qrcode.Encode(text, qrcode.L); err == nil {
			code = low
		}
	}
	p := qrPlan{code: code, link: t.VerifyURL + c.Code, x: t.QR.X, y: t.QR.Y, size: t.QR.Size}
	if p.size/float64(code.Size+2*quietZone) < minModule {
		// Still too dense: grow the code rather than print one that will
		// not scan, keeping its bottom-right corner where the template put it.
		grown := minModule * float64(code.Size+2*quietZone)
		p.x, p.y = p.x+p.size-grown, p.y+p.size-grown
		p.size = grown
	}
	p.module = p.size / float64(code.Size+2*quietZone)
	return p, nil
}

// qrLayout reports where a certificate's QR code lands (for tests and
// tools): position, size and module in mm, and modules a side.
func qrLayout(t Template, c SignedCertificate) (x, y, size, module float64, n int, err error) {
	p, err := planQR(&t, &c)
	if err != nil {
		return 0, 0, 0, 0, 0, err
	}
	return p.x, p.y, p.size, p.module, p.code.Size, nil
}

// qrImage is a certificate's QR code, planned and encoded as PNG.
type qrImage struct {
	plan qrPlan
	png  []byte
	err  error
}

// makeQRImage draws the QR code as a 1-bit image. That is about 1 KB a
// page, against ~5 KB for the same code as vector rectangles, and the image
// has no /Interpolate, so printers keep the modules' edges sharp. (fpdf's
// contrib/barcode would embed a JPEG, lossy on exactly the edges a reader
// needs, and keep every code in a global cache.)
func makeQRImage(t *Template, c *SignedCertificate, enc *png.Encoder, gray *grayPNG) qrImage {
	p, err := planQR(t, c)
	if err != nil {
		return qrImage{err: err}
	}
	cr, cg, cb := 0, 0, 0
	if t.QR.Color != "" {
		cr, cg, cb = hexColour(t.QR.Color)
	}
	if cr == 0 && cg == 0 && cb == 0 {
		return qrImage{plan: p, png: gray.encode(p.code, qrPixels)}
	}
	// A coloured code needs a palette.
	fg := color.RGBA{uint8(cr), uint8(cg), uint8(cb), 255}
	n, k := p.code.Size, qrPixels
	img := image.NewPaletted(image.Rect(0, 0, n*k, n*k), color.Palette{color.White, fg})
	for my := range n {
		row := img.Pix[my*k*img.Stride : my*k*img.Stride+n*k]
		for mx := range n {
			if p.code.Dark(mx, my) {
				for i := range k {
					row[mx*k+i] = 1
				}
			}
		}
		for i := 1; i < k; i++ {
			copy(img.Pix[(my*k+i)*img.Stride:], row)
		}
	}
	var buf bytes.Buffer
	if err := enc.Encode(&buf, img); err != nil {
		return qrImage{err: fmt.Errorf("QR code: %w", err)}
	}
	return qrImage{plan: p, png: buf.Bytes()}
}

// startQRs encodes the QR codes on all cores while the caller lays out
// pages, because finding the best mask is the costliest part of a page.
// ready[i] is closed when results[i] is set; stop ends the workers.
func startQRs(t *Template, certs []SignedCertificate) (results []qrImage, ready []chan struct{}, stop func()) {
	results = make([]qrImage, len(certs))
	ready = make([]chan struct{}, len(certs))
	for i := range ready {
		ready[i] = make(chan struct{})
	}
	jobs, done := make(chan int), make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(jobs)
		for i := range certs {
			select {
			case jobs <- i:
			case <-done:
				return
			}
		}
	})
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			enc := png.Encoder{CompressionLevel: png.BestCompression, BufferPool: &onePool{}}
			var gray grayPNG
			for i := range jobs {
				results[i] = makeQRImage(t, &certs[i], &enc, &gray)
				close(ready[i])
			}
		})
	}
	return results, ready, func() { close(done); wg.Wait() }
}

// onePool keeps one PNG encoder buffer (with its compressor) per worker
// instead of a new one, ~1 MB of allocations, for every image.
type onePool struct{ b *png.EncoderBuffer }

func (p *onePool) Get() *png.EncoderBuffer  { return p.b }
func (p *onePool) Put(b *png.EncoderBuffer) { p.b = b }

// qr places a certificate's QR code on the page.
func (r *renderer) qr(q qrImage) error {
	if q.err != nil {
		return q.err
	}
	p := q.plan
	// Named by content: fpdf keys image resources by a hash of the data, so
	// the same image under two names would be a duplicate key; and a name
	// from the code could lend one certificate's image to a duplicate code.
	name := fmt.Sprintf("qr-%x", sha256.Sum256(q.png))
	pdf := r.pdf
	if pdf.GetImageInfo(name) == nil {
		pdf.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: "png"}, bytes.NewReader(q.png))
	}
	pdf.SetFillColor(255, 255, 255) // the quiet zone must be light
	pdf.Rect(p.x, p.y, p.size, p.size, "F")
	m := quietZone * p.module
	pdf.ImageOptions(name, p.x+m, p.y+m, p.size-2*m, p.size-2*m, false, fpdf.ImageOptions{ImageType: "png"}, 0, p.link)
	return nil
}
