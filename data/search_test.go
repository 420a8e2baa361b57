package data

import (
	"context"
	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/roster/index"
	"slices"
	"testing"
)

func TestSearch(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	ahmed := mustAdd(t, s, safeer.Person{NameAr: "أحمد بن سالم البلوشي", NameEn: "Ahmed Salim Al Balushi", Governorate: "OM-MA", Phone: "+96891234567", CivilID: "12345678", Email: "ahmed@example.om"})
	fatima := mustAdd(t, s, safeer.Person{NameAr: "فاطمة الزدجالية", NameEn: "Fatima Al Zadjali", Governorate: "OM-MA", Wilayat: "Muttrah", Phone: "92223333"})
	mustafa := mustAdd(t, s, safeer.Person{NameAr: "مصطفى إبراهيم", Governorate: "OM-ZU", Phone: "71234567"})
	abdullah := mustAdd(t, s, safeer.Person{NameAr: "عبد الله الحارثي", NameEn: "Abdullah Al Harthy", Governorate: "OM-SS"})
	ahmadi := mustAdd(t, s, safeer.Person{NameAr: "سعيد الأحمدي", Governorate: "OM-MA"})
	zaid := mustAdd(t, s, safeer.Person{NameAr: "زيد", Governorate: "OM-MA", Email: "Zaid.H@example.om"})

	tests := []struct {
		query string
		opt   SearchOptions
		want  []string // ids in order
	}{
		{"احمد", SearchOptions{}, []string{ahmed.ID, ahmadi.ID}}, // whole word before part of a word
		{"أحمد", SearchOptions{}, []string{ahmed.ID, ahmadi.ID}},
		{"أَحْمَد", SearchOptions{}, []string{ahmed.ID, ahmadi.ID}}, // tashkeel
		{"احـــمد", SearchOptions{}, []string{ahmed.ID, ahmadi.ID}}, // tatweel
		{"البلوشي احمد", SearchOptions{}, []string{ahmed.ID}},       // words in any order
		{"  بلوش  ", SearchOptions{}, []string{ahmed.ID}},           // part of a word, extra spaces
		{"فاطمه", SearchOptions{}, []string{fatima.ID}},             // taa marbuta typed as haa
		{"مصطفي ابراهيم", SearchOptions{}, []string{mustafa.ID}},    // alef maqsura, hamza below
		{"عبدالله", SearchOptions{}, []string{abdullah.ID}},         // compound written together
		{"zadj", SearchOptions{}, []string{fatima.ID}},
		{"BALUSHI", SearchOptions{}, []string{ahmed.ID}},
		{"9123 4567", SearchOptions{}, []string{ahmed.ID}},
		{"+968 91234567", SearchOptions{}, []string{ahmed.ID}},
		{"٩١٢٣٤٥٦٧", SearchOptions{}, []string{ahmed.ID}},
		{"00968-9222-3333", SearchOptions{}, []string{fatima.ID}},
		{"12345678", SearchOptions{}, []string{ahmed.ID}}, // civil ID
		{"ahmed@example.om", SearchOptions{}, []string{ahmed.ID}},
		{"احمد", SearchOptions{Governorate: "OM-ZU"}, nil},
		{"", SearchOptions{Wilayat: "Muttrah"}, []string{fatima.ID}},
		{"nobody", SearchOptions{}, nil},
		{"zaid", SearchOptions{}, []string{zaid.ID}}, // the start of an email, for a name written only in Arabic
	}
	for _, tt := range tests {
		res, err := s.Search(ctx, tt.query, tt.opt)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range res {
			got = append(got, r.ID)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Search(%q, %+v) = %v, want %v", tt.query, tt.opt, names(res), tt.want)
		}
	}
	all, _ := s.Search(ctx, "", SearchOptions{Limit: 2})
	if len(all) != 2 {
		t.Fatalf("limit: %d results", len(all))
	}
}

func names(rs []SearchResult) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.NameAr+"|"+r.NameEn)
	}
	return out
}

// TestSearchSeesOtherProcessesWrites: a second Store on the same file (as
// the CLI next to the running app) changes the roster; the first store's
// index must notice.
func TestSearchSeesOtherProcessesWrites(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	mustAdd(t, s, safeer.Person{NameAr: "ناصر", Governorate: "OM-MA"})
	if res, _ := s.Search(ctx, "ناصر", SearchOptions{}); len(res) != 1 {
		t.Fatalf("before: %d", len(res))
	}
	other, err := reopenTest(t, s.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	mustAdd(t, other, safeer.Person{NameAr: "ناصر الهنائي", Governorate: "OM-DA"})
	if res, _ := s.Search(ctx, "ناصر", SearchOptions{}); len(res) != 2 {
		t.Fatalf("after another process added: %d", len(res))
	}
	// And our own writes patch the index in place.
	mustAdd(t, s, safeer.Person{NameAr: "ناصر العامري", Governorate: "OM-DA"})
	if res, _ := s.Search(ctx, "ناصر", SearchOptions{}); len(res) != 3 {
		t.Fatalf("after own add: %d", len(res))
	}
}

func TestDuplicateCandidates(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	orig := mustAdd(t, s, safeer.Person{NameAr: "أحمد بن سعيد الهاشمي", Governorate: "OM-BS", Phone: "91234567", CivilID: "7654321"})
	mustAdd(t, s, safeer.Person{NameAr: "أحمد بن سعيد الهاشمي", Governorate: "OM-ZU"}) // same name, other governorate: not a candidate
	fatima := mustAdd(t, s, safeer.Person{NameAr: "فاطمة العبرية", Governorate: "OM-DA", Email: "f.abri@example.om"})

	tests := []struct {
		name string
		p    safeer.Person
		want map[string][]string
	}{
		{"respelled name with tashkeel, no hamza, same phone in another spelling",
			safeer.Person{NameAr: "اَحمد سعيد الهاشمى", Governorate: "OM-BS", Phone: "+968 9123 4567"},
			map[string][]string{orig.ID: {SamePhone, SameName}}},
		{"taa marbuta as haa and same email",
			safeer.Person{NameAr: "فاطمه العبريه", Governorate: "OM-DA", Email: "F.Abri@Example.om"},
			map[string][]string{fatima.ID: {SameEmail, SameName}}},
		{"same civil ID, different name",
			safeer.Person{NameAr: "شخص آخر", Governorate: "OM-MA", CivilID: "7654321"},
			map[string][]string{orig.ID: {SameCivilID}}},
		{"the same name once folded (hamza, بن)",
			safeer.Person{NameAr: "احمد سعيد الهاشمي", Governorate: "OM-BS"},
			map[string][]string{orig.ID: {SameName}}},
		{"one letter off",
			safeer.Person{NameAr: "احمد سعد الهاشمي", Governorate: "OM-BS"},
			map[string][]string{orig.ID: {CloseName}}},
		{"different person", safeer.Person{NameAr: "محمد الكعبي", Governorate: "OM-BS", Phone: "99999999"}, map[string][]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.p
			if err := s.ValidatePerson(&p); err != nil {
				t.Fatal(err)
			}
			got, err := s.DuplicateCandidates(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			m := map[string][]string{}
			for _, g := range got {
				slices.Sort(g.Reasons)
				m[g.ID] = g.Reasons
			}
			if len(m) != len(tt.want) {
				t.Fatalf("got %v, want %v", m, tt.want)
			}
			for id, why := range tt.want {
				slices.Sort(why)
				if !slices.Equal(m[id], why) {
					t.Fatalf("got %v, want %v", m, tt.want)
				}
			}
		})
	}
}

// pageIDs is the ids of a page's results, in order.
func pageIDs(rs []SearchResult) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

// rosterForPaging is 13 people whose names sort differently folded and
// unfolded (alef with hamza or madda, tashkeel, taa marbuta), Latin-only
// names, and a deleted and a merged person who must not be listed.
func rosterForPaging(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()
	names := []safeer.Person{
		{NameAr: "آمنة الهنائية", Governorate: "OM-MA", Status: safeer.StatusActive},
		{NameAr: "أحمد البلوشي", Governorate: "OM-MA", Wilayat: "Muttrah"},
		{NameAr: "إبراهيم الكندي", Governorate: "OM-DA"},
		{NameAr: "اسماء الحارثية", Governorate: "OM-MA", Status: safeer.StatusInactive},
		{NameAr: "مُحَمَّد العبري", Governorate: "OM-DA"},
		{NameAr: "محمد العبري", Governorate: "OM-DA"},
		{NameAr: "فاطمة", Governorate: "OM-MA"},
		{NameAr: "فاطمه", Governorate: "OM-MA"},
		{NameEn: "John Smith", Governorate: "OM-MA"},
		{NameEn: "adam lee", Governorate: "OM-ZU"},
		{NameAr: "يوسف", NameEn: "Yousuf", Governorate: "OM-ZU"},
		{NameAr: "عبد الله الرواحي", Governorate: "OM-MA", Wilayat: "Muttrah"},
	}
	for _, p := range names {
		mustAdd(t, s, p)
	}
	gone := mustAdd(t, s, safeer.Person{NameAr: "أ محذوف", Governorate: "OM-MA"})
	if err := s.DeletePerson(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
	a := mustAdd(t, s, safeer.Person{NameAr: "أ مدموج", Governorate: "OM-MA"})
	b := mustAdd(t, s, safeer.Person{NameAr: "ي باق", Governorate: "OM-MA"})
	if _, err := s.MergePeople(ctx, a.ID, b.ID, nil); err != nil {
		t.Fatal(err)
	}
}

// TestListFromFileMatchesIndex: the empty query's pages read from the file
// (before the index is built) are the index's pages, person for person.
func TestListFromFileMatchesIndex(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	rosterForPaging(t, s)
	opts := []SearchOptions{
		{},
		{Limit: 3},
		{Limit: 3, Offset: 3},
		{Limit: 5, Offset: 10},
		{Limit: 5, Offset: 100},
		{Offset: 4},
		{Governorate: "OM-MA"},
		{Governorate: "OM-MA", Limit: 2, Offset: 1},
		{Governorate: "OM-MA", Wilayat: "Muttrah"},
		{Status: safeer.StatusInactive},
		{Governorate: "OM-DA", Limit: 1, Offset: 1},
	}
	var fromFile []SearchPage
	for _, opt := range opts {
		pg, err := s.listSQL(ctx, opt, true)
		if err != nil {
			t.Fatal(err)
		}
		fromFile = append(fromFile, pg)
	}
	if err := s.LoadSearchIndex(ctx); err != nil {
		t.Fatal(err)
	}
	for i, opt := range opts {
		pg, err := s.SearchPage(ctx, "", opt)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(pageIDs(pg.Results), pageIDs(fromFile[i].Results)) || pg.Total != fromFile[i].Total {
			t.Errorf("%+v: index %v (%d), file %v (%d)", opt, names(pg.Results), pg.Total, names(fromFile[i].Results), fromFile[i].Total)
		}
	}
	all, _ := s.SearchPage(ctx, "", SearchOptions{})
	if all.Total != 13 || len(all.Results) != 13 {
		t.Fatalf("everyone: %d results, total %d", len(all.Results), all.Total)
	}
	// Folded order: alef forms together, Latin-only names last.
	if got := all.Results[0].NameAr; got != "إبراهيم الكندي" {
		t.Errorf("first is %q", got)
	}
	if got := all.Results[12].NameEn; got != "John Smith" {
		t.Errorf("last is %q", got)
	}
}

// TestSearchPages: pages of a ranked answer are slices of the whole answer,
// and Total counts every match.
func TestSearchPages(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	rosterForPaging(t, s)
	for _, q := range []string{"ا", "محمد", "", "فاطمه"} {
		for _, base := range []SearchOptions{{}, {Governorate: "OM-MA"}} {
			whole, err := s.Search(ctx, q, base)
			if err != nil {
				t.Fatal(err)
			}
			for off := 0; off <= len(whole)+1; off++ {
				for _, lim := range []int{1, 2, 5} {
					opt := base
					opt.Offset, opt.Limit = off, lim
					pg, err := s.SearchPage(ctx, q, opt)
					if err != nil {
						t.Fatal(err)
					}
					want := whole[min(off, len(whole)):min(off+lim, len(whole))]
					if !slices.Equal(pageIDs(pg.Results), pageIDs(want)) || pg.Total != len(whole) {
						t.Errorf("%q %+v: %v (total %d), want %v (total %d)", q, opt, names(pg.Results), pg.Total, names(want), len(whole))
					}
				}
			}
		}
	}
}

// TestRosterListedBeforeIndexIsBuilt: while the index is being built, the
// empty query's first page comes from the file at once; a real query waits
// for the index and then answers right.
func TestRosterListedBeforeIndexIsBuilt(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	rosterForPaging(t, s)
	hold, held := make(chan struct{}), make(chan struct{}, 1)
	s.index.afterSnapshot = func() {
		select {
		case held <- struct{}{}:
		default:
		}
		<-hold
	}
	released := false
	release := func() {
		if !released {
			released = true
			close(hold)
		}
	}
	defer release()

	pg, err := s.SearchPage(ctx, "", SearchOptions{Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(pg.Results) != 5 || pg.Total != 13 || pg.Results[0].NameAr != "إبراهيم الكندي" {
		t.Fatalf("first page: %v, total %d", names(pg.Results), pg.Total)
	}
	<-held // the first page started a build in the background, which is now held

	found := make(chan []SearchResult, 1)
	go func() {
		res, err := s.Search(ctx, "محمد", SearchOptions{})
		if err != nil {
			t.Error(err)
		}
		found <- res
	}()
	// The empty query still answers from the file while the build is held.
	if pg, err := s.SearchPage(ctx, "", SearchOptions{Limit: 5, Offset: 10}); err != nil || len(pg.Results) != 3 || pg.Total != 13 {
		t.Fatalf("second page while building: %v, %d, %v", names(pg.Results), pg.Total, err)
	}
	select {
	case res := <-found:
		t.Fatalf("a query answered before the index was built: %v", names(res))
	default:
	}
	release()
	if res := <-found; len(res) != 2 || res[0].Score != index.ScoreWord || res[1].Score != index.ScoreWord {
		t.Fatalf("محمد: %v", names(res))
	}
}

// TestIndexLoadKeepsWritesMadeWhileLoading: writes committed while the index
// is read from the file are in it afterwards — this process's own by
// catching up (no second load), another process's by a reload.
func TestIndexLoadKeepsWritesMadeWhileLoading(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	mustAdd(t, s, safeer.Person{NameAr: "ناصر", Governorate: "OM-MA"})
	other, err := reopenTest(t, s.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()

	// Our own write during the load.
	once := true
	s.index.afterSnapshot = func() {
		if once {
			once = false
			mustAdd(t, s, safeer.Person{NameAr: "ناصر العامري", Governorate: "OM-DA"})
		}
	}
	if err := s.LoadSearchIndex(ctx); err != nil {
		t.Fatal(err)
	}
	gen, _ := s.personGen(ctx)
	s.index.mu.RLock()
	caughtUp := s.index.gen == gen
	s.index.mu.RUnlock()
	if !caughtUp {
		t.Error("the index fell behind its own process's write")
	}
	if res, _ := s.Search(ctx, "ناصر", SearchOptions{}); len(res) != 2 {
		t.Fatalf("after own write during load: %v", names(res))
	}

	// Another process's write during the load.
	s.index.mu.Lock()
	s.index.gen = -1
	s.index.mu.Unlock()
	once = true
	s.index.afterSnapshot = func() {
		if once {
			once = false
			mustAdd(t, other, safeer.Person{NameAr: "ناصر الهنائي", Governorate: "OM-DA"})
		}
	}
	if err := s.LoadSearchIndex(ctx); err != nil {
		t.Fatal(err)
	}
	if res, _ := s.Search(ctx, "ناصر", SearchOptions{}); len(res) != 3 {
		t.Fatalf("after another process's write during load: %v", names(res))
	}
	if pg, _ := s.SearchPage(ctx, "", SearchOptions{}); pg.Total != 3 {
		t.Fatalf("everyone: %d", pg.Total)
	}
}

// TestScanPool: the pool that reads the whole roster has SQLite's default
// page cache and cannot write.
func TestScanPool(t *testing.T) {
	s := openTest(t)
	var cache int
	if err := s.scanDB().QueryRow(`PRAGMA cache_size`).Scan(&cache); err != nil {
		t.Fatal(err)
	}
	if cache != -2000 {
		t.Errorf("cache_size %d", cache)
	}
	if _, err := s.scanDB().Exec(`UPDATE meta SET value = value WHERE key = 'hlc'`); err == nil {
		t.Error("the scan pool wrote")
	}
}
