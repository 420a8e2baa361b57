package index

import (
	"context"
	"math/rand/v2"
	"reflect"
	"strconv"
	"testing"
)

// plainDistance is the textbook Levenshtein distance, to check the banded one.
func plainDistance(a, b []rune) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+c)
		}
	}
	return d[len(a)][len(b)]
}

func TestEditDistanceMatchesPlain(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []rune("ابتثجحخ")
	word := func() []rune {
		w := make([]rune, r.IntN(12))
		for i := range w {
			w[i] = alphabet[r.IntN(len(alphabet))]
		}
		return w
	}
	for n := 0; n < 20000; n++ {
		a, b := word(), word()
		for limit := 0; limit <= 3; limit++ {
			want := min(plainDistance(a, b), limit+1)
			if got := editDistance(a, b, limit); got != want {
				t.Fatalf("editDistance(%q, %q, %d) = %d, want %d", string(a), string(b), limit, got, want)
			}
		}
	}
}

// TestCandidatesAmongMatchesBefore: checking a file's rows against each
// other group by group finds what checking each row against the rows above
// it finds, reasons and order included, blocks too big to compare too.
func TestCandidatesAmongMatchesBefore(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	pick := func(pool ...string) string { return pool[r.IntN(len(pool))] }
	var entries []*Entry
	seq := 1
	for i := 0; i < 4000; i++ {
		seq += 1 + r.IntN(2) // rows left out (invalid) leave gaps
		p := PersonSummary{
			ID:          strconv.Itoa(seq),
			NameAr:      pick("محمد", "أحمد", "سالم", "عبد الله", "فاطمة", "مريم") + " بن " + pick("سالم", "محمد", "علي", "سعيد") + " " + pick("البلوشي", "الحارثي", "الهنائي", "الكندي", "البلوشى", "الحارثى"),
			NameEn:      pick("", "", "", "Salim Ali", "Salem Ali", "Mohammed Said Al Kindi"),
			Governorate: pick("OM-MA", "OM-DA", "OM-BS"),
		}
		switch r.IntN(8) {
		case 0:
			p.NameAr = "" // English only
		case 1:
			p.NameAr, p.NameEn = "Salim Ali", "Salim Ali" // two names, one key
		}
		if r.IntN(3) > 0 {
			p.CivilID = strconv.Itoa(1000 + r.IntN(3000))
		}
		if r.IntN(3) > 0 {
			p.Phone = "+9689" + strconv.Itoa(1000000+r.IntN(2500))
		}
		if r.IntN(4) == 0 {
			p.Email = pick("a@x.om", "b@x.om", "c@x.om") + strconv.Itoa(r.IntN(40))
		}
		p.Gender = pick("", "male", "female") // so roster.Offer rules some pairs out
		e := NewEntry(p)
		e.Seq = seq
		entries = append(entries, e)
	}
	file := New(0)
	big := 0
	for _, e := range entries {
		file.Add(e)
	}
	for _, b := range file.blocks {
		if len(b) > maxBlock {
			big++
		}
	}
	if big == 0 {
		t.Fatal("no block over maxBlock: the test does not cover them")
	}
	got, err := CandidatesAmong(context.Background(), 2, entries)
	if err != nil {
		t.Fatal(err)
	}
	matches := 0
	for k, e := range entries {
		want := file.CandidatesBefore(e, e.Seq)
		if !reflect.DeepEqual(got[k], want) {
			t.Fatalf("entry %s (%s / %s):\n got %+v\nwant %+v", e.ID, e.NameAr, e.NameEn, got[k], want)
		}
		matches += len(want)
	}
	if matches < len(entries) {
		t.Fatalf("only %d matches: the test does not exercise much", matches)
	}
	if _, err := CandidatesAmong(context.Background(), 2, []*Entry{entries[1], entries[0]}); err == nil {
		t.Fatal("entries out of order were taken")
	}
}
