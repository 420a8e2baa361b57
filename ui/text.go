package ui

// displayText prepares display-only text for a Fyne label.
//
// Fyne 2.7 renders text with go-text: it shapes Arabic (joined letters) and
// orders right-to-left runs itself, so labels take logical text as stored.
// Passing arabic.Display's output (already shaped and reordered) makes Fyne
// reverse it a second time: see docs/fyne-bidi-check.png, where the first
// column is logical text, the second arabic.Display and the third
// arabic.Visual. What Fyne lacks is right-to-left layout (alignment,
// mirrored containers), which the screens do themselves in Arabic mode, and
// exact spacing where a Latin or number run meets an Arabic one.
func displayText(s string) string { return s }
