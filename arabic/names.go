package arabic

import "strings"

// Names are written in more than one way even after Fold: compounds are
// joined or not ("عبد الله" / "عبدالله"), and the genealogical "bin/بن" is
// added or left out. These helpers take folded text (see Fold) and are
// shared by the device's search and HQ's roster search.

// NameTokens are the words of a folded name, plus its compounds joined:
// "عبد الله الحارثي" gives عبد, الله, الحارثي and عبدالله, so a search for
// either spelling finds it.
func NameTokens(folded string) []string {
	words := strings.Fields(folded)
	out := append([]string(nil), words...)
	for i := 0; i+1 < len(words); i++ {
		if joinsNext(words[i]) {
			out = append(out, words[i]+words[i+1])
		}
	}
	return out
}

// NameKey is a folded name for duplicate matching: compounds joined and
// the genealogical words (بن، بنت، bin, bint, ibn) dropped.
func NameKey(folded string) string {
	words := strings.Fields(folded)
	var out []string
	for i := 0; i < len(words); i++ {
		w := words[i]
		switch w {
		case "بن", "بنت", "bin", "bint", "ibn":
			continue
		}
		if joinsNext(w) && i+1 < len(words) {
			w += words[i+1]
			i++
		}
		out = append(out, w)
	}
	return strings.Join(out, " ")
}

// joinsNext reports whether w begins a compound name.
func joinsNext(w string) bool {
	switch w {
	case "عبد", "ابو", "abd", "abdul", "abu":
		return true
	}
	return false
}
