package safeer

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
