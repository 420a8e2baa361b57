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
	return safeer.Person{ID: r.ID,
		Kind:         d.str(safeer.FieldKind),
		NameAr:       d.str(safeer.FieldNameAr),
		NameEn:       d.str(safeer.FieldNameEn),
		Gender:       d.str(safeer.FieldGender),
		CivilID:      d.str(safeer.FieldCivilID),
		Phone:        d.str(safeer.FieldPhone),
		Email:        d.str(safeer.FieldEmail),
		Governorate:  d.str(safeer.FieldGovernorate),
		Wilayat:      d.str(safeer.FieldWilayat),
		Organisation: d.str(safeer.FieldOrganisation),
		Expertise:    d.str(safeer.FieldExpertise),
		JoinedOn:     d.str(safeer.FieldJoinedOn),
		Status:       d.str(safeer.FieldStatus),
		Notes:        d.str(safeer.FieldNotes),
		Deleted:      d.flag(safeer.FieldDeleted),
		MergedInto:   d.str(safeer.FieldMergedInto),
	}, nil
}

// WorkshopOf reads a workshop row.
func WorkshopOf(r Row) (safeer.Workshop, error) {
	d, err := rowOf(r)
	if err != nil {
		return safeer.Workshop{}, err
	}
	return safeer.Workshop{ID: r.ID,
		TitleAr:     d.str(safeer.FieldTitleAr),
		TitleEn:     d.str(safeer.FieldTitleEn),
		Topic:       d.str(safeer.FieldTopic),
		Date:        d.str(safeer.FieldDate),
		StartTime:   d.str(safeer.FieldStartTime),
		Hours:       d.num(safeer.FieldHours),
		Governorate: d.str(safeer.FieldGovernorate),
		Wilayat:     d.str(safeer.FieldWilayat),
		Venue:       d.str(safeer.FieldVenue),
		Facilitator: d.str(safeer.FieldFacilitator),
		Capacity:    int(d.num(safeer.FieldCapacity)),
		Status:      d.str(safeer.FieldStatus),
		MinHours:    d.num(safeer.FieldMinHours),
		Deleted:     d.flag(safeer.FieldDeleted),
	}, nil
}

// AttendanceOf reads an attendance row.
func AttendanceOf(r Row) (safeer.Attendance, error) {
	d, err := rowOf(r)
	if err != nil {
		return safeer.Attendance{}, err
	}
	return safeer.Attendance{ID: r.ID,
		WorkshopID:  d.str(safeer.FieldWorkshopID),
		PersonID:    d.str(safeer.FieldPersonID),
		CheckedInAt: d.str(safeer.FieldCheckedInAt),
		Hours:       d.num(safeer.FieldHours),
		Status:      d.str(safeer.FieldStatus),
		Deleted:     d.flag(safeer.FieldDeleted),
	}, nil
}

// PlaceOf reads a place row (a field HQ's row lacks is empty: HQ's place
// rows change the seed the devices carry, field by field).
func PlaceOf(r Row) (safeer.Place, error) {
	d, err := rowOf(r)
	if err != nil {
		return safeer.Place{}, err
	}
	return safeer.Place{ID: r.ID,
		Governorate:   d.str(safeer.FieldGovernorate),
		GovernorateEn: d.str(safeer.FieldGovernorateEn),
		GovernorateAr: d.str(safeer.FieldGovernorateAr),
		WilayatEn:     d.str(safeer.FieldWilayatEn),
		WilayatAr:     d.str(safeer.FieldWilayatAr),
		Deleted:       d.flag(safeer.FieldDeleted),
	}, nil
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
	c := safeer.Certificate{ID: r.ID,
		AttendanceID:  d.str(safeer.FieldAttendanceID),
		Code:          d.str(safeer.FieldCode),
		IssuedAt:      d.str(safeer.FieldIssuedAt),
		DeviceID:      d.str(safeer.FieldDeviceID),
		RevokedAt:     d.str(safeer.FieldRevokedAt),
		RevokedReason: d.str(safeer.FieldRevokedReason),
		ReissueOf:     d.str(safeer.FieldReissueOf),
	}
	if snap := d.str(safeer.FieldSnapshot); snap != "" {
		var t safeer.CertificateText
		if json.Unmarshal([]byte(snap), &t) == nil {
			c.Snapshot = t
		}
	}
	if sig := d.str(safeer.FieldSignature); sig != "" {
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
