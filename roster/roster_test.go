package roster

import (
	"slices"
	"strings"
	"testing"

	"github.com/oman-sca/safeer/sync/protocol"
)

const (
	older = "000000000001-000000-a"
	newer = "000000000002-000000-b"
)

func TestDefault(t *testing.T) {
	for _, c := range []struct {
		name         string
		kept, merged Value
		want         Side
	}{
		{"both empty", Value{}, Value{}, Kept},
		{"only the merged record has it", Value{"", newer}, Value{"x@example.om", older}, Merged},
		{"only the kept record has it", Value{"a", older}, Value{"", newer}, Kept},
		{"equal values", Value{"a", older}, Value{"a", newer}, Kept},
		{"differ, merged newer", Value{"a", older}, Value{"b", newer}, Merged},
		{"differ, kept newer", Value{"a", newer}, Value{"b", older}, Kept},
		{"differ, same stamp", Value{"a", newer}, Value{"b", newer}, Kept},
		{"differ, kept's stamp unknown", Value{"a", ""}, Value{"b", older}, Merged},
	} {
		if got := Default(c.kept, c.merged); got != c.want {
			t.Errorf("%s: Default(%+v, %+v) = %s, want %s", c.name, c.kept, c.merged, got, c.want)
		}
	}
}

// TestPlanKeepsTheMergedEmail is the reported loss: B merged into A, B has
// an e-mail and A none. The plan shows it and takes it by default.
func TestPlanKeepsTheMergedEmail(t *testing.T) {
	kept := map[string]Value{"name_ar": {"سالم الحارثي", newer}, "phone": {"+96891234567", newer}}
	merged := map[string]Value{"name_ar": {"سالم الحارثي", older}, "email": {"salim@example.om", older}}
	plan := Plan(kept, merged)
	got := Changes(plan)
	if len(got) != 1 || got["email"] != "salim@example.om" {
		t.Fatalf("changes = %v, want only the merged record's e-mail", got)
	}
	i := slices.IndexFunc(plan, func(c FieldChoice) bool { return c.Field == "email" })
	if c := plan[i]; c.Merged.Value != "salim@example.om" || c.Default != Merged || c.Choice != Merged {
		t.Errorf("email in the plan: %+v", c)
	}
}

// TestPlanCoversEveryField: every synced field of a person is either in
// the plan or one a merge deliberately leaves alone, so a field added to
// the person table cannot be dropped by merges unnoticed.
func TestPlanCoversEveryField(t *testing.T) {
	var names []string
	for _, name := range protocol.Tables["person"] {
		names = append(names, name)
	}
	if len(names) == 0 {
		t.Fatal("protocol.Tables has no person fields")
	}
	for _, name := range names {
		if !slices.Contains(MergeFields, name) && !slices.Contains(NotMerged, name) {
			t.Errorf("person field %q is neither in MergeFields nor in NotMerged", name)
		}
	}
	// And whatever non-empty value the merged record has, the plan shows it.
	merged := map[string]Value{}
	for _, f := range MergeFields {
		merged[f] = Value{Value: "m-" + f, Stamp: older}
	}
	for _, c := range Plan(map[string]Value{}, merged) {
		if c.Merged != merged[c.Field] || c.Choice != Merged {
			t.Errorf("%s: %+v", c.Field, c)
		}
	}
}

func TestChoose(t *testing.T) {
	kept := map[string]Value{"email": {"a@x.om", newer}, "notes": {"kept notes", older},
		"governorate": {"OM-MA", older}, "wilayat": {"Muttrah", older}}
	merged := map[string]Value{"email": {"b@x.om", older}, "notes": {"merged notes", newer},
		"governorate": {"OM-DA", newer}, "wilayat": {"", newer}}
	plan := Plan(kept, merged)
	// Defaults: kept's newer e-mail, merged's newer notes; the kept
	// record's governorate although the merged one's is newer (a merge
	// does not move the survivor), and with it its wilayat.
	want := map[string]string{"notes": "merged notes"}
	if got := Changes(plan); !equal(got, want) {
		t.Errorf("default changes = %v, want %v", got, want)
	}
	// The administrator's choices win over the defaults, field by field;
	// the wilayat follows the governorate.
	chosen, err := Choose(plan, map[string]Side{"email": Merged, "notes": Kept, "governorate": Kept})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := Changes(chosen), map[string]string{"email": "b@x.om"}; !equal(got, want) {
		t.Errorf("chosen changes = %v, want %v", got, want)
	}
	if Changes(plan)["notes"] != "merged notes" {
		t.Error("Choose changed the plan it was given")
	}
	for _, bad := range []map[string]Side{
		{"governorate": Merged, "wilayat": Kept}, // Muttrah with Ad Dakhiliyah's governorate
		{"merged_into": Kept},                    // not a field a merge decides
		{"email": "both"},
	} {
		if _, err := Choose(plan, bad); err == nil {
			t.Errorf("Choose(%v) accepted", bad)
		}
	}
}

func equal(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestOffer(t *testing.T) {
	hamad := KeysOf("حمد ناصر الكندي", "Hamad Nasser Al Kindi", "male", "", "+96891111111", "")
	hajar := KeysOf("هاجر ناصر الكندي", "Hajar Nasser Al Kindi", "female", "", "+96892222222", "")
	for _, c := range []struct {
		name string
		a, b Keys
		want bool
	}{
		{"Hamad and Hajar: genders and phones differ", hamad, hajar, false},
		{"genders differ, nothing else known", KeysOf("", "Hamad Al Kindi", "male", "", "", ""),
			KeysOf("", "Hamed Al Kindi", "female", "", "", ""), false},
		{"phones and civil IDs differ", KeysOf("", "Salim Al Harthi", "", "12345678", "91111111", ""),
			KeysOf("", "Salem Al Harthi", "", "87654321", "92222222", ""), false},
		{"phones differ, one civil ID unknown", KeysOf("", "Salim Al Harthi", "", "12345678", "91111111", ""),
			KeysOf("", "Salem Al Harthi", "", "", "92222222", ""), true},
		{"identical folded names, different phones", KeysOf("أحمد سالم", "", "male", "", "91111111", ""),
			KeysOf("احمد سالم", "", "male", "", "92222222", ""), true},
		{"identical names, genders differ", KeysOf("أحمد سالم", "", "male", "", "", ""),
			KeysOf("احمد سالم", "", "female", "", "", ""), true},
		{"same civil ID, genders differ", KeysOf("", "Hamad Al Kindi", "male", "١٢٣٤٥٦٧٨", "91111111", ""),
			KeysOf("", "Hajar Al Kindi", "female", "12345678", "92222222", ""), true},
		{"one gender unknown", KeysOf("", "Hamad Al Kindi", "male", "", "91111111", ""),
			KeysOf("", "Hamad Al Kindy", "", "", "91111111", ""), true},
	} {
		if got := Offer(c.a, c.b); got != c.want {
			t.Errorf("%s: Offer = %v, want %v", c.name, got, c.want)
		}
		if got := Offer(c.b, c.a); got != c.want {
			t.Errorf("%s (swapped): Offer = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestKeys(t *testing.T) {
	for _, c := range [][2]string{
		{PhoneKey("+968 9123 4567"), "91234567"}, {PhoneKey("0096891234567"), "91234567"},
		{PhoneKey("٩١٢٣٤٥٦٧"), "91234567"}, {PhoneKey("123"), ""},
		{CivilKey(" ١٢٣٤٥٦٧ "), "1234567"}, {CivilKey("12"), ""},
		{EmailKey(" Salim@Example.OM "), "salim@example.om"}, {EmailKey("salim"), ""},
		{NameKey("عبد الله بن سالم"), NameKey("عبدالله سالم")},
	} {
		if c[0] != c[1] {
			t.Errorf("key %q, want %q", c[0], c[1])
		}
	}
	a := KeysOf("أحمد سالم", "", "", "12345678", "+96891234567", "a@x.om")
	b := KeysOf("احمد سالم", "", "", "12345678", "91234567", "A@X.OM")
	if got, want := Exact(a, b), []Reason{SameCivilID, SamePhone, SameEmail, SameName}; !slices.Equal(got, want) {
		t.Errorf("Exact = %v, want %v", got, want)
	}
}

// TestSentences: every reason reads as a sentence in both languages, not
// as "Same" glued to a noun phrase ("Same similar name").
func TestSentences(t *testing.T) {
	want := map[Reason][2]string{
		SameCivilID: {"Same civil ID", "الرقم المدني نفسه"},
		SamePhone:   {"Same phone number", "رقم الهاتف نفسه"},
		SameEmail:   {"Same e-mail", "البريد الإلكتروني نفسه"},
		SameName:    {"Same name", "الاسم نفسه"},
		CloseName:   {"Names differ by a letter or two", "الاسمان يختلفان بحرف أو حرفين"},
	}
	for r, w := range want {
		en, ar := r.Sentence()
		if en != w[0] || ar != w[1] {
			t.Errorf("%s: %q / %q, want %q / %q", r, en, ar, w[0], w[1])
		}
		if strings.Contains(strings.ToLower(en), "same similar") {
			t.Errorf("%s reads %q", r, en)
		}
	}
}
