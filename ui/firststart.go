package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// firstSteps is the dashboard's "Getting started" card: what a new
// computer needs before its first workshop (enrol with HQ's code, the
// roster imported or pulled, a workshop), each with its state and a button
// that goes there. It is on the dashboard until all three are done.
type firstSteps struct {
	u       *UI
	steps   [3]firstStep
	pull    *widget.Button // step 2 on an enrolled computer: pull the roster from HQ
	content *fyne.Container
}

type firstStep struct {
	text   *label
	state  *label
	button *widget.Button
	done   bool
}

// The steps, in order.
const (
	stepEnrol = iota
	stepRoster
	stepWorkshop
)

func newFirstSteps(u *UI) *firstSteps {
	f := &firstSteps{u: u}
	texts := [3]string{u.T("steps.enrol"), u.T("steps.roster"), u.T("steps.workshop")}
	buttons := [3]*widget.Button{
		u.button(u.T("steps.goenrol"), theme.LoginIcon(), func() {
			u.show(screenSync)
			u.focus(u.syncScreen.hqURL)
		}),
		u.button(u.T("people.import"), theme.UploadIcon(), func() {
			u.show(screenPeople)
			newImportWizard(u, u.people.refresh).show()
		}),
		u.button(u.T("steps.goworkshop"), theme.ContentAddIcon(), func() {
			u.show(screenWorkshops)
			u.workshops.create()
		}),
	}
	f.pull = u.button(u.T("steps.gopull"), theme.DownloadIcon(), func() {
		u.show(screenSync)
		u.syncScreen.runNow()
	})
	rows := []fyne.CanvasObject{u.heading(u.T("steps.title")), u.wrapped(u.T("steps.help"))}
	for i := range f.steps {
		st := &f.steps[i]
		st.text = u.wrapped(texts[i])
		st.state = u.label("")
		st.button = buttons[i]
		end := u.row(st.state, st.button)
		if i == stepRoster {
			end = u.row(st.state, f.pull, st.button)
		}
		rows = append(rows, u.border(nil, nil, nil, end, st.text))
	}
	f.content = container.NewVBox(widget.NewCard("", "", container.NewVBox(rows...)))
	f.content.Hide()
	return f
}

func (f *firstSteps) view() fyne.CanvasObject { return f.content }

// set shows the steps' states; the card goes once every step is done.
func (f *firstSteps) set(enrolled bool, people, workshops int) {
	u := f.u
	done := [3]bool{enrolled, people > 0, workshops > 0}
	all := true
	for i := range f.steps {
		st := &f.steps[i]
		st.done = done[i]
		all = all && done[i]
		if st.done {
			st.state.SetText(u.T("steps.done"))
			st.state.Importance = widget.SuccessImportance
			st.button.Importance = widget.LowImportance
		} else {
			st.state.SetText(u.T("steps.todo"))
			st.state.Importance = widget.WarningImportance
			st.button.Importance = widget.HighImportance
		}
		st.state.Refresh()
		st.button.Refresh()
	}
	// Pulling needs an enrolled computer; importing is always there.
	if enrolled && !done[stepRoster] {
		f.pull.Show()
	} else {
		f.pull.Hide()
	}
	if all {
		f.content.Hide()
	} else {
		f.content.Show()
	}
	f.content.Refresh()
}
