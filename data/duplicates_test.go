package data

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/roster/index"
)

// TestDuplicateRule: the device offers pairs by roster.Offer, when adding
// one person and when importing a file.
func TestDuplicateRule(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	// Hamad and Hajar: a brother and a sister, the English names two
	// letters apart, their own phones. Not one person.
	hamad := mustAdd(t, s, safeer.Person{NameAr: "حمد ناصر الكندي", NameEn: "Hamad Nasser Al Kindi", Gender: "male",
		Phone: "91111111", Governorate: "OM-DA"})
	ahmed := mustAdd(t, s, safeer.Person{NameAr: "أحمد سالم البوسعيدي", Gender: "male", Phone: "93333333", CivilID: "11112222", Governorate: "OM-DA"})
	maryam := mustAdd(t, s, safeer.Person{NameAr: "مريم الرواحية", Gender: "female", CivilID: "55556666", Governorate: "OM-DA"})
	for _, c := range []struct {
		name string
		p    safeer.Person
		want map[string][]string
	}{
		{"Hamad and Hajar", safeer.Person{NameAr: "هاجر ناصر الكندي", NameEn: "Hajar Nasser Al Kindi", Gender: "female",
			Phone: "92222222", Governorate: "OM-DA"}, map[string][]string{}},
		{"the same name folded, another phone and civil ID", safeer.Person{NameAr: "احمد سالم البوسعيدى", Gender: "male",
			Phone: "94444444", CivilID: "33334444", Governorate: "OM-DA"}, map[string][]string{ahmed.ID: {SameName}}},
		{"a close name, another phone and civil ID", safeer.Person{NameAr: "احمد سالم البوسعيد", Phone: "94444444",
			CivilID: "33334444", Governorate: "OM-DA"}, map[string][]string{}},
		{"the same civil ID, genders differ", safeer.Person{NameAr: "مروان الرواحي", Gender: "male", CivilID: "55556666",
			Governorate: "OM-DA"}, map[string][]string{maryam.ID: {SameCivilID}}},
		{"a close name, one gender unknown", safeer.Person{NameEn: "Hamad Naser Al Kindi", Phone: "92222222", Governorate: "OM-DA"},
			map[string][]string{hamad.ID: {CloseName}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := c.p
			if err := s.ValidatePerson(&p); err != nil {
				t.Fatal(err)
			}
			ms, err := s.DuplicateCandidates(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string][]string{}
			for _, m := range ms {
				got[m.ID] = m.Reasons
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("candidates %v, want %v", got, c.want)
			}
			// The import's check, rows against each other, agrees.
			var old safeer.Person
			for _, q := range []safeer.Person{hamad, ahmed, maryam} {
				if _, ok := c.want[q.ID]; ok || len(c.want) == 0 && q.ID == hamad.ID {
					old = q
				}
			}
			a, b := index.NewEntry(index.SummaryOf(old)), index.NewEntry(index.SummaryOf(p))
			a.Seq, b.Seq, b.ID = 1, 2, "new"
			among, err := index.CandidatesAmong(ctx, 1, []*index.Entry{a, b})
			if err != nil {
				t.Fatal(err)
			}
			if want := c.want[old.ID]; len(want) == 0 && len(among[1]) != 0 ||
				len(want) > 0 && (len(among[1]) != 1 || !slices.Equal(among[1][0].Reasons, want)) {
				t.Errorf("import check: %+v, want %v", among[1], want)
			}
		})
	}
	// The reasons read as sentences.
	m := Match{Reasons: []string{SameCivilID, SamePhone, SameEmail, SameName, CloseName}}
	if got, want := m.Why(false), []string{"Same civil ID", "Same phone number", "Same e-mail", "Same name",
		"Names differ by a letter or two"}; !slices.Equal(got, want) {
		t.Errorf("Why(en) = %q", got)
	}
	if got := m.Why(true); got[0] != "الرقم المدني نفسه" || got[3] != "الاسم نفسه" {
		t.Errorf("Why(ar) = %q", got)
	}
}

// DuplicatePairs finds, in one pass over the roster, exactly the pairs
// that asking DuplicateCandidates person by person finds.
func TestDuplicatePairsMatchesOneByOne(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	people := []safeer.Person{
		{NameAr: "أحمد سالم الكندي", NameEn: "Ahmed Salim Al Kindi", Governorate: "OM-DA", Phone: "+96891230001", Gender: "male"},
		{NameAr: "احمد سالم الكندى", NameEn: "Ahmed Salim Al Kindi", Governorate: "OM-DA", Phone: "+96891230002", Gender: "male"},
		{NameAr: "حمد ناصر الكندي", Governorate: "OM-DA", Phone: "+96891230003", Gender: "male"},
		{NameAr: "هاجر ناصر الكندي", Governorate: "OM-DA", Phone: "+96891230004", Gender: "female"},
		{NameAr: "مريم الهنائية", Governorate: "OM-MA", Email: "maryam@example.om"},
		{NameAr: "مريم سعيد الهنائية", Governorate: "OM-MA", Email: "maryam@example.om"},
		{NameAr: "خالد الراشدي", Governorate: "OM-MA", CivilID: "12345678"},
		{NameAr: "خالد بن سعيد الراشدي", Governorate: "OM-MA", CivilID: "12345678", Phone: "+96895550000"},
		{NameAr: "يوسف المعمري", Governorate: "OM-MA"},
	}
	for _, p := range people {
		p := p
		if err := s.AddPerson(ctx, &p); err != nil {
			t.Fatal(err)
		}
	}
	all, err := s.Search(ctx, "", SearchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[[2]string]string{}
	for _, r := range all {
		p := safeer.Person{ID: r.ID, NameAr: r.NameAr, NameEn: r.NameEn, Phone: r.Phone, CivilID: r.CivilID, Email: r.Email,
			Governorate: r.Governorate, Wilayat: r.Wilayat, Gender: r.Gender}
		ms, err := s.DuplicateCandidates(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			if m.ID == r.ID {
				continue
			}
			k := [2]string{min(r.ID, m.ID), max(r.ID, m.ID)}
			want[k] = strings.Join(m.Reasons, ",")
		}
	}
	pairs, err := s.DuplicatePairs(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := map[[2]string]string{}
	for _, p := range pairs {
		k := [2]string{min(p.A.ID, p.B.ID), max(p.A.ID, p.B.ID)}
		if _, dup := got[k]; dup {
			t.Errorf("pair %v listed twice", k)
		}
		got[k] = strings.Join(p.Reasons, ",")
	}
	if len(want) < 3 || len(got) != len(want) {
		t.Fatalf("got %d pairs %v, want %d %v", len(got), got, len(want), want)
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("pair %v: reasons %q, want %q", k, got[k], w)
		}
	}
}
