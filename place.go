package safeer

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
