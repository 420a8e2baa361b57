package ui

import (
	"slices"
	"testing"
)

// The file chooser's places read in the app's language: Fyne writes them
// as they are, so in Arabic "Home" and "Computer" were left in English.
func TestFileChooserPlacesInAppLanguage(t *testing.T) {
	for _, tc := range []struct {
		lang       Lang
		want, gone []string
	}{
		{Arabic, []string{"المجلد الشخصي", "الحاسوب"}, []string{"Home", "Computer"}},
		{English, []string{"Home", "Computer"}, []string{"المجلد الشخصي"}},
	} {
		t.Run(string(tc.lang), func(t *testing.T) {
			u := newTestUI(t, testStore(t), tc.lang)
			u.show(screenPeople)
			w := newImportWizard(u, nil)
			w.show()
			w.browse()
			settle(u)
			l := placesList(u.win.Canvas().Overlays().Top())
			if l == nil {
				t.Fatal("no list of places in the file chooser")
			}
			var names []string
			for id := 0; id < l.Length(); id++ {
				row := l.CreateItem()
				l.UpdateItem(id, row)
				names = append(names, placeRow(row).Text)
			}
			for _, n := range tc.want {
				if !slices.Contains(names, n) {
					t.Errorf("places %q lack %q", names, n)
				}
			}
			for _, n := range tc.gone {
				if slices.Contains(names, n) {
					t.Errorf("places %q still show %q", names, n)
				}
			}
		})
	}
}
