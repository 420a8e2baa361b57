package hq

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/roster"
)

// HQ stores every synced row generically (Row.Data: field → value, stamp,
// revision). These read rows into the domain's types, in one place, so the
// console, the exports and the merge speak of safeer.Person and
// safeer.Workshop as the devices do, and apply the same rules (package
// roster) to them.

// PersonOf reads a person row.
func PersonOf(r Row) (safeer.Person, error) {
	d, err := rowOf(r)
	if err != nil {
		return safeer.Person{}, err
	}
	return safeer.Person{ID: r.ID, Kind: d.str("kind"), NameAr: d.str("name_ar"), NameEn: d.str("name_en"),
		Gender: d.str("gender"), CivilID: d.str("civil_id"), Phone: d.str("phone"), Email: d.str("email"),
		Governorate: d.str("governorate"), Wilayat: d.str("wilayat"), Organisation: d.str("organisation"),
		Expertise: d.str("expertise"), JoinedOn: d.str("joined_on"), Status: d.str("status"), Notes: d.str("notes"),
		Deleted: d.flag("deleted"), MergedInto: d.str("merged_into")}, nil
}

// WorkshopOf reads a workshop row.
func WorkshopOf(r Row) (safeer.Workshop, error) {
	d, err := rowOf(r)
	if err != nil {
		return safeer.Workshop{}, err
	}
	return safeer.Workshop{ID: r.ID, TitleAr: d.str("title_ar"), TitleEn: d.str("title_en"), Topic: d.str("topic"),
		Date: d.str("date"), StartTime: d.str("start_time"), Hours: d.num("hours"), Governorate: d.str("governorate"),
		Wilayat: d.str("wilayat"), Venue: d.str("venue"), Facilitator: d.str("facilitator"),
		Capacity: int(d.num("capacity")), Status: d.str("status"), MinHours: d.num("min_hours"),
		Deleted: d.flag("deleted")}, nil
}

// AttendanceOf reads an attendance row.
func AttendanceOf(r Row) (safeer.Attendance, error) {
	d, err := rowOf(r)
	if err != nil {
		return safeer.Attendance{}, err
	}
	return safeer.Attendance{ID: r.ID, WorkshopID: d.str("workshop_id"), PersonID: d.str("person_id"),
		CheckedInAt: d.str("checked_in_at"), Hours: d.num("hours"), Status: d.str("status"),
		Deleted: d.flag("deleted")}, nil
}

// PlaceOf reads a place row (a field HQ's row lacks is empty: HQ's place
// rows change the seed the devices carry, field by field).
func PlaceOf(r Row) (safeer.Place, error) {
	d, err := rowOf(r)
	if err != nil {
		return safeer.Place{}, err
	}
	return safeer.Place{ID: r.ID, Governorate: d.str("governorate"), GovernorateEn: d.str("governorate_en"),
		GovernorateAr: d.str("governorate_ar"), WilayatEn: d.str("wilayat_en"), WilayatAr: d.str("wilayat_ar"),
		Deleted: d.flag("deleted")}, nil
}

// CertificateOf reads a certificate row. What a device sent is read as
// far as it reads: a snapshot that is not the JSON of what a certificate
// says leaves Snapshot empty, and a signature that is not base64url leaves
// Payload nil (the verification page then checks nothing against it),
// rather than making the row unreadable to the console.
func CertificateOf(r Row) (safeer.Certificate, error) {
	d, err := rowOf(r)
	if err != nil {
		return safeer.Certificate{}, err
	}
	c := safeer.Certificate{ID: r.ID, AttendanceID: d.str("attendance_id"), Code: d.str("code"),
		IssuedAt: d.str("issued_at"), DeviceID: d.str("device_id"), RevokedAt: d.str("revoked_at"),
		RevokedReason: d.str("revoked_reason"), ReissueOf: d.str("reissue_of")}
	if snap := d.str("snapshot"); snap != "" {
		var t safeer.CertificateText
		if json.Unmarshal([]byte(snap), &t) == nil {
			c.Snapshot = t
		}
	}
	if sig := d.str("signature"); sig != "" {
		if p, err := base64.RawURLEncoding.DecodeString(sig); err == nil {
			c.Payload = p
		}
	}
	return c, nil
}

// MergeValues are a person row's fields that a merge decides
// (roster.MergeFields), each with the stamp that set it: what roster.Plan
// lays a merge out from.
func MergeValues(r Row) (map[string]roster.Value, error) {
	d, err := rowOf(r)
	if err != nil {
		return nil, err
	}
	out := make(map[string]roster.Value, len(roster.MergeFields))
	for _, name := range roster.MergeFields {
		out[name] = roster.Value{Value: d.str(name), Stamp: d[name].H}
	}
	return out, nil
}

func rowOf(r Row) (rowData, error) {
	d, err := decodeData(r.Data)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", r.Table, r.ID, err)
	}
	return d, nil
}

// num is a number field's value: a number, or text that reads as one (0
// otherwise).
func (d rowData) num(name string) float64 {
	switch x := d[name].V.(type) {
	case float64:
		return x
	case string:
		f, _ := strconv.ParseFloat(x, 64)
		return f
	}
	return 0
}

// flag is a true/false field's value (see Truth).
func (d rowData) flag(name string) bool { return Truth(d[name].V) }

// Truth is a true/false field's value as decoded from JSON: true, a
// non-zero number, "1" or "true" (what devices of every version have sent).
// HQ's pages read flags by the same rule.
func Truth(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case float64:
		return x != 0
	case string:
		return x == "1" || x == "true"
	}
	return false
}
