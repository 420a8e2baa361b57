package hq

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/oman-sca/safeer/sync"
)

// MaxPushBody bounds a push body, compressed and decompressed alike: the
// batch limit of sync.MaxBatchBytes plus room for the envelope and for a
// client that counts only its ops. Anything bigger is refused whole (413),
// so a gzip bomb costs HQ at most this much memory.
const MaxPushBody = sync.MaxBatchBytes + sync.MaxBatchBytes/4

// maxIDLen bounds op and row ids (UUIDs are 36 characters).
const maxIDLen = 128

// errTooLarge is a request body over its limit (413 too_large).
var errTooLarge = errors.New("the request is too large")

// DecodePush reads a push request body sent with the given Content-Encoding
// ("gzip", or "" / "identity" for plain JSON). It never reads more than
// MaxPushBody bytes of JSON nor accepts more than sync.MaxBatchOps ops.
// Oversized input returns an error wrapping errTooLarge.
func DecodePush(body io.Reader, contentEncoding string) (sync.PushRequest, error) {
	var req sync.PushRequest
	raw, err := readBody(body, contentEncoding, MaxPushBody)
	if err != nil {
		return req, err
	}
	if err := json.Unmarshal(raw, &req); err != nil {
		return sync.PushRequest{}, fmt.Errorf("the push is not valid JSON: %w", err)
	}
	if len(req.Ops) > sync.MaxBatchOps {
		return sync.PushRequest{}, fmt.Errorf("%w: %d ops in one push (at most %d)", errTooLarge, len(req.Ops), sync.MaxBatchOps)
	}
	return req, nil
}

// readBody reads at most limit bytes of (decompressed) body.
func readBody(body io.Reader, contentEncoding string, limit int64) ([]byte, error) {
	switch strings.ToLower(strings.TrimSpace(contentEncoding)) {
	case "", "identity":
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(body)
		if err != nil {
			return nil, tooLargeOr(err, "the body is not gzip")
		}
		defer zr.Close()
		body = zr
	default:
		return nil, fmt.Errorf("unsupported Content-Encoding %q (use gzip)", contentEncoding)
	}
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(body, limit+1))
	if err != nil {
		return nil, tooLargeOr(err, "cannot read the body")
	}
	if n > limit {
		return nil, fmt.Errorf("%w: more than %d bytes", errTooLarge, limit)
	}
	return buf.Bytes(), nil
}

// tooLargeOr keeps http.MaxBytesReader's verdict (413) visible through the
// gzip reader, and words any other read error.
func tooLargeOr(err error, words string) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return fmt.Errorf("%w: more than %d bytes", errTooLarge, mbe.Limit)
	}
	return fmt.Errorf("%s: %w", words, err)
}

func rejected(id, code, msg string) sync.OpResult {
	return sync.OpResult{ID: id, Status: sync.Rejected, Code: code, Message: msg}
}

// opHash identifies an op's content. json.Marshal writes map keys sorted,
// so the same op always hashes the same.
func opHash(op sync.Op) []byte {
	b, _ := json.Marshal(op)
	h := sha256.Sum256(b)
	return h[:]
}

// checkOp validates what can be checked without the database. It returns a
// rejection code and words, or "" when the op may proceed.
func (s *Server) checkOp(op sync.Op) (code, msg string) {
	switch {
	case !cleanID(op.ID):
		return sync.CodeBadValue, "the op has no id (or an overlong or garbled one)"
	case !cleanID(op.RowID):
		return sync.CodeBadValue, "the op names no row (or an overlong or garbled id)"
	}
	if _, ok := sync.Tables[op.Table]; !ok {
		return sync.CodeUnknownTable, fmt.Sprintf("HQ does not sync a table %q", op.Table)
	}
	if len(op.Fields) == 0 {
		return sync.CodeBadValue, "the op changes no field"
	}
	names := make([]string, 0, len(op.Fields))
	for name := range op.Fields {
		names = append(names, name)
	}
	sort.Strings(names)
	limit := s.now().Add(sync.MaxSkew).UnixMilli()
	for _, name := range names {
		f := op.Fields[name]
		if !sync.KnownField(op.Table, name) {
			return sync.CodeUnknownField, fmt.Sprintf("%s has no field %q", op.Table, name)
		}
		switch v := f.Value.(type) {
		case string:
			// PostgreSQL text cannot hold NUL: refuse it here, per op,
			// rather than fail the whole batch in the database forever.
			if strings.ContainsRune(v, 0) {
				return sync.CodeBadValue, fmt.Sprintf("field %s: the text contains a NUL character", name)
			}
		case nil, float64, bool:
		default:
			return sync.CodeBadValue, fmt.Sprintf("field %s: a value must be text, a number, true/false or null", name)
		}
		h, err := sync.ParseHLC(f.HLC)
		if err != nil || f.HLC == "" {
			return sync.CodeBadValue, fmt.Sprintf("field %s: bad clock stamp %q", name, f.HLC)
		}
		if h.Wall > limit {
			return sync.CodeClockSkew, fmt.Sprintf("field %s was stamped %s, more than a day ahead of HQ's clock: check the device's date and time",
				name, h.Time().Format("2006-01-02 15:04 MST"))
		}
	}
	return "", ""
}

// applyBatch applies a push's ops, in order, in one transaction: each
// with its applied_ops record, or refused with a code and words. One
// commit for the batch, not one per op, is what lets HQ keep up with many
// devices syncing at once (see docs/BENCHMARKS.md). A refused op writes
// nothing (every refusal comes before mergeOp's first write), so the
// others are unaffected. An error means the store failed: nothing of the
// batch is applied, and the device's retry applies it all.
func (s *Server) applyBatch(ctx context.Context, dev Device, ops []sync.Op) ([]sync.OpResult, error) {
	results := make([]sync.OpResult, len(ops))
	err := s.store.Write(ctx, func(tx Tx) error {
		// Another HQ process on the same database may have moved the
		// clock; stay ahead of what it saved.
		if saved, err := sync.ParseHLC(tx.Clock()); err == nil {
			s.clock.Observe(saved)
		}
		wrote := false
		for i, op := range ops {
			res, err := s.applyOp(ctx, tx, dev, op)
			if err != nil {
				return fmt.Errorf("apply op %s: %w", op.ID, err)
			}
			results[i] = res
			wrote = wrote || res.Status == sync.Applied || res.Status == sync.Conflicted
		}
		if !wrote {
			return nil
		}
		return tx.SaveClock(ctx, s.clock.Peek().String())
	})
	if err != nil {
		return nil, err
	}
	return results, nil
}

// applyOp applies one op in tx together with its applied_ops record, and
// returns its result.
func (s *Server) applyOp(ctx context.Context, tx Tx, dev Device, op sync.Op) (sync.OpResult, error) {
	if code, msg := s.checkOp(op); code != "" {
		return rejected(op.ID, code, msg), nil
	}
	hash := opHash(op)
	prev, found, err := tx.AppliedOp(ctx, dev.ID, op.ID)
	if err != nil {
		return sync.OpResult{}, err
	}
	if found {
		if bytes.Equal(prev.PayloadHash, hash) {
			return sync.OpResult{ID: op.ID, Status: sync.Duplicate}, nil
		}
		return rejected(op.ID, sync.CodeOpIDReused, "this op id was already used for another change"), nil
	}
	res, err := s.mergeOp(ctx, tx, dev, op)
	if err != nil || res.Status == sync.Rejected {
		return res, err
	}
	return res, tx.RecordOp(ctx, AppliedOp{OpID: op.ID, PayloadHash: hash, DeviceID: dev.ID, AppliedAt: s.now()})
}

// mergeOp checks the op's scope, merges it into the stored row and logs the
// conflicts, all in tx.
func (s *Server) mergeOp(ctx context.Context, tx Tx, dev Device, op sync.Op) (sync.OpResult, error) {
	if op.Table == "place" {
		return rejected(op.ID, sync.CodeOutOfScope, "reference data (places) is kept by HQ"), nil
	}
	if res, refused, err := checkCertificateCode(ctx, tx, op); refused || err != nil {
		return res, err
	}
	stored, exists, err := tx.Row(ctx, op.Table, op.RowID)
	if err != nil {
		return sync.OpResult{}, err
	}
	cur, err := decodeData(stored.Data)
	if err != nil {
		return sync.OpResult{}, fmt.Errorf("%s %s: %w", op.Table, op.RowID, err)
	}

	// Scope as the op means it: its own values where it sets them (a
	// person moved to another governorate), the stored ones elsewhere.
	intent := make(rowData, len(cur)+len(op.Fields))
	for k, f := range cur {
		intent[k] = f
	}
	for k, f := range op.Fields {
		intent[k] = storedField{V: f.Value, H: f.HLC}
	}
	scope, _, ok, reason, err := rowScope(ctx, tx, op.Table, intent)
	if err != nil {
		return sync.OpResult{}, err
	}
	if op.Table == "conflict" && exists {
		scope, ok = stored.Scope, true // a conflict stays where HQ logged it
	}
	if !ok {
		return rejected(op.ID, sync.CodeOutOfScope, reason), nil
	}
	if !inScope(dev.Governorates, scope) {
		return rejected(op.ID, sync.CodeOutOfScope,
			fmt.Sprintf("%s %s belongs to %s, which this device is not enrolled for", op.Table, op.RowID, scope)), nil
	}

	// A stored field is concurrent with the op when another device set it
	// after the revision the op was based on: the op's author never saw it.
	// The author is the device part of the op's stamp, not necessarily the
	// device pushing: after HQ's restore a device re-asserts what HQ lost,
	// other devices' edits included, with their original stamps.
	concurrent := func(field string) bool {
		f := cur[field]
		return f.R > op.BaseRev && stampDevice(f.H) != stampDevice(op.Fields[field].HLC)
	}
	if op.Table == "conflict" {
		concurrent = nil // the conflict log itself is never in conflict
	}
	changed, conflicts := sync.Merge(cur.fields(), op.Fields, concurrent)

	finalScope, parent := stored.Scope, stored.Parent
	if len(changed) > 0 {
		seq, err := tx.NextSeq(ctx)
		if err != nil {
			return sync.OpResult{}, err
		}
		for k, f := range changed {
			cur[k] = storedField{V: f.Value, H: f.HLC, R: seq}
		}
		var ok bool
		finalScope, parent, ok, reason, err = rowScope(ctx, tx, op.Table, cur)
		if err != nil {
			return sync.OpResult{}, err
		}
		if op.Table == "conflict" && exists {
			finalScope, parent, ok = stored.Scope, stored.Parent, true
		}
		if !ok {
			return rejected(op.ID, sync.CodeOutOfScope, reason), nil
		}
		row := Row{Table: op.Table, ID: op.RowID, Scope: finalScope, Parent: parent, Seq: seq,
			Pending: op.Table == "conflict" && cur["resolved"].V != true, Data: cur.encode()}
		if err := tx.PutRow(ctx, row); err != nil {
			return sync.OpResult{}, err
		}
		if exists && stored.Scope != finalScope {
			if err := rescope(ctx, tx, op.RowID, finalScope, map[string]bool{op.Table + "/" + op.RowID: true}); err != nil {
				return sync.OpResult{}, err
			}
		}
		if _, merged := changed["merged_into"]; merged && op.Table == "person" {
			if err := s.breakMergeCycle(ctx, tx, op.RowID); err != nil {
				return sync.OpResult{}, err
			}
		}
	}
	// Accepted: HQ's clock moves past the op's stamps (checkOp refused
	// stamps beyond MaxSkew, so no device can drag it into the future).
	for _, f := range op.Fields {
		if h, err := sync.ParseHLC(f.HLC); err == nil {
			s.clock.Observe(h)
		}
	}
	if len(conflicts) == 0 {
		return sync.OpResult{ID: op.ID, Status: sync.Applied}, nil
	}
	if err := s.logConflicts(ctx, tx, op, finalScope, conflicts); err != nil {
		return sync.OpResult{}, err
	}
	fields := make([]string, len(conflicts))
	for i, c := range conflicts {
		fields[i] = c.Field
	}
	return sync.OpResult{ID: op.ID, Status: sync.Conflicted,
		Message: "changed at the same time elsewhere: " + strings.Join(fields, ", ")}, nil
}

// logConflicts writes a conflict row for each lost edit, in the row's
// scope, so the devices that see the row see its conflicts too.
func (s *Server) logConflicts(ctx context.Context, tx Tx, op sync.Op, scope string, conflicts []sync.FieldConflict) error {
	sort.Slice(conflicts, func(i, j int) bool { return conflicts[i].Field < conflicts[j].Field })
	stamp := s.clock.Now().String()
	created := s.now().UTC().Format("2006-01-02T15:04:05Z")
	for _, c := range conflicts {
		id := ConflictID(op.Table, op.RowID, c.Field, c.Winner.HLC, c.Loser.HLC)
		if _, found, err := tx.Row(ctx, "conflict", id); err != nil || found {
			if err != nil {
				return err
			}
			continue
		}
		seq, err := tx.NextSeq(ctx)
		if err != nil {
			return err
		}
		values := map[string]any{
			"tbl": op.Table, "row_id": op.RowID, "field": c.Field,
			"winner": c.Winner.Value, "winner_hlc": c.Winner.HLC,
			"loser": c.Loser.Value, "loser_hlc": c.Loser.HLC,
			"governorate": scope, "created_at": created, "resolved": false, "resolved_at": "",
		}
		data := make(rowData, len(values))
		for k, v := range values {
			data[k] = storedField{V: v, H: stamp, R: seq}
		}
		if err := tx.PutRow(ctx, Row{Table: "conflict", ID: id, Scope: scope, Parent: op.RowID,
			Seq: seq, Pending: true, Data: data.encode()}); err != nil {
			return err
		}
	}
	if err := tx.SaveClock(ctx, stamp); err != nil {
		return err
	}
	return nil
}

// rescope moves the rows that inherit their scope from row id (a
// workshop's attendance, their certificates, conflicts about any of them)
// into scope, each with a new sequence number so the devices of the new
// scope pull them. seen guards against cycles a device could build.
func rescope(ctx context.Context, tx Tx, id, scope string, seen map[string]bool) error {
	kids, err := tx.Children(ctx, id)
	if err != nil {
		return err
	}
	for _, k := range kids {
		key := k.Table + "/" + k.ID
		if seen[key] {
			continue
		}
		seen[key] = true
		if k.Scope != scope {
			seq, err := tx.NextSeq(ctx)
			if err != nil {
				return err
			}
			k.Scope, k.Seq = scope, seq
			if err := tx.PutRow(ctx, k); err != nil {
				return err
			}
		}
		if err := rescope(ctx, tx, k.ID, scope, seen); err != nil {
			return err
		}
	}
	return nil
}

// cleanID accepts ids of 1 to maxIDLen characters without control
// characters (UUIDs in practice).
func cleanID(id string) bool {
	if id == "" || len(id) > maxIDLen {
		return false
	}
	for _, r := range id {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return false
		}
	}
	return true
}

func inScope(govs []string, scope string) bool {
	for _, g := range govs {
		if g == scope {
			return true
		}
	}
	return false
}
