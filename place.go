package safeer

import (
	"crypto/sha1"
	"encoding/hex"
)

// Place is a wilayat with its governorate: reference data seeded from assets
// and updated by HQ.
type Place struct {
	ID            string `json:"id"`
	Governorate   string `json:"governorate"` // ISO 3166-2:OM code
	GovernorateEn string `json:"governorate_en"`
	GovernorateAr string `json:"governorate_ar"`
	WilayatEn     string `json:"wilayat_en"`
	WilayatAr     string `json:"wilayat_ar"`
	Deleted       bool   `json:"deleted,omitempty"`
}

// placeNamespace makes place ids from "CODE/Wilayat": every device and HQ
// seed the same reference data with the same ids, so a wilayat HQ adds or
// changes lands on the devices' own row of it. It is the UUID
// 6f1c3d52-2b7e-4c8e-9a55-3c7d9f0e8a41.
var placeNamespace = [16]byte{0x6f, 0x1c, 0x3d, 0x52, 0x2b, 0x7e, 0x4c, 0x8e, 0x9a, 0x55, 0x3c, 0x7d, 0x9f, 0x0e, 0x8a, 0x41}

// PlaceID is the id of a wilayat in a governorate (ISO 3166-2:OM code and
// the wilayat's English name, as in the reference data): the name-based
// UUID (version 5, RFC 9562 §5.5) of "CODE/Wilayat" in placeNamespace.
// Written out here rather than through github.com/google/uuid, whose
// package brings database/sql/driver into the domain.
func PlaceID(governorate, wilayatEn string) string {
	h := sha1.New()
	h.Write(placeNamespace[:])
	h.Write([]byte(governorate + "/" + wilayatEn))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50 // version 5
	u[8] = u[8]&0x3f | 0x80 // RFC 9562 variant
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return string(b[:])
}
