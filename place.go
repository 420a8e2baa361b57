package safeer

import "github.com/google/uuid"

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
// changes lands on the devices' own row of it.
var placeNamespace = uuid.MustParse("6f1c3d52-2b7e-4c8e-9a55-3c7d9f0e8a41")

// PlaceID is the id of a wilayat in a governorate (ISO 3166-2:OM code and
// the wilayat's English name, as in the reference data).
func PlaceID(governorate, wilayatEn string) string {
	return uuid.NewSHA1(placeNamespace, []byte(governorate+"/"+wilayatEn)).String()
}
