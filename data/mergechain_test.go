package data

import (
	"bytes"
	"context"
	"encoding/csv"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/sync/protocol"
)

// rosterView is what every roster read of the device says about people:
// the list, the count, the search index (patched by the write) and the
// people export. They must agree.
func rosterView(t *testing.T, s *Store, word string) []string {
	t.Helper()
	ctx := context.Background()
	list, err := s.ListPeople(ctx, PeopleFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range list {
		ids = append(ids, p.ID)
	}
	sort.Strings(ids)
	if n, err := s.CountPeople(ctx); err != nil || n != len(ids) {
		t.Fatalf("CountPeople %d (%v), ListPeople %d", n, err, len(ids))
	}
	res, err := s.Search(ctx, word, SearchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, r := range res {
		found = append(found, r.ID)
	}
	sort.Strings(found)
	if strings.Join(found, ",") != strings.Join(ids, ",") {
		t.Fatalf("search finds %v, the roster lists %v", found, ids)
	}
	var buf bytes.Buffer
	if _, err := s.Export(ctx, "people", FormatCSV, &buf); err != nil {
		t.Fatal(err)
	}
	for _, p := range list {
		if !strings.Contains(buf.String(), p.ID) {
			t.Fatalf("people export lacks %s", p.ID)
		}
	}
	return ids
}

// credited says whom each read of attendance credits a workshop's row to:
// the workshop's list, the export, eligibility, and each person's list.
func credited(t *testing.T, s *Store, w safeer.Workshop, want string, hidden ...string) {
	t.Helper()
	ctx := context.Background()
	att, err := s.WorkshopAttendance(ctx, w.ID)
	if err != nil || len(att) != 1 || att[0].Person.ID != want {
		t.Fatalf("workshop attendance %+v %v, want one row for %s", att, err, want)
	}
	mine, err := s.PersonAttendance(ctx, want)
	if err != nil || len(mine) != 1 || mine[0].Hours != w.Hours {
		t.Fatalf("%s's attendance %+v %v", want, mine, err)
	}
	for _, h := range hidden {
		if att, _ := s.PersonAttendance(ctx, h); len(att) != 0 {
			t.Fatalf("hidden %s still has attendance %+v", h, att)
		}
	}
	ok, skipped, err := s.Eligibility(ctx, w.ID)
	if err != nil || len(ok) != 1 || ok[0].Person.ID != want || len(skipped) != 0 {
		t.Fatalf("eligibility %+v %+v %v", ok, skipped, err)
	}
	ws, err := s.ListWorkshops(ctx)
	if err != nil || len(ws) != 1 || ws[0].Present != 1 {
		t.Fatalf("workshops %+v %v", ws, err)
	}
	var buf bytes.Buffer
	if _, err := s.Export(ctx, "attendance", FormatCSV, &buf); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[1], want) {
		t.Fatalf("attendance export credits %q, want %s", lines[1:], want)
	}
}

// pullPerson applies one pulled change of a person, as from HQ.
func pullPerson(t *testing.T, s *Store, seq int64, id string, fields map[string]any) {
	t.Helper()
	h := stamp(time.Now().Add(time.Minute), "other") // newer than the local edits
	fs := map[string]protocol.Field{}
	for k, v := range fields {
		fs[k] = f(v, h)
	}
	if err := s.ApplyChanges(context.Background(), []protocol.Change{change(seq, "person", id, fs)}, "", ""); err != nil {
		t.Fatal(err)
	}
}

// TestMergeChainsAreFollowedToTheEnd: concurrent merges on two devices
// leave chains (P→Q→R→S); every read credits the attendance of anyone on
// the chain to its end, and the roster shows only the end.
func TestMergeChainsAreFollowedToTheEnd(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	var ids []string
	for _, n := range []string{"بدر أ", "بدر ب", "بدر ج", "بدر د"} {
		ids = append(ids, mustAdd(t, s, safeer.Person{NameAr: n, Governorate: "OM-DA"}).ID)
	}
	p, q, r, end := ids[0], ids[1], ids[2], ids[3]
	w := safeer.Workshop{TitleAr: "ورشة", Date: "2026-11-20", Hours: 3, MinHours: 3, Governorate: "OM-DA"}
	if err := s.AddWorkshop(ctx, &w); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{p, q} { // both came: one row for the survivor
		if err := s.Attend(ctx, &safeer.Attendance{WorkshopID: w.ID, PersonID: id, Hours: 3}); err != nil {
			t.Fatal(err)
		}
	}
	rosterView(t, s, "بدر") // the index is live: the pulls must patch it
	pullPerson(t, s, 1, p, map[string]any{"merged_into": q})
	pullPerson(t, s, 2, q, map[string]any{"merged_into": r})
	if got := rosterView(t, s, "بدر"); len(got) != 2 {
		t.Fatalf("roster after P→Q→R: %v", got)
	}
	credited(t, s, w, r, p, q)
	pullPerson(t, s, 3, r, map[string]any{"merged_into": end})
	if got := rosterView(t, s, "بدر"); len(got) != 1 || got[0] != end {
		t.Fatalf("roster after P→Q→R→S: %v, want only %s", got, end)
	}
	credited(t, s, w, end, p, q, r)
	// A cycle (HQ repairs it; the device must still answer).
	pullPerson(t, s, 4, end, map[string]any{"merged_into": p})
	if _, err := s.WorkshopAttendance(ctx, w.ID); err != nil {
		t.Fatal(err)
	}
}

// TestMergeIntoDeletedIsNoMerge: device a merges P into Q, device b
// deletes Q. Until HQ's repair arrives the device reads the merge as none:
// P is on the roster with its check-in; people merged into P follow P.
func TestMergeIntoDeletedIsNoMerge(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	o := mustAdd(t, s, safeer.Person{NameAr: "سالم أ", Governorate: "OM-DA"})
	p := mustAdd(t, s, safeer.Person{NameAr: "سالم ب", Governorate: "OM-DA"})
	q := mustAdd(t, s, safeer.Person{NameAr: "سالم ج", Governorate: "OM-DA"})
	w := safeer.Workshop{TitleAr: "ورشة", Date: "2026-11-20", Hours: 2, Governorate: "OM-DA"}
	if err := s.AddWorkshop(ctx, &w); err != nil {
		t.Fatal(err)
	}
	if err := s.Attend(ctx, &safeer.Attendance{WorkshopID: w.ID, PersonID: o.ID, Hours: 2}); err != nil {
		t.Fatal(err)
	}
	rosterView(t, s, "سالم")
	if _, err := s.MergePeople(ctx, p.ID, q.ID, nil); err != nil {
		t.Fatal(err)
	}
	pullPerson(t, s, 1, o.ID, map[string]any{"merged_into": p.ID}) // O→P→Q
	if got := rosterView(t, s, "سالم"); len(got) != 1 || got[0] != q.ID {
		t.Fatalf("roster before the delete: %v", got)
	}
	credited(t, s, w, q.ID, o.ID, p.ID)
	pullPerson(t, s, 2, q.ID, map[string]any{"deleted": true})
	if got := rosterView(t, s, "سالم"); len(got) != 1 || got[0] != p.ID {
		t.Fatalf("roster after Q's deletion: %v, want P (%s)", got, p.ID)
	}
	credited(t, s, w, p.ID, o.ID, q.ID)
	// The index built afresh agrees with the patched one.
	s.index.mu.Lock()
	s.index.gen = -1
	s.index.mu.Unlock()
	if got := rosterView(t, s, "سالم"); len(got) != 1 || got[0] != p.ID {
		t.Fatalf("roster from a fresh index: %v", got)
	}
	// Q restored: the merge stands again.
	pullPerson(t, s, 3, q.ID, map[string]any{"deleted": false})
	if got := rosterView(t, s, "سالم"); len(got) != 1 || got[0] != q.ID {
		t.Fatalf("roster after Q's restoration: %v", got)
	}
	credited(t, s, w, q.ID, o.ID, p.ID)
}

// Deleting a person deletes the people merged into them (they are the same
// person), before the person: on this device nobody comes back, and HQ
// gets the followers' deletions first, so it sees no live merge into a
// deleted person and undoes nothing.
func TestDeletePersonTakesItsMergedRecords(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	a := mustAdd(t, s, safeer.Person{NameAr: "أحمد البلوشي", Governorate: "OM-MA", Phone: "91234567"})
	b := mustAdd(t, s, safeer.Person{NameAr: "احمد البلوشى", Governorate: "OM-MA", Email: "a@example.om"})
	c := mustAdd(t, s, safeer.Person{NameAr: "أحمد سعيد البلوشي", Governorate: "OM-MA"})
	if _, err := s.MergePeople(ctx, c.ID, b.ID, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.MergePeople(ctx, b.ID, a.ID, nil); err != nil {
		t.Fatal(err)
	}
	before := len(outbox(t, s))
	if err := s.DeletePerson(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{a.ID, b.ID, c.ID} {
		if p, err := s.Person(ctx, id); err != nil || !p.Deleted {
			t.Errorf("%s after deleting the survivor: %+v %v", id, p, err)
		}
	}
	if n, _ := s.CountPeople(ctx); n != 0 {
		t.Errorf("%d people on the roster", n)
	}
	ops := outbox(t, s)[before:]
	if len(ops) != 3 || ops[2].Op.RowID != a.ID {
		t.Fatalf("ops %+v: want the merged records' deletions, then the survivor's", ops)
	}
}

// A deleted person's attendance stays in the attendance export, for
// history, marked person_deleted; the people export no longer lists them.
func TestExportMarksDeletedPeoplesAttendance(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	gone := mustAdd(t, s, safeer.Person{NameAr: "سالم الحارثي", Governorate: "OM-MA"})
	here := mustAdd(t, s, safeer.Person{NameAr: "مريم الهنائية", Governorate: "OM-MA"})
	w := safeer.Workshop{TitleAr: "المدن الذكية", Date: "2026-12-01", Hours: 3, Governorate: "OM-MA", Wilayat: "Muttrah"}
	if err := s.AddWorkshop(ctx, &w); err != nil {
		t.Fatal(err)
	}
	for _, p := range []safeer.Person{gone, here} {
		if err := s.Attend(ctx, &safeer.Attendance{WorkshopID: w.ID, PersonID: p.ID}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeletePerson(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := s.Export(ctx, "attendance", FormatCSV, &buf); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\ufeff"))).ReadAll()
	if err != nil || len(rows) != 3 {
		t.Fatalf("attendance export %q %v", buf.String(), err)
	}
	col := slices.Index(rows[0], "person_deleted")
	byPerson := map[string]string{}
	for _, r := range rows[1:] {
		byPerson[r[4]] = r[col]
	}
	if col < 0 || byPerson[gone.ID] != "true" || byPerson[here.ID] != "false" {
		t.Fatalf("person_deleted column %d: %v", col, byPerson)
	}
	buf.Reset()
	if _, err := s.Export(ctx, "people", FormatCSV, &buf); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), gone.ID) || !strings.Contains(buf.String(), here.ID) {
		t.Fatalf("people export %q", buf.String())
	}
}
