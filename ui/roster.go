package ui

import (
	"context"
	"fmt"
	stdsync "sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/oman-sca/safeer/data"
)

// rosterScreen lists the roster with type-ahead search. The list is
// virtualised (widget.List draws only the visible rows), so 100,000 people
// cost one slice of summaries.
type rosterScreen struct {
	ctx    context.Context
	roster Roster

	search *widget.Entry
	list   *widget.List
	count  *widget.Label

	// mu guards results and seq. Fyne's own driver runs fyne.Do callbacks
	// on one goroutine, but its test driver runs them where they are
	// called, so the lock keeps the screen correct under both.
	mu      stdsync.Mutex
	results []data.SearchResult
	seq     int // newest query sent; older answers are dropped
}

func newRosterScreen(ctx context.Context, roster Roster) *rosterScreen {
	r := &rosterScreen{ctx: ctx, roster: roster}
	r.search = widget.NewEntry()
	r.search.SetPlaceHolder("Search by name, phone, civil ID or email — ابحث بالاسم أو الهاتف")
	r.search.OnChanged = func(string) { r.refresh() }
	r.count = widget.NewLabel("")
	r.list = widget.NewList(
		func() int { return len(r.snapshot()) },
		func() fyne.CanvasObject {
			return container.NewGridWithColumns(3, widget.NewLabel(""), widget.NewLabel(""), widget.NewLabel(""))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			results := r.snapshot()
			if id >= len(results) {
				return
			}
			p := results[id]
			cells := o.(*fyne.Container).Objects
			cells[0].(*widget.Label).SetText(displayText(p.NameAr))
			cells[1].(*widget.Label).SetText(p.NameEn)
			cells[2].(*widget.Label).SetText(p.Phone)
		},
	)
	return r
}

func (r *rosterScreen) content() fyne.CanvasObject {
	top := container.NewBorder(nil, nil, nil, r.count, r.search)
	return container.NewBorder(top, nil, nil, nil, r.list)
}

// refresh runs the search off Fyne's goroutine and shows the newest answer.
func (r *rosterScreen) refresh() {
	r.mu.Lock()
	r.seq++
	seq := r.seq
	r.mu.Unlock()
	q := r.search.Text
	go func() {
		res, err := r.roster.Search(r.ctx, q, data.SearchOptions{})
		do(func() {
			r.mu.Lock()
			stale := seq != r.seq
			if !stale && err == nil {
				r.results = res
			}
			r.mu.Unlock()
			if stale {
				return
			}
			if err != nil {
				r.count.SetText("Search failed — تعذر البحث")
				return
			}
			r.count.SetText(fmt.Sprintf("%d", len(res)))
			r.list.Refresh()
		})
	}()
}

func (r *rosterScreen) snapshot() []data.SearchResult {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.results
}

// do hands f to Fyne's goroutine. It is a variable for the tests: Fyne's
// test driver runs fyne.Do at once on the calling goroutine, so the tests
// queue f and run it on the test goroutine instead.
var do = fyne.Do
