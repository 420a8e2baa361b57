package data

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/roster"
)

const personColumns = `id, kind, name_ar, name_en, gender, civil_id, phone, email, governorate, wilayat,
	organisation, expertise, joined_on, status, notes, deleted, merged_into`

func scanPerson(sc interface{ Scan(...any) error }) (safeer.Person, error) {
	var p safeer.Person
	err := sc.Scan(&p.ID, &p.Kind, &p.NameAr, &p.NameEn, &p.Gender, &p.CivilID, &p.Phone, &p.Email,
		&p.Governorate, &p.Wilayat, &p.Organisation, &p.Expertise, &p.JoinedOn, &p.Status, &p.Notes,
		&p.Deleted, &p.MergedInto)
	return p, err
}

// fields are the synced fields of p.
func personRow(p safeer.Person) row {
	return row{
		safeer.FieldKind:         p.Kind,
		safeer.FieldNameAr:       p.NameAr,
		safeer.FieldNameEn:       p.NameEn,
		safeer.FieldGender:       p.Gender,
		safeer.FieldCivilID:      p.CivilID,
		safeer.FieldPhone:        p.Phone,
		safeer.FieldEmail:        p.Email,
		safeer.FieldGovernorate:  p.Governorate,
		safeer.FieldWilayat:      p.Wilayat,
		safeer.FieldOrganisation: p.Organisation,
		safeer.FieldExpertise:    p.Expertise,
		safeer.FieldJoinedOn:     p.JoinedOn,
		safeer.FieldStatus:       p.Status,
		safeer.FieldNotes:        p.Notes,
		safeer.FieldDeleted:      p.Deleted,
		safeer.FieldMergedInto:   p.MergedInto,
	}
}

// newPersonRow is newFields(personRow(p)) without building and pruning the full
// map: an import makes one per row.
func newPersonRow(p safeer.Person) row {
	r := make(row, 8)
	for _, f := range [...]struct {
		name, value string
	}{{safeer.FieldKind, p.Kind}, {safeer.FieldNameAr, p.NameAr}, {safeer.FieldNameEn, p.NameEn},
		{safeer.FieldGender, p.Gender}, {safeer.FieldCivilID, p.CivilID}, {safeer.FieldPhone, p.Phone},
		{safeer.FieldEmail, p.Email}, {safeer.FieldGovernorate, p.Governorate}, {safeer.FieldWilayat, p.Wilayat},
		{safeer.FieldOrganisation, p.Organisation}, {safeer.FieldExpertise, p.Expertise}, {safeer.FieldJoinedOn, p.JoinedOn},
		{safeer.FieldStatus, p.Status}, {safeer.FieldNotes, p.Notes}, {safeer.FieldMergedInto, p.MergedInto}} {
		if f.value != "" {
			r[f.name] = f.value
		}
	}
	if p.Deleted {
		r[safeer.FieldDeleted] = true
	}
	return r
}

// newFields drops empty values: a new row's columns default to them, and
// the op stays small.
func newFields(r row) row {
	for k, v := range r {
		switch v {
		case "", false, 0.0, 0:
			delete(r, k)
		}
	}
	return r
}

// Person returns the person with id, deleted or not.
func (s *Store) Person(ctx context.Context, id string) (safeer.Person, error) {
	p, err := scanPerson(s.db.QueryRowContext(ctx, `SELECT `+personColumns+` FROM person WHERE id = ?`, id))
	if err == sql.ErrNoRows {
		return safeer.Person{}, notFound("person", id)
	}
	if err != nil {
		return safeer.Person{}, fmt.Errorf("read person %s: %w", id, err)
	}
	if err := s.openPerson(&p); err != nil {
		return safeer.Person{}, err
	}
	return p, nil
}

func (t *tx) person(ctx context.Context, id string) (safeer.Person, error) {
	p, err := scanPerson(t.sql.QueryRowContext(ctx, `SELECT `+personColumns+` FROM person WHERE id = ?`, id))
	if err == sql.ErrNoRows {
		return safeer.Person{}, notFound("person", id)
	}
	if err != nil {
		return p, err
	}
	return p, t.s.openPerson(&p)
}

// AddPerson validates p, gives it a new id and saves it.
func (s *Store) AddPerson(ctx context.Context, p *safeer.Person) error {
	if err := s.ValidatePerson(p); err != nil {
		return err
	}
	return s.write(ctx, func(t *tx) error { return t.addPerson(ctx, p, "") })
}

func (t *tx) addPerson(ctx context.Context, p *safeer.Person, batch string) error {
	id, err := uuid.NewV7()
	if err != nil {
		return err
	}
	p.ID = id.String()
	var extra map[string]any
	if batch != "" {
		extra = map[string]any{"import_batch": batch}
	}
	if err := t.insert(ctx, safeer.TablePerson, p.ID, newFields(personRow(*p)), extra); err != nil {
		return err
	}
	if !t.peopleBulk {
		t.people = append(t.people, *p)
	}
	return nil
}

// UpdatePerson validates p and saves the fields that changed. Only changed
// fields are recorded, so two coordinators editing different fields of the
// same person both keep their edit.
func (s *Store) UpdatePerson(ctx context.Context, p *safeer.Person) error {
	if err := s.ValidatePerson(p); err != nil {
		return err
	}
	return s.write(ctx, func(t *tx) error {
		old, err := t.person(ctx, p.ID)
		if err != nil {
			return err
		}
		if old.Deleted {
			return fmt.Errorf("person %s was deleted: %w", p.ID, ErrNotFound)
		}
		p.Deleted, p.MergedInto = old.Deleted, old.MergedInto
		if err := t.update(ctx, safeer.TablePerson, p.ID, diff(personRow(old), personRow(*p))); err != nil {
			return err
		}
		t.people = append(t.people, *p)
		return nil
	})
}

// CompletePerson fills the empty fields of person id with typed's, as when
// someone typed as new turns out to be on the roster already: what was
// typed completes the record, and nothing on it is replaced. Fields typed
// that are not valid are left out (a half-typed phone is not worth an
// error here); the wilayat is taken only with the person's own governorate.
// Reading the person and writing it back is one transaction, so an edit
// that lands in between (a sync, another window) is neither lost nor
// overwritten. It returns the person as saved.
func (s *Store) CompletePerson(ctx context.Context, id string, typed safeer.Person) (safeer.Person, error) {
	var ve *ValidationError
	if errors.As(s.ValidatePerson(&typed), &ve) {
		for _, fe := range ve.Errors {
			switch fe.Field {
			case safeer.FieldNameAr:
				typed.NameAr = ""
			case safeer.FieldGender:
				typed.Gender = ""
			case safeer.FieldCivilID:
				typed.CivilID = ""
			case safeer.FieldPhone:
				typed.Phone = ""
			case safeer.FieldEmail:
				typed.Email = ""
			case safeer.FieldJoinedOn:
				typed.JoinedOn = ""
			case safeer.FieldWilayat, safeer.FieldGovernorate:
				typed.Wilayat = ""
			}
		}
	}
	var x safeer.Person
	err := s.write(ctx, func(t *tx) error {
		old, err := t.person(ctx, id)
		if err != nil {
			return err
		}
		if old.Deleted {
			return fmt.Errorf("person %s was deleted: %w", id, ErrNotFound)
		}
		x = old
		fill := func(dst *string, src string) {
			if strings.TrimSpace(*dst) == "" {
				*dst = src
			}
		}
		fill(&x.NameAr, typed.NameAr)
		fill(&x.NameEn, typed.NameEn)
		fill(&x.Gender, typed.Gender)
		fill(&x.CivilID, typed.CivilID)
		fill(&x.Phone, typed.Phone)
		fill(&x.Email, typed.Email)
		if x.Wilayat == "" && typed.Wilayat != "" && typed.Governorate == x.Governorate {
			x.Wilayat = typed.Wilayat
		}
		fill(&x.Organisation, typed.Organisation)
		fill(&x.Expertise, typed.Expertise)
		fill(&x.JoinedOn, typed.JoinedOn)
		fill(&x.Notes, typed.Notes)
		if err := s.ValidatePerson(&x); err != nil {
			return err
		}
		x.Deleted, x.MergedInto = old.Deleted, old.MergedInto
		if err := t.update(ctx, safeer.TablePerson, id, diff(personRow(old), personRow(x))); err != nil {
			return err
		}
		t.people = append(t.people, x)
		return nil
	})
	if err != nil {
		return safeer.Person{}, err
	}
	return x, nil
}

// DeletePerson marks a person deleted (a tombstone that syncs); nothing is
// removed from the file.
func (s *Store) DeletePerson(ctx context.Context, id string) error {
	return s.write(ctx, func(t *tx) error {
		p, err := t.person(ctx, id)
		if err != nil {
			return err
		}
		if p.Deleted {
			return nil
		}
		// The people merged into this one are this one: they go too, and
		// first, so HQ never sees a deletion with live merges into it (which
		// it reads as a deletion made without knowing of the merge, and
		// undoes the merge: docs/SYNC-DEVICE.md).
		followers, err := t.mergedIntoChain(ctx, id)
		if err != nil {
			return err
		}
		for _, f := range followers {
			if err := t.update(ctx, safeer.TablePerson, f.ID, row{safeer.FieldDeleted: true}); err != nil {
				return err
			}
			f.Deleted = true
			t.people = append(t.people, f)
		}
		if err := t.update(ctx, safeer.TablePerson, id, row{safeer.FieldDeleted: true}); err != nil {
			return err
		}
		p.Deleted = true
		t.people = append(t.people, p)
		return nil
	})
}

// mergedIntoChain lists the live people merged into id, directly or
// through others (any depth, bounded like every walk along merges).
func (t *tx) mergedIntoChain(ctx context.Context, id string) ([]safeer.Person, error) {
	var out []safeer.Person
	seen := map[string]bool{id: true}
	frontier := []string{id}
	for depth := 0; depth < maxMergeChain && len(frontier) > 0; depth++ {
		var next []string
		for _, target := range frontier {
			rows, err := t.sql.QueryContext(ctx, `SELECT id FROM person WHERE merged_into = ? AND deleted = 0`, target)
			if err != nil {
				return nil, fmt.Errorf("read people merged into %s: %w", target, err)
			}
			var ids []string
			for rows.Next() {
				var f string
				if err := rows.Scan(&f); err != nil {
					rows.Close()
					return nil, err
				}
				ids = append(ids, f)
			}
			rows.Close()
			for _, f := range ids {
				if seen[f] {
					continue
				}
				seen[f] = true
				p, err := t.person(ctx, f)
				if err != nil {
					return nil, err
				}
				out = append(out, p)
				next = append(next, f)
			}
		}
		frontier = next
	}
	return out, nil
}

// ErrMergeSelf is returned when asked to merge a person into themself.
var ErrMergeSelf = fmt.Errorf("cannot merge a person into themself")

// MergePlan is a merge of one person (Merge) into another (Keep) laid out
// field by field: both values of every field a merge decides, the side
// roster.Default picks and the side that will be applied. Screens show it
// and let a person change Choice; MergePeople applies it.
type MergePlan struct {
	Keep   safeer.Person        `json:"keep"`  // the survivor: the person asked to keep, or whoever they were merged into
	Merge  safeer.Person        `json:"merge"` // the record merged into Keep
	Fields []roster.FieldChoice `json:"fields"`
	// AlreadyMerged is set when Merge was merged into Keep before: there
	// is nothing to do, and MergePeople changed nothing.
	AlreadyMerged bool `json:"already_merged,omitempty"`
}

// Changes are the survivor's fields the plan changes, with their values.
func (p MergePlan) Changes() map[string]string { return roster.Changes(p.Fields) }

// Take is the sides chosen in the plan, field by field: what to give
// MergePeople to apply this plan's choices.
func (p MergePlan) Take() map[string]roster.Side {
	out := make(map[string]roster.Side, len(p.Fields))
	for _, f := range p.Fields {
		out[f.Field] = f.Choice
	}
	return out
}

// PlanMerge lays out the merge of mergeID into keepID with the default
// choices (see roster.Plan): a value over none, and of two different
// values the more recently stamped. It changes nothing.
func (s *Store) PlanMerge(ctx context.Context, keepID, mergeID string) (MergePlan, error) {
	return s.planMerge(ctx, s.db, keepID, mergeID)
}

type queryRower interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (s *Store) planMerge(ctx context.Context, q queryRower, keepID, mergeID string) (MergePlan, error) {
	if keepID == mergeID {
		return MergePlan{}, ErrMergeSelf
	}
	merge, mergeVals, err := s.personStamped(ctx, q, mergeID)
	if err != nil {
		return MergePlan{}, err
	}
	keep, keepVals, err := s.personStamped(ctx, q, keepID)
	if err != nil {
		return MergePlan{}, err
	}
	if keep.MergedInto != "" {
		// Merge into whoever keep already stands for.
		if keep.MergedInto == mergeID {
			return MergePlan{}, ErrMergeSelf
		}
		if keep, keepVals, err = s.personStamped(ctx, q, keep.MergedInto); err != nil {
			return MergePlan{}, err
		}
	}
	if keep.Deleted {
		return MergePlan{}, fmt.Errorf("person %s was deleted: %w", keep.ID, ErrNotFound)
	}
	return MergePlan{Keep: keep, Merge: merge, Fields: roster.Plan(keepVals, mergeVals),
		AlreadyMerged: merge.MergedInto == keep.ID}, nil
}

// personStamped reads a person with each merge field's value and stamp:
// the field's entry in clocks, else the row's hlc (the write that made it).
func (s *Store) personStamped(ctx context.Context, q queryRower, id string) (safeer.Person, map[string]roster.Value, error) {
	var p safeer.Person
	var hlc, clocksJSON string
	err := q.QueryRowContext(ctx, `SELECT `+personColumns+`, hlc, clocks FROM person WHERE id = ?`, id).Scan(
		&p.ID, &p.Kind, &p.NameAr, &p.NameEn, &p.Gender, &p.CivilID, &p.Phone, &p.Email,
		&p.Governorate, &p.Wilayat, &p.Organisation, &p.Expertise, &p.JoinedOn, &p.Status, &p.Notes,
		&p.Deleted, &p.MergedInto, &hlc, &clocksJSON)
	if err == sql.ErrNoRows {
		return safeer.Person{}, nil, notFound("person", id)
	}
	if err != nil {
		return safeer.Person{}, nil, fmt.Errorf("read person %s: %w", id, err)
	}
	if err := s.openPerson(&p); err != nil {
		return safeer.Person{}, nil, err
	}
	clocks := map[string]string{}
	if err := json.Unmarshal([]byte(clocksJSON), &clocks); err != nil {
		return safeer.Person{}, nil, fmt.Errorf("person %s: damaged clocks: %w", id, err)
	}
	fields := personRow(p)
	vals := make(map[string]roster.Value, len(roster.MergeFields))
	for _, f := range roster.MergeFields {
		v, _ := fields[f].(string)
		stamp, ok := clocks[f]
		if !ok {
			stamp = hlc
		}
		vals[f] = roster.Value{Value: v, Stamp: stamp}
	}
	return p, vals, nil
}

// MergePeople merges from into into, in one transaction: it writes the
// survivor's chosen values (take: field → side; fields not in take get
// roster.Default's side, so a value only the merged record has is never
// dropped unless chosen so), each through the outbox like any edit, and
// sets from's merged_into. Every read of attendance follows merged_into, so
// from's attendance — including check-ins other devices have not synced
// yet — counts as into's. People merged into from earlier follow to into.
// It returns the plan as applied. take may be nil (the defaults) or a
// plan's Take.
func (s *Store) MergePeople(ctx context.Context, from, into string, take map[string]roster.Side) (MergePlan, error) {
	var plan MergePlan
	err := s.write(ctx, func(t *tx) error {
		var err error
		if plan, err = s.planMerge(ctx, t.sql, into, from); err != nil {
			return err
		}
		if plan.Fields, err = roster.Choose(plan.Fields, take); err != nil {
			return err
		}
		if plan.AlreadyMerged {
			return nil
		}
		into = plan.Keep.ID
		changes := row{}
		for k, v := range plan.Changes() {
			changes[k] = v
		}
		if err := t.update(ctx, safeer.TablePerson, into, changes); err != nil {
			return err
		}
		if len(changes) > 0 {
			if plan.Keep, err = t.person(ctx, into); err != nil {
				return err
			}
			t.people = append(t.people, plan.Keep)
		}
		if err := t.update(ctx, safeer.TablePerson, from, row{safeer.FieldMergedInto: into}); err != nil {
			return err
		}
		src := plan.Merge
		src.MergedInto = into
		t.people = append(t.people, src)
		// Keep this device's own merges one level deep (reads follow
		// chains to the end anyway: concurrent merges elsewhere make them).
		rows, err := t.sql.QueryContext(ctx, `SELECT id FROM person WHERE merged_into = ?`, from)
		if err != nil {
			return err
		}
		var followers []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			followers = append(followers, id)
		}
		rows.Close()
		for _, id := range followers {
			if err := t.update(ctx, safeer.TablePerson, id, row{safeer.FieldMergedInto: into}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return MergePlan{}, err
	}
	return plan, nil
}

// PeopleFilter narrows ListPeople.
type PeopleFilter struct {
	Governorate string
	Wilayat     string
	Status      string
	Limit       int
	Offset      int
}

// ListPeople returns live people (not deleted, not merged away) sorted by
// name.
func (s *Store) ListPeople(ctx context.Context, f PeopleFilter) ([]safeer.Person, error) {
	var where []string
	var args []any
	where = append(where, livePerson)
	if f.Governorate != "" {
		where = append(where, "governorate = ?")
		args = append(args, f.Governorate)
	}
	if f.Wilayat != "" {
		where = append(where, "wilayat = ?")
		args = append(args, f.Wilayat)
	}
	if f.Status != "" {
		where = append(where, "status = ?")
		args = append(args, f.Status)
	}
	q := `SELECT ` + personColumns + ` FROM person WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY CASE WHEN name_ar != '' THEN name_ar ELSE name_en END, id`
	if f.Limit > 0 {
		q += ` LIMIT ? OFFSET ?`
		args = append(args, f.Limit, f.Offset)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list people: %w", err)
	}
	defer rows.Close()
	var out []safeer.Person
	for rows.Next() {
		p, err := scanPerson(rows)
		if err != nil {
			return nil, err
		}
		if err := s.openPerson(&p); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// CountPeople counts live people.
func (s *Store) CountPeople(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM person WHERE `+livePerson).Scan(&n)
	return n, err
}

// newUUIDs makes n new UUIDv7s as text.
func newUUIDs(n int) ([]string, error) {
	out := make([]string, n)
	for i := range out {
		id, err := uuid.NewV7()
		if err != nil {
			return nil, err
		}
		out[i] = id.String()
	}
	return out, nil
}
