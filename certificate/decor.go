package certificate

import (
	"math"

	"codeberg.org/go-pdf/fpdf"
)

// The built-in decoration, drawn as vector paths so it costs a few hundred
// bytes a page and prints crisply: a double frame with eight-pointed stars
// (the khatam of Omani and wider Islamic ornament) at its corners, and an
// emblem of nested stars where no logo is given.

func (r *renderer) border(pdf *fpdf.Fpdf) {
	b := r.t.Border
	const outer, inner = 7.0, 10.5
	pdf.SetDrawColor(hexColour(b.Color))
	pdf.SetLineWidth(1.6)
	pdf.Rect(outer, outer, PageWidth-2*outer, PageHeight-2*outer, "D")
	pdf.SetDrawColor(hexColour(b.Accent))
	pdf.SetLineWidth(0.35)
	pdf.Rect(inner, inner, PageWidth-2*inner, PageHeight-2*inner, "D")
	for _, c := range [][2]float64{
		{inner, inner}, {PageWidth - inner, inner},
		{inner, PageHeight - inner}, {PageWidth - inner, PageHeight - inner},
	} {
		fillColour(pdf, r.t.Background, "#FFFFFF")
		pdf.Circle(c[0], c[1], 3.6, "F")
		pdf.SetFillColor(hexColour(b.Accent))
		pdf.Polygon(star(c[0], c[1], 3.2, 8), "F")
		pdf.SetFillColor(hexColour(b.Color))
		pdf.Circle(c[0], c[1], 1.0, "F")
	}
}

// emblem draws the built-in mark centred on (cx, cy) with radius rad.
func (r *renderer) emblem(pdf *fpdf.Fpdf, cx, cy, rad float64) {
	b := r.t.Border
	colour, accent := b.Color, b.Accent
	if colour == "" {
		colour, accent = "#0E5A5A", "#A67C2E"
	}
	pdf.SetDrawColor(hexColour(accent))
	pdf.SetLineWidth(0.35)
	pdf.Circle(cx, cy, rad, "D")
	pdf.SetFillColor(hexColour(colour))
	pdf.Polygon(star(cx, cy, rad*0.88, 8), "F")
	fillColour(pdf, r.t.Background, "#FFFFFF")
	pdf.Circle(cx, cy, rad*0.42, "F")
	pdf.SetFillColor(hexColour(accent))
	pdf.Polygon(star(cx, cy, rad*0.34, 8), "F")
	// Eight dots on the ring, one at each point of the star.
	for i := range 8 {
		a := float64(i)*math.Pi/4 - math.Pi/2
		pdf.Circle(cx+rad*math.Cos(a), cy+rad*math.Sin(a), rad*0.06, "F")
	}
}

func fillColour(pdf *fpdf.Fpdf, c, fallback string) {
	if c == "" {
		c = fallback
	}
	pdf.SetFillColor(hexColour(c))
}

// star returns an n-pointed star of two overlaid squares' outline (for
// n = 8), first point straight up.
func star(cx, cy, outer float64, n int) []fpdf.PointType {
	// The inner vertices of overlaid regular n/2-gons lie at this radius.
	inner := outer * math.Cos(2*math.Pi/float64(n)) / math.Cos(math.Pi/float64(n))
	pts := make([]fpdf.PointType, 0, 2*n)
	for i := range 2 * n {
		rad := outer
		if i%2 == 1 {
			rad = inner
		}
		a := float64(i)*math.Pi/float64(n) - math.Pi/2
		pts = append(pts, fpdf.PointType{X: cx + rad*math.Cos(a), Y: cy + rad*math.Sin(a)})
	}
	return pts
}
