// Package arabic holds the text handling that Arabic readers need and that
// neither Go's standard library nor Fyne provides.
//
// For search and duplicate matching, [Fold] reduces a name to a key in which
// spellings that people treat as the same compare equal (hamza and alef
// forms, taa marbuta, alef maqsura, tashkeel, tatweel, Eastern digits, Latin
// case and accents), and [FoldTokens] splits that key into words. [Digits] and
// [ToArabicIndic] convert digits only.
//
// For drawing, [Shape] turns Arabic letters into their contextual
// presentation forms (U+FB50–U+FDFF, U+FE70–U+FEFC) and [Visual] puts one line
// into visual order with the Unicode bidirectional algorithm (UAX #9, through
// github.com/go-text/typesetting/bidi), mirroring brackets in right-to-left
// runs. [Display] does both: its result is what a renderer without shaping
// and bidi support should draw from left to right. That covers the PDF
// certificates (fpdf) and display-only text in Fyne, which has no
// right-to-left support of its own. Keep the logical string for storage,
// search and editing; Display's output is for drawing only.
//
// Known limits, stated rather than hidden:
//
//   - fpdf cannot place glyph IDs: it maps characters to glyphs through the
//     font's cmap and cannot run OpenType shaping (GSUB/GPOS). Presentation
//     forms are the route that still joins letters while keeping the PDF text
//     selectable (extracted text maps back to the letters with NFKC) and the
//     files small (the font subset holds only the forms used).
//   - Only what Unicode encodes as presentation forms can be drawn that way:
//     the lam-alef ligatures and the four joining forms of the letters in the
//     table. A font's other ligatures and contextual alternates (Amiri has
//     many) are not used, marks are not positioned by GPOS but drawn where the
//     font's default mark glyph falls, and letters without encoded forms (for
//     example U+063B–U+063F) are drawn in their isolated shape and their
//     neighbours do not join to them.
//   - Visual works one line at a time; breaking a paragraph into lines must
//     happen before it (on the logical text), since the bidi algorithm
//     reorders each line on its own.
package arabic
