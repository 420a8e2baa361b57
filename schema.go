package safeer

// The synced records' tables and fields, named once. The device's store
// (its SQLite columns and outbox ops), the wire (an op's and a change's
// fields) and HQ (its generic row data) all key a record's fields by these
// names; code names them through these constants rather than in strings of
// its own.
//
// They live in the domain, at the module root, because everything that
// names a field imports it: sync/protocol may (the layering test forbids
// it only data), and the domain imports nothing of the module but its
// leaves, so no cycle can form. protocol.Tables is built from Schema.
//
// The constants are untyped on purpose: fields travel in string-keyed
// maps (protocol.Op.Fields, the device's rows, HQ's row data) and tables as
// strings (protocol.Op.Table), where a constant of type Field or Table
// would need a conversion at every use. The types name what Schema holds.

// Table names a synced table.
type Table string

// Field names a field of a synced table: a column of the device's table, a
// key of an op's fields and of HQ's row data.
type Field string

// The synced tables.
const (
	TablePerson      = "person"
	TableWorkshop    = "workshop"
	TableAttendance  = "attendance"
	TableCertificate = "certificate"
	TablePlace       = "place"
	TableCredential  = "credential"
	TableConflict    = "conflict"
)

// Fields of more than one table.
const (
	FieldGovernorate = "governorate" // ISO 3166-2:OM code: person, workshop, place, conflict
	FieldWilayat     = "wilayat"     // English name: person, workshop
	FieldStatus      = "status"      // person, workshop, attendance
	FieldHours       = "hours"       // workshop, attendance
	FieldCode        = "code"        // certificate, credential
	FieldRevokedAt   = "revoked_at"  // certificate, credential
	FieldDeleted     = "deleted"     // person, workshop, attendance, place
)

// Person fields (with governorate, wilayat, status, deleted).
const (
	FieldKind         = "kind"
	FieldNameAr       = "name_ar"
	FieldNameEn       = "name_en"
	FieldGender       = "gender"
	FieldCivilID      = "civil_id"
	FieldPhone        = "phone"
	FieldEmail        = "email"
	FieldOrganisation = "organisation"
	FieldExpertise    = "expertise"
	FieldJoinedOn     = "joined_on"
	FieldNotes        = "notes"
	FieldMergedInto   = "merged_into"
)

// Workshop fields (with governorate, wilayat, hours, status, deleted).
const (
	FieldTitleAr     = "title_ar"
	FieldTitleEn     = "title_en"
	FieldTopic       = "topic"
	FieldDate        = "date"
	FieldStartTime   = "start_time"
	FieldVenue       = "venue"
	FieldFacilitator = "facilitator"
	FieldCapacity    = "capacity"
	FieldMinHours    = "min_hours"
)

// Attendance fields (with hours, status, deleted).
const (
	FieldWorkshopID  = "workshop_id"
	FieldPersonID    = "person_id"
	FieldCheckedInAt = "checked_in_at"
)

// Certificate fields (with code, revoked_at).
const (
	FieldAttendanceID  = "attendance_id"
	FieldIssuedAt      = "issued_at"
	FieldDeviceID      = "device_id"
	FieldSnapshot      = "snapshot"
	FieldSignature     = "signature"
	FieldRevokedReason = "revoked_reason"
	FieldReissueOf     = "reissue_of"
)

// Place fields (with governorate, deleted).
const (
	FieldGovernorateEn = "governorate_en"
	FieldGovernorateAr = "governorate_ar"
	FieldWilayatEn     = "wilayat_en"
	FieldWilayatAr     = "wilayat_ar"
)

// Credential fields (with code, revoked_at).
const (
	FieldCertificateID = "certificate_id"
	FieldJWT           = "jwt"
)

// Conflict fields (with governorate): the lost edit's table, row and field,
// both values with their stamps, and whether a coordinator resolved it.
const (
	FieldTbl        = "tbl"
	FieldRowID      = "row_id"
	FieldField      = "field"
	FieldWinner     = "winner"
	FieldWinnerHLC  = "winner_hlc"
	FieldLoser      = "loser"
	FieldLoserHLC   = "loser_hlc"
	FieldCreatedAt  = "created_at"
	FieldResolved   = "resolved"
	FieldResolvedAt = "resolved_at"
)

// Schema lists the synced tables and the fields each may carry, in the
// order of their columns. Device and HQ refuse any other table or field
// before building SQL from a name (protocol.Tables, protocol.KnownField).
var Schema = map[Table][]Field{
	TablePerson: {FieldKind, FieldNameAr, FieldNameEn, FieldGender, FieldCivilID, FieldPhone, FieldEmail,
		FieldGovernorate, FieldWilayat, FieldOrganisation, FieldExpertise, FieldJoinedOn, FieldStatus,
		FieldNotes, FieldDeleted, FieldMergedInto},
	TableWorkshop: {FieldTitleAr, FieldTitleEn, FieldTopic, FieldDate, FieldStartTime, FieldHours,
		FieldGovernorate, FieldWilayat, FieldVenue, FieldFacilitator, FieldCapacity, FieldStatus,
		FieldMinHours, FieldDeleted},
	TableAttendance: {FieldWorkshopID, FieldPersonID, FieldCheckedInAt, FieldHours, FieldStatus, FieldDeleted},
	TableCertificate: {FieldAttendanceID, FieldCode, FieldIssuedAt, FieldDeviceID, FieldSnapshot,
		FieldSignature, FieldRevokedAt, FieldRevokedReason, FieldReissueOf},
	TablePlace: {FieldGovernorate, FieldGovernorateEn, FieldGovernorateAr, FieldWilayatEn, FieldWilayatAr, FieldDeleted},
	// credential rows are HQ's (issue 16): the Open Badges credential it
	// issued for a certificate (the row's id is the certificate's), pulled
	// by the devices of the certificate's governorate; a device never
	// writes one (HQ refuses: no rule places it).
	TableCredential: {FieldCertificateID, FieldCode, FieldJWT, FieldRevokedAt},
	// conflict rows are made by HQ when a concurrent edit lost; a device
	// marks one resolved (after writing the chosen value as a normal edit).
	TableConflict: {FieldTbl, FieldRowID, FieldField, FieldWinner, FieldWinnerHLC, FieldLoser, FieldLoserHLC,
		FieldGovernorate, FieldCreatedAt, FieldResolved, FieldResolvedAt},
}
