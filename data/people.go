package data

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/google/uuid"
)

const personColumns = `id, kind, name_ar, name_en, gender, civil_id, phone, email, governorate, wilayat,
	organisation, expertise, joined_on, status, notes, deleted, merged_into`

func scanPerson(sc interface{ Scan(...any) error }) (Person, error) {
	var p Person
	err := sc.Scan(&p.ID, &p.Kind, &p.NameAr, &p.NameEn, &p.Gender, &p.CivilID, &p.Phone, &p.Email,
		&p.Governorate, &p.Wilayat, &p.Organisation, &p.Expertise, &p.JoinedOn, &p.Status, &p.Notes,
		&p.Deleted, &p.MergedInto)
	return p, err
}

// fields are the synced fields of p.
func (p Person) fields() row {
	return row{
		"kind": p.Kind, "name_ar": p.NameAr, "name_en": p.NameEn, "gender": p.Gender,
		"civil_id": p.CivilID, "phone": p.Phone, "email": p.Email, "governorate": p.Governorate,
		"wilayat": p.Wilayat, "organisation": p.Organisation, "expertise": p.Expertise,
		"joined_on": p.JoinedOn, "status": p.Status, "notes": p.Notes, "deleted": p.Deleted,
		"merged_into": p.MergedInto,
	}
}

// newRow is newFields(p.fields()) without building and pruning the full
// map: an import makes one per row.
func (p Person) newRow() row {
	r := make(row, 8)
	for _, f := range [...]struct {
		name, value string
	}{{"kind", p.Kind}, {"name_ar", p.NameAr}, {"name_en", p.NameEn}, {"gender", p.Gender},
		{"civil_id", p.CivilID}, {"phone", p.Phone}, {"email", p.Email}, {"governorate", p.Governorate},
		{"wilayat", p.Wilayat}, {"organisation", p.Organisation}, {"expertise", p.Expertise},
		{"joined_on", p.JoinedOn}, {"status", p.Status}, {"notes", p.Notes}, {"merged_into", p.MergedInto}} {
		if f.value != "" {
			r[f.name] = f.value
		}
	}
	if p.Deleted {
		r["deleted"] = true
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
func (s *Store) Person(ctx context.Context, id string) (Person, error) {
	p, err := scanPerson(s.db.QueryRowContext(ctx, `SELECT `+personColumns+` FROM person WHERE id = ?`, id))
	if err == sql.ErrNoRows {
		return Person{}, notFound("person", id)
	}
	if err != nil {
		return Person{}, fmt.Errorf("read person %s: %w", id, err)
	}
	return p, nil
}

func (t *tx) person(ctx context.Context, id string) (Person, error) {
	p, err := scanPerson(t.sql.QueryRowContext(ctx, `SELECT `+personColumns+` FROM person WHERE id = ?`, id))
	if err == sql.ErrNoRows {
		return Person{}, notFound("person", id)
	}
	return p, err
}

// AddPerson validates p, gives it a new id and saves it.
func (s *Store) AddPerson(ctx context.Context, p *Person) error {
	if err := s.ValidatePerson(p); err != nil {
		return err
	}
	return s.write(ctx, func(t *tx) error { return t.addPerson(ctx, p, "") })
}

func (t *tx) addPerson(ctx context.Context, p *Person, batch string) error {
	id, err := uuid.NewV7()
	if err != nil {
		return err
	}
	p.ID = id.String()
	var extra map[string]any
	if batch != "" {
		extra = map[string]any{"import_batch": batch}
	}
	if err := t.insert(ctx, "person", p.ID, newFields(p.fields()), extra); err != nil {
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
func (s *Store) UpdatePerson(ctx context.Context, p *Person) error {
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
		if err := t.update(ctx, "person", p.ID, diff(old.fields(), p.fields())); err != nil {
			return err
		}
		t.people = append(t.people, *p)
		return nil
	})
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
		if err := t.update(ctx, "person", id, row{"deleted": true}); err != nil {
			return err
		}
		p.Deleted = true
		t.people = append(t.people, p)
		return nil
	})
}

// ErrMergeSelf is returned when asked to merge a person into themself.
var ErrMergeSelf = fmt.Errorf("cannot merge a person into themself")

// MergePeople records that from is the same person as into. It is one change
// (from's merged_into), and every read of attendance follows it, so from's
// attendance — including check-ins other devices have not synced yet —
// counts as into's. People merged into from earlier follow to into.
func (s *Store) MergePeople(ctx context.Context, from, into string) error {
	if from == into {
		return ErrMergeSelf
	}
	return s.write(ctx, func(t *tx) error {
		src, err := t.person(ctx, from)
		if err != nil {
			return err
		}
		dst, err := t.person(ctx, into)
		if err != nil {
			return err
		}
		if dst.MergedInto != "" {
			into = dst.MergedInto // merge into whoever dst already stands for
			if into == from {
				return ErrMergeSelf
			}
		}
		if dst.Deleted {
			return fmt.Errorf("person %s was deleted: %w", dst.ID, ErrNotFound)
		}
		if src.MergedInto == into {
			return nil
		}
		if err := t.update(ctx, "person", from, row{"merged_into": into}); err != nil {
			return err
		}
		src.MergedInto = into
		t.people = append(t.people, src)
		// Keep merges one level deep so reads need a single lookup.
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
			if err := t.update(ctx, "person", id, row{"merged_into": into}); err != nil {
				return err
			}
		}
		return nil
	})
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
func (s *Store) ListPeople(ctx context.Context, f PeopleFilter) ([]Person, error) {
	var where []string
	var args []any
	where = append(where, "deleted = 0", "merged_into = ''")
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
	var out []Person
	for rows.Next() {
		p, err := scanPerson(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// CountPeople counts live people.
func (s *Store) CountPeople(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM person WHERE deleted = 0 AND merged_into = ''`).Scan(&n)
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
