package index

import (
	"math/rand/v2"
	"reflect"
	"strconv"
	"testing"

	"github.com/oman-sca/safeer"
)

// TestSearchRanksWordsOverParts: a whole word scores above a word's start,
// which scores above a part of a word; ties keep name order; a page of
// the answer is the same slice of the whole answer, with the same total.
func TestSearchRanksWordsOverParts(t *testing.T) {
	ix := Build([]*Entry{
		NewEntry(PersonSummary{ID: "inside", NameAr: "سعيد الأحمدي"}),
		NewEntry(PersonSummary{ID: "word", NameAr: "أحمد البلوشي"}),
		NewEntry(PersonSummary{ID: "prefix", NameAr: "احمدان الكندي"}),
		NewEntry(PersonSummary{ID: "word2", NameAr: "احمد الهنائي"}),
		NewEntry(PersonSummary{ID: "other", NameAr: "مريم"}),
	})
	got := ix.Search(ParseQuery("أحمد"), Options{})
	var ids []string
	var scores []int
	for _, r := range got.Results {
		ids = append(ids, r.ID)
		scores = append(scores, r.Score)
	}
	// The two whole words in name order (البلوشي before الهنائي).
	if want := []string{"word", "word2", "prefix", "inside"}; !reflect.DeepEqual(ids, want) || got.Total != 4 {
		t.Fatalf("ids %v (total %d), want %v", ids, got.Total, want)
	}
	if want := []int{ScoreWord, ScoreWord, ScorePrefix, ScoreInside}; !reflect.DeepEqual(scores, want) {
		t.Fatalf("scores %v, want %v", scores, want)
	}
	for off := 0; off <= 4; off++ {
		page := ix.Search(ParseQuery("أحمد"), Options{Offset: off, Limit: 2})
		want := got.Results[off:min(off+2, len(got.Results))]
		if len(page.Results) != len(want) || len(want) > 0 && !reflect.DeepEqual(page.Results, want) || page.Total != 4 {
			t.Fatalf("page at %d: %+v (total %d), want %+v", off, page.Results, page.Total, want)
		}
	}
	if !ParseQuery(" \u064e ").Empty() || ParseQuery("x").Empty() {
		t.Fatal("Empty: spaces and marks are nothing typed, a letter is something")
	}
}

// TestPutKeepsTheIndexAsBuildMakesIt: people put in one at a time, in any
// order, changed and taken out (deleted, merged), leave an index that
// answers exactly as one built from the people left, and as a search-only
// index of them (ForSearch, HQ's console).
func TestPutKeepsTheIndexAsBuildMakesIt(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	pick := func(pool ...string) string { return pool[r.IntN(len(pool))] }
	people := map[string]safeer.Person{}
	ix := New(0)
	for i := 0; i < 3000; i++ {
		id := strconv.Itoa(r.IntN(600))
		p := safeer.Person{ID: id,
			NameAr:      pick("محمد", "أحمد", "سالم", "مريم", "") + " " + pick("البلوشي", "الحارثي", "الكندى"),
			NameEn:      pick("", "Salim", "Ahmed Al Kindi"),
			Phone:       pick("", "+96891"+strconv.Itoa(100000+r.IntN(50))),
			Governorate: pick("OM-MA", "OM-DA"),
			Status:      pick(safeer.StatusActive, safeer.StatusInactive),
		}
		switch r.IntN(10) {
		case 0:
			p.Deleted = true
		case 1:
			p.MergedInto = "someone"
		}
		ix.Put(p)
		if p.Deleted || p.MergedInto != "" {
			delete(people, id)
		} else {
			people[id] = p
		}
	}
	var entries []*Entry
	for _, p := range people {
		entries = append(entries, NewEntry(SummaryOf(p)))
	}
	built, searchOnly := Build(entries), ForSearch(entries)
	if ix.Len() != built.Len() || ix.Len() != len(people) {
		t.Fatalf("%d people put, %d built, %d live", ix.Len(), built.Len(), len(people))
	}
	for _, q := range []string{"", "احمد", "الكندي", "sal", "9110001", "مريم البلوشي"} {
		for _, opt := range []Options{{}, {Governorate: "OM-DA"}, {Status: safeer.StatusInactive, Limit: 7, Offset: 3}} {
			a, b, c := ix.Search(ParseQuery(q), opt), built.Search(ParseQuery(q), opt), searchOnly.Search(ParseQuery(q), opt)
			if !reflect.DeepEqual(a, b) || !reflect.DeepEqual(b, c) {
				t.Fatalf("%q %+v: put %+v\nbuilt %+v\nsearch-only %+v", q, opt, a, b, c)
			}
		}
	}
	for _, e := range entries {
		if a, b := ix.Candidates(e), built.Candidates(e); !reflect.DeepEqual(a, b) {
			t.Fatalf("candidates of %s: put %+v, built %+v", e.ID, a, b)
		}
	}
}
