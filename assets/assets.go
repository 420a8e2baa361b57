// Package assets holds the files Safeer carries inside its binaries, so an
// offline laptop never depends on what happens to be installed.
package assets

import _ "embed"

// Amiri (SIL Open Font License 1.1, see fonts/OFL.txt) covers Arabic and
// Latin in one face, so a bilingual certificate needs no font fallback.
var (
	//go:embed fonts/Amiri-Regular.ttf
	AmiriRegular []byte

	//go:embed fonts/Amiri-Bold.ttf
	AmiriBold []byte
)
