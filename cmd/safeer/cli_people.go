package main

import (
	"context"
	"flag"
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/message"
	"github.com/oman-sca/safeer/roster"
)

// personFlags binds a flag named after each field to p.
func personFlags(fs *flag.FlagSet, p *safeer.Person) {
	for _, f := range []struct {
		name string
		ptr  *string
		help string
	}{
		{"kind", &p.Kind, "ambassador or guest"},
		{"name-ar", &p.NameAr, "name in Arabic"},
		{"name-en", &p.NameEn, "name in English"},
		{"gender", &p.Gender, "male or female"},
		{"civil-id", &p.CivilID, "civil ID number"},
		{"phone", &p.Phone, "phone, any spelling of an Omani number"},
		{"email", &p.Email, "email address"},
		{"governorate", &p.Governorate, "governorate: code (OM-MA) or name"},
		{"wilayat", &p.Wilayat, "wilayat name, Arabic or English"},
		{"organisation", &p.Organisation, "organisation"},
		{"expertise", &p.Expertise, "expertise"},
		{"joined-on", &p.JoinedOn, "date joined (YYYY-MM-DD or d/m/yyyy)"},
		{"status", &p.Status, "active or inactive"},
		{"notes", &p.Notes, "notes"},
	} {
		fs.StringVar(f.ptr, f.name, *f.ptr, f.help)
	}
}

func (m *Main) runPeople(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usagef("people: expected search, add, edit, show, delete, merge or duplicates")
	}
	sub, args := args[0], args[1:]
	switch sub {
	case "search":
		return m.peopleSearch(ctx, args)
	case "add":
		return m.peopleAdd(ctx, args)
	case "edit":
		return m.peopleEdit(ctx, args)
	case "show":
		return m.peopleShow(ctx, args)
	case "delete":
		return m.peopleDelete(ctx, args)
	case "merge":
		return m.peopleMerge(ctx, args)
	case "duplicates":
		return m.peopleDuplicates(ctx, args)
	}
	return usagef("people: unknown subcommand %q", sub)
}

// searchOutput is what people search --json prints: the people shown, how
// many match in all, and the limit that cut the list (0: none).
type searchOutput struct {
	Results []data.SearchResult `json:"results"`
	Total   int                 `json:"total"`
	Shown   int                 `json:"shown"`
	Limit   int                 `json:"limit"`
}

func (m *Main) peopleSearch(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("people search", flag.ContinueOnError)
	var opt data.SearchOptions
	fs.IntVar(&opt.Limit, "limit", 50, "at most this many people (0: all)")
	fs.StringVar(&opt.Governorate, "governorate", "", "only this governorate (code)")
	fs.StringVar(&opt.Wilayat, "wilayat", "", "only this wilayat (English name)")
	fs.StringVar(&opt.Status, "status", "", "only active or inactive people")
	pos, err := m.parseFlags(fs, args)
	if err != nil {
		return err
	}
	if opt.Limit < 0 {
		return usagef("people search: --limit %d: give how many people to show, or 0 for all", opt.Limit)
	}
	q := strings.Join(pos, " ")
	return m.withStore(ctx, func(s *data.Store) error {
		pg, err := s.SearchPage(ctx, q, opt)
		if err != nil {
			return err
		}
		res := pg.Results
		if m.JSON {
			if res == nil {
				res = []data.SearchResult{}
			}
			m.printJSON(m.Stdout, searchOutput{Results: res, Total: pg.Total, Shown: len(res), Limit: opt.Limit})
			return nil
		}
		tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
		for _, r := range res {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.ID, r.NameAr, r.NameEn, r.Phone, r.Governorate)
		}
		tw.Flush()
		switch {
		case len(res) == 0:
			fmt.Fprintln(m.Stderr, "no one found")
		case len(res) < pg.Total:
			// On stderr, so that stdout stays the list a script reads.
			fmt.Fprintf(m.Stderr, "showing %d of %d: --limit N for more, --limit 0 for all\n", len(res), pg.Total)
		}
		return nil
	})
}

func (m *Main) peopleAdd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("people add", flag.ContinueOnError)
	var p safeer.Person
	personFlags(fs, &p)
	force := fs.Bool("force", false, "add even when the person looks like someone already on the roster")
	pos, err := m.parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("people add: unexpected %q (fields are flags, e.g. --name-ar)", pos[0])
	}
	return m.withStore(ctx, func(s *data.Store) error {
		if err := s.ValidatePerson(&p); err != nil {
			return err
		}
		dups, err := s.DuplicateCandidates(ctx, p)
		if err != nil {
			return err
		}
		if len(dups) > 0 && !*force {
			if m.JSON {
				m.printJSON(m.Stdout, map[string]any{"added": false, "duplicates": dups})
			} else {
				printMatches(m, dups)
			}
			return message.NewError("cli.people.duplicate")
		}
		if err := s.AddPerson(ctx, &p); err != nil {
			return err
		}
		if m.JSON {
			m.printJSON(m.Stdout, map[string]any{"id": p.ID, "added": true, "duplicates": emptyIfNil(dups)})
			return nil
		}
		fmt.Fprintln(m.Stdout, p.ID)
		return nil
	})
}

func emptyIfNil(ms []data.Match) []data.Match {
	if ms == nil {
		return []data.Match{}
	}
	return ms
}

func printMatches(m *Main, dups []data.Match) {
	fmt.Fprintln(m.Stderr, "Looks like people already on the roster:")
	for _, d := range dups {
		fmt.Fprintf(m.Stderr, "  %s  %s  %s  (%s)\n", d.ID, d.NameAr, d.NameEn, strings.Join(d.Why(false), ", "))
	}
}

func (m *Main) peopleEdit(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("people edit", flag.ContinueOnError)
	var changes safeer.Person
	personFlags(fs, &changes)
	pos, err := m.parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := exactly(1, pos, "people edit ID --FIELD VALUE …"); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	delete(set, "json")
	delete(set, "db")
	if len(set) == 0 {
		return usagef("people edit: name at least one field to change, e.g. --phone 91234567")
	}
	return m.withStore(ctx, func(s *data.Store) error {
		p, err := s.Person(ctx, pos[0])
		if err != nil {
			return err
		}
		// Copy only the flags given onto the stored person.
		var cur safeer.Person = p
		curFS := flag.NewFlagSet("", flag.ContinueOnError)
		personFlags(curFS, &cur)
		chFS := flag.NewFlagSet("", flag.ContinueOnError)
		personFlags(chFS, &changes)
		for name := range set {
			curFS.Set(name, chFS.Lookup(name).Value.String())
		}
		if err := s.UpdatePerson(ctx, &cur); err != nil {
			return err
		}
		if m.JSON {
			m.printJSON(m.Stdout, cur)
			return nil
		}
		fmt.Fprintln(m.Stdout, cur.ID)
		return nil
	})
}

func (m *Main) peopleShow(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("people show", flag.ContinueOnError)
	pos, err := m.parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := exactly(1, pos, "people show ID"); err != nil {
		return err
	}
	return m.withStore(ctx, func(s *data.Store) error {
		p, err := s.Person(ctx, pos[0])
		if err != nil {
			return err
		}
		att, err := s.PersonAttendance(ctx, p.ID)
		if err != nil {
			return err
		}
		hours := 0.0
		for _, a := range att {
			if a.Status == safeer.Present {
				hours += a.Hours
			}
		}
		if m.JSON {
			m.printJSON(m.Stdout, map[string]any{"person": p, "attendance": att, "hours": hours})
			return nil
		}
		tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
		for _, kv := range [][2]string{{"id", p.ID}, {safeer.FieldNameAr, p.NameAr}, {safeer.FieldNameEn, p.NameEn},
			{safeer.FieldKind, p.Kind}, {safeer.FieldPhone, p.Phone}, {safeer.FieldCivilID, p.CivilID}, {safeer.FieldEmail, p.Email},
			{safeer.FieldGovernorate, p.Governorate}, {safeer.FieldWilayat, p.Wilayat}, {safeer.FieldStatus, p.Status},
			{safeer.FieldMergedInto, p.MergedInto}} {
			if kv[1] != "" {
				fmt.Fprintf(tw, "%s\t%s\n", kv[0], kv[1])
			}
		}
		fmt.Fprintf(tw, "workshops\t%d\nhours\t%g\n", len(att), hours)
		return tw.Flush()
	})
}

func (m *Main) peopleDelete(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("people delete", flag.ContinueOnError)
	pos, err := m.parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := exactly(1, pos, "people delete ID"); err != nil {
		return err
	}
	return m.withStore(ctx, func(s *data.Store) error {
		if err := s.DeletePerson(ctx, pos[0]); err != nil {
			return err
		}
		return m.done(map[string]any{"id": pos[0], "deleted": true})
	})
}

// takeFlag collects --take FIELD=kept|merged (repeated, or comma-separated).
type takeFlag map[string]roster.Side

func (f takeFlag) String() string {
	var parts []string
	for k, v := range f {
		parts = append(parts, k+"="+string(v))
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

func (f takeFlag) Set(v string) error {
	for _, part := range strings.Split(v, ",") {
		field, side, ok := strings.Cut(part, "=")
		if !ok {
			return fmt.Errorf("%q: want FIELD=merged or FIELD=kept", part)
		}
		s, err := roster.ParseSide(side)
		if err != nil {
			return err
		}
		f[strings.ReplaceAll(strings.TrimSpace(field), "-", "_")] = s
	}
	return nil
}

func (m *Main) peopleMerge(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("people merge", flag.ContinueOnError)
	take := takeFlag{}
	fs.Var(take, "take", "FIELD=merged or FIELD=kept: whose value the kept person gets (repeat it; default: "+
		"a value over none, of two the more recently changed)")
	pos, err := m.parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := exactly(2, pos, "people merge DUPLICATE KEEP [--take FIELD=merged|kept …] (DUPLICATE is merged into KEEP)"); err != nil {
		return err
	}
	return m.withStore(ctx, func(s *data.Store) error {
		plan, err := s.MergePeople(ctx, pos[0], pos[1], take)
		if err != nil {
			return err
		}
		if m.JSON {
			m.printJSON(m.Stdout, map[string]any{"merged": plan.Merge.ID, "into": plan.Keep.ID,
				"already_merged": plan.AlreadyMerged, "fields": plan.Fields, "person": plan.Keep})
			return nil
		}
		printMerge(m, plan)
		return nil
	})
}

// printMerge says what a merge kept from each record: every field either
// record has a value for, both values, and whose the kept person now has.
func printMerge(m *Main, plan data.MergePlan) {
	if plan.AlreadyMerged {
		fmt.Fprintf(m.Stdout, "%s was already merged into %s; nothing changed\n", plan.Merge.ID, plan.Keep.ID)
		return
	}
	fmt.Fprintf(m.Stdout, "merged %s (%s) into %s (%s)\n", plan.Merge.ID, plan.Merge.DisplayName(),
		plan.Keep.ID, plan.Keep.DisplayName())
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "field\tkept record\tmerged record\tnow")
	for _, f := range plan.Fields {
		if f.Kept.Value == "" && f.Merged.Value == "" {
			continue
		}
		from := "same in both"
		switch {
		case !f.Differ():
		case f.Choice == roster.Merged:
			from = "from the merged record"
		default:
			from = "from the kept record"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", f.Field, orDash(f.Kept.Value), orDash(f.Merged.Value), from)
	}
	tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func (m *Main) peopleDuplicates(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("people duplicates", flag.ContinueOnError)
	pos, err := m.parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := exactly(1, pos, "people duplicates ID"); err != nil {
		return err
	}
	return m.withStore(ctx, func(s *data.Store) error {
		p, err := s.Person(ctx, pos[0])
		if err != nil {
			return err
		}
		dups, err := s.DuplicateCandidates(ctx, p)
		if err != nil {
			return err
		}
		if m.JSON {
			m.printJSON(m.Stdout, emptyIfNil(dups))
			return nil
		}
		if len(dups) == 0 {
			fmt.Fprintln(m.Stdout, "no duplicate candidates")
			return nil
		}
		for _, d := range dups {
			fmt.Fprintf(m.Stdout, "%s  %s  %s  (%s)\n", d.ID, d.NameAr, d.NameEn, strings.Join(d.Why(false), ", "))
		}
		return nil
	})
}

// done reports a finished change: JSON when asked, otherwise "done".
func (m *Main) done(v any) error {
	if m.JSON {
		m.printJSON(m.Stdout, v)
		return nil
	}
	fmt.Fprintln(m.Stdout, "done")
	return nil
}
