package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// placeNames are the file chooser's places (its left-hand list) in each
// language. Fyne 2.7 writes these names as they are, without its
// translations, so an Arabic coordinator would read "Home" and "Computer".
var placeNames = map[Lang]map[string]string{
	Arabic: {
		"Home":      "المجلد الشخصي",
		"Computer":  "الحاسوب",
		"App Files": "ملفات التطبيق",
		"Desktop":   "سطح المكتب",
		"Documents": "المستندات",
		"Downloads": "التنزيلات",
		"Music":     "الموسيقى",
		"Pictures":  "الصور",
		"Videos":    "الفيديو",
		"Movies":    "الأفلام",
	},
}

// showFileDialog shows d with its places named in the app's language. Every
// file and folder chooser of the app goes through here.
func (u *UI) showFileDialog(d *dialog.FileDialog) {
	d.Show()
	names := placeNames[u.lang]
	if names == nil {
		return
	}
	c := u.win.Canvas()
	if c == nil || c.Overlays().Top() == nil {
		return
	}
	if l := placesList(c.Overlays().Top()); l != nil {
		nameItems(l, names)
	}
}

// placesList finds the chooser's list of places: the one list in the
// dialog whose rows are an icon and a label (the files are Fyne's own
// widgets, so a file called "Music" is never renamed). It walks only what
// Fyne makes public: a pop-up's content, containers, splits and scrolls.
func placesList(o fyne.CanvasObject) *widget.List {
	switch x := o.(type) {
	case *widget.List:
		if x.CreateItem != nil && placeRow(x.CreateItem()) != nil {
			return x
		}
	case *widget.PopUp:
		return placesList(x.Content)
	case *container.Split:
		if l := placesList(x.Leading); l != nil {
			return l
		}
		return placesList(x.Trailing)
	case *container.Scroll:
		return placesList(x.Content)
	case *fyne.Container:
		for _, child := range x.Objects {
			if l := placesList(child); l != nil {
				return l
			}
		}
	}
	return nil
}

// placeRow is the label of a row of the places list, or nil when row is
// not shaped like one.
func placeRow(row fyne.CanvasObject) *widget.Label {
	c, ok := row.(*fyne.Container)
	if !ok || len(c.Objects) != 2 {
		return nil
	}
	if _, ok := c.Objects[0].(*fyne.Container); !ok {
		return nil
	}
	l, _ := c.Objects[1].(*widget.Label)
	return l
}

// nameItems makes l write each place's name through names after Fyne has
// written its own, every time a row is (re)drawn.
func nameItems(l *widget.List, names map[string]string) {
	fyneUpdate := l.UpdateItem
	if fyneUpdate == nil {
		return
	}
	l.UpdateItem = func(id widget.ListItemID, row fyne.CanvasObject) {
		fyneUpdate(id, row)
		if label := placeRow(row); label != nil {
			if name, ok := names[label.Text]; ok {
				label.SetText(name)
			}
		}
	}
	l.Refresh()
}
