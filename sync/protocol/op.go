package protocol

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

// Tables lists the synced tables and the fields each may carry. Both sides
// use it to refuse unknown columns before any SQL is built from a name.
var Tables = map[string][]string{
	"person": {"kind", "name_ar", "name_en", "gender", "civil_id", "phone", "email",
		"governorate", "wilayat", "organisation", "expertise", "joined_on", "status",
		"notes", "deleted", "merged_into"},
	"workshop": {"title_ar", "title_en", "topic", "date", "start_time", "hours",
		"governorate", "wilayat", "venue", "facilitator", "capacity", "status",
		"min_hours", "deleted"},
	"attendance": {"workshop_id", "person_id", "checked_in_at", "hours", "status", "deleted"},
	"certificate": {"attendance_id", "code", "issued_at", "device_id", "snapshot",
		"signature", "revoked_at", "revoked_reason", "reissue_of"},
	"place": {"governorate", "governorate_en", "governorate_ar", "wilayat_en", "wilayat_ar", "deleted"},
	// credential rows are HQ's (issue 16): the Open Badges credential it
	// issued for a certificate (the row's id is the certificate's), pulled
	// by the devices of the certificate's governorate; a device never
	// writes one (HQ refuses: no rule places it).
	"credential": {"certificate_id", "code", "jwt", "revoked_at"},
	// conflict rows are made by HQ when a concurrent edit lost; a device
	// marks one resolved (after writing the chosen value as a normal edit).
	"conflict": {"tbl", "row_id", "field", "winner", "winner_hlc", "loser", "loser_hlc",
		"governorate", "created_at", "resolved", "resolved_at"},
}

// KnownField reports whether field may be synced on table.
func KnownField(table, field string) bool {
	for _, f := range Tables[table] {
		if f == field {
			return true
		}
	}
	return false
}
