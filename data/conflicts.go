package data

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/sync/protocol"
)

// Conflicts are made by HQ when two devices changed the same field
// concurrently: the losing value is kept here with the winning one, so a
// person can review it. They sync like other rows; resolving one is a
// normal edit of the row (the chosen value, stamped now) plus an edit of
// the conflict (resolved), both through the outbox.

// Choices when resolving a conflict.
const (
	TakeWinner = "winner"
	TakeLoser  = "loser"
)

// ErrConflictResolved is returned when resolving a conflict already resolved.
var ErrConflictResolved = errors.New("conflict is already resolved")

// Conflict is one losing value with the value that won.
type Conflict struct {
	ID           string    `json:"id"`
	Table        string    `json:"table"`
	RowID        string    `json:"row_id"`
	Field        string    `json:"field"`
	Label        string    `json:"label,omitempty"` // the row in words (a person's or workshop's name)
	Winner       any       `json:"winner"`
	WinnerHLC    string    `json:"winner_hlc"`
	WinnerDevice string    `json:"winner_device,omitempty"`
	WinnerAt     time.Time `json:"winner_at"`
	Loser        any       `json:"loser"`
	LoserHLC     string    `json:"loser_hlc"`
	LoserDevice  string    `json:"loser_device,omitempty"`
	LoserAt      time.Time `json:"loser_at"`
	Current      any       `json:"current"` // the field's value on this device now
	Governorate  string    `json:"governorate,omitempty"`
	CreatedAt    string    `json:"created_at,omitempty"`
	Resolved     bool      `json:"resolved"`
	ResolvedAt   string    `json:"resolved_at,omitempty"`
}

const conflictColumns = `id, tbl, row_id, field, winner, winner_hlc, loser, loser_hlc, governorate, created_at, resolved, resolved_at`

func (s *Store) scanConflict(sc interface{ Scan(...any) error }) (Conflict, error) {
	var c Conflict
	var winner, loser any
	if err := sc.Scan(&c.ID, &c.Table, &c.RowID, &c.Field, &winner, &c.WinnerHLC, &loser, &c.LoserHLC,
		&c.Governorate, &c.CreatedAt, &c.Resolved, &c.ResolvedAt); err != nil {
		return c, err
	}
	var err error
	if winner, err = s.openValue(safeer.TableConflict, c.ID, safeer.FieldWinner, winner); err != nil {
		return c, err
	}
	if loser, err = s.openValue(safeer.TableConflict, c.ID, safeer.FieldLoser, loser); err != nil {
		return c, err
	}
	c.Winner, _ = fromColumn(safeer.FieldWinner, "ANY", winner)
	c.Loser, _ = fromColumn(safeer.FieldLoser, "ANY", loser)
	if h, err := protocol.ParseHLC(c.WinnerHLC); err == nil && c.WinnerHLC != "" {
		c.WinnerDevice, c.WinnerAt = h.Device, h.Time()
	}
	if h, err := protocol.ParseHLC(c.LoserHLC); err == nil && c.LoserHLC != "" {
		c.LoserDevice, c.LoserAt = h.Device, h.Time()
	}
	return c, nil
}

// Conflicts lists conflicts, unresolved first, newest first within each;
// resolved ones only when all is true.
func (s *Store) Conflicts(ctx context.Context, all bool) ([]Conflict, error) {
	q := `SELECT ` + conflictColumns + ` FROM conflict`
	if !all {
		q += ` WHERE resolved = 0`
	}
	q += ` ORDER BY resolved, created_at DESC, id DESC`
	rows, err := s.db.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("list conflicts: %w", err)
	}
	var out []Conflict
	for rows.Next() {
		c, err := s.scanConflict(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		s.describeConflict(ctx, &out[i])
	}
	return out, nil
}

// Conflict returns one conflict.
func (s *Store) Conflict(ctx context.Context, id string) (Conflict, error) {
	c, err := s.scanConflict(s.db.QueryRowContext(ctx, `SELECT `+conflictColumns+` FROM conflict WHERE id = ?`, id))
	if isNoRows(err) {
		return Conflict{}, notFound("conflict", id)
	}
	if err != nil {
		return Conflict{}, fmt.Errorf("read conflict %s: %w", id, err)
	}
	s.describeConflict(ctx, &c)
	return c, nil
}

// describeConflict adds the row's name and the field's current value.
func (s *Store) describeConflict(ctx context.Context, c *Conflict) {
	if !protocol.KnownField(c.Table, c.Field) {
		return
	}
	switch c.Table {
	case safeer.TablePerson:
		if p, err := s.Person(ctx, c.RowID); err == nil {
			c.Label = p.DisplayName()
		}
	case safeer.TableWorkshop:
		if w, err := s.Workshop(ctx, c.RowID); err == nil {
			c.Label = w.Title()
		}
	}
	// Table and field are checked against protocol.Tables above.
	var typ string
	if err := s.db.QueryRowContext(ctx, `SELECT type FROM pragma_table_info(?) WHERE name = ?`, c.Table, c.Field).Scan(&typ); err != nil {
		return
	}
	var v any
	if err := s.db.QueryRowContext(ctx, `SELECT `+c.Field+` FROM `+c.Table+` WHERE id = ?`, c.RowID).Scan(&v); err == nil {
		if v, err = s.openValue(c.Table, c.RowID, c.Field, v); err == nil {
			c.Current, _ = fromColumn(c.Field, typ, v)
		}
	}
}

// ResolveConflict settles a conflict with the winning or the losing value
// (choice TakeWinner or TakeLoser): the chosen value is written to the row
// as a normal local edit, stamped now so it wins everywhere, and the
// conflict is marked resolved; both are outbox ops that sync to HQ.
func (s *Store) ResolveConflict(ctx context.Context, id, choice string) error {
	if choice != TakeWinner && choice != TakeLoser {
		return fmt.Errorf("resolve conflict: choose %q or %q, not %q", TakeWinner, TakeLoser, choice)
	}
	return s.write(ctx, func(t *tx) error {
		c, err := s.scanConflict(t.sql.QueryRowContext(ctx, `SELECT `+conflictColumns+` FROM conflict WHERE id = ?`, id))
		if isNoRows(err) {
			return notFound("conflict", id)
		}
		if err != nil {
			return fmt.Errorf("read conflict %s: %w", id, err)
		}
		if c.Resolved {
			return fmt.Errorf("conflict %s: %w", id, ErrConflictResolved)
		}
		if !protocol.KnownField(c.Table, c.Field) || c.Table == safeer.TableConflict {
			return fmt.Errorf("conflict %s is about %s.%s, which this Safeer cannot edit (update Safeer)", id, c.Table, c.Field)
		}
		value := c.Winner
		if choice == TakeLoser {
			value = c.Loser
		}
		a := newApplier(t)
		cols, err := a.columns(ctx, c.Table)
		if err != nil {
			return err
		}
		typ, ok := cols[c.Field]
		if !ok {
			return fmt.Errorf("conflict %s is about %s.%s, which this Safeer cannot edit (update Safeer)", id, c.Table, c.Field)
		}
		v, err := canonical(c.Field, typ, value)
		if err != nil {
			return fmt.Errorf("conflict %s: the %s value cannot be stored: %w", id, choice, err)
		}
		if i, ok := v.(int64); ok {
			v = int(i) // as the store's own writes hold integers
		}
		// The chosen value must stamp after both values the conflict
		// names, or HQ (and every device) would keep the winner. The pull
		// that brought the conflict moved the clock past HQ's only if HQ
		// sent its clock with it; a stamp beyond the skew limit is not
		// followed (the clock refuses it, as it does on a pull).
		for _, h := range []string{c.WinnerHLC, c.LoserHLC} {
			if st, err := protocol.ParseHLC(h); err == nil && h != "" {
				_ = s.clock.Observe(st)
			}
		}
		if err := t.update(ctx, c.Table, c.RowID, row{c.Field: v}); err != nil {
			return fmt.Errorf("resolve conflict %s: %w", id, err)
		}
		switch c.Table {
		case safeer.TablePerson:
			p, err := t.person(ctx, c.RowID)
			if err != nil {
				return err
			}
			t.people = append(t.people, p)
		case safeer.TablePlace:
			t.placesSeen = true
		}
		return t.update(ctx, safeer.TableConflict, id, row{safeer.FieldResolved: true, safeer.FieldResolvedAt: s.nowUTC().Format(time.RFC3339)})
	})
}
