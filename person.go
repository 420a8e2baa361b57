package safeer

// Kinds of person.
const (
	KindAmbassador = "ambassador"
	KindGuest      = "guest"
)

// Person statuses.
const (
	StatusActive   = "active"
	StatusInactive = "inactive"
)

// Person is an ambassador or a guest on the roster.
type Person struct {
	ID           string `json:"id"`
	Kind         string `json:"kind"`
	NameAr       string `json:"name_ar"`
	NameEn       string `json:"name_en"`
	Gender       string `json:"gender,omitempty"`
	CivilID      string `json:"civil_id,omitempty"`
	Phone        string `json:"phone,omitempty"` // E.164
	Email        string `json:"email,omitempty"`
	Governorate  string `json:"governorate"`       // ISO 3166-2:OM code
	Wilayat      string `json:"wilayat,omitempty"` // English name, as in the place table
	Organisation string `json:"organisation,omitempty"`
	Expertise    string `json:"expertise,omitempty"`
	JoinedOn     string `json:"joined_on,omitempty"` // YYYY-MM-DD
	Status       string `json:"status"`
	Notes        string `json:"notes,omitempty"`
	Deleted      bool   `json:"deleted,omitempty"`
	MergedInto   string `json:"merged_into,omitempty"`
}

// DisplayName is the name to show first: Arabic when there is one.
func (p Person) DisplayName() string {
	if p.NameAr != "" {
		return p.NameAr
	}
	return p.NameEn
}
