package data

import (
	"context"
	"errors"
	"github.com/oman-sca/safeer"
	"testing"
)

func TestTopCandidates(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	izki := mustAdd(t, s, safeer.Person{NameAr: "أحمد سالم الكندي", NameEn: "Ahmed Salim Al Kindi", Governorate: "OM-DA", Wilayat: "Izki", Phone: "91110001"})
	nizwa := mustAdd(t, s, safeer.Person{NameAr: "احمد سالم الكندى", NameEn: "Ahmed Salim Al-Kindi", Governorate: "OM-DA", Wilayat: "Nizwa", Phone: "91110002"})
	mustAdd(t, s, safeer.Person{NameAr: "احمد الكنديه", NameEn: "Ahmed Al Kindiya", Governorate: "OM-DA"})
	fatima := mustAdd(t, s, safeer.Person{NameAr: "فاطمة الزدجالية", NameEn: "Fatima Al Zadjali", Governorate: "OM-MA", Phone: "92223333"})
	mustAdd(t, s, safeer.Person{NameAr: "فاطمة الحارثية", NameEn: "Fatimah Al Harthy", Governorate: "OM-MA"})

	ids := func(rs []SearchResult) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.ID)
		}
		return out
	}
	for _, tc := range []struct {
		query string
		want  []string
	}{
		// The issue's case: two people whose names fold the same.
		{"احمد سالم الكندي", []string{izki.ID, nizwa.ID}},
		// Scores tie: "احمد الكندي" is two whole words in both namesakes,
		// a word and a word start in الكنديه, which scores lower.
		{"احمد الكندي", []string{izki.ID, nizwa.ID}},
		// A whole word beats a word start: Fatima, not Fatimah.
		{"fatima", []string{fatima.ID}},
		// An exact phone is one person.
		{"92223333", []string{fatima.ID}},
		{"9111000", []string{izki.ID, nizwa.ID}},
		{"nobody", nil},
	} {
		res, err := s.Search(ctx, tc.query, SearchOptions{Limit: 30})
		if err != nil {
			t.Fatal(err)
		}
		got := ids(TopCandidates(res))
		if len(got) != len(tc.want) {
			t.Errorf("%q: candidates %v, want %v (results %+v)", tc.query, got, tc.want, res)
			continue
		}
		for _, id := range tc.want { // namesakes come in name order: compare as sets
			found := false
			for _, g := range got {
				found = found || g == id
			}
			if !found {
				t.Errorf("%q: candidates %v, want %v", tc.query, got, tc.want)
			}
		}
	}

	// Same folded name counts even when the scores differ.
	res := []SearchResult{
		{PersonSummary: PersonSummary{ID: "a", NameAr: "عليّ"}, Score: 10},
		{PersonSummary: PersonSummary{ID: "b", NameAr: "علي"}, Score: 3},
		{PersonSummary: PersonSummary{ID: "c", NameAr: "عليان"}, Score: 3},
	}
	if got := ids(TopCandidates(res)); len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Errorf("candidates %v, want [a b]", got)
	}
}

func TestUnattendRevoking(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	w := safeer.Workshop{TitleAr: "البيانات المفتوحة", TitleEn: "Open data", Date: "2026-11-20", Hours: 3, Governorate: "OM-DA", Wilayat: "Nizwa"}
	if err := s.AddWorkshop(ctx, &w); err != nil {
		t.Fatal(err)
	}
	zainab := mustAdd(t, s, safeer.Person{NameAr: "زينب الهنائية", Governorate: "OM-DA"})
	ali := mustAdd(t, s, safeer.Person{NameAr: "علي العبري", Governorate: "OM-DA"})
	for _, p := range []safeer.Person{zainab, ali} {
		if err := s.Attend(ctx, &safeer.Attendance{WorkshopID: w.ID, PersonID: p.ID}); err != nil {
			t.Fatal(err)
		}
	}
	signer, err := s.Signer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.IssueCertificates(ctx, w.ID, signer); err != nil {
		t.Fatal(err)
	}
	live, err := s.LiveCertificates(ctx, AttendanceID(w.ID, zainab.ID))
	if err != nil || len(live) != 1 {
		t.Fatalf("live certificates %+v, %v", live, err)
	}

	// No reason, nothing changes.
	var verr *ValidationError
	if _, err := s.UnattendRevoking(ctx, w.ID, zainab.ID, " "); !errors.As(err, &verr) {
		t.Fatalf("no reason: %v", err)
	}
	if rows, _ := s.WorkshopAttendance(ctx, w.ID); len(rows) != 2 {
		t.Fatalf("%d present after a refused undo", len(rows))
	}

	revoked, err := s.UnattendRevoking(ctx, w.ID, zainab.ID, "check-in undone")
	if err != nil || len(revoked) != 1 || revoked[0].Code != live[0].Code {
		t.Fatalf("revoked %+v, %v", revoked, err)
	}
	c, err := s.CertificateByCode(ctx, live[0].Code)
	if err != nil || c.RevokedAt == "" || c.RevokedReason != "check-in undone" {
		t.Fatalf("stored certificate %+v, %v", c, err)
	}
	rows, _ := s.WorkshopAttendance(ctx, w.ID)
	if len(rows) != 1 || rows[0].PersonID != ali.ID {
		t.Fatalf("attendance after undo %+v", rows)
	}
	if live, _ := s.LiveCertificates(ctx, AttendanceID(w.ID, zainab.ID)); len(live) != 0 {
		t.Fatalf("still live: %+v", live)
	}
	// Ali's certificate is untouched.
	if live, _ := s.LiveCertificates(ctx, AttendanceID(w.ID, ali.ID)); len(live) != 1 {
		t.Fatalf("Ali's certificates %+v", live)
	}
	if _, err := s.UnattendRevoking(ctx, w.ID, "nobody", "x"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown check-in: %v", err)
	}
}
