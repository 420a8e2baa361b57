package protocol

import "github.com/oman-sca/safeer"

// Field is one column's value in an op or a pulled change, with the clock
// stamp of the edit that set it. Values are JSON scalars: string, float64
// (JSON numbers), bool or nil.
type Field struct {
	Value any    `json:"v"`
	HLC   string `json:"h"`
}

// Op is one local write as the device's outbox records it and pushes it:
// the fields that one edit changed on one row.
type Op struct {
	ID      string           `json:"id"`             // UUIDv7 made by the device; HQ's idempotency key
	Table   string           `json:"table"`          // person, workshop, attendance, certificate, conflict
	RowID   string           `json:"row"`            // UUID of the row
	BaseRev int64            `json:"base,omitempty"` // HQ revision of the row the device had last pulled
	Fields  map[string]Field `json:"fields"`
	// Reasserted marks an op a device sends again after HQ was restored:
	// values HQ lost, with their original stamps, which may name other
	// devices. Every other op is a new edit, and its stamps must name the
	// device that pushes it.
	Reasserted bool `json:"reasserted,omitempty"`
}

// Tables lists the synced tables and the fields each may carry, built from
// the domain's one declaration of them (safeer.Schema). Both sides use it
// to refuse unknown columns before any SQL is built from a name.
var Tables = func() map[string][]string {
	out := make(map[string][]string, len(safeer.Schema))
	for table, fields := range safeer.Schema {
		names := make([]string, len(fields))
		for i, f := range fields {
			names[i] = string(f)
		}
		out[string(table)] = names
	}
	return out
}()

// KnownField reports whether field may be synced on table.
func KnownField(table, field string) bool {
	for _, f := range Tables[table] {
		if f == field {
			return true
		}
	}
	return false
}
