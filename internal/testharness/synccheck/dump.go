package synccheck

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/sync/protocol"
)

// Tables are the synced tables a dump covers (place is reference data,
// seeded on every device from its own assets).
var Tables = []string{safeer.TablePerson, safeer.TableWorkshop, safeer.TableAttendance, safeer.TableCertificate, safeer.TableConflict}

// Cell is one field of a dumped row: its value in canonical text (see
// Canon) and the stamp of the edit that set it.
type Cell struct {
	V string
	H string
}

// Dump is what one copy holds: "table/id" → field → cell. A device's dump
// has every column; HQ's only the fields some op set (the others are at
// their column default on the devices).
type Dump map[string]map[string]Cell

// Keys lists the dump's rows, sorted.
func (d Dump) Keys() []string {
	out := make([]string, 0, len(d))
	for k := range d {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Canon renders a synced value as text the same way whichever copy it came
// from: flags as true/false, numbers in the shortest form, text as is, and
// the conflict log's winner and loser (any JSON scalar) as JSON.
func Canon(table, field string, v any) string {
	if isJSONField(table, field) {
		switch n := v.(type) {
		case int64:
			v = float64(n)
		case int:
			v = float64(n)
		}
		b, _ := json.Marshal(v)
		return string(b)
	}
	switch field {
	case safeer.FieldDeleted, safeer.FieldResolved:
		switch x := v.(type) {
		case bool:
			return strconv.FormatBool(x)
		case int64:
			return strconv.FormatBool(x != 0)
		case float64:
			return strconv.FormatBool(x != 0)
		case nil:
			return "false"
		}
	}
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return Canon(table, field, float64(x))
	case int:
		return Canon(table, field, float64(x))
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e15 {
			return strconv.FormatInt(int64(x), 10)
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	case []byte:
		return string(x)
	}
	return fmt.Sprint(v)
}

// isJSONField is a field that may hold any JSON scalar (the device keeps
// it as JSON text).
func isJSONField(table, field string) bool {
	return table == safeer.TableConflict && (field == safeer.FieldWinner || field == safeer.FieldLoser)
}

// fromDevice turns a column value read from a device into the value it
// stands for (JSON text decoded for the conflict log's winner and loser).
func fromDevice(table, field string, v any) any {
	if b, ok := v.([]byte); ok {
		v = string(b)
	}
	if s, ok := v.(string); ok && isJSONField(table, field) {
		var x any
		if json.Unmarshal([]byte(s), &x) == nil {
			return x
		}
	}
	return v
}

// DeviceDump reads every row of the synced tables on a device, each field
// with its stamp (clocks[field], else the row's hlc); a protected store's
// sealed values opened (it must be unlocked).
func DeviceDump(ctx context.Context, s *data.Store) (Dump, error) {
	out := Dump{}
	for _, table := range Tables {
		fields := protocol.Tables[table]
		// table and fields come from protocol.Tables, never from outside.
		rows, err := s.DB().QueryContext(ctx, "SELECT id, hlc, clocks, "+strings.Join(fields, ", ")+" FROM "+table)
		if err != nil {
			return nil, fmt.Errorf("dump %s: %w", table, err)
		}
		for rows.Next() {
			var id, hlc, clocksJSON string
			vals := make([]any, len(fields))
			dest := []any{&id, &hlc, &clocksJSON}
			for i := range vals {
				dest = append(dest, &vals[i])
			}
			if err := rows.Scan(dest...); err != nil {
				rows.Close()
				return nil, err
			}
			clocks := map[string]string{}
			if err := json.Unmarshal([]byte(clocksJSON), &clocks); err != nil {
				rows.Close()
				return nil, fmt.Errorf("%s %s: clocks: %w", table, id, err)
			}
			row := map[string]Cell{}
			for i, f := range fields {
				h, ok := clocks[f]
				if !ok {
					h = hlc
				}
				// A protected store's personal fields are sealed in
				// the row: compared opened.
				v, err := s.OpenValue(table, id, f, vals[i])
				if err != nil {
					rows.Close()
					return nil, fmt.Errorf("%s %s: open %s: %w", table, id, f, err)
				}
				row[f] = Cell{V: Canon(table, f, fromDevice(table, f, v)), H: h}
			}
			out[table+"/"+id] = row
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// HQDump reads HQ's rows of the synced tables in scopes (all of them when
// scopes is nil).
func HQDump(ctx context.Context, st hq.Store, scopes []string) (Dump, error) {
	if scopes == nil {
		scopes = Governorates()
	}
	out := Dump{}
	var after int64
	const page = 5000
	for {
		rows, _, err := st.Changes(ctx, after, scopes, page)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			after = r.Seq
			if !slices.Contains(Tables, r.Table) {
				continue
			}
			var fields map[string]struct {
				V any    `json:"v"`
				H string `json:"h"`
			}
			if err := json.Unmarshal(r.Data, &fields); err != nil {
				return nil, fmt.Errorf("%s %s: %w", r.Table, r.ID, err)
			}
			row := map[string]Cell{}
			for f, c := range fields {
				row[f] = Cell{V: Canon(r.Table, f, c.V), H: c.H}
			}
			out[r.Table+"/"+r.ID] = row
		}
		if len(rows) < page {
			return out, nil
		}
	}
}

// Governorates are Oman's governorate codes (as hq.KnownGovernorate knows
// them).
func Governorates() []string {
	var out []string
	for _, g := range []string{"OM-BJ", "OM-BS", "OM-BU", "OM-DA", "OM-MA", "OM-MU", "OM-SJ", "OM-SS", "OM-WU", "OM-ZA", "OM-ZU"} {
		if hq.KnownGovernorate(g) {
			out = append(out, g)
		}
	}
	return out
}

// columnDefaults are the device's defaults for columns that are not empty
// by default: a field HQ never got holds them on every device.
var columnDefaults = map[string]string{
	"person.kind": "ambassador", "person.status": "active",
	"workshop.status": "planned", "attendance.status": "present",
}

// zero reports whether a device value is what a field HQ never got holds.
func zero(table, field, v string) bool {
	switch v {
	case "", "0", "false", "null":
		return true
	}
	return columnDefaults[table+"."+field] == v
}

// Compare lists the differences between HQ's dump and a device's, in words
// (empty when they hold the same rows and values). Fields HQ lacks must be
// at their default on the device; stamps are compared for the fields HQ
// has.
func Compare(hqDump, dev Dump) []string {
	var diffs []string
	for _, k := range hqDump.Keys() {
		h := hqDump[k]
		d, ok := dev[k]
		if !ok {
			diffs = append(diffs, fmt.Sprintf("%s: at HQ, not on the device", k))
			continue
		}
		for _, f := range sortedFields(h, d) {
			hc, inHQ := h[f]
			dc := d[f]
			switch {
			case !inHQ:
				if !zero(strings.Split(k, "/")[0], f, dc.V) {
					diffs = append(diffs, fmt.Sprintf("%s.%s: HQ never got it, the device has %q (%s)", k, f, dc.V, dc.H))
				}
			case hc.V != dc.V || hc.H != dc.H:
				diffs = append(diffs, fmt.Sprintf("%s.%s: HQ %q (%s), device %q (%s)", k, f, hc.V, hc.H, dc.V, dc.H))
			}
		}
	}
	for _, k := range dev.Keys() {
		if _, ok := hqDump[k]; !ok {
			diffs = append(diffs, fmt.Sprintf("%s: on the device, not at HQ", k))
		}
	}
	return diffs
}

func sortedFields(a, b map[string]Cell) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range []map[string]Cell{a, b} {
		for f := range m {
			if !seen[f] {
				seen[f] = true
				out = append(out, f)
			}
		}
	}
	sort.Strings(out)
	return out
}

// FieldStamps reads the stamp of every field of every synced row on a
// device: "table/id/field" → stamp.
func FieldStamps(ctx context.Context, s *data.Store) (map[string]string, error) {
	out := map[string]string{}
	for _, table := range Tables {
		rows, err := s.DB().QueryContext(ctx, "SELECT id, hlc, clocks FROM "+table)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id, hlc, clocksJSON string
			if err := rows.Scan(&id, &hlc, &clocksJSON); err != nil {
				rows.Close()
				return nil, err
			}
			clocks := map[string]string{}
			json.Unmarshal([]byte(clocksJSON), &clocks)
			for _, f := range protocol.Tables[table] {
				h, ok := clocks[f]
				if !ok {
					h = hlc
				}
				out[table+"/"+id+"/"+f] = h
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Edit is one field of one local write, as the outbox recorded it.
type Edit struct {
	Device string
	OpID   string
	Table  string
	Row    string
	Field  string
	Value  string // canonical (Canon)
	Raw    any    // as the op carries it
	Stamp  string
	// Prev is the stamp the field had on the device just before the
	// write: the edit replaced the value of the edit with that stamp,
	// which its author had seen.
	Prev string
}

// Key is "table/row/field".
func (e Edit) Key() string { return e.Table + "/" + e.Row + "/" + e.Field }

// NewEdits reads the outbox ops after seq and returns their fields as
// edits (Prev from before, see FieldStamps) and the last seq read.
func NewEdits(ctx context.Context, s *data.Store, device string, after int64, before map[string]string) ([]Edit, int64, error) {
	var out []Edit
	for {
		ops, err := s.Outbox(ctx, after, 500)
		if err != nil {
			return nil, after, err
		}
		if len(ops) == 0 {
			return out, after, nil
		}
		for _, o := range ops {
			after = o.Seq
			names := make([]string, 0, len(o.Op.Fields))
			for f := range o.Op.Fields {
				names = append(names, f)
			}
			sort.Strings(names)
			for _, f := range names {
				e := Edit{Device: device, OpID: o.Op.ID, Table: o.Op.Table, Row: o.Op.RowID, Field: f,
					Value: Canon(o.Op.Table, f, o.Op.Fields[f].Value), Raw: o.Op.Fields[f].Value, Stamp: o.Stamp}
				e.Prev = before[e.Key()]
				out = append(out, e)
			}
		}
	}
}

// CheckEdits checks that no edit was lost, against HQ's final dump (all
// scopes): every edit is (a) the final value of its field, or (b) logged
// as the loser of a conflict (same field, loser stamp and value), or (c)
// replaced knowingly: a later edit of the field was made on a device that
// held this edit's value (its Prev is this edit's stamp). In particular,
// of two concurrent edits of one field with different values that nobody
// replaced, the older is in a conflict row. Edits of the conflict log
// itself (resolving) are not checked: the log is never in conflict.
func CheckEdits(final Dump, edits []Edit) []string {
	return CheckEditsExcept(final, edits, nil)
}

// CheckEditsExcept is CheckEdits that does not check the edits skip says
// (those HQ refused, kept on their device): they still count as replacing
// the edit they replaced, since their author had it.
func CheckEditsExcept(final Dump, edits []Edit, skip func(Edit) bool) []string {
	replaced := map[string]bool{}
	// A merge copies a value into the kept person as a new edit, so two
	// devices merging the same pair write one value twice, and HQ (rightly)
	// logs no conflict between equal values. The later edit of the same
	// value carries it on; its own fate is what is checked.
	newestOfValue := map[string]string{} // key + value → newest stamp
	for _, e := range edits {
		if e.Prev != "" {
			replaced[e.Key()+"@"+e.Prev] = true
		}
		kv := e.Key() + "=" + e.Value
		newestOfValue[kv] = max(newestOfValue[kv], e.Stamp)
	}
	losers := map[string]string{} // "table/row/field@stamp" → loser value
	for k, row := range final {
		if !strings.HasPrefix(k, "conflict/") {
			continue
		}
		key := row[safeer.FieldTbl].V + "/" + row[safeer.FieldRowID].V + "/" + row[safeer.FieldField].V + "@" + row[safeer.FieldLoserHLC].V
		losers[key] = row[safeer.FieldLoser].V
	}
	var problems []string
	for _, e := range edits {
		if e.Table == safeer.TableConflict || skip != nil && skip(e) {
			continue
		}
		at := e.Key() + "@" + e.Stamp
		if replaced[at] || newestOfValue[e.Key()+"="+e.Value] > e.Stamp {
			continue
		}
		row, ok := final[e.Table+"/"+e.Row]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s (op %s of %s): the row is not at HQ", e.Key(), e.OpID, e.Device))
			continue
		}
		// A field HQ's row lacks is at its default (as Compare reads it):
		// an edit that set it to its default is its final value.
		if cell, ok := row[e.Field]; ok && cell.V == e.Value || !ok && zero(e.Table, e.Field, e.Value) {
			continue
		}
		if lv, ok := losers[at]; ok {
			if lv != Canon(safeer.TableConflict, safeer.FieldLoser, e.Raw) {
				problems = append(problems, fmt.Sprintf("%s: %s's %q (%s) is logged as a loser with the value %s", e.Key(), e.Device, e.Value, e.Stamp, lv))
			}
			continue
		}
		problems = append(problems, fmt.Sprintf("%s: %s's edit %q (%s) is lost: HQ has %q (%s) and no conflict row keeps it",
			e.Key(), e.Device, e.Value, e.Stamp, row[e.Field].V, row[e.Field].H))
	}
	return problems
}
