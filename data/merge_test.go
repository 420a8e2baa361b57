package data

import (
	"context"
	"errors"
	"testing"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/roster"
)

func planField(t *testing.T, p MergePlan, field string) roster.FieldChoice {
	t.Helper()
	for _, f := range p.Fields {
		if f.Field == field {
			return f
		}
	}
	t.Fatalf("plan has no %s: %+v", field, p.Fields)
	return roster.FieldChoice{}
}

// TestMergeKeepsTheMergedEmail is the reported loss: B merged into A left
// A without B's e-mail. Now the plan shows it, takes it by default, and the
// merge writes it to A through the outbox, so HQ and the other devices get
// it too.
func TestMergeKeepsTheMergedEmail(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	a := mustAdd(t, s, safeer.Person{NameAr: "سالم الحارثي", Governorate: "OM-MA", Phone: "91234567"})
	b := mustAdd(t, s, safeer.Person{NameAr: "سالم الحارثي", Governorate: "OM-MA", Email: "salim@example.om"})
	plan, err := s.PlanMerge(ctx, a.ID, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if f := planField(t, plan, "email"); f.Kept.Value != "" || f.Merged.Value != "salim@example.om" || f.Default != roster.Merged {
		t.Fatalf("email in the plan: %+v", f)
	}
	if f := planField(t, plan, "phone"); f.Kept.Value != "+96891234567" || f.Default != roster.Kept {
		t.Fatalf("phone in the plan: %+v", f)
	}
	before := len(outbox(t, s))
	done, err := s.MergePeople(ctx, b.ID, a.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := s.Person(ctx, a.ID)
	if got.Email != "salim@example.om" || got.Phone != "+96891234567" || done.Keep.Email != got.Email {
		t.Fatalf("survivor after the merge: %+v (plan's %+v)", got, done.Keep)
	}
	ops := outbox(t, s)[before:]
	if len(ops) != 2 || ops[0].Op.RowID != a.ID || ops[0].Op.Fields["email"].Value != "salim@example.om" ||
		ops[1].Op.RowID != b.ID || ops[1].Op.Fields["merged_into"].Value != a.ID {
		t.Fatalf("ops of the merge: %+v", ops)
	}
	// The index learnt the survivor's e-mail.
	if res, _ := s.Search(ctx, "salim@example.om", SearchOptions{}); len(res) != 1 || res[0].ID != a.ID {
		t.Fatalf("search by the merged e-mail: %+v", res)
	}
	// Merging again changes nothing and says so.
	again, err := s.MergePeople(ctx, b.ID, a.ID, nil)
	if err != nil || !again.AlreadyMerged || len(outbox(t, s)) != before+2 {
		t.Fatalf("second merge: %+v %v", again, err)
	}
}

// TestPlanMergeDefaults: of two values the newer stamp wins, the stamp
// being the field's own (clocks) when it was edited, else the row's.
func TestPlanMergeDefaults(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	a := mustAdd(t, s, safeer.Person{NameAr: "مريم الكندية", Governorate: "OM-BS", Notes: "A's notes", Organisation: "Sohar Port"})
	b := mustAdd(t, s, safeer.Person{NameAr: "مريم الكندية", Governorate: "OM-BS", Notes: "B's notes", Organisation: "Majan"})
	// B is newer than A everywhere; then A's organisation is edited, so
	// A's organisation is the newest of the two.
	a.Organisation = "Sohar Port Authority"
	if err := s.UpdatePerson(ctx, &a); err != nil {
		t.Fatal(err)
	}
	plan, err := s.PlanMerge(ctx, a.ID, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	notes, org := planField(t, plan, "notes"), planField(t, plan, "organisation")
	if notes.Default != roster.Merged || !(notes.Merged.Stamp > notes.Kept.Stamp) {
		t.Errorf("notes: %+v, want B's (newer row stamp)", notes)
	}
	if org.Default != roster.Kept || !(org.Kept.Stamp > org.Merged.Stamp) {
		t.Errorf("organisation: %+v, want A's (edited since)", org)
	}
	if name := planField(t, plan, "name_ar"); name.Differ() || name.Default != roster.Kept {
		t.Errorf("equal names: %+v", name)
	}
	if got, want := plan.Changes(), map[string]string{"notes": "B's notes"}; len(got) != 1 || got["notes"] != want["notes"] {
		t.Errorf("changes = %v, want %v", got, want)
	}
}

// TestMergeHonoursChoices: each field takes the side chosen, whatever the
// default; a plan's own Take applies that plan.
func TestMergeHonoursChoices(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	a := mustAdd(t, s, safeer.Person{NameAr: "خالد البلوشي", NameEn: "Khalid Al Balushi", Governorate: "OM-MA", Wilayat: "Muttrah",
		Phone: "91111111", Email: "khalid@a.om"})
	b := mustAdd(t, s, safeer.Person{NameAr: "خالد البلوشى", Governorate: "OM-DA", Wilayat: "Nizwa",
		Phone: "92222222", Email: "khalid@b.om", Expertise: "GIS"})
	plan, err := s.PlanMerge(ctx, a.ID, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range plan.Fields { // B is newer: its values by default, but where A belongs
		if f.Field == "governorate" || f.Field == "wilayat" {
			if f.Default != roster.Kept {
				t.Fatalf("%s: %+v, want the kept record's place", f.Field, f)
			}
			continue
		}
		if f.Differ() && f.Merged.Value != "" && f.Default != roster.Merged {
			t.Fatalf("%s: %+v", f.Field, f)
		}
	}
	// Keep A's phone, name and place; take B's e-mail (its default) and
	// B's expertise (the default too, stated).
	take := map[string]roster.Side{"phone": roster.Kept, "name_ar": roster.Kept, "governorate": roster.Kept,
		"expertise": roster.Merged}
	done, err := s.MergePeople(ctx, b.ID, a.ID, take)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := s.Person(ctx, a.ID)
	want := a
	want.Email, want.Expertise = "khalid@b.om", "GIS"
	if got != want {
		t.Fatalf("survivor:\n got %+v\nwant %+v", got, want)
	}
	if f := planField(t, done, "wilayat"); f.Choice != roster.Kept {
		t.Errorf("the wilayat did not follow the governorate: %+v", f)
	}
	if f := planField(t, done, "phone"); f.Default != roster.Merged || f.Choice != roster.Kept {
		t.Errorf("phone in the plan applied: %+v", f)
	}

	// A bad choice changes nothing.
	c := mustAdd(t, s, safeer.Person{NameAr: "سعيد", Governorate: "OM-MA"})
	d := mustAdd(t, s, safeer.Person{NameAr: "سعيد", Governorate: "OM-MA"})
	before := len(outbox(t, s))
	if _, err := s.MergePeople(ctx, d.ID, c.ID, map[string]roster.Side{"merged_into": roster.Merged}); err == nil {
		t.Fatal("a choice of merged_into was accepted")
	}
	if got, _ := s.Person(ctx, d.ID); got.MergedInto != "" || len(outbox(t, s)) != before {
		t.Fatalf("a refused merge changed something: %+v", got)
	}

	// A plan changed by a screen applies as shown.
	e := mustAdd(t, s, safeer.Person{NameAr: "هدى", Governorate: "OM-MA", Notes: "first"})
	f := mustAdd(t, s, safeer.Person{NameAr: "هدى", Governorate: "OM-MA", Notes: "second"})
	plan, err = s.PlanMerge(ctx, e.ID, f.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i := range plan.Fields {
		if plan.Fields[i].Field == "notes" {
			plan.Fields[i].Choice = roster.Kept
		}
	}
	if _, err := s.MergePeople(ctx, f.ID, e.ID, plan.Take()); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Person(ctx, e.ID); got.Notes != "first" {
		t.Fatalf("notes after keeping the kept side: %q", got.Notes)
	}
}

// TestPlanShowsEveryMergedValue: whatever the merged record holds, the plan
// has it, so no value of it can be dropped without being shown.
func TestPlanShowsEveryMergedValue(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	a := mustAdd(t, s, safeer.Person{NameEn: "Ali", Governorate: "OM-MU"})
	b := mustAdd(t, s, safeer.Person{Kind: safeer.KindGuest, NameAr: "علي الشحي", NameEn: "Ali Al Shehhi", Gender: "male",
		CivilID: "12345678", Phone: "93333333", Email: "ali@example.om", Governorate: "OM-MU", Wilayat: "Khasab",
		Organisation: "Khasab Municipality", Expertise: "IoT", JoinedOn: "2025-03-01", Status: safeer.StatusInactive, Notes: "from the fair"})
	plan, err := s.PlanMerge(ctx, a.ID, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	fields := personRow(b)
	shown := map[string]bool{}
	for _, f := range plan.Fields {
		shown[f.Field] = true
		if f.Merged.Value != fields[f.Field] {
			t.Errorf("%s: the plan shows %q, the record holds %v", f.Field, f.Merged.Value, fields[f.Field])
		}
	}
	for name, v := range fields {
		if v != "" && v != false && !shown[name] && name != "merged_into" && name != "deleted" {
			t.Errorf("the merged record's %s (%v) is not in the plan", name, v)
		}
	}
	if _, err := s.PlanMerge(ctx, a.ID, a.ID); !errors.Is(err, ErrMergeSelf) {
		t.Errorf("plan of a self merge: %v", err)
	}
	if _, err := s.PlanMerge(ctx, a.ID, "nobody"); !errors.Is(err, ErrNotFound) {
		t.Errorf("plan with nobody: %v", err)
	}
}
