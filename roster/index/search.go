package index

import (
	"strings"

	"github.com/oman-sca/safeer/arabic"
)

// Options narrows and bounds a search.
type Options struct {
	Governorate string
	Wilayat     string
	Status      string
	Limit       int // 0: no limit
	Offset      int // how many of the ranked answer to skip: a later page
}

// Result is a person found, with how well they matched.
type Result struct {
	PersonSummary
	Score int `json:"score"`
}

// Page is one page of a search's answer and how many people match in all,
// so a list can scroll over everyone while holding one page.
type Page struct {
	Results []Result
	Total   int
}

// Query is a search as typed, folded and taken apart once.
type Query struct {
	empty  bool
	words  []queryWord
	digits string // the query as a phone or civil ID, when it is one
	email  string
}

// queryWord is a folded query word with the patterns that score it.
type queryWord struct {
	w, asWord, asPrefix string // "w", " w ", " w"
	letters             uint64
}

// Empty reports whether the query asks for everyone (nothing but spaces
// and marks typed).
func (q Query) Empty() bool { return q.empty }

// letterMask sets a bit for each letter in s: Arabic letters (U+0621–U+064A)
// get a bit each, Latin letters and digits share the rest. An entry lacking
// one of a query word's bits cannot contain it, which rejects most of the
// roster without a substring search.
func letterMask(s string) uint64 {
	var m uint64
	for _, r := range s {
		switch {
		case r >= 0x621 && r <= 0x64A:
			m |= 1 << (r - 0x621)
		case r >= 'a' && r <= 'z':
			m |= 1 << (42 + (r-'a')%18)
		case r >= '0' && r <= '9':
			m |= 1 << (60 + (r-'0')%3)
		case r != ' ':
			m |= 1 << 63
		}
	}
	return m
}

// ParseQuery reads a search as typed: words of a name (folded as names
// are), a phone or civil ID (digits in any spelling), or an email.
func ParseQuery(raw string) Query {
	folded := arabic.Fold(raw)
	q := Query{}
	for _, w := range strings.Fields(folded) {
		q.words = append(q.words, queryWord{w: w, asWord: " " + w + " ", asPrefix: " " + w, letters: letterMask(w)})
	}
	q.empty = len(q.words) == 0
	if strings.Contains(folded, "@") {
		q.email = strings.TrimSpace(folded)
	}
	if d, ok := digitsOnly(folded); ok && len(d) >= 3 {
		if len(d) == 11 && strings.HasPrefix(d, "968") {
			d = d[3:]
		} else if len(d) == 13 && strings.HasPrefix(d, "00968") {
			d = d[5:]
		}
		q.digits = d
	}
	return q
}

// letters is what every matching entry's letter mask must contain: the
// letters of every name word. Phone, civil ID and email queries are not
// matched against names, so they need nothing.
func (q Query) letters() uint64 {
	if q.digits != "" || q.email != "" {
		return 0
	}
	var m uint64
	for _, w := range q.words {
		m |= w.letters
	}
	return m
}

// maxScore bounds what score can return for q.
func (q Query) maxScore() int { return max(ScoreExactID, ScoreWord*len(q.words), 1) }

// digitsOnly returns the digits of s if s is a number as people write
// phones: digits with spaces, dashes, dots, parentheses and a leading +.
func digitsOnly(s string) (string, bool) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '+' || r == '(' || r == ')' || r == '.':
		default:
			return "", false
		}
	}
	return b.String(), b.Len() > 0
}

// Scores: a whole word is worth more than a word's beginning, which is worth
// more than a part of a word; every query word must match something.
const (
	ScoreWord    = 4
	ScorePrefix  = 3
	ScoreInside  = 1
	ScoreExactID = 10
)

func (q Query) score(e *Entry) int {
	if q.empty {
		return 1
	}
	if q.digits != "" {
		switch {
		case e.phoneNat == q.digits || e.CivilID == q.digits:
			return ScoreExactID
		case strings.HasPrefix(e.phoneNat, q.digits) || strings.HasPrefix(e.CivilID, q.digits):
			return ScorePrefix
		case len(q.digits) >= 4 && (strings.Contains(e.phoneNat, q.digits) || strings.Contains(e.CivilID, q.digits)):
			return ScoreInside
		}
		return 0
	}
	if q.email != "" {
		if e.Email == q.email {
			return ScoreExactID
		}
		if e.Email != "" && strings.HasPrefix(e.Email, q.email) {
			return ScorePrefix
		}
		return 0
	}
	total := 0
	for _, w := range q.words {
		switch {
		case e.letters&w.letters != w.letters || !strings.Contains(e.words, w.w):
			if !strings.HasPrefix(e.Email, w.w) {
				return 0
			}
			total += ScorePrefix
		case strings.Contains(e.words, w.asWord):
			total += ScoreWord
		case strings.Contains(e.words, w.asPrefix):
			total += ScorePrefix
		default:
			total += ScoreInside
		}
	}
	return total
}

// Search answers q: live people by any part of their Arabic or English
// name, phone (any spelling), civil ID or email, better matches first
// (whole words before word beginnings before parts of words; ties by
// name); the empty query lists everyone (filtered) by name.
//
// Entries are in name order, so keeping the first Offset+Limit matches of
// each score and reading the buckets from the best score down gives
// ranked, alphabetical-within-rank results without sorting every match: a
// one-letter query matches nearly everyone.
func (ix *Index) Search(q Query, opt Options) Page {
	off := max(opt.Offset, 0)
	keep := -1 // how many of each score to keep; -1: all
	if opt.Limit > 0 {
		keep = off + opt.Limit
	}
	if q.empty && opt.Governorate == "" && opt.Wilayat == "" && opt.Status == "" {
		// Everyone by name: the page is a slice of the index.
		n := len(ix.sorted)
		lo, hi := min(off, n), n
		if keep >= 0 {
			hi = min(keep, n)
		}
		res := make([]Result, hi-lo)
		for i, e := range ix.sorted[lo:hi] {
			res[i] = Result{PersonSummary: e.PersonSummary, Score: 1}
		}
		return Page{Results: res, Total: n}
	}
	buckets := make([][]Result, q.maxScore()+1)
	total := 0
	need := q.letters()
	for i, m := range ix.letters {
		if m&need != need {
			continue // lacks a letter of the query: cannot match
		}
		e := ix.sorted[i]
		if (opt.Governorate != "" && e.Governorate != opt.Governorate) ||
			(opt.Wilayat != "" && e.Wilayat != opt.Wilayat) ||
			(opt.Status != "" && e.Status != opt.Status) {
			continue
		}
		score := q.score(e)
		if score == 0 {
			continue
		}
		total++
		if b := buckets[score]; keep < 0 || len(b) < keep {
			buckets[score] = append(b, Result{PersonSummary: e.PersonSummary, Score: score})
		}
	}
	var out []Result
	for sc := len(buckets) - 1; sc > 0; sc-- {
		out = append(out, buckets[sc]...)
		if keep >= 0 && len(out) >= keep {
			break
		}
	}
	out = out[min(off, len(out)):]
	if opt.Limit > 0 && len(out) > opt.Limit {
		out = out[:opt.Limit]
	}
	return Page{Results: out, Total: total}
}

// TopCandidates is whom a search's answer could mean when someone takes
// "the top match" (Enter at check-in): the first result alone when it is
// clearly one person, else the first and every other result that is not
// clearly someone else: one with the same folded name (arabic.Fold of the
// Arabic or of the English name: "احمد الكندي" and "أحمد الكندي" are
// namesakes whatever their scores), or one whose score ties the first's
// (scores are whole numbers per query word, see Query.score, so a tie means
// the query tells them apart no better than by alphabet). Order is kept.
// Results must be ranked as Search ranks them; none gives none.
func TopCandidates(results []Result) []Result {
	if len(results) == 0 {
		return nil
	}
	top := results[0]
	ar, en := arabic.Fold(top.NameAr), arabic.Fold(top.NameEn)
	out := []Result{top}
	for _, r := range results[1:] {
		sameName := (ar != "" && arabic.Fold(r.NameAr) == ar) || (en != "" && arabic.Fold(r.NameEn) == en)
		if sameName || r.Score >= top.Score {
			out = append(out, r)
		}
	}
	return out
}
