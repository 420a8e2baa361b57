package ui

import (
	"context"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/roster"
)

// screenDuplicates is the list of people who may be the same, reached from
// the Ambassadors screen's "Possible duplicates (N)" and the dashboard's
// attention list; it is not in the navigation.
const screenDuplicates = "duplicates"

// dupPair is two live people who may be the same, with why.
type dupPair struct {
	a, b    data.PersonSummary
	reasons []string
}

// key names the pair whatever its order.
func (p dupPair) key() data.PairKey { return data.NewPairKey(p.a.ID, p.b.ID) }

// maxDupPairs bounds a review: more than that is a job for an import fix.
const maxDupPairs = 500

// findDuplicates lists the roster's pairs of people who look alike (the
// store's DuplicatePairs: one pass over the roster, group by group, by the
// rule of roster.Offer, kept in u.dups while the roster does not change;
// again scans anyway), those with more reasons first, leaving out the
// pairs the coordinator said are different people (kept in the file).
// Off Fyne's goroutine; progress, if not nil, hears when it is done.
func (u *UI) findDuplicates(ctx context.Context, again bool, progress func(float64)) ([]dupPair, error) {
	found, err := u.dups.get(ctx, u.store, again)
	if err != nil {
		return nil, err
	}
	notSame, err := u.store.NotSamePairs(ctx)
	if err != nil {
		return nil, err
	}
	seen := map[data.PairKey]bool{}
	var pairs []dupPair
	for _, f := range found {
		pair := dupPair{a: f.A, b: f.B, reasons: f.Reasons}
		k := pair.key()
		if seen[k] || notSame[k] {
			continue
		}
		seen[k] = true
		pairs = append(pairs, pair)
		if len(pairs) >= maxDupPairs {
			break
		}
	}
	if progress != nil {
		progress(1)
	}
	sort.SliceStable(pairs, func(i, j int) bool { return len(pairs[i].reasons) > len(pairs[j].reasons) })
	return pairs, nil
}

// countDuplicates counts the pairs off Fyne's goroutine and gives the
// count to done on it. The count costs a scan of the roster only when the
// roster changed since the last one (dupCache).
func (u *UI) countDuplicates(current func() bool, done func(int)) {
	background(u, func(ctx context.Context) (int, error) {
		pairs, err := u.findDuplicates(ctx, false, nil)
		return len(pairs), err
	}, func(n int, err error) {
		if err != nil || !current() {
			return
		}
		done(n)
	})
}

// reasonText is a pair's reasons as sentences in the UI's language.
func (u *UI) reasonText(reasons []string) string {
	why := make([]string, len(reasons))
	for i, r := range reasons {
		why[i] = u.lang.pick(roster.Reason(r).Sentence())
	}
	return strings.Join(why, u.T("list.sep"))
}

// duplicatesScreen lists the pairs who may be the same person, two lines a
// pair (name, phone, wilayat of each, and why), and opens a pair in the
// side-by-side merge view.
type duplicatesScreen struct {
	u        *UI
	pairs    []dupPair
	list     *widget.List
	scan     *widget.Button
	bar      *widget.ProgressBar
	message  *label
	scanning bool
	scans    latest
	content  fyne.CanvasObject
	merge    *mergeView // the merge view open, if any
}

func newDuplicatesScreen(u *UI) *duplicatesScreen {
	d := &duplicatesScreen{u: u}
	compare := func() *widget.Button {
		b := u.button(u.T("dups.compare"), theme.ViewRestoreIcon(), nil)
		b.Importance = widget.MediumImportance
		return b
	}
	var why []string
	for _, r := range []roster.Reason{roster.SameCivilID, roster.SamePhone, roster.SameEmail, roster.SameName, roster.CloseName} {
		why = append(why, u.lang.pick(r.Sentence()))
	}
	cols := u.table(
		column{header: u.T("col.name"), grow: 3},
		column{header: u.T("col.phone"), samples: []string{"+96899999999"}},
		column{header: u.T("col.wilayat"), grow: 1.5},
		column{header: u.T("dups.why"), grow: 1.5, samples: why[len(why)-1:], fit: compare()},
	)
	d.list = widget.NewList(
		func() int { return len(d.pairs) },
		func() fyne.CanvasObject {
			return container.NewVBox(cols.row(u.cell(), u.cell(), u.cell(), u.cell()),
				cols.row(u.cell(), u.cell(), u.cell(), container.NewStack(compare())))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(d.pairs) {
				return
			}
			p := d.pairs[id]
			lines := o.(*fyne.Container).Objects
			for i, person := range []data.PersonSummary{p.a, p.b} {
				cells := lines[i].(*fyne.Container).Objects
				cells[0].(*label).SetText(personLine(u.lang, person.NameEn, person.NameAr))
				cells[1].(*label).SetText(person.Phone)
				cells[2].(*label).SetText(u.places.wilayatName(u.lang, person.Governorate, person.Wilayat))
			}
			lines[0].(*fyne.Container).Objects[3].(*label).SetText(u.reasonText(p.reasons))
			b := lines[1].(*fyne.Container).Objects[3].(*fyne.Container).Objects[0].(*widget.Button)
			b.OnTapped = func() { d.open(p) }
		},
	)
	d.list.OnSelected = func(id widget.ListItemID) {
		if id < len(d.pairs) {
			d.open(d.pairs[id])
		}
		d.list.UnselectAll()
	}
	d.scan = u.button(u.T("dups.scanagain"), theme.ViewRefreshIcon(), func() { d.run(true) })
	d.bar = widget.NewProgressBar()
	d.bar.Hide()
	d.message = u.wrapped(u.T("dups.help"))
	back := u.button(u.T("dups.back"), u.backIcon(), func() { u.show(screenPeople) })
	back.Importance = widget.LowImportance
	top := container.NewVBox(
		u.border(nil, nil, u.heading(u.T("dups.heading")), u.row(back, d.scan)),
		d.bar, d.message, cols.header(u), widget.NewSeparator())
	d.content = container.NewBorder(top, nil, nil, nil, d.list)
	return d
}

func (d *duplicatesScreen) view() fyne.CanvasObject { return d.content }

func (d *duplicatesScreen) shown() { d.run(false) }

// run looks for the pairs, off Fyne's goroutine, with progress: those
// found before when the roster has not changed since, unless again.
func (d *duplicatesScreen) run(again bool) {
	u := d.u
	current := d.scans.next()
	d.scanning = true
	d.scan.Disable()
	d.bar.SetValue(0)
	d.bar.Show()
	background(u, func(ctx context.Context) ([]dupPair, error) {
		return u.findDuplicates(ctx, again, func(v float64) {
			do(func() { d.bar.SetValue(v) })
		})
	}, func(pairs []dupPair, err error) {
		if !current() {
			return
		}
		d.scanning = false
		d.scan.Enable()
		d.bar.Hide()
		if err != nil {
			u.showError(u.T("dups.heading"), err)
			return
		}
		d.pairs = pairs
		d.list.Refresh()
		if len(pairs) == 0 {
			d.message.SetText(u.T("dups.none"))
		} else {
			d.message.SetText(u.N("dups.found", len(pairs)))
		}
	})
}

// open shows the pair side by side.
func (d *duplicatesScreen) open(p dupPair) {
	d.merge = newMergeView(d.u, p, d.merged, d.notSame)
}

// notSame is "Not the same person": the pair is kept in the file as two
// different people and not offered (or counted) again, after a restart
// too.
func (d *duplicatesScreen) notSame(p dupPair) {
	u := d.u
	background(u, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, u.store.MarkNotSame(ctx, p.a.ID, p.b.ID)
	}, func(_ struct{}, err error) {
		if err != nil {
			u.showError(u.T("dups.heading"), err)
			return
		}
		d.drop(func(q dupPair) bool { return q.key() == p.key() })
		d.message.SetText(u.F("dups.different", personLine(u.lang, p.a.NameEn, p.a.NameAr), personLine(u.lang, p.b.NameEn, p.b.NameAr)))
	})
}

// merged says what a merge did (plan: as it was on screen, with the names
// before the merge) and drops every pair that named the merged
// person (the survivor's other pairs may have changed: look again).
func (d *duplicatesScreen) merged(plan data.MergePlan) {
	u := d.u
	d.drop(func(q dupPair) bool { return q.a.ID == plan.Merge.ID || q.b.ID == plan.Merge.ID })
	d.message.SetText(u.F("merge.done", personLine(u.lang, plan.Merge.NameEn, plan.Merge.NameAr),
		personLine(u.lang, plan.Keep.NameEn, plan.Keep.NameAr)))
	u.changed()
}

func (d *duplicatesScreen) drop(gone func(dupPair) bool) {
	var keep []dupPair
	for _, q := range d.pairs {
		if !gone(q) {
			keep = append(keep, q)
		}
	}
	d.pairs = keep
	d.list.Refresh()
}

// mergeView is a pair side by side in a dialog: one row per field of the
// merge plan, the record that stays on one side and the one merged into it
// on the other, and for each field that differs the side whose value the
// survivor gets (the plan's default first). A value cut short in its cell
// is whole on the message line when its row is chosen.
type mergeView struct {
	u       *UI
	pair    dupPair
	plan    data.MergePlan
	picked  map[string]roster.Side // the coordinator's own choices
	list    *widget.List
	keeps   *label
	message *label
	dlg     dialog.Dialog
	buttons []*widget.Button
	onMerge func(data.MergePlan)
	onNot   func(dupPair)
}

func newMergeView(u *UI, p dupPair, onMerge func(data.MergePlan), onNot func(dupPair)) *mergeView {
	m := &mergeView{u: u, pair: p, picked: map[string]roster.Side{}, onMerge: onMerge, onNot: onNot}
	sides := func() *widget.RadioGroup {
		r := widget.NewRadioGroup([]string{u.T("mergeview.takekept"), u.T("mergeview.takemerged")}, nil)
		r.Horizontal = true
		r.Required = true
		return r
	}
	var fields []string
	for _, f := range roster.MergeFields {
		fields = append(fields, u.fieldName(f))
	}
	cols := u.table(
		column{header: u.T("mergeview.field"), samples: fields},
		column{header: u.T("mergeview.kept"), grow: 1},
		column{header: u.T("mergeview.merged"), grow: 1},
		column{header: u.T("mergeview.take"), fit: sides()},
	)
	m.list = widget.NewList(
		func() int { return len(m.plan.Fields) },
		func() fyne.CanvasObject {
			return cols.row(u.cell(), u.cell(), u.cell(), container.NewStack(u.cell(), sides()))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(m.plan.Fields) {
				return
			}
			f := m.plan.Fields[id]
			cells := o.(*fyne.Container).Objects
			cells[0].(*label).SetText(u.fieldName(f.Field))
			cells[1].(*label).SetText(m.valueText(f.Field, f.Kept.Value, m.plan.Keep.Governorate))
			cells[2].(*label).SetText(m.valueText(f.Field, f.Merged.Value, m.plan.Merge.Governorate))
			take := cells[3].(*fyne.Container).Objects
			same, r := take[0].(*label), take[1].(*widget.RadioGroup)
			r.OnChanged = nil
			if !f.Differ() {
				r.Hide()
				same.SetText(u.T("mergeview.same"))
				same.Show()
				return
			}
			same.Hide()
			r.Show()
			r.SetSelected(r.Options[map[roster.Side]int{roster.Kept: 0, roster.Merged: 1}[f.Choice]])
			r.OnChanged = func(s string) {
				side := roster.Kept
				if s == r.Options[1] {
					side = roster.Merged
				}
				m.choose(f.Field, side)
			}
		},
	)
	m.list.OnSelected = func(id widget.ListItemID) {
		if id < len(m.plan.Fields) {
			f := m.plan.Fields[id]
			m.message.SetText(u.fieldName(f.Field) + ": " + m.valueText(f.Field, f.Kept.Value, m.plan.Keep.Governorate) +
				" / " + m.valueText(f.Field, f.Merged.Value, m.plan.Merge.Governorate))
		}
		m.list.UnselectAll()
	}
	m.keeps = u.wrapped("")
	m.message = u.wrapped(u.T("mergeview.help"))
	swap := u.button(u.T("mergeview.swap"), theme.ViewRefreshIcon(), m.swap)
	notSame := u.button(u.T("mergeview.notsame"), theme.CancelIcon(), func() {
		m.dlg.Hide()
		m.onNot(m.pair)
	})
	cancel := u.button(u.T("button.cancel"), nil, func() { m.dlg.Hide() })
	merge := u.button(u.T("merge.yes"), theme.ConfirmIcon(), m.merge)
	merge.Importance = widget.WarningImportance
	m.buttons = []*widget.Button{swap, notSame, cancel, merge}
	top := container.NewVBox(m.keeps, cols.header(u), widget.NewSeparator())
	bottom := container.NewVBox(widget.NewSeparator(), m.message, u.border(nil, nil, u.row(swap, notSame), u.answers(merge, cancel)))
	content := container.NewBorder(top, bottom, nil, nil, m.list)
	m.dlg = u.customWithoutButtons(u.T("mergeview.title"), content)
	size := u.win.Canvas().Size()
	m.dlg.Resize(fyne.NewSize(size.Width*0.92, size.Height*0.9))
	m.busy(true)
	m.dlg.Show()
	m.load(p.a.ID, p.b.ID)
	return m
}

// load reads the plan of merging mergeID into keepID.
func (m *mergeView) load(keepID, mergeID string) {
	u := m.u
	m.busy(true)
	picked := make(map[string]roster.Side, len(m.picked))
	for f, s := range m.picked {
		picked[f] = s
	}
	background(u, func(ctx context.Context) (data.MergePlan, error) {
		plan, err := u.store.PlanMerge(ctx, keepID, mergeID)
		if err != nil {
			return plan, err
		}
		plan.Fields, err = roster.Choose(plan.Fields, picked)
		return plan, err
	}, func(plan data.MergePlan, err error) {
		m.busy(false)
		if err != nil {
			m.message.SetText(u.words(err))
			return
		}
		m.plan = plan
		m.keeps.SetText(u.F("mergeview.keeps", personLine(u.lang, plan.Keep.NameEn, plan.Keep.NameAr),
			personLine(u.lang, plan.Merge.NameEn, plan.Merge.NameAr)))
		m.list.Refresh()
	})
}

func (m *mergeView) busy(b bool) {
	for _, btn := range m.buttons {
		if b && btn != m.buttons[2] {
			btn.Disable()
		} else {
			btn.Enable()
		}
	}
}

// choose takes field's value from side, as its radio button does.
func (m *mergeView) choose(field string, side roster.Side) {
	fields, err := roster.Choose(m.plan.Fields, map[string]roster.Side{field: side})
	if err != nil {
		m.message.SetText(err.Error())
		m.list.Refresh()
		return
	}
	m.picked[field] = side
	if field == safeer.FieldGovernorate { // the wilayat goes with it
		m.picked[safeer.FieldWilayat] = side
	}
	m.plan.Fields = fields
	m.list.Refresh()
}

// choice is the side field's value is taken from now.
func (m *mergeView) choice(field string) roster.Side {
	for _, f := range m.plan.Fields {
		if f.Field == field {
			return f.Choice
		}
	}
	return ""
}

// swap makes the other record the one that stays; the values chosen stay
// chosen (each on its new side), the rest take the defaults again.
func (m *mergeView) swap() {
	for f, s := range m.picked {
		if s == roster.Kept {
			m.picked[f] = roster.Merged
		} else {
			m.picked[f] = roster.Kept
		}
	}
	m.load(m.plan.Merge.ID, m.plan.Keep.ID)
}

// merge applies the plan with the sides chosen.
func (m *mergeView) merge() {
	u := m.u
	plan := m.plan
	m.busy(true)
	background(u, func(ctx context.Context) (data.MergePlan, error) {
		return u.store.MergePeople(ctx, plan.Merge.ID, plan.Keep.ID, plan.Take())
	}, func(_ data.MergePlan, err error) {
		m.busy(false)
		if err != nil {
			m.message.SetText(u.words(err))
			return
		}
		m.dlg.Hide()
		m.onMerge(plan) // named as they were on screen
	})
}

// valueText is a stored value in words: a governorate's or wilayat's name,
// a gender, status or kind in the UI's language, "—" for none.
func (m *mergeView) valueText(field, v, gov string) string {
	u := m.u
	if v == "" {
		return "—"
	}
	switch field {
	case safeer.FieldGovernorate:
		if n := u.places.govName(u.lang, v); n != "" {
			return n
		}
	case safeer.FieldWilayat:
		if n := u.places.wilayatName(u.lang, gov, v); n != "" {
			return n
		}
	case safeer.FieldStatus:
		return u.statusWord(v)
	case safeer.FieldGender, safeer.FieldKind:
		return u.word(field, v)
	}
	return v
}

// backIcon is the icon of a button that goes back: an arrow pointing
// against the way the text reads.
func (u *UI) backIcon() fyne.Resource {
	if u.lang.RTL() {
		return theme.NavigateNextIcon()
	}
	return theme.NavigateBackIcon()
}
