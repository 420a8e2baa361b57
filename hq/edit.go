package hq

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/sync/protocol"
)

// HQ's own changes. Devices change rows by pushing ops; HQ's administrators
// change them through Server.Edit (the web console's revocations, merges
// and reference data). An HQ change is stamped with HQ's clock, which is
// ahead of every stamp HQ has accepted, and given a new sequence number, so
// it wins the per-field merge on every device and reaches the devices of
// the row's scope on their next pull. A device that edited the same field
// offline, before pulling HQ's change, loses that edit into a conflict row
// when it pushes, as with any two concurrent edits.

// Store is the server's database (for HQ's web pages).
func (s *Server) Store() Store { return s.store }

// PublicKey is HQ's public key, which certificates' endorsements verify under.
func (s *Server) PublicKey() ed25519.PublicKey { return s.key.Public().(ed25519.PublicKey) }

// Now is the server's wall clock.
func (s *Server) Now() time.Time { return s.now() }

// Logger is the server's log.
func (s *Server) Logger() *slog.Logger { return s.log }

// RowValues decodes a row's fields to their values.
func RowValues(r Row) (map[string]any, error) {
	d, err := decodeData(r.Data)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", r.Table, r.ID, err)
	}
	out := make(map[string]any, len(d))
	for k, f := range d {
		out[k] = f.V
	}
	return out, nil
}

// RowFields decodes a row's fields to their values and stamps (for the
// console's merge, whose defaults prefer the newer of two values).
func RowFields(r Row) (map[string]protocol.Field, error) {
	d, err := decodeData(r.Data)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", r.Table, r.ID, err)
	}
	out := make(map[string]protocol.Field, len(d))
	for k, f := range d {
		out[k] = protocol.Field{Value: f.V, HLC: f.H}
	}
	return out, nil
}

// EditTx is an HQ change in progress (see Server.Edit).
type EditTx struct {
	ctx context.Context
	s   *Server
	tx  Tx
}

// Edit runs fn in one write transaction: every row fn sets and every audit
// entry it adds commit together, or, when fn fails, none does.
func (s *Server) Edit(ctx context.Context, fn func(*EditTx) error) error {
	return s.store.Write(ctx, func(tx Tx) error {
		// Another HQ process on the same database may have moved the
		// clock; stay ahead of what it saved.
		if saved, err := protocol.ParseHLC(tx.Clock()); err == nil {
			s.clock.Observe(saved)
		}
		if err := fn(&EditTx{ctx: ctx, s: s, tx: tx}); err != nil {
			return err
		}
		return tx.SaveClock(ctx, s.clock.Peek().String())
	})
}

// Row reads a row and its values in the transaction.
func (e *EditTx) Row(table, id string) (Row, map[string]any, bool, error) {
	r, found, err := e.tx.Row(e.ctx, table, id)
	if err != nil || !found {
		return Row{}, nil, false, err
	}
	v, err := RowValues(r)
	return r, v, err == nil, err
}

// Rows lists rows like Store.ListRows, inside the transaction's snapshot
// where the backend gives one (good enough for following merges).
func (e *EditTx) Rows(q RowQuery) ([]Row, error) { return e.s.store.ListRows(e.ctx, q) }

// Audit adds an entry to the audit log in the transaction.
func (e *EditTx) Audit(a AuditEntry) error {
	if a.At.IsZero() {
		a.At = e.s.now().UTC()
	}
	return e.tx.AddAudit(e.ctx, a)
}

// Set sets fields of the row (table, id), creating it when HQ has none,
// each stamped with HQ's clock, under a new sequence number. Values must be
// what the sync protocol carries: text, numbers, true/false or nil. Fields
// that already hold the value are left alone; changed reports whether any
// did not.
func (e *EditTx) Set(table, id string, values map[string]any) (changed bool, err error) {
	if _, ok := protocol.Tables[table]; !ok {
		return false, fmt.Errorf("HQ does not sync a table %q", table)
	}
	if !cleanID(id) {
		return false, fmt.Errorf("%s: bad row id %q", table, id)
	}
	if len(values) == 0 {
		return false, fmt.Errorf("%s %s: no field to set", table, id)
	}
	clean := make(map[string]any, len(values))
	for name, v := range values {
		if !protocol.KnownField(table, name) {
			return false, fmt.Errorf("%s has no field %q", table, name)
		}
		switch x := v.(type) {
		case int:
			v = float64(x)
		case int64:
			v = float64(x)
		case string:
			if strings.ContainsRune(x, 0) {
				return false, fmt.Errorf("field %s: the text contains a NUL character", name)
			}
		case nil, float64, bool:
		default:
			return false, fmt.Errorf("field %s: a value must be text, a number, true/false or null, not %T", name, v)
		}
		clean[name] = v
	}
	stored, exists, err := e.tx.Row(e.ctx, table, id)
	if err != nil {
		return false, err
	}
	cur, err := decodeData(stored.Data)
	if err != nil {
		return false, fmt.Errorf("%s %s: %w", table, id, err)
	}
	var todo []string
	for name, v := range clean {
		if f, ok := cur[name]; ok && sameScalar(f.V, v) {
			continue
		}
		todo = append(todo, name)
		// Never stamp below what the row holds (HQ's clock has observed
		// every accepted stamp; this only guards against a bug elsewhere).
		if h, err := protocol.ParseHLC(cur[name].H); err == nil && cur[name].H != "" {
			e.s.clock.Observe(h)
		}
	}
	if len(todo) == 0 {
		return false, nil
	}
	seq, err := e.tx.NextSeq(e.ctx)
	if err != nil {
		return false, err
	}
	stamp := e.s.clock.Now().String()
	for _, name := range todo {
		cur[name] = storedField{V: clean[name], H: stamp, R: seq}
	}
	scope, parent, ok, reason, err := rowScope(e.ctx, e.tx, table, cur)
	if err != nil {
		return false, err
	}
	if table == safeer.TableConflict && exists {
		scope, parent, ok = stored.Scope, stored.Parent, true // a conflict stays where HQ logged it
	}
	if !ok {
		return false, fmt.Errorf("%s %s: %s", table, id, reason)
	}
	row := Row{Table: table, ID: id, Scope: scope, Parent: parent, Seq: seq,
		Pending: table == safeer.TableConflict && cur[safeer.FieldResolved].V != true, Data: cur.encode()}
	if err := e.tx.PutRow(e.ctx, row); err != nil {
		return false, err
	}
	if exists && stored.Scope != scope {
		if err := moved(e.ctx, e.tx, table, id, stored.Scope, scope); err != nil {
			return false, err
		}
	}
	if _, merged := clean[safeer.FieldMergedInto]; table == safeer.TablePerson && (merged || clean[safeer.FieldDeleted] != nil) {
		// An administrator's delete (or merge) follows the same rule as a
		// device's: no merge into a deleted person stands.
		if err := e.s.undoMergesIntoDeleted(e.ctx, e.tx, id); err != nil {
			return false, err
		}
	}
	return true, nil
}

// sameScalar compares two field values as the merge does: numbers by
// value, everything else by equality.
func sameScalar(a, b any) bool {
	fa, aNum := a.(float64)
	fb, bNum := b.(float64)
	if aNum && bNum {
		return fa == fb
	}
	return a == b
}
