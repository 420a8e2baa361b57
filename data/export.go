package data

import (
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// Export formats.
const (
	FormatCSV  = "csv"
	FormatXLSX = "xlsx"
)

// exportSpec is one exportable table: its header and the query that yields
// its rows as text, in header order.
type exportSpec struct {
	header []string
	query  string
}

// Headers use the import's canonical field names, so an export imports back.
var exports = map[string]exportSpec{
	"people": {
		header: []string{"id", "kind", "name_ar", "name_en", "gender", "civil_id", "phone", "email",
			"governorate", "wilayat", "organisation", "expertise", "joined_on", "status", "notes"},
		query: `SELECT id, kind, name_ar, name_en, gender, civil_id, phone, email, governorate, wilayat,
			organisation, expertise, joined_on, status, notes
			FROM person WHERE ` + livePerson + `
			ORDER BY CASE WHEN name_ar != '' THEN name_ar ELSE name_en END, id`,
	},
	"workshops": {
		header: []string{"id", "title_ar", "title_en", "topic", "date", "start_time", "hours", "governorate",
			"wilayat", "venue", "facilitator", "capacity", "status", "min_hours"},
		query: `SELECT id, title_ar, title_en, topic, date, start_time, hours, governorate, wilayat, venue,
			facilitator, capacity, status, min_hours FROM workshop WHERE deleted = 0 ORDER BY date, id`,
	},
	// A deleted person's attendance stays: it happened, and hours and
	// certificates were counted from it. The export keeps it for history
	// and says so in person_deleted (true/false), since the people export
	// no longer lists that person.
	"attendance": {
		header: []string{"workshop_id", "workshop_title_ar", "workshop_title_en", "date", "person_id",
			"name_ar", "name_en", "phone", "status", "hours", "checked_in_at", "person_deleted"},
		query: mergeChains + `SELECT w.id, w.title_ar, w.title_en, w.date, p.id, p.name_ar, p.name_en, p.phone,
			a.status, max(a.hours), a.checked_in_at, CASE WHEN p.deleted THEN 'true' ELSE 'false' END
			FROM attendance a
			LEFT JOIN canon mc ON mc.id = a.person_id
			JOIN person p ON p.id = ` + canonicalPerson + `
			JOIN workshop w ON w.id = a.workshop_id
			WHERE a.deleted = 0 AND w.deleted = 0
			GROUP BY w.id, p.id -- merged people who both came are one row (SQLite takes the other columns from the row of max)
			ORDER BY w.date, w.id, CASE WHEN p.name_ar != '' THEN p.name_ar ELSE p.name_en END`,
	},
}

// ExportKinds are the tables Export knows.
var ExportKinds = []string{"people", "workshops", "attendance"}

// Export writes a table (people, workshops or attendance) as CSV (UTF-8
// with a byte-order mark, which Excel needs to read Arabic) or XLSX, and
// returns how many rows it wrote.
func (s *Store) Export(ctx context.Context, kind, format string, w io.Writer) (int, error) {
	spec, ok := exports[kind]
	if !ok {
		return 0, fmt.Errorf("cannot export %q: choose people, workshops or attendance", kind)
	}
	if format != FormatCSV && format != FormatXLSX {
		return 0, fmt.Errorf("cannot export as %q: choose csv or xlsx", format)
	}
	rows, err := s.db.QueryContext(ctx, spec.query)
	if err != nil {
		return 0, fmt.Errorf("export %s: %w", kind, err)
	}
	defer rows.Close()
	next := rowReader(rows, len(spec.header))
	if format == FormatCSV {
		return writeCSV(w, spec.header, next)
	}
	return writeXLSX(w, kind, spec.header, next)
}

// rowReader yields each row's columns as text.
func rowReader(rows *sql.Rows, n int) func() ([]string, error) {
	vals := make([]sql.NullString, n)
	ptrs := make([]any, n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	return func() ([]string, error) {
		if !rows.Next() {
			return nil, rows.Err()
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		out := make([]string, n)
		for i, v := range vals {
			out[i] = v.String
		}
		return out, nil
	}
}

func writeCSV(w io.Writer, header []string, next func() ([]string, error)) (int, error) {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return 0, err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true // what Excel on Windows writes and expects
	if err := cw.Write(header); err != nil {
		return 0, err
	}
	n := 0
	for {
		rec, err := next()
		if err != nil {
			return n, err
		}
		if rec == nil {
			break
		}
		if err := cw.Write(rec); err != nil {
			return n, err
		}
		n++
	}
	cw.Flush()
	return n, cw.Error()
}

func writeXLSX(w io.Writer, sheetName string, header []string, next func() ([]string, error)) (int, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", sheetName); err != nil {
		return 0, err
	}
	sw, err := f.NewStreamWriter(sheetName)
	if err != nil {
		return 0, err
	}
	cells := func(rec []string) []any {
		out := make([]any, len(rec))
		for i, v := range rec {
			out[i] = v
		}
		return out
	}
	if err := sw.SetRow("A1", cells(header)); err != nil {
		return 0, err
	}
	n := 0
	for {
		rec, err := next()
		if err != nil {
			return n, err
		}
		if rec == nil {
			break
		}
		cell, _ := excelize.CoordinatesToCellName(1, n+2)
		if err := sw.SetRow(cell, cells(rec)); err != nil {
			return n, err
		}
		n++
	}
	if err := sw.Flush(); err != nil {
		return n, err
	}
	if _, err := f.WriteTo(w); err != nil {
		return n, fmt.Errorf("write xlsx: %w", err)
	}
	return n, nil
}
