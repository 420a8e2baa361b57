package ui

// displayText prepares display-only text for Fyne, which has no
// right-to-left layout of its own. It is the single place where Arabic
// will be shaped and put in visual order.
func displayText(s string) string { return s }
