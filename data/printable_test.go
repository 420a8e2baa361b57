package data

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/certificate"
)

// TestCheckPrintable: a workshop without its Arabic title or wilayat, and
// the default template's empty signatory, are named in both languages;
// filled in, nothing is missing.
func TestCheckPrintable(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	w := safeer.Workshop{TitleEn: "Smart Cities", Date: "2026-11-29", Hours: 3, Governorate: "OM-MA"}
	if err := s.AddWorkshop(ctx, &w); err != nil {
		t.Fatal(err)
	}
	err := s.CheckPrintable(ctx, w.ID, certificate.DefaultTemplate())
	var ie *IncompleteError
	if !errors.As(err, &ie) || !errors.Is(err, ErrIncomplete) {
		t.Fatalf("want IncompleteError, got %v", err)
	}
	var fields []string
	for _, g := range ie.Gaps {
		fields = append(fields, g.Where+"."+g.Field)
	}
	if got := strings.Join(fields, " "); got != "workshop.title_ar workshop.wilayat template.signatory_name_ar template.signatory_name_en" {
		t.Fatalf("gaps %s", got)
	}
	if !strings.Contains(ie.English(), "the workshop's Arabic title") || !strings.Contains(ie.Arabic(), "عنوان الورشة بالعربية") ||
		!strings.Contains(ie.Arabic(), "اسم الموقّع بالعربية") {
		t.Fatalf("words:\n%s\n%s", ie.English(), ie.Arabic())
	}
	w.TitleAr, w.Wilayat = "المدن الذكية", "Muttrah"
	if err := s.UpdateWorkshop(ctx, &w); err != nil {
		t.Fatal(err)
	}
	tmpl := certificate.DefaultTemplate()
	tmpl.Vars["signatory_name_ar"], tmpl.Vars["signatory_name_en"] = "سالم الهنائي", "Salim Al Hinai"
	if err := s.CheckPrintable(ctx, w.ID, tmpl); err != nil {
		t.Fatalf("complete workshop: %v", err)
	}
	// A template that does not print the wilayat does not need it.
	w.Wilayat = ""
	if err := s.UpdateWorkshop(ctx, &w); err != nil {
		t.Fatal(err)
	}
	var texts []certificate.Text
	for _, x := range tmpl.Texts {
		if !strings.Contains(x.Text, "wilayat") {
			texts = append(texts, x)
		}
	}
	tmpl.Texts = texts
	if err := s.CheckPrintable(ctx, w.ID, tmpl); err != nil {
		t.Fatalf("template without the wilayat: %v", err)
	}
}

// TestDeleteWorkshopWithAttendance: refused while anyone is checked in,
// done once the check-in is undone.
func TestDeleteWorkshopWithAttendance(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	w := safeer.Workshop{TitleEn: "Smart Cities", Date: "2026-11-29", Hours: 3, Governorate: "OM-MA"}
	if err := s.AddWorkshop(ctx, &w); err != nil {
		t.Fatal(err)
	}
	p := safeer.Person{NameAr: "سالم الحارثي", Governorate: "OM-MA"}
	if err := s.AddPerson(ctx, &p); err != nil {
		t.Fatal(err)
	}
	if err := s.Attend(ctx, &safeer.Attendance{WorkshopID: w.ID, PersonID: p.ID}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteWorkshop(ctx, w.ID); !errors.Is(err, ErrWorkshopAttended) {
		t.Fatalf("delete with attendance: %v", err)
	}
	if err := s.Unattend(ctx, w.ID, p.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteWorkshop(ctx, w.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Workshop(ctx, w.ID); !got.Deleted {
		t.Fatal("not deleted")
	}
}
