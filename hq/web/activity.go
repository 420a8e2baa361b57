package web

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/spreadsheet"
)

// Workshops and attendance per governorate and month, ambassadors' hours,
// charts drawn on the server as SVG, and exports to CSV and XLSX.

// programme is what the activity page and the exports read: every live
// workshop, attendance and person (merged people point at whom they
// stand for), as the domain's types (hq.WorkshopOf, …).
type programme struct {
	workshops map[string]safeer.Workshop
	attends   []safeer.Attendance
	people    map[string]listed
	mergedTo  map[string]string
}

func (s *Site) loadProgramme(ctx context.Context, scopes []string) (*programme, error) {
	p := &programme{workshops: map[string]safeer.Workshop{}, people: map[string]listed{}, mergedTo: map[string]string{}}
	err := eachOf(ctx, s, hq.RowQuery{Table: safeer.TableWorkshop, Scopes: scopes}, hq.WorkshopOf, func(_ hq.Row, w safeer.Workshop) error {
		if !w.Deleted {
			p.workshops[w.ID] = w
		}
		return nil
	})
	if err == nil {
		err = eachOf(ctx, s, hq.RowQuery{Table: safeer.TableAttendance, Scopes: scopes}, hq.AttendanceOf, func(_ hq.Row, a safeer.Attendance) error {
			if !a.Deleted {
				p.attends = append(p.attends, a)
			}
			return nil
		})
	}
	if err == nil {
		// People of every governorate: attendance in one governorate may
		// name a person registered in another.
		err = eachOf(ctx, s, hq.RowQuery{Table: safeer.TablePerson}, hq.PersonOf, func(_ hq.Row, pe safeer.Person) error {
			if pe.MergedInto != "" {
				p.mergedTo[pe.ID] = pe.MergedInto
			}
			if !pe.Deleted {
				p.people[pe.ID] = listPerson(pe)
			}
			return nil
		})
	}
	return p, err
}

// canonical is the person a record stands for: the end of the chain of
// merges from id (concurrent merges on two devices leave chains), as the
// devices read it. A merge into a deleted person counts as none (HQ undoes
// such merges, hq/mergedeleted.go); a cycle (HQ repairs those,
// hq/mergecycle.go) stops after maxMergeChain steps.
func (p *programme) canonical(id string) string {
	for range maxMergeChain {
		m, ok := p.mergedTo[id]
		if !ok {
			break
		}
		if _, live := p.people[m]; !live {
			break
		}
		id = m
	}
	return id
}

// maxMergeChain bounds a walk along merges (the devices' bound too).
const maxMergeChain = 32

// bar is one bar of a chart, laid out in SVG user units.
type bar struct {
	X, Y, W, H    float64
	Label, Value  string
	LabelX, TextY float64
	ValueY        float64
}

// barChart is a server-rendered SVG bar chart.
type barChart struct {
	Title         string
	Width, Height float64
	Bars          []bar
	Ticks         []tick
	Empty         bool
}

type tick struct {
	Y     float64
	Label string
}

// newBarChart lays out values (one per label) as bars.
func newBarChart(title string, labels []string, values []float64) barChart {
	const w, h, left, right, top, bottom = 720.0, 260.0, 44.0, 8.0, 16.0, 36.0
	c := barChart{Title: title, Width: w, Height: h}
	max := 0.0
	for _, v := range values {
		max = math.Max(max, v)
	}
	c.Empty = max == 0
	if max == 0 {
		max = 1
	}
	// A round scale: 1, 2 or 5 times a power of ten per step, 4 steps or so.
	step := math.Pow(10, math.Floor(math.Log10(max/4)))
	for _, m := range []float64{1, 2, 5, 10} {
		if max/(step*m) <= 5 {
			step *= m
			break
		}
	}
	if step < 1 {
		step = 1
	}
	top2 := math.Ceil(max/step) * step
	plotH := h - top - bottom
	for v := 0.0; v <= top2+1e-9; v += step {
		c.Ticks = append(c.Ticks, tick{Y: top + plotH - v/top2*plotH, Label: strconv.FormatFloat(v, 'f', -1, 64)})
	}
	n := float64(len(values))
	slot := (w - left - right) / math.Max(n, 1)
	for i, v := range values {
		bh := v / top2 * plotH
		x := left + float64(i)*slot + slot*0.15
		c.Bars = append(c.Bars, bar{X: x, Y: top + plotH - bh, W: slot * 0.7, H: bh,
			Label: labels[i], Value: strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64),
			LabelX: x + slot*0.35, TextY: h - bottom + 16, ValueY: top + plotH - bh - 4})
	}
	return c
}

type monthRow struct {
	Month              string
	Workshops, Present int
	Hours              float64
}

type govRow struct {
	Gov                        Gov
	Workshops, Present, People int
	Hours                      float64
}

type hoursRow struct {
	Person listed
	Hours  float64
	Count  int
}

type activityPage struct {
	consolePage
	Governorates                []Gov
	Gov                         string
	From, To                    string // YYYY-MM
	Months                      []monthRow
	ByGov                       []govRow
	Top                         []hoursRow
	WorkshopChart, PresentChart barChart
	GovNames                    map[string]string
}

func (s *Site) handleActivity(w http.ResponseWriter, r *http.Request, ses *session) {
	ctx := r.Context()
	p := activityPage{consolePage: s.base(ses, "activity", "Workshops and attendance"), Gov: r.URL.Query().Get("gov"), GovNames: map[string]string{}}
	places, err := s.places(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Governorates = governorates(places)
	p.GovNames = govNames(p.Governorates)
	var scopes []string
	if p.Gov != "" {
		scopes = []string{p.Gov}
	}
	prog, err := s.loadProgramme(ctx, scopes)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// The twelve months up to this one.
	now := s.srv.Now().In(Muscat)
	start := time.Date(now.Year(), now.Month()-11, 1, 0, 0, 0, 0, time.UTC)
	months := make([]monthRow, 12)
	index := map[string]int{}
	for i := range months {
		m := start.AddDate(0, i, 0).Format("2006-01")
		months[i].Month, index[m] = m, i
	}
	p.From, p.To = months[0].Month, months[11].Month
	held := func(wk safeer.Workshop) bool { return wk.Status != safeer.WorkshopCancelled && len(wk.Date) >= 7 }
	byGov := map[string]*govRow{}
	govPeople := map[string]map[string]bool{}
	row := func(code string) *govRow {
		if byGov[code] == nil {
			byGov[code] = &govRow{Gov: Gov{Code: code, En: p.GovNames[code]}}
			govPeople[code] = map[string]bool{}
		}
		return byGov[code]
	}
	for _, wk := range prog.workshops {
		if !held(wk) {
			continue
		}
		if i, ok := index[wk.Date[:7]]; ok {
			months[i].Workshops++
			row(wk.Governorate).Workshops++
		}
	}
	top := map[string]*hoursRow{}
	for _, a := range prog.attends {
		wk, ok := prog.workshops[a.WorkshopID]
		if !ok || !held(wk) || a.Status != "present" {
			continue
		}
		i, ok := index[wk.Date[:7]]
		if !ok {
			continue
		}
		who := prog.canonical(a.PersonID)
		months[i].Present++
		months[i].Hours += a.Hours
		g := row(wk.Governorate)
		g.Present++
		g.Hours += a.Hours
		govPeople[wk.Governorate][who] = true
		pe, known := prog.people[who]
		if !known || pe.Kind != safeer.KindAmbassador {
			continue
		}
		if top[who] == nil {
			top[who] = &hoursRow{Person: pe}
		}
		top[who].Hours += a.Hours
		top[who].Count++
	}
	for code, g := range byGov {
		g.People = len(govPeople[code])
		for _, x := range p.Governorates {
			if x.Code == code {
				g.Gov = x
			}
		}
		p.ByGov = append(p.ByGov, *g)
	}
	sort.Slice(p.ByGov, func(i, j int) bool { return p.ByGov[i].Gov.En < p.ByGov[j].Gov.En })
	for _, t := range top {
		p.Top = append(p.Top, *t)
	}
	sort.Slice(p.Top, func(i, j int) bool {
		if p.Top[i].Hours != p.Top[j].Hours {
			return p.Top[i].Hours > p.Top[j].Hours
		}
		return p.Top[i].Person.sortKey < p.Top[j].Person.sortKey
	})
	if len(p.Top) > 25 {
		p.Top = p.Top[:25]
	}
	labels := make([]string, 12)
	ws, ps := make([]float64, 12), make([]float64, 12)
	for i, m := range months {
		t, _ := time.Parse("2006-01", m.Month)
		labels[i] = t.Format("Jan 06")
		ws[i], ps[i] = float64(m.Workshops), float64(m.Present)
	}
	p.Months = months
	p.WorkshopChart = newBarChart("Workshops held per month", labels, ws)
	p.PresentChart = newBarChart("Attendances (present) per month", labels, ps)
	s.render(w, r, http.StatusOK, "activity", p)
}

// Exports.

// table is an export: its columns and rows of text.
type table struct {
	name   string
	header []spreadsheet.Column
	rows   [][]string
}

func (s *Site) exportTable(ctx context.Context, name string, scopes []string) (*table, error) {
	switch name {
	case "roster":
		t := &table{name: name, header: spreadsheet.Columns([]string{"id", "kind", "name_ar", "name_en", "governorate", "wilayat",
			"phone", "email", "organisation", "status"})}
		var people []listed
		if err := s.livePeople(ctx, scopes, func(p listed) { people = append(people, p) }); err != nil {
			return nil, err
		}
		sortPeople(people)
		for _, p := range people {
			t.rows = append(t.rows, []string{p.ID, p.Kind, p.NameAr, p.NameEn, p.Governorate, p.Wilayat,
				p.Phone, p.Email, p.Organisation, p.Status})
		}
		return t, nil
	case "workshops", "attendance":
		prog, err := s.loadProgramme(ctx, scopes)
		if err != nil {
			return nil, err
		}
		var ws []safeer.Workshop
		for _, w := range prog.workshops {
			ws = append(ws, w)
		}
		sort.Slice(ws, func(i, j int) bool {
			if ws[i].Date != ws[j].Date {
				return ws[i].Date < ws[j].Date
			}
			return ws[i].ID < ws[j].ID
		})
		if name == "workshops" {
			present := map[string]int{}
			for _, a := range prog.attends {
				if a.Status == "present" {
					present[a.WorkshopID]++
				}
			}
			t := &table{name: name, header: spreadsheet.Columns([]string{"id", "date", "title_ar", "title_en", "topic", "governorate",
				"wilayat", "venue", "hours", "status", "present"}, "hours", "present")}
			for _, w := range ws {
				t.rows = append(t.rows, []string{w.ID, w.Date, w.TitleAr, w.TitleEn, w.Topic, w.Governorate,
					w.Wilayat, w.Venue, hoursText(w.Hours), w.Status, strconv.Itoa(present[w.ID])})
			}
			return t, nil
		}
		t := &table{name: name, header: spreadsheet.Columns([]string{"workshop_id", "date", "workshop_en", "governorate", "person_id",
			"name_ar", "name_en", "status", "hours"}, "hours")}
		byWorkshop := map[string][]safeer.Attendance{}
		for _, a := range prog.attends {
			byWorkshop[a.WorkshopID] = append(byWorkshop[a.WorkshopID], a)
		}
		for _, w := range ws {
			as := byWorkshop[w.ID]
			sort.Slice(as, func(i, j int) bool { return as[i].ID < as[j].ID })
			for _, a := range as {
				who := prog.canonical(a.PersonID)
				pe := prog.people[who]
				t.rows = append(t.rows, []string{w.ID, w.Date, w.TitleEn, w.Governorate, who,
					pe.NameAr, pe.NameEn, a.Status, hoursText(a.Hours)})
			}
		}
		return t, nil
	}
	return nil, nil
}

// file writes the export as CSV or XLSX through package spreadsheet, which
// escapes cells a spreadsheet program would run as formulas (CSV
// injection), as the device's exports are.
func (t *table) file(format spreadsheet.Format) ([]byte, error) {
	var buf bytes.Buffer
	if _, err := spreadsheet.Write(&buf, format, t.name, t.header, spreadsheet.Rows(t.rows)); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (s *Site) handleExport(w http.ResponseWriter, r *http.Request, ses *session) {
	file := r.PathValue("file")
	name, ext, _ := strings.Cut(file, ".")
	if ext != "csv" && ext != "xlsx" {
		s.notFound(w, r)
		return
	}
	gov := r.URL.Query().Get("gov")
	var scopes []string
	if gov != "" {
		scopes = []string{gov}
	}
	t, err := s.exportTable(r.Context(), name, scopes)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if t == nil {
		s.notFound(w, r)
		return
	}
	body, err := t.file(spreadsheet.Format(ext))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctype := "text/csv; charset=utf-8"
	if ext == "xlsx" {
		ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	// Exports hold people's contact details: the log says who took which.
	s.audit(r, hq.AuditEntry{Admin: ses.Admin, Action: "export", Target: file,
		Detail: strings.TrimSuffix(fmt.Sprintf("%d rows, %s", len(t.rows), gov), ", "), Remote: s.remote(r)})
	fname := "safeer-" + name
	if gov != "" {
		fname += "-" + strings.ToLower(gov)
	}
	fname += "-" + s.srv.Now().In(Muscat).Format("2006-01-02") + "." + ext
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="`+fname+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(body)
}
