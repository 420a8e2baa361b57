package data

import (
	"context"
	"database/sql"
	"fmt"
	"io"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/spreadsheet"
)

// Export formats.
const (
	FormatCSV  = string(spreadsheet.CSV)
	FormatXLSX = string(spreadsheet.XLSX)
)

// exportSpec is one exportable table: its columns and the query that
// yields its rows as text, in column order.
type exportSpec struct {
	header []spreadsheet.Column
	query  string
	// sealed are the columns that hold a person's sealed field on a
	// protected database (column index → field), and idCol the column
	// of that person's id.
	sealed map[int]string
	idCol  int
}

// Headers use the import's canonical field names, so an export imports back.
var exports = map[string]exportSpec{
	"people": {
		header: spreadsheet.Columns([]string{"id", "kind", "name_ar", "name_en", "gender", "civil_id", "phone", "email",
			"governorate", "wilayat", "organisation", "expertise", "joined_on", "status", "notes"}),
		query: `SELECT id, kind, name_ar, name_en, gender, civil_id, phone, email, governorate, wilayat,
			organisation, expertise, joined_on, status, notes
			FROM person WHERE ` + livePerson + `
			ORDER BY CASE WHEN name_ar != '' THEN name_ar ELSE name_en END, id`,
		sealed: map[int]string{5: safeer.FieldCivilID, 6: safeer.FieldPhone, 7: safeer.FieldEmail, 14: safeer.FieldNotes},
		idCol:  0,
	},
	"workshops": {
		header: spreadsheet.Columns([]string{"id", "title_ar", "title_en", "topic", "date", "start_time", "hours", "governorate",
			"wilayat", "venue", "facilitator", "capacity", "status", "min_hours"}, "hours", "capacity", "min_hours"),
		query: `SELECT id, title_ar, title_en, topic, date, start_time, hours, governorate, wilayat, venue,
			facilitator, capacity, status, min_hours FROM workshop WHERE deleted = 0 ORDER BY date, id`,
	},
	// A deleted person's attendance stays: it happened, and hours and
	// certificates were counted from it. The export keeps it for history
	// and says so in person_deleted (true/false), since the people export
	// no longer lists that person.
	"attendance": {
		header: spreadsheet.Columns([]string{"workshop_id", "workshop_title_ar", "workshop_title_en", "date", "person_id",
			"name_ar", "name_en", "phone", "status", "hours", "checked_in_at", "person_deleted"}, "hours"),
		query: mergeChains + `SELECT w.id, w.title_ar, w.title_en, w.date, p.id, p.name_ar, p.name_en, p.phone,
			a.status, max(a.hours), a.checked_in_at, CASE WHEN p.deleted THEN 'true' ELSE 'false' END
			FROM attendance a
			LEFT JOIN canon mc ON mc.id = a.person_id
			JOIN person p ON p.id = ` + canonicalPerson + `
			JOIN workshop w ON w.id = a.workshop_id
			WHERE a.deleted = 0 AND w.deleted = 0
			GROUP BY w.id, p.id -- merged people who both came are one row (SQLite takes the other columns from the row of max)
			ORDER BY w.date, w.id, CASE WHEN p.name_ar != '' THEN p.name_ar ELSE p.name_en END`,
		sealed: map[int]string{7: safeer.FieldPhone},
		idCol:  4,
	},
}

// ExportKinds are the tables Export knows.
var ExportKinds = []string{"people", "workshops", "attendance"}

// Export writes a table (people, workshops or attendance) as CSV (UTF-8
// with a byte-order mark, which Excel needs to read Arabic) or XLSX, and
// returns how many rows it wrote. It writes through package spreadsheet,
// so a cell a spreadsheet program would run as a formula (a name typed as
// =HYPERLINK(…)) comes out escaped, as in HQ's exports.
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
	if len(spec.sealed) > 0 {
		clear := next
		next = func() ([]string, error) {
			cells, err := clear()
			if err != nil || cells == nil {
				return cells, err
			}
			for i, field := range spec.sealed {
				if err := s.openString(safeer.TablePerson, cells[spec.idCol], field, &cells[i]); err != nil {
					return nil, err
				}
			}
			return cells, nil
		}
	}
	if len(spec.sealed) > 0 && s.Locked() {
		return 0, errLocked()
	}
	return spreadsheet.Write(w, spreadsheet.Format(format), kind, spec.header, next)
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
