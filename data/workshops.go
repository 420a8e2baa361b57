package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/oman-sca/safeer"
)

const workshopColumns = `id, title_ar, title_en, topic, date, start_time, hours, governorate, wilayat,
	venue, facilitator, capacity, status, min_hours, deleted`

func scanWorkshop(sc interface{ Scan(...any) error }) (safeer.Workshop, error) {
	var w safeer.Workshop
	err := sc.Scan(&w.ID, &w.TitleAr, &w.TitleEn, &w.Topic, &w.Date, &w.StartTime, &w.Hours,
		&w.Governorate, &w.Wilayat, &w.Venue, &w.Facilitator, &w.Capacity, &w.Status, &w.MinHours, &w.Deleted)
	return w, err
}

func workshopRow(w safeer.Workshop) row {
	return row{
		safeer.FieldTitleAr:     w.TitleAr,
		safeer.FieldTitleEn:     w.TitleEn,
		safeer.FieldTopic:       w.Topic,
		safeer.FieldDate:        w.Date,
		safeer.FieldStartTime:   w.StartTime,
		safeer.FieldHours:       w.Hours,
		safeer.FieldGovernorate: w.Governorate,
		safeer.FieldWilayat:     w.Wilayat,
		safeer.FieldVenue:       w.Venue,
		safeer.FieldFacilitator: w.Facilitator,
		safeer.FieldCapacity:    float64(w.Capacity),
		safeer.FieldStatus:      w.Status,
		safeer.FieldMinHours:    w.MinHours,
		safeer.FieldDeleted:     w.Deleted,
	}
}

// Workshop returns the workshop with id.
func (s *Store) Workshop(ctx context.Context, id string) (safeer.Workshop, error) {
	return workshopFrom(s.db.QueryRowContext(ctx, `SELECT `+workshopColumns+` FROM workshop WHERE id = ?`, id), id)
}

func (t *tx) workshop(ctx context.Context, id string) (safeer.Workshop, error) {
	return workshopFrom(t.sql.QueryRowContext(ctx, `SELECT `+workshopColumns+` FROM workshop WHERE id = ?`, id), id)
}

func workshopFrom(r *sql.Row, id string) (safeer.Workshop, error) {
	w, err := scanWorkshop(r)
	if err == sql.ErrNoRows {
		return safeer.Workshop{}, notFound("workshop", id)
	}
	if err != nil {
		return safeer.Workshop{}, fmt.Errorf("read workshop %s: %w", id, err)
	}
	return w, nil
}

// AddWorkshop validates w, gives it a new id and saves it. With no minimum
// set, a certificate needs the whole workshop.
func (s *Store) AddWorkshop(ctx context.Context, w *safeer.Workshop) error {
	if w.MinHours == 0 {
		w.MinHours = w.Hours
	}
	if err := s.ValidateWorkshop(w); err != nil {
		return err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return err
	}
	w.ID = id.String()
	return s.write(ctx, func(t *tx) error {
		return t.insert(ctx, safeer.TableWorkshop, w.ID, newFields(workshopRow(*w)), nil)
	})
}

// UpdateWorkshop validates w and saves the fields that changed.
func (s *Store) UpdateWorkshop(ctx context.Context, w *safeer.Workshop) error {
	if err := s.ValidateWorkshop(w); err != nil {
		return err
	}
	return s.write(ctx, func(t *tx) error {
		old, err := t.workshop(ctx, w.ID)
		if err != nil {
			return err
		}
		w.Deleted = old.Deleted
		return t.update(ctx, safeer.TableWorkshop, w.ID, diff(workshopRow(old), workshopRow(*w)))
	})
}

// ErrWorkshopAttended is returned by DeleteWorkshop while the workshop has
// attendance: deleting it would take people's hours and certificates with
// it. Undo the check-ins first (or mark the workshop cancelled).
var ErrWorkshopAttended = errors.New("this workshop has attendance, so it cannot be deleted")

// DeleteWorkshop marks a workshop deleted, unless anyone's attendance is
// recorded for it (ErrWorkshopAttended).
func (s *Store) DeleteWorkshop(ctx context.Context, id string) error {
	return s.write(ctx, func(t *tx) error {
		w, err := t.workshop(ctx, id)
		if err != nil {
			return err
		}
		if w.Deleted {
			return nil
		}
		var n int
		if err := t.sql.QueryRowContext(ctx, `SELECT count(*) FROM attendance WHERE workshop_id = ? AND deleted = 0`, id).Scan(&n); err != nil {
			return fmt.Errorf("count attendance: %w", err)
		}
		if n > 0 {
			return fmt.Errorf("%w (%d check-ins)", ErrWorkshopAttended, n)
		}
		return t.update(ctx, safeer.TableWorkshop, id, row{safeer.FieldDeleted: true})
	})
}

// WorkshopSummary is a workshop with its attendance counted.
type WorkshopSummary struct {
	safeer.Workshop
	Present int `json:"present"`
}

// ListWorkshops returns live workshops, newest first, with how many were
// present at each.
func (s *Store) ListWorkshops(ctx context.Context) ([]WorkshopSummary, error) {
	rows, err := s.db.QueryContext(ctx, mergeChains+`SELECT `+prefixed("w.", workshopColumns)+`,
		(SELECT count(DISTINCT `+canonicalPerson+`)
		   FROM attendance a LEFT JOIN canon mc ON mc.id = a.person_id
		  WHERE a.workshop_id = w.id AND a.deleted = 0 AND a.status = 'present')
		FROM workshop w WHERE w.deleted = 0 ORDER BY w.date DESC, w.start_time DESC, w.id`)
	if err != nil {
		return nil, fmt.Errorf("list workshops: %w", err)
	}
	defer rows.Close()
	var out []WorkshopSummary
	for rows.Next() {
		var ws WorkshopSummary
		w := &ws.Workshop
		if err := rows.Scan(&w.ID, &w.TitleAr, &w.TitleEn, &w.Topic, &w.Date, &w.StartTime, &w.Hours,
			&w.Governorate, &w.Wilayat, &w.Venue, &w.Facilitator, &w.Capacity, &w.Status, &w.MinHours,
			&w.Deleted, &ws.Present); err != nil {
			return nil, err
		}
		out = append(out, ws)
	}
	return out, rows.Err()
}

// prefixed qualifies a column list with a table alias.
func prefixed(alias, cols string) string {
	var out []byte
	start := true
	for i := 0; i < len(cols); i++ {
		c := cols[i]
		if start && c != ' ' && c != '\t' && c != '\n' {
			out = append(out, alias...)
			start = false
		}
		if c == ',' {
			start = true
		}
		out = append(out, c)
	}
	return string(out)
}
