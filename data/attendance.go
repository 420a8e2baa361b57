package data

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/oman-sca/safeer"
)

// attendanceNamespace derives attendance ids from (workshop, person).
var attendanceNamespace = uuid.MustParse("a3d0f7e4-5b8c-4f0a-8e2d-71c9b6e4d2f3")

// AttendanceID is the id of a person's attendance at a workshop: the same on
// every device, so two offline check-ins of one person become one row.
func AttendanceID(workshopID, personID string) string {
	return uuid.NewSHA1(attendanceNamespace, []byte(workshopID+"/"+personID)).String()
}

const attendanceColumns = `id, workshop_id, person_id, checked_in_at, hours, status, deleted`

func scanAttendance(sc interface{ Scan(...any) error }) (safeer.Attendance, error) {
	var a safeer.Attendance
	err := sc.Scan(&a.ID, &a.WorkshopID, &a.PersonID, &a.CheckedInAt, &a.Hours, &a.Status, &a.Deleted)
	return a, err
}

func attendanceRow(a safeer.Attendance) row {
	return row{
		safeer.FieldWorkshopID: a.WorkshopID, safeer.FieldPersonID: a.PersonID, safeer.FieldCheckedInAt: a.CheckedInAt,
		safeer.FieldHours: a.Hours, safeer.FieldStatus: a.Status, safeer.FieldDeleted: a.Deleted,
	}
}

// Attend records a person's attendance at a workshop (a check-in). With no
// hours given, the person attended the whole workshop. Checking in again
// updates the same row.
func (s *Store) Attend(ctx context.Context, a *safeer.Attendance) error {
	return s.write(ctx, func(t *tx) error {
		w, err := t.workshop(ctx, a.WorkshopID)
		if err != nil {
			return err
		}
		if w.Deleted {
			return fmt.Errorf("workshop %s was deleted: %w", w.ID, ErrNotFound)
		}
		p, err := t.person(ctx, a.PersonID)
		if err != nil {
			return err
		}
		if p.Deleted {
			return fmt.Errorf("person %s was deleted: %w", p.ID, ErrNotFound)
		}
		if p.MergedInto != "" {
			a.PersonID = p.MergedInto // check in the person this record stands for
		}
		if a.Status == "" {
			a.Status = safeer.Present
		}
		if a.Hours == 0 && a.Status == safeer.Present {
			a.Hours = w.Hours
		}
		if a.CheckedInAt == "" {
			a.CheckedInAt = s.nowUTC().Format(time.RFC3339)
		}
		if err := validateAttendance(a, w); err != nil {
			return err
		}
		a.ID = AttendanceID(a.WorkshopID, a.PersonID)
		old, err := scanAttendance(t.sql.QueryRowContext(ctx, `SELECT `+attendanceColumns+` FROM attendance WHERE id = ?`, a.ID))
		switch {
		case err == sql.ErrNoRows:
			// Every field, empty ones too (unlike other new rows): another
			// device may have made this row already (the id comes from the
			// pair), and its values must not outlive this check-in. Left
			// out, "deleted": false would stay true at HQ after a removal
			// there, while this device, whose row is stamped now, shows
			// the check-in: the copies would never agree.
			return t.insert(ctx, safeer.TableAttendance, a.ID, attendanceRow(*a), nil)
		case err != nil:
			return err
		}
		if old.Status == a.Status && !old.Deleted {
			a.CheckedInAt = old.CheckedInAt // a repeated check-in keeps the first time
		}
		return t.update(ctx, safeer.TableAttendance, a.ID, diff(attendanceRow(old), attendanceRow(*a)))
	})
}

// Unattend undoes a check-in (a tombstone on the attendance row).
func (s *Store) Unattend(ctx context.Context, workshopID, personID string) error {
	return s.write(ctx, func(t *tx) error {
		id := AttendanceID(workshopID, personID)
		a, err := scanAttendance(t.sql.QueryRowContext(ctx, `SELECT `+attendanceColumns+` FROM attendance WHERE id = ?`, id))
		if err == sql.ErrNoRows {
			return notFound("attendance", id)
		}
		if err != nil || a.Deleted {
			return err
		}
		return t.update(ctx, safeer.TableAttendance, id, row{safeer.FieldDeleted: true})
	})
}

// AttendanceRecord is an attendance row with the names a list shows.
type AttendanceRecord struct {
	safeer.Attendance
	Person   safeer.Person   `json:"person"`
	Workshop safeer.Workshop `json:"workshop"`
}

// mergeChains is a WITH clause that defines canon(id, to_id): for every
// person merged into someone, the person at the end of the chain of merges
// (any depth; a cycle, which HQ repairs, stops after maxMergeChain steps).
// A merge into a deleted person counts as no merge (docs/SYNC-DEVICE.md:
// HQ clears such a merge and logs a conflict; the device reads it so until
// the repair arrives), so the chain ends at the person merged into them.
// A merge into someone this device does not hold still stands. It reads
// only merged people (partial index person_merged_into).
const mergeChains = `WITH RECURSIVE
	merge_step(id, nxt) AS (
		SELECT m.id, m.merged_into FROM person m LEFT JOIN person mt ON mt.id = m.merged_into
		WHERE m.merged_into != '' AND COALESCE(mt.deleted, 0) = 0),
	merge_walk(id, cur, depth) AS (
		SELECT id, nxt, 1 FROM merge_step
		UNION ALL
		SELECT w.id, s.nxt, w.depth + 1 FROM merge_walk w JOIN merge_step s ON s.id = w.cur
		WHERE w.depth < ` + maxMergeChainSQL + `),
	canon(id, to_id) AS (
		SELECT id, cur FROM merge_walk w
		WHERE w.depth = ` + maxMergeChainSQL + ` OR NOT EXISTS (SELECT 1 FROM merge_step s WHERE s.id = w.cur))
`

// maxMergeChain bounds a walk along merges (HQ repairs cycles; devices
// stop at this depth rather than loop); maxMergeChainSQL is it in SQL.
const (
	maxMergeChain    = 32
	maxMergeChainSQL = "32"
)

// canonicalPerson is the SQL for the person an attendance counts for: the
// end of its person's chain of merges, if any. The query must start with
// mergeChains and join canon as mc (LEFT JOIN canon mc ON mc.id = a.person_id).
const canonicalPerson = `COALESCE(mc.to_id, a.person_id)`

// livePerson is the SQL condition (on the table person, unaliased) for a
// person on the roster: not deleted, and not merged into anyone, unless
// into a deleted person (the rule above).
const livePerson = `deleted = 0 AND (merged_into = '' OR EXISTS (SELECT 1 FROM person dt WHERE dt.id = person.merged_into AND dt.deleted = 1))`

// WorkshopAttendance lists live attendance at a workshop, attributed to
// the person each row counts for after merges, sorted by name.
func (s *Store) WorkshopAttendance(ctx context.Context, workshopID string) ([]AttendanceRecord, error) {
	return s.attendance(ctx, `a.workshop_id = ?`, workshopID)
}

// PersonAttendance lists a person's live attendance, including rows made
// for people merged into them.
func (s *Store) PersonAttendance(ctx context.Context, personID string) ([]AttendanceRecord, error) {
	return s.attendance(ctx, canonicalPerson+` = ?`, personID)
}

func (s *Store) attendance(ctx context.Context, cond string, arg any) ([]AttendanceRecord, error) {
	q := mergeChains + `SELECT ` + prefixed("a.", attendanceColumns) + `, ` + prefixed("p.", personColumns) + `, ` + prefixed("w.", workshopColumns) + `
		FROM attendance a
		LEFT JOIN canon mc ON mc.id = a.person_id
		JOIN person p ON p.id = ` + canonicalPerson + `
		JOIN workshop w ON w.id = a.workshop_id
		WHERE a.deleted = 0 AND ` + cond + `
		ORDER BY w.date DESC, CASE WHEN p.name_ar != '' THEN p.name_ar ELSE p.name_en END, a.id`
	rows, err := s.db.QueryContext(ctx, q, arg)
	if err != nil {
		return nil, fmt.Errorf("list attendance: %w", err)
	}
	defer rows.Close()
	var out []AttendanceRecord
	seen := map[string]bool{} // one line per (workshop, person) even when merged people both came
	for rows.Next() {
		var r AttendanceRecord
		a, p, w := &r.Attendance, &r.Person, &r.Workshop
		if err := rows.Scan(&a.ID, &a.WorkshopID, &a.PersonID, &a.CheckedInAt, &a.Hours, &a.Status, &a.Deleted,
			&p.ID, &p.Kind, &p.NameAr, &p.NameEn, &p.Gender, &p.CivilID, &p.Phone, &p.Email,
			&p.Governorate, &p.Wilayat, &p.Organisation, &p.Expertise, &p.JoinedOn, &p.Status, &p.Notes,
			&p.Deleted, &p.MergedInto,
			&w.ID, &w.TitleAr, &w.TitleEn, &w.Topic, &w.Date, &w.StartTime, &w.Hours,
			&w.Governorate, &w.Wilayat, &w.Venue, &w.Facilitator, &w.Capacity, &w.Status, &w.MinHours, &w.Deleted); err != nil {
			return nil, err
		}
		key := w.ID + "/" + p.ID
		if seen[key] {
			continue
		}
		if err := s.openPerson(p); err != nil {
			return nil, err
		}
		seen[key] = true
		out = append(out, r)
	}
	return out, rows.Err()
}
