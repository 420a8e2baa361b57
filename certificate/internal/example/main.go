// Command example renders sample certificates with the default template and
// saves them as one PNG (docs/certificate-example.png), so anyone can see
// what Safeer prints without running it. It needs pdftoppm (poppler-utils).
//
//	go run ./certificate/internal/example -out docs/certificate-example.png
package main

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/oman-sca/safeer/certificate"
)

func main() {
	out := flag.String("out", "docs/certificate-example.png", "PNG to write")
	pdfOut := flag.String("pdf", "", "also keep the PDF here")
	dpi := flag.Int("dpi", 100, "resolution of the PNG")
	indic := flag.Bool("indic", false, "Arabic-Indic digits in Arabic text")
	flag.Parse()
	if err := run(*out, *pdfOut, *dpi, *indic); err != nil {
		log.Fatal(err)
	}
}

func key(name string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("safeer example " + name))
	return ed25519.NewKeyFromSeed(seed[:])
}

// Samples is what the example shows: an ordinary name in both scripts with
// lam-alef (الإسماعيلي), a very long name, and a person with no English name.
func Samples() []certificate.Certificate {
	base := certificate.Certificate{
		PersonNameAr:    "عبدالله بن سالم الإسماعيلي",
		PersonNameEn:    "Abdullah bin Salim Al Ismaili",
		WorkshopTitleAr: "مقدمة في المدن الذكية وإنترنت الأشياء",
		WorkshopTitleEn: "Introduction to Smart Cities and IoT",
		WilayatAr:       "نزوى",
		WilayatEn:       "Nizwa",
		Date:            time.Date(2026, time.March, 15, 0, 0, 0, 0, time.UTC),
		Hours:           3,
		IssuedAt:        time.Date(2026, time.March, 15, 13, 45, 0, 0, time.UTC),
	}
	long := base
	long.PersonNameAr = "محمد بن عبدالرحمن بن سليمان بن خلفان بن ناصر البوسعيدي الهنائي"
	long.PersonNameEn = "Mohammed bin Abdulrahman bin Sulaiman bin Khalfan bin Nasser Al Busaidi Al Hinai"
	long.WorkshopTitleAr = "تحليل البيانات المفتوحة لتخطيط النقل العام في المدن العمانية (المستوى 2)"
	long.WorkshopTitleEn = "Open Data Analysis for Public Transport Planning in Omani Cities (Level 2)"
	long.Hours = 2.5
	noEn := base
	noEn.PersonNameAr = "فاطمة بنت علي البلوشية"
	noEn.PersonNameEn = ""
	noEn.WilayatAr, noEn.WilayatEn = "صلالة", "Salalah"
	noEn.Date = time.Date(2026, time.November, 2, 0, 0, 0, 0, time.UTC)
	return []certificate.Certificate{base, long, noEn}
}

func run(out, pdfOut string, dpi int, indic bool) error {
	dev := key("device")
	const deviceID = "01928c7e-4b3a-7d2e-9f10-2a3b4c5d6e7f"
	signer := certificate.Signer{DeviceID: deviceID, Key: dev,
		Endorsement: certificate.Endorse(key("hq"), deviceID, dev.Public().(ed25519.PublicKey))}
	var certs []certificate.SignedCertificate
	for i, c := range Samples() {
		// Fixed codes, so the picture changes only when the layout does.
		c.Code = []string{"7K3M9QX2P", "4DV8R2N6T", "Q9H3ZWB5E"}[i]
		c.Code += certCheck(c.Code)
		sc, err := signer.Sign(c)
		if err != nil {
			return err
		}
		certs = append(certs, sc)
	}
	dir, err := os.MkdirTemp("", "safeer-example-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	pdfPath := filepath.Join(dir, "example.pdf")
	if pdfOut != "" {
		pdfPath = pdfOut
	}
	f, err := os.Create(pdfPath)
	if err != nil {
		return err
	}
	tmpl := certificate.DefaultTemplate()
	tmpl.ArabicIndicDigits = indic
	tmpl.Vars["signatory_name_ar"] = "د. سعيد بن حمد الحارثي"
	tmpl.Vars["signatory_name_en"] = "Dr. Saeed bin Hamad Al Harthy"
	if err := certificate.Render(context.Background(), f, tmpl, certs...); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	cmd := exec.Command("pdftoppm", "-r", fmt.Sprint(dpi), "-png", pdfPath, filepath.Join(dir, "page"))
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("pdftoppm: %w", err)
	}
	var pages []image.Image
	for i := range certs {
		p, err := readPNG(filepath.Join(dir, fmt.Sprintf("page-%d.png", i+1)))
		if err != nil {
			return err
		}
		pages = append(pages, p)
	}
	// Pages one under another on a grey ground.
	const gap = 16
	w, h := pages[0].Bounds().Dx(), 0
	for _, p := range pages {
		h += p.Bounds().Dy() + gap
	}
	sheet := image.NewRGBA(image.Rect(0, 0, w+2*gap, h+gap))
	draw.Draw(sheet, sheet.Bounds(), image.NewUniform(color.RGBA{0xd8, 0xdc, 0xe0, 0xff}), image.Point{}, draw.Src)
	y := gap
	for _, p := range pages {
		r := p.Bounds()
		draw.Draw(sheet, image.Rect(gap, y, gap+r.Dx(), y+r.Dy()), p, r.Min, draw.Src)
		y += r.Dy() + gap
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	o, err := os.Create(out)
	if err != nil {
		return err
	}
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(o, sheet); err != nil {
		o.Close()
		return err
	}
	return o.Close()
}

// certCheck completes a 9-symbol code with its check symbol.
func certCheck(nine string) string {
	for _, s := range "0123456789ABCDEFGHJKMNPQRSTVWXYZ" {
		if certificate.ValidCode(nine + string(s)) {
			return string(s)
		}
	}
	return "?"
}

func readPNG(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return png.Decode(f)
}
