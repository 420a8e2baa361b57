package data

import "github.com/oman-sca/safeer/arabic"

// TopCandidates is whom a search's answer could mean when someone takes
// "the top match" (Enter at check-in): the first result alone when it is
// clearly one person, else the first and every other result that is not
// clearly someone else: one with the same folded name (arabic.Fold of the
// Arabic or of the English name: "احمد الكندي" and "أحمد الكندي" are
// namesakes whatever their scores), or one whose score ties the first's
// (scores are whole numbers per query word, see query.score, so a tie means
// the query tells them apart no better than by alphabet). Order is kept.
// Results must be ranked as Search ranks them; none gives none.
func TopCandidates(results []SearchResult) []SearchResult {
	if len(results) == 0 {
		return nil
	}
	top := results[0]
	ar, en := arabic.Fold(top.NameAr), arabic.Fold(top.NameEn)
	out := []SearchResult{top}
	for _, r := range results[1:] {
		sameName := (ar != "" && arabic.Fold(r.NameAr) == ar) || (en != "" && arabic.Fold(r.NameEn) == en)
		if sameName || r.Score >= top.Score {
			out = append(out, r)
		}
	}
	return out
}
