package data

import (
	"context"
	"slices"
	"testing"
)

func TestSearch(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	ahmed := mustAdd(t, s, Person{NameAr: "أحمد بن سالم البلوشي", NameEn: "Ahmed Salim Al Balushi", Governorate: "OM-MA", Phone: "+96891234567", CivilID: "12345678", Email: "ahmed@example.om"})
	fatima := mustAdd(t, s, Person{NameAr: "فاطمة الزدجالية", NameEn: "Fatima Al Zadjali", Governorate: "OM-MA", Wilayat: "Muttrah", Phone: "92223333"})
	mustafa := mustAdd(t, s, Person{NameAr: "مصطفى إبراهيم", Governorate: "OM-ZU", Phone: "71234567"})
	abdullah := mustAdd(t, s, Person{NameAr: "عبد الله الحارثي", NameEn: "Abdullah Al Harthy", Governorate: "OM-SS"})
	ahmadi := mustAdd(t, s, Person{NameAr: "سعيد الأحمدي", Governorate: "OM-MA"})
	zaid := mustAdd(t, s, Person{NameAr: "زيد", Governorate: "OM-MA", Email: "Zaid.H@example.om"})

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
	mustAdd(t, s, Person{NameAr: "ناصر", Governorate: "OM-MA"})
	if res, _ := s.Search(ctx, "ناصر", SearchOptions{}); len(res) != 1 {
		t.Fatalf("before: %d", len(res))
	}
	other, err := Open(ctx, s.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	mustAdd(t, other, Person{NameAr: "ناصر الهنائي", Governorate: "OM-DA"})
	if res, _ := s.Search(ctx, "ناصر", SearchOptions{}); len(res) != 2 {
		t.Fatalf("after another process added: %d", len(res))
	}
	// And our own writes patch the index in place.
	mustAdd(t, s, Person{NameAr: "ناصر العامري", Governorate: "OM-DA"})
	if res, _ := s.Search(ctx, "ناصر", SearchOptions{}); len(res) != 3 {
		t.Fatalf("after own add: %d", len(res))
	}
}

func TestDuplicateCandidates(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	orig := mustAdd(t, s, Person{NameAr: "أحمد بن سعيد الهاشمي", Governorate: "OM-BS", Phone: "91234567", CivilID: "7654321"})
	mustAdd(t, s, Person{NameAr: "أحمد بن سعيد الهاشمي", Governorate: "OM-ZU"}) // same name, other governorate: not a candidate
	fatima := mustAdd(t, s, Person{NameAr: "فاطمة العبرية", Governorate: "OM-DA", Email: "f.abri@example.om"})

	tests := []struct {
		name string
		p    Person
		want map[string][]string
	}{
		{"respelled name with tashkeel, no hamza, same phone in another spelling",
			Person{NameAr: "اَحمد سعيد الهاشمى", Governorate: "OM-BS", Phone: "+968 9123 4567"},
			map[string][]string{orig.ID: {SamePhone, SimilarName}}},
		{"taa marbuta as haa and same email",
			Person{NameAr: "فاطمه العبريه", Governorate: "OM-DA", Email: "F.Abri@Example.om"},
			map[string][]string{fatima.ID: {SameEmail, SimilarName}}},
		{"same civil ID, different name",
			Person{NameAr: "شخص آخر", Governorate: "OM-MA", CivilID: "7654321"},
			map[string][]string{orig.ID: {SameCivilID}}},
		{"one letter off",
			Person{NameAr: "احمد سعيد الهاشمي", Governorate: "OM-BS"},
			map[string][]string{orig.ID: {SimilarName}}},
		{"different person", Person{NameAr: "محمد الكعبي", Governorate: "OM-BS", Phone: "99999999"}, map[string][]string{}},
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

// TestIndexLoadKeepsWritesMadeWhileLoading: writes committed while the index
// is read from the file are in it afterwards — this process's own by
// catching up (no second load), another process's by a reload.
func TestIndexLoadKeepsWritesMadeWhileLoading(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	mustAdd(t, s, Person{NameAr: "ناصر", Governorate: "OM-MA"})
	other, err := Open(ctx, s.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()

	// Our own write during the load.
	once := true
	s.index.afterSnapshot = func() {
		if once {
			once = false
			mustAdd(t, s, Person{NameAr: "ناصر العامري", Governorate: "OM-DA"})
		}
	}
	if _, err := s.Search(ctx, "x", SearchOptions{}); err != nil {
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
			mustAdd(t, other, Person{NameAr: "ناصر الهنائي", Governorate: "OM-DA"})
		}
	}
	if _, err := s.Search(ctx, "x", SearchOptions{}); err != nil {
		t.Fatal(err)
	}
	if res, _ := s.Search(ctx, "ناصر", SearchOptions{}); len(res) != 3 {
		t.Fatalf("after another process's write during load: %v", names(res))
	}
}
