package data

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/user"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/google/uuid"
	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/roster/index"
	"github.com/oman-sca/safeer/spreadsheet"
)

// ImportOptions controls an import.
type ImportOptions struct {
	Source      string            // the file's name, kept with the batch
	Overrides   map[string]string // column mapping overrides, as spreadsheet.MapColumns takes them
	DryRun      bool              // validate and report; change nothing
	SkipInvalid bool              // import the valid rows even when some are not
	// Progress, when set, is called as rows are checked and saved.
	Progress func(done, total int)
	// By is who imports, kept with the batch (this computer only); empty,
	// the computer's login. A file (by its bytes: Table.SHA256) imported before, and
	// not undone, is refused with ErrImportedBefore unless Again is set; a
	// dry run reports it without refusing.
	By    string
	Again bool
}

// ErrImportedBefore is returned (with the report, whose Previous says when
// and by whom) when the same file was imported before and not undone.
var ErrImportedBefore = errors.New("this file was imported before; nothing was imported again")

// RowError is one problem with one spreadsheet cell.
type RowError struct {
	Row      int    `json:"row"`    // spreadsheet row number; the header is row 1
	Column   string `json:"column"` // the column's header as written in the file
	Field    string `json:"field"`
	Reason   string `json:"reason"`
	ReasonAr string `json:"reason_ar"`
}

// DuplicateMatch is who a row looks like: a person already on the roster
// (ID) or an earlier row of the same file (Row).
type DuplicateMatch struct {
	ID      string   `json:"id,omitempty"`
	Row     int      `json:"row,omitempty"`
	NameAr  string   `json:"name_ar,omitempty"`
	NameEn  string   `json:"name_en,omitempty"`
	Reasons []string `json:"reasons"`
}

// RowDuplicate is a row imported, but flagged as maybe someone known.
type RowDuplicate struct {
	Row     int              `json:"row"`
	Matches []DuplicateMatch `json:"matches"`
}

// ImportReport says what an import found and did.
type ImportReport struct {
	Rows  int `json:"rows"`  // data rows (blank rows not counted)
	Valid int `json:"valid"` // rows that passed validation
	// InvalidRows counts the rows with at least one problem (Invalid lists
	// every problem, several per row at times): Valid + InvalidRows = Rows.
	InvalidRows int `json:"invalid_rows"`
	// Previous is the earlier import of the same file, not undone, if any.
	Previous   *ImportBatch      `json:"previous,omitempty"`
	Imported   int               `json:"imported"` // rows saved (0 on a dry run)
	Batch      string            `json:"batch"`    // the import batch, for undo ("" when nothing was saved)
	DryRun     bool              `json:"dry_run"`
	Columns    map[string]string `json:"columns"` // field → header it was read from
	Unmapped   []string          `json:"unmapped_columns"`
	Invalid    []RowError        `json:"invalid"`
	Duplicates []RowDuplicate    `json:"duplicates"`
}

// ErrInvalidRows is returned (with the report) when rows were invalid and
// nothing was imported because SkipInvalid was not set.
var ErrInvalidRows = errors.New("some rows are not valid, so nothing was imported: fix them, or import only the valid rows")

// Import reads people from a spreadsheet table into the roster. It is all
// or nothing: the valid rows are saved in one transaction with an import
// batch that UndoImport can take back, committed only once every row is
// validated (and not at all when some are invalid, unless SkipInvalid).
// Rows that look like people already on the roster, or like an earlier row
// of the file, are imported and reported as duplicate candidates.
func (s *Store) Import(ctx context.Context, tbl *spreadsheet.Table, opt ImportOptions) (*ImportReport, error) {
	mapping, err := spreadsheet.MapColumns(tbl.Header, opt.Overrides)
	if err != nil {
		return nil, err
	}
	rep := &ImportReport{DryRun: opt.DryRun, Rows: len(tbl.Rows), Columns: map[string]string{},
		Unmapped: append([]string{}, mapping.Unmapped...), Invalid: []RowError{}, Duplicates: []RowDuplicate{}}
	for field := range mapping.Columns {
		rep.Columns[field] = mapping.Column(field)
	}
	if opt.By == "" {
		opt.By = login()
	}
	if tbl.SHA256 != "" {
		prev, err := s.importOf(ctx, tbl.SHA256)
		if err != nil {
			return nil, err
		}
		rep.Previous = prev
		if prev != nil && !opt.Again && !opt.DryRun {
			return rep, ErrImportedBefore
		}
	}
	header := func(field string) string {
		if field == "name" {
			field = spreadsheet.FieldNameAr
			if _, ok := mapping.Columns[field]; !ok {
				field = spreadsheet.FieldNameEn
			}
		}
		if c := mapping.Column(field); c != "" {
			return c
		}
		return field
	}
	// Progress counts rows checked and rows saved, which go on together.
	var checkedN, savedN atomic.Int64
	progress := func() {
		if opt.Progress != nil {
			opt.Progress(int(checkedN.Load()+savedN.Load()), len(tbl.Rows)*2)
		}
	}

	// Take the roster's index before anything is written, so the rows being
	// imported are never compared with themselves.
	ix, err := s.freshIndex(ctx)
	if err != nil {
		return nil, err
	}
	indexHeld := true
	defer func() {
		if indexHeld {
			ix.mu.RUnlock()
		}
	}()

	// Rows are checked in chunks, in order, on every core but one, while
	// the writer saves each chunk as soon as it is checked: SQLite's one
	// writer is the longest part of an import, so it starts at once rather
	// than after the last row is checked. Nothing is committed before every
	// row is checked: with invalid rows (and SkipInvalid not set) the
	// writer stops and rolls back, and nothing is written.
	type checked struct {
		row  int
		p    safeer.Person
		errs []FieldError
		dups []DuplicateMatch
		// The row's op, prepared here on every core so the single SQLite
		// writer only has to stamp and insert it.
		fields  row
		payload string
		id      string
		hashes  *[3]string // look-up hashes (a protected database: sealNewPerson)
	}
	const chunkRows = 1024
	rows := make([]checked, len(tbl.Rows))
	chunks := (len(rows) + chunkRows - 1) / chunkRows
	chunkDone := make([]chan struct{}, chunks)
	for k := range chunkDone {
		chunkDone[k] = make(chan struct{})
	}
	stop := make(chan struct{}) // closed when the writer must give up
	var stopOnce sync.Once
	giveUp := func() { stopOnce.Do(func() { close(stop) }) }
	verdict := make(chan int, 1) // rows to record as imported; 0: write nothing
	written := make(chan error, 1)
	var batch string
	workers := runtime.GOMAXPROCS(0)
	if !opt.DryRun && len(rows) > 0 {
		id, err := uuid.NewV7()
		if err != nil {
			return nil, err
		}
		batch = id.String()
		workers = max(1, workers-1) // the writer's core
		go func() {
			defer close(written)
			var inserted int
			err := s.write(ctx, func(t *tx) error {
				t.peopleBulk = true
				extra := map[string]any{"import_batch": batch}
				bulk := make([]bulkRow, 0, chunkRows)
				for k := range chunkDone {
					select {
					case <-chunkDone[k]:
					case <-stop:
						return errImportStopped
					}
					bulk = bulk[:0]
					for i := k * chunkRows; i < min((k+1)*chunkRows, len(rows)); i++ {
						if c := &rows[i]; c.errs == nil {
							bulk = append(bulk, bulkRow{id: c.id, fields: c.fields, payload: c.payload, extra: extra, lookup: c.hashes})
						}
					}
					before := inserted
					if err := t.insertMany(ctx, safeer.TablePerson, bulk, func(n int) {
						savedN.Store(int64(before + n))
						progress()
					}); err != nil {
						return err
					}
					inserted += len(bulk)
					// Saved: the row's values as written (sealed ones on a
					// protected database) are not needed again, and a
					// large import would otherwise hold them all until it
					// ends, for the garbage collector to go through.
					for i := k * chunkRows; i < min((k+1)*chunkRows, len(rows)); i++ {
						c := &rows[i]
						c.fields, c.payload, c.hashes = nil, "", nil
					}
					clear(bulk)
				}
				var n int
				select {
				case n = <-verdict:
				case <-stop:
				}
				if n == 0 {
					return errImportStopped
				}
				if n != inserted {
					return fmt.Errorf("internal: %d rows saved, %d valid", inserted, n)
				}
				if _, err := t.sql.ExecContext(ctx, `INSERT INTO import_batch (id, source, imported_at, rows, imported, file_sha256, imported_by) VALUES (?, ?, ?, ?, ?, ?, ?)`,
					batch, opt.Source, s.nowUTC().Format("2006-01-02T15:04:05Z"), len(tbl.Rows), n, tbl.SHA256, opt.By); err != nil {
					return fmt.Errorf("record import batch: %w", err)
				}
				return nil
			})
			if errors.Is(err, errImportStopped) {
				err = nil // rolled back on purpose
			}
			written <- err
		}()
	} else {
		close(written)
	}
	// waitWriter lets the writer finish (committed or rolled back) and says
	// how it went; a closed channel without a value means no writer ran.
	waitWriter := func() error { return <-written }

	err = parallelOn(ctx, workers, chunks, func(k int) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		for i := k * chunkRows; i < min((k+1)*chunkRows, len(rows)); i++ {
			r := tbl.Rows[i]
			c := checked{row: r.Number, p: personFromCells(mapping.Columns, r.Cells)}
			if err := s.ValidatePerson(&c.p); err != nil {
				var ve *ValidationError
				if !errors.As(err, &ve) {
					return err
				}
				c.errs = ve.Errors
				if !opt.SkipInvalid {
					giveUp() // nothing will be written: stop saving
				}
			} else {
				ids, err := newUUIDs(1)
				if err != nil {
					return err
				}
				c.id = ids[0]
				c.p.ID = c.id
				// Sealed here, on every core, on a protected database.
				if c.fields, c.hashes, err = s.sealNewPerson(c.p); err != nil {
					return err
				}
				p, err := encodeFields(c.fields)
				if err != nil {
					return err
				}
				c.payload = p
			}
			rows[i] = c
			if n := checkedN.Add(1); n%500 == 0 || int(n) == len(rows) {
				progress()
			}
		}
		close(chunkDone[k])
		return nil
	})
	if err != nil {
		giveUp()
		waitWriter()
		return nil, err
	}
	var valid []*checked
	for i := range rows {
		c := &rows[i]
		for _, fe := range c.errs {
			rep.Invalid = append(rep.Invalid, RowError{Row: c.row, Column: header(fe.Field), Field: fe.Field, Reason: fe.En, ReasonAr: fe.Ar})
		}
		if c.errs == nil {
			valid = append(valid, c)
		}
	}
	rep.Valid = len(valid)
	rep.InvalidRows = len(rows) - len(valid)
	write := !opt.DryRun && len(valid) > 0 && (len(rep.Invalid) == 0 || opt.SkipInvalid)
	if write {
		verdict <- len(valid)
	} else {
		verdict <- 0
		giveUp()
		workers = runtime.GOMAXPROCS(0)
	}

	// Duplicates, against the roster and against earlier rows of the file.
	// Each row becomes an index entry of its own, with its row number for
	// an id; a row only reports rows above it. While the writer runs it
	// keeps a core to itself: it is the longer of the two.
	entries := make([]*index.Entry, len(valid))
	dupErr := parallelOn(ctx, workers, len(valid), func(i int) error {
		c := valid[i]
		probe := index.SummaryOf(c.p)
		probe.ID = strconv.Itoa(c.row)
		e := index.NewEntry(probe)
		e.Seq = c.row
		entries[i] = e
		for _, m := range ix.idx.Candidates(e) {
			c.dups = append(c.dups, DuplicateMatch{ID: m.ID, NameAr: m.NameAr, NameEn: m.NameEn, Reasons: m.Reasons})
		}
		return nil
	})
	ix.mu.RUnlock() // the writer's commit patches this index
	indexHeld = false
	if dupErr == nil {
		inFile, err := index.CandidatesAmong(ctx, workers, entries)
		dupErr = err
		for i, c := range valid[:len(inFile)] {
			var earlier []DuplicateMatch
			for _, m := range inFile[i] {
				n, _ := strconv.Atoi(m.ID)
				earlier = append(earlier, DuplicateMatch{Row: n, NameAr: m.NameAr, NameEn: m.NameEn, Reasons: m.Reasons})
			}
			sort.Slice(earlier, func(i, j int) bool { return earlier[i].Row < earlier[j].Row })
			c.dups = append(c.dups, earlier...)
		}
	}
	if err := waitWriter(); err != nil {
		if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
			// A cancel can reach the driver as "statement is closed"
			// before the writer sees the context: say what happened.
			err = fmt.Errorf("%w (%v)", cerr, err)
		}
		return nil, fmt.Errorf("import failed, nothing was imported: %w", err)
	}
	if dupErr != nil {
		return nil, dupErr // only a cancelled context; the import itself committed
	}
	for _, c := range valid {
		if len(c.dups) > 0 {
			rep.Duplicates = append(rep.Duplicates, RowDuplicate{Row: c.row, Matches: c.dups})
		}
	}
	if !opt.DryRun && len(rep.Invalid) > 0 && !opt.SkipInvalid {
		return rep, ErrInvalidRows
	}
	if write {
		if opt.Progress != nil {
			opt.Progress(len(tbl.Rows)*2, len(tbl.Rows)*2)
		}
		rep.Imported = len(valid)
		rep.Batch = batch
	}
	return rep, nil
}

// personFromCells reads a person from a row by the column mapping.
func personFromCells(cols map[string]int, cells []string) safeer.Person {
	get := func(field string) string {
		if i, ok := cols[field]; ok && i < len(cells) {
			return cells[i]
		}
		return ""
	}
	return safeer.Person{
		Kind: get(spreadsheet.FieldKind), NameAr: get(spreadsheet.FieldNameAr), NameEn: get(spreadsheet.FieldNameEn), Gender: get(spreadsheet.FieldGender),
		CivilID: get(spreadsheet.FieldCivilID), Phone: get(spreadsheet.FieldPhone), Email: get(spreadsheet.FieldEmail),
		Governorate: get(spreadsheet.FieldGovernorate), Wilayat: get(spreadsheet.FieldWilayat), Organisation: get(spreadsheet.FieldOrganisation),
		Expertise: get(spreadsheet.FieldExpertise), JoinedOn: get(spreadsheet.FieldJoinedOn), Status: get(spreadsheet.FieldStatus), Notes: get(spreadsheet.FieldNotes),
	}
}

// errImportStopped rolls back an import's transaction on purpose: rows
// turned out invalid, or there is nothing to save.
var errImportStopped = errors.New("import stopped")

// ImportBatch is a past import.
type ImportBatch struct {
	ID         string `json:"id"`
	Source     string `json:"source"`
	ImportedAt string `json:"imported_at"`
	Rows       int    `json:"rows"`
	Imported   int    `json:"imported"`
	UndoneAt   string `json:"undone_at,omitempty"`
	FileSHA256 string `json:"file_sha256,omitempty"`
	By         string `json:"by,omitempty"`
}

// login is the name of the computer's user running Safeer.
func login() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return os.Getenv("USER")
}

// importOf is the newest import of the file with this hash that is not
// undone, or nil.
func (s *Store) importOf(ctx context.Context, sha string) (*ImportBatch, error) {
	var b ImportBatch
	err := s.db.QueryRowContext(ctx, `SELECT id, source, imported_at, rows, imported, undone_at, file_sha256, imported_by
		FROM import_batch WHERE file_sha256 = ? AND undone_at = '' ORDER BY imported_at DESC, id DESC LIMIT 1`, sha).
		Scan(&b.ID, &b.Source, &b.ImportedAt, &b.Rows, &b.Imported, &b.UndoneAt, &b.FileSHA256, &b.By)
	if isNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("look for an earlier import of this file: %w", err)
	}
	return &b, nil
}

// ImportBatches lists imports, newest first.
func (s *Store) ImportBatches(ctx context.Context) ([]ImportBatch, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, source, imported_at, rows, imported, undone_at, file_sha256, imported_by FROM import_batch ORDER BY id DESC`)
	if err != nil {
		return nil, fmt.Errorf("list imports: %w", err)
	}
	defer rows.Close()
	var out []ImportBatch
	for rows.Next() {
		var b ImportBatch
		if err := rows.Scan(&b.ID, &b.Source, &b.ImportedAt, &b.Rows, &b.Imported, &b.UndoneAt, &b.FileSHA256, &b.By); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// ErrImportInUse is returned by UndoImport when people of the import have
// been checked in since: undoing would hide attendance someone recorded.
var ErrImportInUse = errors.New("people from this import have attended workshops since, so it cannot be undone")

// UndoImport takes back an import: the people it added are deleted
// (tombstones that sync, like any delete). It returns how many.
func (s *Store) UndoImport(ctx context.Context, batch string) (int, error) {
	n := 0
	err := s.write(ctx, func(t *tx) error {
		var undone string
		err := t.sql.QueryRowContext(ctx, `SELECT undone_at FROM import_batch WHERE id = ?`, batch).Scan(&undone)
		if err != nil {
			return notFound("import", batch)
		}
		if undone != "" {
			return fmt.Errorf("import %s was already undone on %s", batch, undone)
		}
		var used int
		if err := t.sql.QueryRowContext(ctx, `SELECT count(*) FROM attendance a JOIN person p ON p.id = a.person_id
			WHERE p.import_batch = ? AND a.deleted = 0`, batch).Scan(&used); err != nil {
			return err
		}
		if used > 0 {
			return fmt.Errorf("%w (%d check-ins)", ErrImportInUse, used)
		}
		rows, err := t.sql.QueryContext(ctx, `SELECT id FROM person WHERE import_batch = ? AND deleted = 0`, batch)
		if err != nil {
			return err
		}
		var ids []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		t.peopleBulk = true
		for _, id := range ids {
			if err := t.update(ctx, safeer.TablePerson, id, row{safeer.FieldDeleted: true}); err != nil {
				return err
			}
		}
		n = len(ids)
		_, err = t.sql.ExecContext(ctx, `UPDATE import_batch SET undone_at = ? WHERE id = ?`, s.nowUTC().Format("2006-01-02T15:04:05Z"), batch)
		return err
	})
	return n, err
}

// parallel calls fn(i) for i in [0, n) on every core, and returns the first
// error (or ctx's).
func parallel(ctx context.Context, n int, fn func(i int) error) error {
	return parallelOn(ctx, runtime.GOMAXPROCS(0), n, fn)
}

// parallelOn is parallel on at most workers goroutines.
func parallelOn(ctx context.Context, workers, n int, fn func(i int) error) error {
	workers = min(workers, max(n, 1))
	var next atomic.Int64
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		go func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					errs <- nil
					return
				}
				if i%1000 == 0 && ctx.Err() != nil {
					next.Store(int64(n))
					errs <- ctx.Err()
					return
				}
				if err := fn(i); err != nil {
					next.Store(int64(n))
					errs <- err
					return
				}
			}
		}()
	}
	var first error
	for w := 0; w < workers; w++ {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}
