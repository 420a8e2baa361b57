package data

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

// Workshop statuses.
const (
	WorkshopPlanned   = "planned"
	WorkshopHeld      = "held"
	WorkshopCancelled = "cancelled"
)

// Attendance statuses.
const (
	Present = "present"
	Absent  = "absent"
	Excused = "excused"
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

// Workshop is an awareness workshop held in a wilayat.
type Workshop struct {
	ID          string  `json:"id"`
	TitleAr     string  `json:"title_ar"`
	TitleEn     string  `json:"title_en"`
	Topic       string  `json:"topic,omitempty"`
	Date        string  `json:"date"`                 // YYYY-MM-DD
	StartTime   string  `json:"start_time,omitempty"` // HH:MM
	Hours       float64 `json:"hours"`
	Governorate string  `json:"governorate"`
	Wilayat     string  `json:"wilayat,omitempty"`
	Venue       string  `json:"venue,omitempty"`
	Facilitator string  `json:"facilitator,omitempty"`
	Capacity    int     `json:"capacity,omitempty"`
	Status      string  `json:"status"`
	MinHours    float64 `json:"min_hours"` // attendance needed for a certificate
	Deleted     bool    `json:"deleted,omitempty"`
}

// Title is the title to show first: Arabic when there is one.
func (w Workshop) Title() string {
	if w.TitleAr != "" {
		return w.TitleAr
	}
	return w.TitleEn
}

// Attendance is one person's presence at one workshop.
type Attendance struct {
	ID          string  `json:"id"`
	WorkshopID  string  `json:"workshop_id"`
	PersonID    string  `json:"person_id"`
	CheckedInAt string  `json:"checked_in_at,omitempty"` // RFC 3339, UTC
	Hours       float64 `json:"hours"`
	Status      string  `json:"status"`
	Deleted     bool    `json:"deleted,omitempty"`
}

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
