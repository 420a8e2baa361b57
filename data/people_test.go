package data

import (
	"context"
	"encoding/json"
	"errors"
	"github.com/oman-sca/safeer"
	"testing"
)

func mustAdd(t testing.TB, s *Store, p safeer.Person) safeer.Person {
	t.Helper()
	if err := s.AddPerson(context.Background(), &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func outbox(t testing.TB, s *Store) []OutboxOp {
	t.Helper()
	ops, err := s.Outbox(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return ops
}

func TestAddPersonNormalisesAndRecordsOp(t *testing.T) {
	s := openTest(t)
	p := mustAdd(t, s, safeer.Person{NameAr: " أحمد   البلوشي ", NameEn: "Ahmed Al Balushi", Phone: "٩١٢٣ ٤٥٦٧",
		Governorate: "مسقط", Wilayat: "السيب", Gender: "ذكر"})
	if p.Phone != "+96891234567" || p.Governorate != "OM-MA" || p.Wilayat != "As Seeb" ||
		p.NameAr != "أحمد البلوشي" || p.Gender != "male" || p.Kind != safeer.KindAmbassador || p.Status != safeer.StatusActive {
		t.Fatalf("not normalised: %+v", p)
	}
	ops := outbox(t, s)
	if len(ops) != 1 {
		t.Fatalf("%d ops, want 1", len(ops))
	}
	op := ops[0].Op
	if op.Table != "person" || op.RowID != p.ID || op.Fields["phone"].Value != "+96891234567" || op.Fields["phone"].HLC == "" {
		t.Fatalf("op %+v", op)
	}
}

func TestValidationNamesFieldsInBothLanguages(t *testing.T) {
	s := openTest(t)
	p := safeer.Person{NameEn: "X", Phone: "12", Governorate: "OM-MA", Wilayat: "Salalah", Email: "not-an-email"}
	err := s.AddPerson(context.Background(), &p)
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("got %v", err)
	}
	for _, f := range []string{"phone", "wilayat", "email"} {
		fe, ok := ve.Field(f)
		if !ok || fe.En == "" || fe.Ar == "" {
			t.Errorf("field %s: %+v (present %v)", f, fe, ok)
		}
	}
	if fe, _ := ve.Field("wilayat"); fe.En != "Salalah is in Dhofar, not in Muscat" {
		t.Errorf("wilayat message %q", fe.En)
	}
	if n := len(outbox(t, s)); n != 0 {
		t.Fatalf("a rejected person left %d ops", n)
	}
}

func TestUpdateRecordsOnlyChangedFields(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	p := mustAdd(t, s, safeer.Person{NameAr: "فاطمة الرواحية", Governorate: "OM-DA", Phone: "99887766"})
	p.Phone = "+968 9988 7755"
	if err := s.UpdatePerson(ctx, &p); err != nil {
		t.Fatal(err)
	}
	ops := outbox(t, s)
	if len(ops) != 2 {
		t.Fatalf("%d ops", len(ops))
	}
	if f := ops[1].Op.Fields; len(f) != 1 || f["phone"].Value != "+96899887755" {
		t.Fatalf("update op fields %v", f)
	}
	if ops[1].Stamp <= ops[0].Stamp {
		t.Fatalf("clock did not advance: %s then %s", ops[0].Stamp, ops[1].Stamp)
	}
	// An update that changes nothing records nothing.
	if err := s.UpdatePerson(ctx, &p); err != nil {
		t.Fatal(err)
	}
	if n := len(outbox(t, s)); n != 2 {
		t.Fatalf("no-op update recorded an op (%d)", n)
	}
	var clocks string
	s.db.QueryRow(`SELECT clocks FROM person WHERE id = ?`, p.ID).Scan(&clocks)
	var m map[string]string
	json.Unmarshal([]byte(clocks), &m)
	if m["phone"] != ops[1].Stamp || len(m) != 1 {
		t.Fatalf("field clocks %v", m)
	}
}

func TestDeleteIsATombstone(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	p := mustAdd(t, s, safeer.Person{NameAr: "خالد", Governorate: "OM-BJ"})
	if err := s.DeletePerson(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	got, err := s.Person(ctx, p.ID)
	if err != nil || !got.Deleted {
		t.Fatalf("after delete: %+v %v", got, err)
	}
	if res, _ := s.Search(ctx, "خالد", SearchOptions{}); len(res) != 0 {
		t.Fatalf("deleted person still found: %v", res)
	}
	if ops := outbox(t, s); ops[len(ops)-1].Op.Fields["deleted"].Value != true {
		t.Fatalf("delete op %+v", ops[len(ops)-1].Op)
	}
	if err := s.DeletePerson(ctx, "nobody"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("delete of unknown id: %v", err)
	}
}

func TestMergeMovesAttendanceInOneChange(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	a := mustAdd(t, s, safeer.Person{NameAr: "مريم الكندية", Governorate: "OM-BS", Phone: "91112222"})
	b := mustAdd(t, s, safeer.Person{NameAr: "مريم الكنديه", Governorate: "OM-BS", Phone: "00968 9111 2222"})
	w := safeer.Workshop{TitleAr: "ورشة المدن الذكية", Date: "2026-11-20", Hours: 3, Governorate: "OM-BS"}
	if err := s.AddWorkshop(ctx, &w); err != nil {
		t.Fatal(err)
	}
	if err := s.Attend(ctx, &safeer.Attendance{WorkshopID: w.ID, PersonID: b.ID}); err != nil {
		t.Fatal(err)
	}
	before := len(outbox(t, s))
	if _, err := s.MergePeople(ctx, b.ID, a.ID, nil); err != nil {
		t.Fatal(err)
	}
	// Two changes: A takes B's spelling of the name (B's is the newer
	// stamp; see roster.Default), and B's merged_into.
	ops := outbox(t, s)
	if len(ops) != before+2 || ops[len(ops)-1].Op.Fields["merged_into"].Value != a.ID {
		t.Fatalf("merge recorded %d ops: %+v", len(ops)-before, ops[len(ops)-1].Op)
	}
	if op := ops[len(ops)-2].Op; op.RowID != a.ID || len(op.Fields) != 1 || op.Fields["name_ar"].Value != b.NameAr {
		t.Fatalf("survivor's op: %+v", op)
	}
	att, err := s.PersonAttendance(ctx, a.ID)
	if err != nil || len(att) != 1 || att[0].Person.ID != a.ID {
		t.Fatalf("A's attendance after merge: %+v %v", att, err)
	}
	if att, _ := s.PersonAttendance(ctx, b.ID); len(att) != 0 {
		t.Fatalf("B still has attendance: %+v", att)
	}
	res, _ := s.Search(ctx, "مريم", SearchOptions{})
	if len(res) != 1 || res[0].ID != a.ID {
		t.Fatalf("search after merge: %+v", res)
	}
	if _, err := s.MergePeople(ctx, a.ID, a.ID, nil); !errors.Is(err, ErrMergeSelf) {
		t.Fatalf("self merge: %v", err)
	}
	// A check-in of B made later (say, on a device that had not heard of the
	// merge) counts for A too.
	ws, _ := s.ListWorkshops(ctx)
	if ws[0].Present != 1 {
		t.Fatalf("present = %d", ws[0].Present)
	}
}

func TestAttendanceIsOneRowPerPair(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	p := mustAdd(t, s, safeer.Person{NameAr: "يوسف", Governorate: "OM-WU"})
	w := safeer.Workshop{TitleAr: "أمن المعلومات", Date: "2026-10-01", Hours: 2, Governorate: "OM-WU"}
	if err := s.AddWorkshop(ctx, &w); err != nil {
		t.Fatal(err)
	}
	a := safeer.Attendance{WorkshopID: w.ID, PersonID: p.ID}
	if err := s.Attend(ctx, &a); err != nil {
		t.Fatal(err)
	}
	if a.ID != AttendanceID(w.ID, p.ID) || a.Hours != 2 {
		t.Fatalf("attendance %+v", a)
	}
	a2 := safeer.Attendance{WorkshopID: w.ID, PersonID: p.ID, Hours: 1.5}
	if err := s.Attend(ctx, &a2); err != nil {
		t.Fatal(err)
	}
	att, _ := s.WorkshopAttendance(ctx, w.ID)
	if len(att) != 1 || att[0].Hours != 1.5 {
		t.Fatalf("attendance %+v", att)
	}
	if err := s.Attend(ctx, &safeer.Attendance{WorkshopID: w.ID, PersonID: p.ID, Hours: 5}); err == nil {
		t.Fatal("more hours than the workshop accepted")
	}
	if err := s.Unattend(ctx, w.ID, p.ID); err != nil {
		t.Fatal(err)
	}
	if att, _ := s.WorkshopAttendance(ctx, w.ID); len(att) != 0 {
		t.Fatalf("after un-check-in: %+v", att)
	}
}

func TestEncodeFieldsIsJSON(t *testing.T) {
	r := row{"name_ar": "أحمد \"الشاعر\"\n", "hours": 2.5, "capacity": 30.0, "deleted": true, "notes": "a<b>&c", "x": nil}
	got, err := encodeFields(r)
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal([]byte(got), &back); err != nil {
		t.Fatalf("%s: %v", got, err)
	}
	for k, v := range r {
		if back[k] != v {
			t.Errorf("%s: %v, want %v (from %s)", k, back[k], v, got)
		}
	}
}

func TestNewRowIsNewFieldsOfFields(t *testing.T) {
	p := safeer.Person{Kind: safeer.KindGuest, NameAr: "سالم", Phone: "+96891234567", Governorate: "OM-MA", Status: safeer.StatusActive, Deleted: true}
	a, b := newPersonRow(p), newFields(personRow(p))
	if len(a) != len(b) {
		t.Fatalf("%v vs %v", a, b)
	}
	for k, v := range b {
		if a[k] != v {
			t.Fatalf("%s: %v vs %v", k, a[k], v)
		}
	}
}
